/**
 * core/v1 ConfigMaps: config keys as file names, at most 1 MiB in all, and
 * frozen once `immutable` is set.
 */
import type { ConfigMap } from "../../api/types/index.ts";
import { base64DecodedLength, base64ErrorIndex } from "./base64.ts";
import type { FieldError, ResourceDef } from "./resource.ts";
import { at, byteLength, forbidden, invalid, isConfigMapKey, semanticEqual, tooLong } from "./validation.ts";

/** The most a ConfigMap or Secret may hold, in bytes. */
export const MAX_DATA_SIZE = 1024 * 1024;

function validateConfigMap(cm: ConfigMap): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(cm.data ?? {})) {
    const p = at("data", k);
    errs.push(...isConfigMapKey(k).map((m) => invalid(p, k, m)));
    if (cm.binaryData && Object.hasOwn(cm.binaryData, k)) errs.push(invalid(p, k, "duplicate of key present in binaryData"));
    size += byteLength(String(v));
  }
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) {
    const p = at("binaryData", k);
    errs.push(...isConfigMapKey(k).map((m) => invalid(p, k, m)));
    const bad = base64ErrorIndex(String(v));
    if (bad >= 0) errs.push(invalid(p, k, `illegal base64 data at input byte ${bad}`));
    else size += base64DecodedLength(String(v));
  }
  if (size > MAX_DATA_SIZE) errs.push(tooLong("", MAX_DATA_SIZE));
  return errs;
}

/** An object marked immutable may change only its metadata. */
export function validateImmutableData(obj: { immutable?: boolean; data?: unknown; binaryData?: unknown }, old: typeof obj): FieldError[] {
  if (!old.immutable) return [];
  const errs: FieldError[] = [];
  const msg = "field is immutable when `immutable` is set";
  if (!obj.immutable) errs.push(forbidden("immutable", msg));
  if (!semanticEqual(obj.data, old.data)) errs.push(forbidden("data", msg));
  if (!semanticEqual(obj.binaryData, old.binaryData)) errs.push(forbidden("binaryData", msg));
  return errs;
}

/** core/v1 configmaps. */
export const configMapResource = {
  group: "",
  version: "v1",
  kind: "ConfigMap",
  listKind: "ConfigMapList",
  plural: "configmaps",
  singular: "configmap",
  namespaced: true,
  shortNames: ["cm"],
  subresources: [],
  validate: validateConfigMap,
  validateUpdate: (cm, old) => validateImmutableData(cm, old),
} satisfies ResourceDef<ConfigMap>;
