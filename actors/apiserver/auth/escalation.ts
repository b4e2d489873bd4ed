/**
 * RBAC's escalation prevention: a user may write a role only with rules they
 * already hold (or the `escalate` verb on it), and bind a role only when they
 * hold all its rules (or the `bind` verb on it), so RBAC write access is
 * never a path to more access. Coverage is checked rule by rule on atomic
 * (one verb, one group, one resource, one name) pieces, as Kubernetes does.
 */
import { forbidden, notFound, type StatusError } from "../../api/status.ts";
import type { PolicyRule, RoleRef } from "../../api/types/rbac.ts";
import type { RbacAuthorizer } from "./authorizer.ts";
import { ALL, type Attributes } from "./rbac-rules.ts";
import type { UserInfo } from "./user.ts";

const RBAC = "rbac.authorization.k8s.io";

/** One verb on one group/resource/name, or on one URL. */
interface AtomicRule {
  verb: string;
  group?: string;
  resource?: string;
  name?: string;
  url?: string;
}

function atomize(rules: readonly PolicyRule[]): AtomicRule[] {
  const out: AtomicRule[] = [];
  for (const r of rules) {
    for (const verb of r.verbs ?? []) {
      for (const url of r.nonResourceURLs ?? []) out.push({ verb, url });
      for (const group of r.apiGroups ?? []) {
        for (const resource of r.resources ?? []) {
          const names = r.resourceNames?.length ? r.resourceNames : [undefined];
          for (const name of names) out.push({ verb, group, resource, name });
        }
      }
    }
  }
  return out;
}

function resourceCovers(owner: readonly string[], resource: string): boolean {
  if (owner.includes(ALL) || owner.includes(resource)) return true;
  const slash = resource.indexOf("/");
  return slash > 0 && owner.includes(`*${resource.slice(slash)}`);
}

function urlCovers(owner: readonly string[], url: string): boolean {
  return owner.some((o) => o === url || (o.endsWith(ALL) && url.startsWith(o.slice(0, -1))));
}

/** True when one owner rule covers one atomic rule (a `*` is covered only by a `*`). */
function covers(owner: PolicyRule, a: AtomicRule): boolean {
  if (!(owner.verbs ?? []).some((v) => v === ALL || v === a.verb)) return false;
  if (a.url !== undefined) return urlCovers(owner.nonResourceURLs ?? [], a.url);
  if (!(owner.apiGroups ?? []).some((g) => g === ALL || g === a.group)) return false;
  if (!resourceCovers(owner.resources ?? [], a.resource ?? "")) return false;
  const names = owner.resourceNames ?? [];
  return names.length === 0 || (a.name !== undefined && names.includes(a.name));
}

/** The pieces of `wanted` that no rule of `held` covers. */
export function uncovered(held: readonly PolicyRule[], wanted: readonly PolicyRule[]): AtomicRule[] {
  return atomize(wanted).filter((a) => !held.some((h) => covers(h, a)));
}

const q = (items: readonly string[]) => `[${items.map((s) => JSON.stringify(s)).join(" ")}]`;

/** Missing pieces merged per target and printed as Kubernetes' compact rule strings. */
export function describeRules(missing: readonly AtomicRule[]): string {
  const byTarget = new Map<string, { a: AtomicRule; verbs: string[] }>();
  for (const a of missing) {
    const k = JSON.stringify([a.group, a.resource, a.name, a.url]);
    const e = byTarget.get(k) ?? { a, verbs: [] };
    if (!e.verbs.includes(a.verb)) e.verbs.push(a.verb);
    byTarget.set(k, e);
  }
  return [...byTarget.values()]
    .map(({ a, verbs }) => {
      if (a.url !== undefined) return `{NonResourceURLs:${q([a.url])}, Verbs:${q(verbs)}}`;
      const name = a.name !== undefined ? `, ResourceNames:${q([a.name])}` : "";
      return `{APIGroups:${q([a.group ?? ""])}, Resources:${q([a.resource ?? ""])}${name}, Verbs:${q(verbs)}}`;
    })
    .join("\n");
}

/** What to check for one RBAC write. */
export interface RbacWrite {
  user: UserInfo;
  /** roles, clusterroles, rolebindings or clusterrolebindings. */
  resource: string;
  namespace: string;
  name: string;
  /** The object as it will be stored. */
  object: { rules?: PolicyRule[]; roleRef?: RoleRef };
}

function attrs(user: UserInfo, verb: string, resource: string, namespace: string, name: string): Attributes {
  return { user, verb, resourceRequest: true, apiGroup: RBAC, resource, subresource: "", namespace, name, path: "" };
}

function refused(w: RbacWrite, missing: AtomicRule[]): StatusError {
  const why = `user ${JSON.stringify(w.user.username)} (groups=${q(w.user.groups)}) is attempting to grant RBAC permissions not currently held:\n${describeRules(missing)}`;
  return forbidden(w.resource, w.name, why, RBAC);
}

/** Throws the 403 when the write would grant the user more than they hold. */
export function checkEscalation(authorizer: RbacAuthorizer, w: RbacWrite): void {
  const held = () => authorizer.cache.rulesFor(w.user, w.namespace).rules.map((g) => g.rule);
  if (w.resource === "roles" || w.resource === "clusterroles") {
    if (authorizer.authorize(attrs(w.user, "escalate", w.resource, w.namespace, w.name)).allowed) return;
    const missing = uncovered(held(), w.object.rules ?? []);
    if (missing.length) throw refused(w, missing);
    return;
  }
  if (w.resource !== "rolebindings" && w.resource !== "clusterrolebindings") return;
  const ref = w.object.roleRef;
  if (!ref) return;
  const roleResource = ref.kind === "Role" ? "roles" : "clusterroles";
  const roleNamespace = ref.kind === "Role" ? w.namespace : "";
  if (authorizer.authorize(attrs(w.user, "bind", roleResource, w.namespace || roleNamespace, ref.name)).allowed) return;
  const rules = authorizer.cache.roleRules(ref, w.namespace);
  if (!rules) {
    const nf = notFound(roleResource, ref.name, RBAC);
    throw forbidden(w.resource, w.name, nf.message, RBAC);
  }
  const missing = uncovered(held(), rules);
  if (missing.length) throw refused(w, missing);
}
