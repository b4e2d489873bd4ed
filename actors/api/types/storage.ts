/**
 * storage.k8s.io/v1 StorageClass: how claims of a class are provisioned.
 */
import type { ObjectMeta } from "../meta.ts";

/** The annotation that makes a class the cluster's default. */
export const DEFAULT_STORAGE_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";

/** The annotation the provisioner writes on a PersistentVolume it created. */
export const PROVISIONED_BY_ANNOTATION = "pv.kubernetes.io/provisioned-by";

/** Immediate / WaitForFirstConsumer. */
export type VolumeBindingMode = "Immediate" | "WaitForFirstConsumer";

/** core/v1 TopologySelectorTerm, as a class's allowedTopologies use it. */
export interface TopologySelectorTerm {
  matchLabelExpressions?: Array<{ key: string; values: string[] }>;
}

/** storage.k8s.io/v1 StorageClass (no spec or status: its fields are top-level). */
export interface StorageClass {
  apiVersion: "storage.k8s.io/v1";
  kind: "StorageClass";
  metadata: ObjectMeta;
  provisioner: string;
  parameters?: Record<string, string>;
  reclaimPolicy?: "Delete" | "Retain";
  mountOptions?: string[];
  allowVolumeExpansion?: boolean;
  volumeBindingMode?: VolumeBindingMode;
  allowedTopologies?: TopologySelectorTerm[];
  [field: string]: unknown;
}

/** True when the class carries the default-class annotation set to "true". */
export function isDefaultClass(sc: StorageClass): boolean {
  return sc.metadata.annotations?.[DEFAULT_STORAGE_CLASS_ANNOTATION] === "true";
}
