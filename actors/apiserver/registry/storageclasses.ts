/**
 * storage.k8s.io/v1 StorageClasses: a provisioner and its parameters, a
 * reclaim policy and a binding mode. Provisioner, parameters, reclaim policy
 * and binding mode are fixed once created; labels, annotations (the
 * default-class mark), mount options and expansion may change.
 */
import type { StorageClass } from "../../api/types/storage.ts";
import type { FieldError, ResourceDef } from "./resource.ts";
import { at, forbidden, invalid, isQualifiedName, notSupported, required, semanticEqual, validateImmutable } from "./validation.ts";

const reclaimPolicies = ["Delete", "Retain"];
const bindingModes = ["Immediate", "WaitForFirstConsumer"];

function validateStorageClass(sc: StorageClass): FieldError[] {
  const errs: FieldError[] = [];
  if (typeof sc.provisioner !== "string" || sc.provisioner === "") errs.push(required("provisioner"));
  else errs.push(...isQualifiedName(sc.provisioner.toLowerCase()).map((m) => invalid("provisioner", sc.provisioner, m)));
  for (const k of Object.keys(sc.parameters ?? {})) if (k === "") errs.push(invalid("parameters", k, "field can not be empty."));
  if (sc.reclaimPolicy === undefined) errs.push(required("reclaimPolicy"));
  else if (!reclaimPolicies.includes(sc.reclaimPolicy)) errs.push(notSupported("reclaimPolicy", sc.reclaimPolicy, reclaimPolicies));
  if (sc.volumeBindingMode === undefined) errs.push(required("volumeBindingMode"));
  else if (!bindingModes.includes(sc.volumeBindingMode)) errs.push(notSupported("volumeBindingMode", sc.volumeBindingMode, bindingModes));
  if (sc.allowVolumeExpansion !== undefined && typeof sc.allowVolumeExpansion !== "boolean") errs.push(invalid("allowVolumeExpansion", sc.allowVolumeExpansion, "must be a boolean"));
  for (const [i, term] of (sc.allowedTopologies ?? []).entries()) {
    const exprs = term.matchLabelExpressions ?? [];
    if (exprs.length === 0) errs.push(required(at("allowedTopologies", i), "must contain at least one key/value pair"));
    for (const [j, e] of exprs.entries()) {
      const path = `${at("allowedTopologies", i)}.${at("matchLabelExpressions", j)}`;
      if (!e.key) errs.push(required(`${path}.key`));
      if (!e.values?.length) errs.push(required(`${path}.values`, "must specify as least one value"));
    }
  }
  return errs;
}

function validateStorageClassUpdate(sc: StorageClass, old: StorageClass): FieldError[] {
  const errs: FieldError[] = [];
  if (!semanticEqual(sc.parameters ?? {}, old.parameters ?? {})) errs.push(forbidden("parameters", "updates to parameters are forbidden."));
  if (sc.provisioner !== old.provisioner) errs.push(forbidden("provisioner", "updates to provisioner are forbidden."));
  if (sc.reclaimPolicy !== old.reclaimPolicy) errs.push(forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."));
  errs.push(...validateImmutable(sc.volumeBindingMode, old.volumeBindingMode, "volumeBindingMode"));
  return errs;
}

/** storage.k8s.io/v1 storageclasses. */
export const storageClassResource = {
  group: "storage.k8s.io",
  version: "v1",
  kind: "StorageClass",
  listKind: "StorageClassList",
  plural: "storageclasses",
  singular: "storageclass",
  namespaced: false,
  shortNames: ["sc"],
  subresources: [],
  defaults(sc) {
    sc.reclaimPolicy ||= "Delete";
    sc.volumeBindingMode ||= "Immediate";
  },
  validate: validateStorageClass,
  validateUpdate: validateStorageClassUpdate,
} satisfies ResourceDef<StorageClass>;
