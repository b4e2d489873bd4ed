/**
 * core/v1 Node and Namespace: the cluster-scoped kinds.
 */
import type { Condition, ObjectMeta } from "../meta.ts";
import type { ResourceList } from "./core-common.ts";
import type { TaintEffect } from "./core-pod.ts";

/** core/v1 Node */
export interface Node {
  apiVersion: "v1";
  kind: "Node";
  metadata: ObjectMeta;
  spec?: NodeSpec;
  status?: NodeStatus;
  [field: string]: unknown;
}

/** core/v1 NodeSpec */
export interface NodeSpec {
  podCIDR?: string;
  podCIDRs?: string[];
  providerID?: string;
  unschedulable?: boolean;
  taints?: Taint[];
}

/** core/v1 Taint */
export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
  timeAdded?: string;
}

/** Ready / MemoryPressure / DiskPressure / PIDPressure / NetworkUnavailable. */
export type NodeConditionType = "Ready" | "MemoryPressure" | "DiskPressure" | "PIDPressure" | "NetworkUnavailable" | (string & {});

/** core/v1 NodeCondition */
export interface NodeCondition extends Condition {
  type: NodeConditionType;
}

/** Hostname / InternalIP / ExternalIP / InternalDNS / ExternalDNS. */
export type NodeAddressType = "Hostname" | "InternalIP" | "ExternalIP" | "InternalDNS" | "ExternalDNS";

/** core/v1 NodeAddress */
export interface NodeAddress {
  type: NodeAddressType;
  address: string;
}

/** core/v1 NodeSystemInfo */
export interface NodeSystemInfo {
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
  containerRuntimeVersion: string;
  kubeletVersion: string;
  kubeProxyVersion?: string;
  operatingSystem: string;
  architecture: string;
}

/** core/v1 NodeStatus */
export interface NodeStatus {
  capacity?: ResourceList;
  allocatable?: ResourceList;
  phase?: "Pending" | "Running" | "Terminated";
  conditions?: NodeCondition[];
  addresses?: NodeAddress[];
  daemonEndpoints?: { kubeletEndpoint?: { Port: number } };
  nodeInfo?: NodeSystemInfo;
  images?: Array<{ names?: string[]; sizeBytes?: number }>;
  volumesInUse?: string[];
  volumesAttached?: Array<{ name: string; devicePath: string }>;
}

/** core/v1 Namespace */
export interface Namespace {
  apiVersion: "v1";
  kind: "Namespace";
  metadata: ObjectMeta;
  spec?: { finalizers?: string[] };
  status?: NamespaceStatus;
  [field: string]: unknown;
}

/** core/v1 NamespaceStatus */
export interface NamespaceStatus {
  phase?: "Active" | "Terminating";
  conditions?: Condition[];
}
