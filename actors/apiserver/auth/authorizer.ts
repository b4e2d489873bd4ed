/**
 * The authorizer: `system:masters` is allowed everything (kube-apiserver's
 * privileged-group authorizer), then RBAC allows what some bound rule
 * allows; nothing is ever explicitly denied. Refusals become 403s worded as
 * kube-apiserver words them.
 */
import { failure, forbidden, StatusError } from "../../api/status.ts";
import type { RbacCache } from "./rbac-cache.ts";
import { ruleAllows, type Attributes } from "./rbac-rules.ts";
import { MASTERS_GROUP } from "./user.ts";

/** An authorizer's answer. */
export interface Decision {
  allowed: boolean;
  /** Why: the granting binding, or what went wrong while looking (missing roles). */
  reason: string;
}

/** Decides requests with RBAC over a {@link RbacCache}. */
export class RbacAuthorizer {
  readonly cache: RbacCache;

  constructor(cache: RbacCache) {
    this.cache = cache;
  }

  /** Allowed or not, with RBAC's reason. */
  authorize(a: Attributes): Decision {
    if (a.user.groups.includes(MASTERS_GROUP)) return { allowed: true, reason: "" };
    const set = this.cache.rulesFor(a.user, a.resourceRequest ? a.namespace : "");
    for (const g of set.rules) if (ruleAllows(a, g.rule)) return { allowed: true, reason: `RBAC: allowed by ${g.source}` };
    return { allowed: false, reason: set.errors.length === 0 ? "" : `RBAC: ${aggregate(set.errors)}` };
  }

  /** Throws the 403 when the request is not allowed. */
  check(a: Attributes): void {
    const d = this.authorize(a);
    if (!d.allowed) throw forbiddenError(a, d.reason);
  }
}

/** Errors joined as apimachinery's aggregate prints them. */
export function aggregate(errors: string[]): string {
  return errors.length === 1 ? errors[0] : `[${errors.join(", ")}]`;
}

/** `User "jane" cannot list resource "pods" in API group "" in the namespace "default"` */
export function forbiddenMessage(a: Attributes): string {
  const who = `User ${JSON.stringify(a.user.username)}`;
  if (!a.resourceRequest) return `${who} cannot ${a.verb} path ${JSON.stringify(a.path)}`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const what = `${who} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.apiGroup)}`;
  return a.namespace ? `${what} in the namespace ${JSON.stringify(a.namespace)}` : `${what} at the cluster scope`;
}

/** The 403 for a refused request: `pods "web" is forbidden: User "jane" cannot get ...`. */
export function forbiddenError(a: Attributes, reason = ""): StatusError {
  const why = reason ? `${forbiddenMessage(a)}: ${reason}` : forbiddenMessage(a);
  if (!a.resourceRequest) return new StatusError(failure("Forbidden", `forbidden: ${why}`, {}));
  return forbidden(a.resource, a.name, why, a.apiGroup);
}
