/**
 * core/v1 PodStatus: what the kubelet and scheduler report about a pod.
 */
import type { Condition } from "../meta.ts";
import type { ResourceRequirements } from "./core-common.ts";

/** Pending / Running / Succeeded / Failed / Unknown. */
export type PodPhase = "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";

/** Guaranteed / Burstable / BestEffort. */
export type PodQOSClass = "Guaranteed" | "Burstable" | "BestEffort";

/** PodScheduled / Initialized / ContainersReady / Ready / PodReadyToStartContainers / DisruptionTarget. */
export type PodConditionType = "PodScheduled" | "Initialized" | "ContainersReady" | "Ready" | "PodReadyToStartContainers" | "DisruptionTarget" | (string & {});

/** core/v1 PodCondition */
export interface PodCondition extends Condition {
  type: PodConditionType;
}

/** core/v1 PodIP / HostIP */
export interface IPEntry {
  ip: string;
}

/** core/v1 PodStatus */
export interface PodStatus {
  phase?: PodPhase;
  conditions?: PodCondition[];
  message?: string;
  reason?: string;
  nominatedNodeName?: string;
  hostIP?: string;
  hostIPs?: IPEntry[];
  podIP?: string;
  podIPs?: IPEntry[];
  startTime?: string;
  initContainerStatuses?: ContainerStatus[];
  containerStatuses?: ContainerStatus[];
  qosClass?: PodQOSClass;
  observedGeneration?: number;
}

/** core/v1 ContainerStateWaiting */
export interface ContainerStateWaiting {
  reason?: string;
  message?: string;
}

/** core/v1 ContainerStateRunning */
export interface ContainerStateRunning {
  startedAt?: string;
}

/** core/v1 ContainerStateTerminated */
export interface ContainerStateTerminated {
  exitCode: number;
  signal?: number;
  reason?: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  containerID?: string;
}

/** core/v1 ContainerState: at most one member is set. */
export interface ContainerState {
  waiting?: ContainerStateWaiting;
  running?: ContainerStateRunning;
  terminated?: ContainerStateTerminated;
}

/** core/v1 ContainerStatus */
export interface ContainerStatus {
  name: string;
  state?: ContainerState;
  lastState?: ContainerState;
  ready: boolean;
  restartCount: number;
  image: string;
  imageID: string;
  containerID?: string;
  started?: boolean;
  resources?: ResourceRequirements;
}
