/**
 * core/v1 PersistentVolume and PersistentVolumeClaim.
 */
import type { Condition, LabelSelector, ObjectMeta } from "../meta.ts";
import type { ObjectReference, ResourceList, TypedLocalObjectReference } from "./core-common.ts";
import type { HostPathVolumeSource, NodeSelector } from "./core-pod.ts";

/** ReadWriteOnce / ReadOnlyMany / ReadWriteMany / ReadWriteOncePod. */
export type AccessMode = "ReadWriteOnce" | "ReadOnlyMany" | "ReadWriteMany" | "ReadWriteOncePod";

/** core/v1 PersistentVolume */
export interface PersistentVolume {
  apiVersion: "v1";
  kind: "PersistentVolume";
  metadata: ObjectMeta;
  spec: PersistentVolumeSpec;
  status?: PersistentVolumeStatus;
  [field: string]: unknown;
}

/** core/v1 PersistentVolumeSpec (the volume sources a simulated cluster can back). */
export interface PersistentVolumeSpec {
  capacity?: ResourceList;
  accessModes?: AccessMode[];
  claimRef?: ObjectReference;
  persistentVolumeReclaimPolicy?: "Retain" | "Delete" | "Recycle";
  storageClassName?: string;
  mountOptions?: string[];
  volumeMode?: "Filesystem" | "Block";
  nodeAffinity?: { required?: NodeSelector };
  hostPath?: HostPathVolumeSource;
  local?: { path: string; fsType?: string };
  nfs?: { server: string; path: string; readOnly?: boolean };
  csi?: { driver: string; volumeHandle: string; readOnly?: boolean; fsType?: string; volumeAttributes?: Record<string, string> };
}

/** core/v1 PersistentVolumeStatus */
export interface PersistentVolumeStatus {
  phase?: "Pending" | "Available" | "Bound" | "Released" | "Failed";
  message?: string;
  reason?: string;
  lastPhaseTransitionTime?: string;
}

/** core/v1 PersistentVolumeClaim */
export interface PersistentVolumeClaim {
  apiVersion: "v1";
  kind: "PersistentVolumeClaim";
  metadata: ObjectMeta;
  spec: PersistentVolumeClaimSpec;
  status?: PersistentVolumeClaimStatus;
  [field: string]: unknown;
}

/** core/v1 PersistentVolumeClaimSpec */
export interface PersistentVolumeClaimSpec {
  accessModes?: AccessMode[];
  selector?: LabelSelector;
  resources?: { requests?: ResourceList; limits?: ResourceList };
  volumeName?: string;
  storageClassName?: string;
  volumeMode?: "Filesystem" | "Block";
  dataSource?: TypedLocalObjectReference;
}

/** core/v1 PersistentVolumeClaimStatus */
export interface PersistentVolumeClaimStatus {
  phase?: "Pending" | "Bound" | "Lost";
  accessModes?: AccessMode[];
  capacity?: ResourceList;
  conditions?: Condition[];
}
