/**
 * core/v1 PersistentVolumeClaims: a storage request with access modes. The
 * spec is frozen after creation except binding (volumeName from unset) and,
 * for bound claims, growing the storage request.
 */
import type { PersistentVolumeClaim } from "../../api/types/index.ts";
import { compareQuantities, isQuantity } from "../../api/quantity.ts";
import { canonicalizeResourceList } from "./pod-defaults.ts";
import { validateAccessModes, validateStorage } from "./persistentvolumes.ts";
import type { FieldError, ResourceDef } from "./resource.ts";
import { at, clone, forbidden, invalid, isDNS1123Subdomain, notSupported, semanticEqual, validateLabelSelector } from "./validation.ts";

/** Kubernetes' message when a claim update touches a frozen field. */
export const PVC_UPDATE_FORBIDDEN = "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims";

function validatePVC(pvc: PersistentVolumeClaim): FieldError[] {
  const spec = pvc.spec ?? {};
  const errs = validateAccessModes(spec.accessModes, "spec.accessModes");
  errs.push(...validateLabelSelector(spec.selector, "spec.selector"));
  errs.push(...validateStorage(spec.resources?.requests?.storage, at("spec.resources", "storage")));
  if (spec.volumeMode && !["Block", "Filesystem"].includes(spec.volumeMode)) errs.push(notSupported("spec.volumeMode", spec.volumeMode, ["Block", "Filesystem"]));
  if (spec.storageClassName) errs.push(...isDNS1123Subdomain(spec.storageClassName).map((m) => invalid("spec.storageClassName", spec.storageClassName, m)));
  return errs;
}

function validatePVCUpdate(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim): FieldError[] {
  const munged = clone(pvc.spec ?? {});
  const prev = old.spec ?? {};
  // Binding fills volumeName once.
  if (!prev.volumeName) munged.volumeName = prev.volumeName;
  // A claim created with no class may be given the default class later (retroactive default StorageClass).
  if (prev.storageClassName === undefined) munged.storageClassName = prev.storageClassName;
  const errs: FieldError[] = [];
  const bound = old.status?.phase === "Bound";
  const next = pvc.spec?.resources?.requests?.storage;
  const before = prev.resources?.requests?.storage;
  if (bound && next !== undefined && before !== undefined) {
    if (isQuantity(next) && isQuantity(before) && compareQuantities(next, before) < 0) {
      errs.push(forbidden("spec.resources.requests.storage", "field can not be less than previous value"));
    }
    munged.resources = { ...munged.resources, requests: { ...munged.resources?.requests, storage: before } };
  }
  if (!semanticEqual(munged, prev)) errs.push(forbidden("spec", PVC_UPDATE_FORBIDDEN));
  return errs;
}

/** core/v1 persistentvolumeclaims. */
export const persistentVolumeClaimResource = {
  group: "",
  version: "v1",
  kind: "PersistentVolumeClaim",
  listKind: "PersistentVolumeClaimList",
  plural: "persistentvolumeclaims",
  singular: "persistentvolumeclaim",
  namespaced: true,
  shortNames: ["pvc"],
  subresources: ["status"],
  defaults(pvc) {
    pvc.spec ??= {};
    pvc.spec.volumeMode ||= "Filesystem";
    canonicalizeResourceList(pvc.spec.resources?.requests);
    canonicalizeResourceList(pvc.spec.resources?.limits);
    pvc.status ??= {};
    pvc.status.phase ||= "Pending";
  },
  prepareForCreate(pvc) {
    pvc.status = { phase: "Pending" };
  },
  prepareForUpdate(pvc, old) {
    pvc.status = clone(old.status);
  },
  validate: validatePVC,
  validateUpdate: validatePVCUpdate,
  validateStatusUpdate(pvc, _old) {
    const phase = pvc.status?.phase;
    return phase && !["Bound", "Lost", "Pending"].includes(phase) ? [notSupported("status.phase", phase, ["Bound", "Lost", "Pending"])] : [];
  },
} satisfies ResourceDef<PersistentVolumeClaim>;
