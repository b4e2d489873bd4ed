/**
 * apps/v1 ReplicaSet and Deployment.
 */
import type { Condition, LabelSelector, ObjectMeta } from "../meta.ts";
import type { IntOrString } from "./core-common.ts";
import type { PodTemplateSpec } from "./core-pod.ts";

/** apps/v1 ReplicaSet */
export interface ReplicaSet {
  apiVersion: "apps/v1";
  kind: "ReplicaSet";
  metadata: ObjectMeta;
  spec: ReplicaSetSpec;
  status?: ReplicaSetStatus;
  [field: string]: unknown;
}

/** apps/v1 ReplicaSetSpec */
export interface ReplicaSetSpec {
  replicas?: number;
  minReadySeconds?: number;
  selector: LabelSelector;
  template: PodTemplateSpec;
}

/** apps/v1 ReplicaSetStatus */
export interface ReplicaSetStatus {
  replicas?: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  terminatingReplicas?: number;
  observedGeneration?: number;
  conditions?: Condition[];
}

/** apps/v1 Deployment */
export interface Deployment {
  apiVersion: "apps/v1";
  kind: "Deployment";
  metadata: ObjectMeta;
  spec: DeploymentSpec;
  status?: DeploymentStatus;
  [field: string]: unknown;
}

/** apps/v1 DeploymentSpec */
export interface DeploymentSpec {
  replicas?: number;
  selector: LabelSelector;
  template: PodTemplateSpec;
  strategy?: DeploymentStrategy;
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  paused?: boolean;
  progressDeadlineSeconds?: number;
}

/** apps/v1 DeploymentStrategy */
export interface DeploymentStrategy {
  type?: "Recreate" | "RollingUpdate";
  rollingUpdate?: RollingUpdateDeployment;
}

/** apps/v1 RollingUpdateDeployment: counts or percentages ("25%"). */
export interface RollingUpdateDeployment {
  maxUnavailable?: IntOrString;
  maxSurge?: IntOrString;
}

/** Available / Progressing / ReplicaFailure. */
export type DeploymentConditionType = "Available" | "Progressing" | "ReplicaFailure";

/** apps/v1 DeploymentCondition */
export interface DeploymentCondition extends Condition {
  type: DeploymentConditionType;
}

/** apps/v1 DeploymentStatus */
export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  terminatingReplicas?: number;
  conditions?: DeploymentCondition[];
  collisionCount?: number;
}
