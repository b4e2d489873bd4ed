/**
 * The RBAC objects as the authorizer reads them: roles and bindings kept in
 * memory from the store (read once, then followed), with each user's
 * applicable rules per namespace memoised until any RBAC object changes.
 */
import type { ClusterRoleBinding, PolicyRule, RoleBinding, RoleRef } from "../../api/types/rbac.ts";
import type { Store } from "../store/store.ts";
import { applicableSubject, describeSubject } from "./rbac-rules.ts";
import { followPrefix, type Feed } from "./store-feed.ts";
import type { UserInfo } from "./user.ts";

/** The store prefix of every RBAC kind. */
export const RBAC_PREFIX = "/registry/rbac.authorization.k8s.io/";

/** One rule and the binding that grants it, for reasons. */
export interface GrantedRule {
  rule: PolicyRule;
  /** `ClusterRoleBinding "x" of ClusterRole "y" to User "z"`. */
  source: string;
}

/** What a user may do in one namespace (cluster-wide rules included). */
export interface RuleSet {
  rules: GrantedRule[];
  /** Bindings that point at missing roles, worded as kube-apiserver words them. */
  errors: string[];
}

const MEMO_LIMIT = 10_000;

/** In-memory roles and bindings, fed from the store. */
export class RbacCache {
  #clusterRoles = new Map<string, PolicyRule[]>();
  #roles = new Map<string, PolicyRule[]>();
  #clusterRoleBindings = new Map<string, ClusterRoleBinding>();
  #roleBindings = new Map<string, Map<string, RoleBinding>>();
  #memo = new Map<string, RuleSet>();
  #feed?: Feed;

  /** Loads every RBAC object and follows changes. */
  async start(store: Store, onError?: (err: Error) => void): Promise<void> {
    this.#feed = await followPrefix(store, RBAC_PREFIX, (key, value) => this.apply(key, value), onError);
  }

  /** Stops following the store. */
  stop(): void {
    this.#feed?.cancel();
  }

  /** Applies one store change (`value` undefined = deleted). */
  apply(key: string, value: unknown): void {
    const parts = key.slice(RBAC_PREFIX.length).split("/");
    const [kind] = parts;
    this.#memo.clear();
    if (kind === "clusterroles" && parts.length === 2) {
      const rules = (value as { rules?: PolicyRule[] } | undefined)?.rules;
      if (value === undefined) this.#clusterRoles.delete(parts[1]);
      else this.#clusterRoles.set(parts[1], rules ?? []);
    } else if (kind === "roles" && parts.length === 3) {
      const id = `${parts[1]}/${parts[2]}`;
      if (value === undefined) this.#roles.delete(id);
      else this.#roles.set(id, (value as { rules?: PolicyRule[] }).rules ?? []);
    } else if (kind === "clusterrolebindings" && parts.length === 2) {
      if (value === undefined) this.#clusterRoleBindings.delete(parts[1]);
      else this.#clusterRoleBindings.set(parts[1], value as ClusterRoleBinding);
    } else if (kind === "rolebindings" && parts.length === 3) {
      let ns = this.#roleBindings.get(parts[1]);
      if (value === undefined) {
        ns?.delete(parts[2]);
        if (ns?.size === 0) this.#roleBindings.delete(parts[1]);
      } else {
        if (!ns) this.#roleBindings.set(parts[1], (ns = new Map()));
        ns.set(parts[2], value as RoleBinding);
      }
    }
  }

  /** The rules of a role a binding points at; undefined when it does not exist. */
  roleRules(ref: RoleRef, bindingNamespace: string): PolicyRule[] | undefined {
    if (ref.kind === "ClusterRole") return this.#clusterRoles.get(ref.name);
    if (ref.kind === "Role" && bindingNamespace) return this.#roles.get(`${bindingNamespace}/${ref.name}`);
    return undefined;
  }

  /** Every rule granted to the user cluster-wide and, when `namespace` is set, in that namespace. */
  rulesFor(user: UserInfo, namespace: string): RuleSet {
    const key = `${user.username}\u0000${user.groups.join("\u0000")}\u0001${namespace}`;
    const hit = this.#memo.get(key);
    if (hit) return hit;
    const set: RuleSet = { rules: [], errors: [] };
    for (const b of this.#clusterRoleBindings.values()) {
      const subject = applicableSubject(user, b.subjects, "");
      if (!subject) continue;
      const rules = b.roleRef?.kind === "ClusterRole" ? this.#clusterRoles.get(b.roleRef.name) : undefined;
      if (!rules) {
        set.errors.push(`clusterrole.rbac.authorization.k8s.io ${JSON.stringify(b.roleRef?.name ?? "")} not found`);
        continue;
      }
      const source = `ClusterRoleBinding ${JSON.stringify(b.metadata.name)} of ClusterRole ${JSON.stringify(b.roleRef.name)} to ${describeSubject(subject, "")}`;
      for (const rule of rules) set.rules.push({ rule, source });
    }
    for (const b of namespace ? (this.#roleBindings.get(namespace)?.values() ?? []) : []) {
      const subject = applicableSubject(user, b.subjects, namespace);
      if (!subject) continue;
      const rules = b.roleRef ? this.roleRules(b.roleRef, namespace) : undefined;
      if (!rules) {
        const what = b.roleRef?.kind === "ClusterRole" ? "clusterrole" : "role";
        set.errors.push(`${what}.rbac.authorization.k8s.io ${JSON.stringify(b.roleRef?.name ?? "")} not found`);
        continue;
      }
      const source = `RoleBinding ${JSON.stringify(`${b.metadata.name}/${namespace}`)} of ${b.roleRef.kind} ${JSON.stringify(b.roleRef.name)} to ${describeSubject(subject, namespace)}`;
      for (const rule of rules) set.rules.push({ rule, source });
    }
    if (this.#memo.size >= MEMO_LIMIT) this.#memo.clear();
    this.#memo.set(key, set);
    return set;
  }

  /** Counts, for inspection. */
  stats(): Record<string, number> {
    let roleBindings = 0;
    for (const m of this.#roleBindings.values()) roleBindings += m.size;
    return { clusterRoles: this.#clusterRoles.size, roles: this.#roles.size, clusterRoleBindings: this.#clusterRoleBindings.size, roleBindings };
  }
}
