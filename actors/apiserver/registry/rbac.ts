/**
 * rbac.authorization.k8s.io/v1 Role, ClusterRole, RoleBinding and
 * ClusterRoleBinding: defaulting of API groups, validation of rules,
 * subjects and role references as pkg/apis/rbac/validation does, and a
 * role reference that never changes.
 */
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject } from "../../api/types/rbac.ts";
import type { FieldError, ResourceDef } from "./resource.ts";
import { at, child, goRepr, goStringSlice, invalid, isDNS1123Subdomain, notSupported, required, semanticEqual } from "./validation.ts";

/** The RBAC API group. */
export const RBAC_GROUP = "rbac.authorization.k8s.io";

/** RBAC names are path segments: anything but `.`, `..`, or names with `/` or `%`. */
export function validatePathSegmentName(name: string, prefix: boolean): string[] {
  const msgs: string[] = [];
  if (!prefix && (name === "." || name === "..")) msgs.push(`may not be '${name}'`);
  for (const bad of ["/", "%"]) if (name.includes(bad)) msgs.push(`may not contain '${bad}'`);
  return msgs;
}

function validateRule(rule: PolicyRule, path: string, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (!Array.isArray(rule.verbs) || rule.verbs.length === 0) errs.push(required(child(path, "verbs"), "verbs must contain at least one value"));
  const urls = rule.nonResourceURLs ?? [];
  if (urls.length > 0) {
    if (namespaced) errs.push(invalid(child(path, "nonResourceURLs"), goStringSlice(urls), "namespaced rules cannot apply to non-resource URLs"));
    if ((rule.apiGroups ?? []).length || (rule.resources ?? []).length || (rule.resourceNames ?? []).length) {
      errs.push(invalid(child(path, "nonResourceURLs"), goStringSlice(urls), "rules cannot apply to both regular resources and non-resource URLs"));
    }
    return errs;
  }
  if ((rule.apiGroups ?? []).length === 0) errs.push(required(child(path, "apiGroups"), "resource rules must supply at least one api group"));
  if ((rule.resources ?? []).length === 0) errs.push(required(child(path, "resources"), "resource rules must supply at least one resource"));
  return errs;
}

function validateRules(rules: PolicyRule[] | undefined, namespaced: boolean): FieldError[] {
  return (rules ?? []).flatMap((r, i) => validateRule(r ?? ({} as PolicyRule), at("rules", i), namespaced));
}

function validateRoleRef(ref: RoleRef | undefined, kinds: string[]): FieldError[] {
  const errs: FieldError[] = [];
  if (!ref) return [required("roleRef")];
  if (ref.apiGroup !== RBAC_GROUP) errs.push(notSupported("roleRef.apiGroup", ref.apiGroup ?? "", [RBAC_GROUP]));
  if (!kinds.includes(ref.kind)) errs.push(notSupported("roleRef.kind", ref.kind ?? "", kinds));
  if (!ref.name) errs.push(required("roleRef.name"));
  else errs.push(...validatePathSegmentName(ref.name, false).map((m) => invalid("roleRef.name", ref.name, m)));
  return errs;
}

function validateSubject(s: Subject, path: string, clusterScoped: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (!s.name) errs.push(required(child(path, "name")));
  switch (s.kind) {
    case "ServiceAccount":
      if (s.name) errs.push(...isDNS1123Subdomain(s.name).map((m) => invalid(child(path, "name"), s.name, m)));
      if (s.apiGroup) errs.push(notSupported(child(path, "apiGroup"), s.apiGroup, [""]));
      if (clusterScoped && !s.namespace) errs.push(required(child(path, "namespace")));
      break;
    case "User":
    case "Group":
      if (s.apiGroup !== RBAC_GROUP) errs.push(notSupported(child(path, "apiGroup"), s.apiGroup ?? "", [RBAC_GROUP]));
      break;
    default:
      errs.push(notSupported(child(path, "kind"), s.kind ?? "", ["ServiceAccount", "User", "Group"]));
  }
  return errs;
}

function validateBinding(b: RoleBinding | ClusterRoleBinding, kinds: string[], clusterScoped: boolean): FieldError[] {
  return [...validateRoleRef(b.roleRef, kinds), ...(b.subjects ?? []).flatMap((s, i) => validateSubject(s ?? ({} as Subject), at("subjects", i), clusterScoped))];
}

function defaultBinding(b: RoleBinding | ClusterRoleBinding): void {
  if (b.roleRef && typeof b.roleRef === "object" && !b.roleRef.apiGroup) b.roleRef.apiGroup = RBAC_GROUP;
  for (const s of b.subjects ?? []) {
    if (s && (s.kind === "User" || s.kind === "Group") && !s.apiGroup) s.apiGroup = RBAC_GROUP;
  }
}

function immutableRoleRef(b: RoleBinding | ClusterRoleBinding, old: RoleBinding | ClusterRoleBinding): FieldError[] {
  if (semanticEqual(b.roleRef, old.roleRef)) return [];
  const r = b.roleRef ?? ({} as RoleRef);
  const shown = goRepr(`rbac.RoleRef{APIGroup:${JSON.stringify(r.apiGroup ?? "")}, Kind:${JSON.stringify(r.kind ?? "")}, Name:${JSON.stringify(r.name ?? "")}}`);
  return [invalid("roleRef", shown, "cannot change roleRef")];
}

const common: Pick<ResourceDef, "group" | "version" | "subresources" | "validateName"> = { group: RBAC_GROUP, version: "v1", subresources: [], validateName: validatePathSegmentName };

/** rbac/v1 roles. */
export const roleResource = {
  ...common,
  kind: "Role",
  listKind: "RoleList",
  plural: "roles",
  singular: "role",
  namespaced: true,
  validate: (r) => validateRules(r.rules, true),
} satisfies ResourceDef<Role>;

/** rbac/v1 clusterroles. */
export const clusterRoleResource = {
  ...common,
  kind: "ClusterRole",
  listKind: "ClusterRoleList",
  plural: "clusterroles",
  singular: "clusterrole",
  namespaced: false,
  validate: (r) => validateRules(r.rules, false),
} satisfies ResourceDef<ClusterRole>;

/** rbac/v1 rolebindings. */
export const roleBindingResource = {
  ...common,
  kind: "RoleBinding",
  listKind: "RoleBindingList",
  plural: "rolebindings",
  singular: "rolebinding",
  namespaced: true,
  defaults: defaultBinding,
  validate: (b) => validateBinding(b, ["Role", "ClusterRole"], false),
  validateUpdate: immutableRoleRef,
} satisfies ResourceDef<RoleBinding>;

/** rbac/v1 clusterrolebindings. */
export const clusterRoleBindingResource = {
  ...common,
  kind: "ClusterRoleBinding",
  listKind: "ClusterRoleBindingList",
  plural: "clusterrolebindings",
  singular: "clusterrolebinding",
  namespaced: false,
  defaults: defaultBinding,
  validate: (b) => validateBinding(b, ["ClusterRole"], true),
  validateUpdate: immutableRoleRef,
} satisfies ResourceDef<ClusterRoleBinding>;
