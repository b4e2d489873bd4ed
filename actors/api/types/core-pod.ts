/**
 * core/v1 Pod: spec, volumes, scheduling constraints, templates, Binding.
 * The status lives in `core-pod-status.ts`.
 */
import type { LabelSelector, ObjectMeta } from "../meta.ts";
import type { Container } from "./core-container.ts";
import type { LocalObjectReference, ObjectReference, ResourceList, ResourceRequirements } from "./core-common.ts";
import type { PodStatus } from "./core-pod-status.ts";

/** Always / OnFailure / Never. */
export type RestartPolicy = "Always" | "OnFailure" | "Never";

/** ClusterFirst / ClusterFirstWithHostNet / Default / None. */
export type DNSPolicy = "ClusterFirst" | "ClusterFirstWithHostNet" | "Default" | "None";

/** core/v1 Pod */
export interface Pod {
  apiVersion: "v1";
  kind: "Pod";
  metadata: ObjectMeta;
  spec: PodSpec;
  status?: PodStatus;
  [field: string]: unknown;
}

/** core/v1 PodSpec */
export interface PodSpec {
  volumes?: Volume[];
  initContainers?: Container[];
  containers: Container[];
  restartPolicy?: RestartPolicy;
  terminationGracePeriodSeconds?: number;
  activeDeadlineSeconds?: number;
  dnsPolicy?: DNSPolicy;
  dnsConfig?: PodDNSConfig;
  nodeSelector?: Record<string, string>;
  serviceAccountName?: string;
  /** Deprecated alias of serviceAccountName, still served. */
  serviceAccount?: string;
  automountServiceAccountToken?: boolean;
  nodeName?: string;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: PodSecurityContext;
  imagePullSecrets?: LocalObjectReference[];
  hostname?: string;
  subdomain?: string;
  affinity?: Affinity;
  schedulerName?: string;
  tolerations?: Toleration[];
  hostAliases?: Array<{ ip: string; hostnames?: string[] }>;
  priorityClassName?: string;
  priority?: number;
  preemptionPolicy?: "PreemptLowerPriority" | "Never";
  readinessGates?: Array<{ conditionType: string }>;
  runtimeClassName?: string;
  enableServiceLinks?: boolean;
  overhead?: ResourceList;
  topologySpreadConstraints?: TopologySpreadConstraint[];
  schedulingGates?: Array<{ name: string }>;
  /** Pod-level resources (PodLevelResources). */
  resources?: ResourceRequirements;
}

/** core/v1 PodDNSConfig */
export interface PodDNSConfig {
  nameservers?: string[];
  searches?: string[];
  options?: Array<{ name?: string; value?: string }>;
}

/** core/v1 PodSecurityContext (the fields the control plane reads). */
export interface PodSecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  fsGroup?: number;
  supplementalGroups?: number[];
  sysctls?: Array<{ name: string; value: string }>;
}

/** core/v1 Volume: a name plus exactly one source. */
export interface Volume {
  name: string;
  configMap?: ConfigMapVolumeSource;
  secret?: SecretVolumeSource;
  emptyDir?: { medium?: "" | "Memory"; sizeLimit?: string };
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  hostPath?: HostPathVolumeSource;
  downwardAPI?: { items?: Array<{ path: string; fieldRef?: { apiVersion?: string; fieldPath: string } }>; defaultMode?: number };
  projected?: { sources?: unknown[]; defaultMode?: number };
}

/** core/v1 KeyToPath: one key projected to one file. */
export interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}

/** core/v1 ConfigMapVolumeSource */
export interface ConfigMapVolumeSource {
  name?: string;
  items?: KeyToPath[];
  defaultMode?: number;
  optional?: boolean;
}

/** core/v1 SecretVolumeSource */
export interface SecretVolumeSource {
  secretName?: string;
  items?: KeyToPath[];
  defaultMode?: number;
  optional?: boolean;
}

/** core/v1 HostPathType */
export type HostPathType = "" | "DirectoryOrCreate" | "Directory" | "FileOrCreate" | "File" | "Socket" | "CharDevice" | "BlockDevice";

/** core/v1 HostPathVolumeSource */
export interface HostPathVolumeSource {
  path: string;
  type?: HostPathType;
}

/** core/v1 Toleration */
export interface Toleration {
  key?: string;
  operator?: "Exists" | "Equal";
  value?: string;
  effect?: TaintEffect;
  tolerationSeconds?: number;
}

/** NoSchedule / PreferNoSchedule / NoExecute. */
export type TaintEffect = "NoSchedule" | "PreferNoSchedule" | "NoExecute";

/** core/v1 Affinity */
export interface Affinity {
  nodeAffinity?: NodeAffinity;
  podAffinity?: PodAffinity;
  podAntiAffinity?: PodAffinity;
}

/** core/v1 NodeAffinity */
export interface NodeAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: NodeSelector;
  preferredDuringSchedulingIgnoredDuringExecution?: Array<{ weight: number; preference: NodeSelectorTerm }>;
}

/** core/v1 NodeSelector: terms are ORed. */
export interface NodeSelector {
  nodeSelectorTerms: NodeSelectorTerm[];
}

/** core/v1 NodeSelectorTerm: requirements are ANDed. */
export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

/** core/v1 NodeSelectorRequirement */
export interface NodeSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt";
  values?: string[];
}

/** core/v1 PodAffinity (same shape for anti-affinity). */
export interface PodAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
  preferredDuringSchedulingIgnoredDuringExecution?: Array<{ weight: number; podAffinityTerm: PodAffinityTerm }>;
}

/** core/v1 PodAffinityTerm */
export interface PodAffinityTerm {
  labelSelector?: LabelSelector;
  namespaces?: string[];
  namespaceSelector?: LabelSelector;
  topologyKey: string;
  matchLabelKeys?: string[];
  mismatchLabelKeys?: string[];
}

/** core/v1 TopologySpreadConstraint */
export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: "DoNotSchedule" | "ScheduleAnyway";
  labelSelector?: LabelSelector;
  minDomains?: number;
  matchLabelKeys?: string[];
}

/** core/v1 PodTemplateSpec: the pod part of ReplicaSets and Deployments. */
export interface PodTemplateSpec {
  metadata?: ObjectMeta;
  spec: PodSpec;
}

/** core/v1 Binding: posted to `pods/<name>/binding` to place a pod on a node. */
export interface Binding {
  apiVersion: "v1";
  kind: "Binding";
  metadata: ObjectMeta;
  target: ObjectReference;
  [field: string]: unknown;
}
