/**
 * coordination.k8s.io/v1 Leases: leader election and node heartbeats. A
 * lease lasts a positive number of seconds; its times are RFC 3339.
 */
import type { Lease } from "../../api/types/index.ts";
import type { FieldError, ResourceDef } from "./resource.ts";
import { forbidden, invalid, notSupported } from "./validation.ts";

const strategies = ["OldestEmulationVersion"];
const microTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function validateLease(lease: Lease): FieldError[] {
  const spec = lease.spec ?? {};
  const errs: FieldError[] = [];
  if (spec.leaseDurationSeconds !== undefined && !(spec.leaseDurationSeconds > 0)) {
    errs.push(invalid("spec.leaseDurationSeconds", spec.leaseDurationSeconds, "must be greater than 0"));
  }
  if (spec.leaseTransitions !== undefined && spec.leaseTransitions < 0) {
    errs.push(invalid("spec.leaseTransitions", spec.leaseTransitions, "must be greater than or equal to 0"));
  }
  if (spec.strategy !== undefined && !strategies.includes(spec.strategy)) errs.push(notSupported("spec.strategy", spec.strategy, strategies));
  if (spec.preferredHolder && !spec.strategy) errs.push(forbidden("spec.preferredHolder", "may only be specified if `strategy` is defined"));
  for (const f of ["acquireTime", "renewTime"] as const) {
    const t = spec[f];
    if (t !== undefined && (!microTime.test(t) || Number.isNaN(Date.parse(t)))) errs.push(invalid(`spec.${f}`, t, "must be an RFC 3339 date-time"));
  }
  return errs;
}

/** coordination.k8s.io/v1 leases. */
export const leaseResource = {
  group: "coordination.k8s.io",
  version: "v1",
  kind: "Lease",
  listKind: "LeaseList",
  plural: "leases",
  singular: "lease",
  namespaced: true,
  subresources: [],
  fieldSelectors: {
    "spec.holderIdentity": (l) => l.spec?.holderIdentity ?? "",
  },
  validate: validateLease,
} satisfies ResourceDef<Lease>;
