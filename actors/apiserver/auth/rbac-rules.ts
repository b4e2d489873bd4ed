/**
 * RBAC's matching rules, as Kubernetes evaluates them: which request a
 * PolicyRule allows (verbs, API groups, resources and subresources, names,
 * non-resource URLs, with `*`), and which user a binding's Subject names.
 */
import type { PolicyRule, Subject } from "../../api/types/rbac.ts";
import { serviceAccountUsername, type UserInfo } from "./user.ts";

/** What an authorizer decides on: one request, resource or not. */
export interface Attributes {
  user: UserInfo;
  verb: string;
  /** False for a non-resource request (`/healthz`, `/apis`). */
  resourceRequest: boolean;
  apiGroup: string;
  /** Plural resource name. */
  resource: string;
  subresource: string;
  /** "" for cluster-scoped requests and for lists across all namespaces. */
  namespace: string;
  /** "" when the request names no object (create, list). */
  name: string;
  /** The URL path of a non-resource request. */
  path: string;
}

/** The verb `*` and group `*`, etc. */
export const ALL = "*";

/** True when the rule lists the verb or `*`. */
export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.includes(ALL) || rule.verbs.includes(verb);
}

/** True when the rule lists the group or `*`. */
export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return (rule.apiGroups ?? []).some((g) => g === ALL || g === group);
}

/**
 * True when the rule names the resource: `*`, the plural (`pods`), the
 * combined `pods/log` for a subresource, or `*\/log` for that subresource of any resource.
 */
export function resourceMatches(rule: PolicyRule, resource: string, subresource: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  for (const r of rule.resources ?? []) {
    if (r === ALL || r === combined) return true;
    if (subresource && r === `*/${subresource}`) return true;
  }
  return false;
}

/** True when the rule lists no names, or this one. */
export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(name);
}

/** True when a rule URL matches the path: exact, `*`, or a `prefix*`. */
export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === ALL || u === path) return true;
    if (u.endsWith(ALL) && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

/** True when one rule allows the request. */
export function ruleAllows(a: Attributes, rule: PolicyRule): boolean {
  if (!verbMatches(rule, a.verb)) return false;
  if (!a.resourceRequest) return nonResourceURLMatches(rule, a.path);
  return apiGroupMatches(rule, a.apiGroup) && resourceMatches(rule, a.resource, a.subresource) && resourceNameMatches(rule, a.name);
}

/**
 * True when a binding's subject is this user. A ServiceAccount subject
 * without a namespace takes the binding's.
 */
export function appliesTo(user: UserInfo, subject: Subject, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case "User":
      return user.username === subject.name;
    case "Group":
      return user.groups.includes(subject.name);
    case "ServiceAccount": {
      const ns = subject.namespace || bindingNamespace;
      return ns !== "" && user.username === serviceAccountUsername(ns, subject.name);
    }
    default:
      return false;
  }
}

/** The subject of `subjects` that names the user, if any. */
export function applicableSubject(user: UserInfo, subjects: readonly Subject[] | undefined, bindingNamespace: string): Subject | undefined {
  return (subjects ?? []).find((s) => appliesTo(user, s, bindingNamespace));
}

/** `User "jane"`, `Group "dev"`, `ServiceAccount "builder/ci"`, as RBAC's reasons name a subject. */
export function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === "ServiceAccount") return `${s.kind} ${JSON.stringify(`${s.name}/${s.namespace || bindingNamespace}`)}`;
  return `${s.kind} ${JSON.stringify(s.name)}`;
}
