/**
 * core/v1 ServiceAccounts: identity for pods; nothing beyond metadata and
 * well-formed secret references to check.
 */
import type { ServiceAccount } from "../../api/types/index.ts";
import type { FieldError, ResourceDef } from "./resource.ts";
import { at, child, invalid, isDNS1123Subdomain } from "./validation.ts";

function validateRefs(sa: ServiceAccount): FieldError[] {
  const errs: FieldError[] = [];
  for (const field of ["secrets", "imagePullSecrets"] as const) {
    (sa[field] ?? []).forEach((ref, i) => {
      if (ref.name) errs.push(...isDNS1123Subdomain(ref.name).map((m) => invalid(child(at(field, i), "name"), ref.name, m)));
    });
  }
  return errs;
}

/** core/v1 serviceaccounts. */
export const serviceAccountResource = {
  group: "",
  version: "v1",
  kind: "ServiceAccount",
  listKind: "ServiceAccountList",
  plural: "serviceaccounts",
  singular: "serviceaccount",
  namespaced: true,
  shortNames: ["sa"],
  subresources: [],
  validate: validateRefs,
} satisfies ResourceDef<ServiceAccount>;
