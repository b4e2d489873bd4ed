/**
 * core/v1 Secrets: type Opaque by default, `stringData` merged into `data`
 * on write, values valid base64, well-known types carrying their keys.
 */
import type { Secret } from "../../api/types/index.ts";
import { base64DecodedLength, base64EncodeText, base64ErrorIndex } from "./base64.ts";
import { MAX_DATA_SIZE, validateImmutableData } from "./configmaps.ts";
import type { FieldError, ResourceDef } from "./resource.ts";
import { at, invalid, isConfigMapKey, required, tooLong, validateImmutable } from "./validation.ts";

/** The annotation naming the service account of a token secret. */
export const SERVICE_ACCOUNT_NAME_ANNOTATION = "kubernetes.io/service-account.name";

/** Keys each well-known type needs; `anyOf` types need at least one. */
const requiredKeys: Record<string, { all?: string[]; anyOf?: string[] }> = {
  "kubernetes.io/dockercfg": { all: [".dockercfg"] },
  "kubernetes.io/dockerconfigjson": { all: [".dockerconfigjson"] },
  "kubernetes.io/basic-auth": { anyOf: ["username", "password"] },
  "kubernetes.io/ssh-auth": { all: ["ssh-privatekey"] },
  "kubernetes.io/tls": { all: ["tls.crt", "tls.key"] },
};

function validateSecret(s: Secret): FieldError[] {
  const errs: FieldError[] = [];
  const data = s.data ?? {};
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    const p = at("data", k);
    errs.push(...isConfigMapKey(k).map((m) => invalid(p, k, m)));
    const bad = base64ErrorIndex(String(v));
    if (bad >= 0) errs.push(invalid(p, "<secret contents redacted>", `illegal base64 data at input byte ${bad}`));
    else size += base64DecodedLength(String(v));
  }
  if (size > MAX_DATA_SIZE) errs.push(tooLong("data", MAX_DATA_SIZE));
  const type = s.type ?? "Opaque";
  if (type === "kubernetes.io/service-account-token" && !s.metadata.annotations?.[SERVICE_ACCOUNT_NAME_ANNOTATION]) {
    errs.push(required(at("metadata.annotations", SERVICE_ACCOUNT_NAME_ANNOTATION)));
  }
  const need = requiredKeys[type];
  if (need?.all) for (const k of need.all) if (!Object.hasOwn(data, k) || (k === "ssh-privatekey" && !data[k])) errs.push(required(at("data", k)));
  if (need?.anyOf && !need.anyOf.some((k) => Object.hasOwn(data, k))) for (const k of need.anyOf) errs.push(required(at("data", k)));
  return errs;
}

/** core/v1 secrets. */
export const secretResource = {
  group: "",
  version: "v1",
  kind: "Secret",
  listKind: "SecretList",
  plural: "secrets",
  singular: "secret",
  namespaced: true,
  subresources: [],
  fieldSelectors: {
    type: (s) => s.type ?? "Opaque",
  },
  defaults(s) {
    s.type ||= "Opaque";
    // stringData is write-only: the v1 conversion folds it into data.
    if (s.stringData) {
      s.data = { ...s.data };
      for (const [k, v] of Object.entries(s.stringData)) s.data[k] = base64EncodeText(String(v));
      delete s.stringData;
    }
  },
  validate: validateSecret,
  validateUpdate: (s, old) => [...validateImmutable(s.type, old.type, "type"), ...validateImmutableData(s, old)],
} satisfies ResourceDef<Secret>;
