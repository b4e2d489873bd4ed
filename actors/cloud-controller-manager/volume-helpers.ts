/**
 * Small pieces the volume controllers share: which claims a pod uses, the
 * unique name of an attached CSI volume, the default StorageClass, sizes.
 */
import type { Pod } from "../api/types/core-pod.ts";
import type { PersistentVolume, PersistentVolumeClaim } from "../api/types/core-storage.ts";
import { isDefaultClass, type StorageClass } from "../api/types/storage.ts";
import { parseQuantity } from "../api/quantity.ts";

/** The finalizer that keeps a claim while a pod uses it (pvc-protection). */
export const PVC_PROTECTION_FINALIZER = "kubernetes.io/pvc-protection";

/** Annotations of binding and provisioning, as the PV controller writes them. */
export const ANN = {
  bindCompleted: "pv.kubernetes.io/bind-completed",
  boundByController: "pv.kubernetes.io/bound-by-controller",
  provisionedBy: "pv.kubernetes.io/provisioned-by",
  storageProvisioner: "volume.kubernetes.io/storage-provisioner",
  betaStorageProvisioner: "volume.beta.kubernetes.io/storage-provisioner",
} as const;

/** Names of the PersistentVolumeClaims a pod's volumes refer to. */
export function claimNames(pod: Pod): string[] {
  return (pod.spec?.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim?.claimName ? [v.persistentVolumeClaim.claimName] : []));
}

/** `namespace/claim` keys of a pod's claims. */
export function claimKeys(pod: Pod): string[] {
  const ns = pod.metadata.namespace ?? "default";
  return claimNames(pod).map((c) => `${ns}/${c}`);
}

/** True for a pod that has finished (its volumes are no longer needed). */
export function isTerminated(pod: Pod): boolean {
  return pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
}

/** The name a CSI volume is attached under in node.status.volumesAttached: `kubernetes.io/csi/<driver>^<handle>`. */
export function uniqueVolumeName(driver: string, volumeHandle: string): string {
  return `kubernetes.io/csi/${driver}^${volumeHandle}`;
}

/** The cluster's default class: among those marked default, the newest (then by name), as Kubernetes picks. */
export function defaultStorageClass(classes: StorageClass[]): StorageClass | undefined {
  return classes
    .filter((c) => isDefaultClass(c) && !c.metadata.deletionTimestamp)
    .sort((a, b) => (b.metadata.creationTimestamp ?? "").localeCompare(a.metadata.creationTimestamp ?? "") || a.metadata.name!.localeCompare(b.metadata.name!))[0];
}

/** A storage quantity in bytes (0 when absent or unreadable). */
export function quantityBytes(q: string | undefined): number {
  try {
    return parseQuantity(q ?? "0");
  } catch {
    return 0;
  }
}

/** The storage a claim asks for, in bytes. */
export function requestedBytes(pvc: PersistentVolumeClaim): number {
  return quantityBytes(pvc.spec?.resources?.requests?.storage);
}

/** A disk size in whole GiB, at least 1, as cloud disks are sized: bytes → `NGi`. */
export function roundUpGi(bytes: number): { bytes: number; quantity: string } {
  const gi = Math.max(1, Math.ceil(bytes / 2 ** 30));
  return { bytes: gi * 2 ** 30, quantity: `${gi}Gi` };
}

/** The class a claim belongs to ("" = none). */
export function claimClass(pvc: PersistentVolumeClaim): string {
  return pvc.spec?.storageClassName ?? "";
}

/** True when `pv` can satisfy `pvc`: same class and mode, enough access modes and capacity, labels matching the selector. */
export function volumeFits(pv: PersistentVolume, pvc: PersistentVolumeClaim, selectorMatches: (labels: Record<string, string> | undefined) => boolean): boolean {
  if ((pv.spec?.storageClassName ?? "") !== claimClass(pvc)) return false;
  if ((pv.spec?.volumeMode ?? "Filesystem") !== (pvc.spec?.volumeMode ?? "Filesystem")) return false;
  const modes = pv.spec?.accessModes ?? [];
  if (!(pvc.spec?.accessModes ?? []).every((m) => modes.includes(m))) return false;
  if (quantityBytes(pv.spec?.capacity?.storage) < requestedBytes(pvc)) return false;
  return selectorMatches(pv.metadata.labels);
}
