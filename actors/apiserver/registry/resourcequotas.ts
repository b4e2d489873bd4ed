/**
 * core/v1 ResourceQuotas: hard limits per namespace. The spec is the
 * user's; the status (hard and used) is the apiserver's, written through
 * the status subresource and by quota admission.
 */
import { compareQuantities, isQuantity, QUANTITY_FORMAT_ERROR } from "../../api/quantity.ts";
import type { ResourceList, ResourceQuota } from "../../api/types/index.ts";
import type { FieldError, ResourceDef } from "./resource.ts";
import { at, child, clone, invalid, isQualifiedName, notSupported, required } from "./validation.ts";

/** Resource names a quota may limit without a `/` in them. */
const STANDARD_QUOTA = new Set([
  "pods", "services", "replicationcontrollers", "resourcequotas", "secrets", "configmaps", "persistentvolumeclaims",
  "services.nodeports", "services.loadbalancers",
  "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.storage", "requests.ephemeral-storage",
  "limits.cpu", "limits.memory", "limits.ephemeral-storage",
]);

/** The quota scopes Kubernetes defines. */
export const QUOTA_SCOPES = ["Terminating", "NotTerminating", "BestEffort", "NotBestEffort", "PriorityClass", "CrossNamespacePodAffinity"];

function isStandardQuotaName(name: string): boolean {
  return STANDARD_QUOTA.has(name) || name.startsWith("hugepages-") || name.startsWith("requests.hugepages-");
}

/** Names and quantities of a quota resource list. */
export function validateQuotaList(list: ResourceList | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, q] of Object.entries(list ?? {})) {
    const p = at(path, k);
    if (!k.includes("/")) {
      if (!isStandardQuotaName(k)) errs.push(invalid(p, k, "must be a standard resource for quota"));
    } else {
      errs.push(...isQualifiedName(k).map((m) => invalid(p, k, m)));
    }
    if (!isQuantity(q)) errs.push(invalid(p, q, QUANTITY_FORMAT_ERROR));
    else if (compareQuantities(q, 0) < 0) errs.push(invalid(p, String(q), "must be greater than or equal to 0"));
  }
  return errs;
}

function validateQuota(q: ResourceQuota): FieldError[] {
  const spec = q.spec ?? {};
  const errs = validateQuotaList(spec.hard, "spec.hard");
  (spec.scopes ?? []).forEach((s, i) => {
    if (!QUOTA_SCOPES.includes(s)) errs.push(notSupported(at("spec.scopes", i), s, QUOTA_SCOPES));
  });
  (spec.scopeSelector?.matchExpressions ?? []).forEach((e, i) => {
    const p = at("spec.scopeSelector.matchExpressions", i);
    if (!QUOTA_SCOPES.includes(e?.scopeName)) errs.push(notSupported(child(p, "scopeName"), e?.scopeName ?? "", QUOTA_SCOPES));
    const ops = ["In", "NotIn", "Exists", "DoesNotExist"];
    if (!ops.includes(e?.operator)) errs.push(notSupported(child(p, "operator"), e?.operator ?? "", ops));
    else if ((e.operator === "In" || e.operator === "NotIn") && !(e.values ?? []).length) errs.push(required(child(p, "values"), "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"));
  });
  errs.push(...validateQuotaList(q.status?.hard, "status.hard"), ...validateQuotaList(q.status?.used, "status.used"));
  return errs;
}

/** core/v1 resourcequotas. */
export const resourceQuotaResource = {
  group: "",
  version: "v1",
  kind: "ResourceQuota",
  listKind: "ResourceQuotaList",
  plural: "resourcequotas",
  singular: "resourcequota",
  namespaced: true,
  shortNames: ["quota"],
  subresources: ["status"],
  prepareForCreate(q) {
    q.status = {};
  },
  prepareForUpdate(q, old) {
    q.status = clone(old.status);
  },
  validate: validateQuota,
} satisfies ResourceDef<ResourceQuota>;
