/**
 * core/v1 PersistentVolumes: cluster-scoped storage with one source, a
 * storage capacity, access modes; the source is immutable after creation.
 */
import type { PersistentVolume } from "../../api/types/index.ts";
import { compareQuantities, isQuantity, QUANTITY_FORMAT_ERROR } from "../../api/quantity.ts";
import { canonicalizeResourceList } from "./pod-defaults.ts";
import type { FieldError, ResourceDef } from "./resource.ts";
import { validateNodeSelector } from "./scheduling-validation.ts";
import { at, child, clone, forbidden, goRepr, invalid, isDNS1123Subdomain, notSupported, required, semanticEqual, validateImmutable } from "./validation.ts";

const accessModes = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];
const volumeModes = ["Block", "Filesystem"];
const pvSources = ["hostPath", "local", "nfs", "csi"] as const;

/** Access modes: at least one, each known, ReadWriteOncePod alone. */
export function validateAccessModes(modes: string[] | undefined, path: string): FieldError[] {
  if (!modes?.length) return [required(path)];
  const errs = modes.filter((m) => !accessModes.includes(m)).map((m) => notSupported(path, m, accessModes));
  if (modes.includes("ReadWriteOncePod") && modes.length > 1) errs.push(forbidden(path, "may not use ReadWriteOncePod with other access modes"));
  return errs;
}

/** A storage quantity that must be a positive amount. */
export function validateStorage(q: string | undefined, path: string): FieldError[] {
  if (q === undefined) return [required(path)];
  if (!isQuantity(q)) return [invalid(path, q, QUANTITY_FORMAT_ERROR)];
  return compareQuantities(q, 0) > 0 ? [] : [invalid(path, String(q), "must be greater than zero")];
}

function validatePV(pv: PersistentVolume): FieldError[] {
  const spec = pv.spec ?? {};
  const errs = validateAccessModes(spec.accessModes, "spec.accessModes");
  const cap = spec.capacity ?? {};
  const keys = Object.keys(cap);
  if (keys.length === 0) errs.push(required("spec.capacity"));
  else if (!keys.includes("storage") || keys.length > 1) errs.push(notSupported("spec.capacity", goRepr(`[${keys.join(" ")}]`), ["storage"]));
  else errs.push(...validateStorage(cap.storage, at("spec.capacity", "storage")));
  const policies = ["Delete", "Recycle", "Retain"];
  if (spec.persistentVolumeReclaimPolicy && !policies.includes(spec.persistentVolumeReclaimPolicy)) {
    errs.push(notSupported("spec.persistentVolumeReclaimPolicy", spec.persistentVolumeReclaimPolicy, policies));
  }
  if (spec.volumeMode && !volumeModes.includes(spec.volumeMode)) errs.push(notSupported("spec.volumeMode", spec.volumeMode, volumeModes));
  if (spec.storageClassName) errs.push(...isDNS1123Subdomain(spec.storageClassName).map((m) => invalid("spec.storageClassName", spec.storageClassName, m)));
  const set = pvSources.filter((s) => spec[s] !== undefined);
  if (set.length === 0) errs.push(required("spec", "must specify a volume type"));
  for (const s of set.slice(1)) errs.push(forbidden(child("spec", s), "may not specify more than 1 volume type"));
  if (spec.hostPath && !spec.hostPath.path) errs.push(required("spec.hostPath.path"));
  if (spec.local) {
    if (!spec.local.path) errs.push(required("spec.local.path"));
    if (!spec.nodeAffinity) errs.push(required("spec.nodeAffinity", "Local volume requires node affinity"));
  }
  if (spec.nfs) {
    if (!spec.nfs.server) errs.push(required("spec.nfs.server"));
    if (!spec.nfs.path) errs.push(required("spec.nfs.path"));
    else if (!spec.nfs.path.startsWith("/")) errs.push(invalid("spec.nfs.path", spec.nfs.path, "must be an absolute path"));
  }
  if (spec.csi) {
    if (!spec.csi.driver) errs.push(required("spec.csi.driver"));
    if (!spec.csi.volumeHandle) errs.push(required("spec.csi.volumeHandle"));
  }
  if (spec.nodeAffinity) {
    if (!spec.nodeAffinity.required) errs.push(required("spec.nodeAffinity.required"));
    else errs.push(...validateNodeSelector(spec.nodeAffinity.required, "spec.nodeAffinity.required"));
  }
  return errs;
}

function validatePVUpdate(pv: PersistentVolume, old: PersistentVolume): FieldError[] {
  const source = (v: PersistentVolume) => Object.fromEntries(pvSources.map((s) => [s, v.spec?.[s]]));
  const errs: FieldError[] = [];
  if (!semanticEqual(source(pv), source(old))) errs.push(forbidden("spec.persistentvolumesource", "spec.persistentvolumesource is immutable after creation"));
  errs.push(...validateImmutable(pv.spec?.volumeMode, old.spec?.volumeMode, "spec.volumeMode"));
  if (old.spec?.nodeAffinity) errs.push(...validateImmutable(pv.spec?.nodeAffinity, old.spec.nodeAffinity, "spec.nodeAffinity"));
  return errs;
}

/** core/v1 persistentvolumes. */
export const persistentVolumeResource = {
  group: "",
  version: "v1",
  kind: "PersistentVolume",
  listKind: "PersistentVolumeList",
  plural: "persistentvolumes",
  singular: "persistentvolume",
  namespaced: false,
  shortNames: ["pv"],
  subresources: ["status"],
  defaults(pv) {
    pv.spec ??= {};
    pv.spec.persistentVolumeReclaimPolicy ||= "Retain";
    pv.spec.volumeMode ||= "Filesystem";
    if (pv.spec.hostPath) pv.spec.hostPath.type ??= "";
    canonicalizeResourceList(pv.spec.capacity);
    pv.status ??= {};
    pv.status.phase ||= "Pending";
  },
  prepareForCreate(pv) {
    pv.status = { phase: "Pending" };
  },
  prepareForUpdate(pv, old) {
    pv.status = clone(old.status);
  },
  validate: validatePV,
  validateUpdate: validatePVUpdate,
  validateStatusUpdate(pv, _old) {
    const phases = ["Available", "Bound", "Failed", "Pending", "Released"];
    const phase = pv.status?.phase;
    return phase && !phases.includes(phase) ? [notSupported("status.phase", phase, phases)] : [];
  },
} satisfies ResourceDef<PersistentVolume>;
