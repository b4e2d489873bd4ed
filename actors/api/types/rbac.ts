/**
 * rbac.authorization.k8s.io/v1: Role, ClusterRole, RoleBinding,
 * ClusterRoleBinding and the rules and subjects they carry.
 */
import type { LabelSelector, ObjectMeta } from "../meta.ts";

/** rbac/v1 PolicyRule: verbs on resources (or non-resource URLs). */
export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  /** Plural names, `pods/log` for a subresource, `*` for all, `*\/scale` for one subresource of any. */
  resources?: string[];
  resourceNames?: string[];
  /** Paths such as `/healthz` or `/apis/*` (cluster roles only). */
  nonResourceURLs?: string[];
}

/** rbac/v1 AggregationRule (kept as data; aggregation is not evaluated). */
export interface AggregationRule {
  clusterRoleSelectors?: LabelSelector[];
}

/** rbac/v1 Role */
export interface Role {
  apiVersion: "rbac.authorization.k8s.io/v1";
  kind: "Role";
  metadata: ObjectMeta;
  rules?: PolicyRule[];
  [field: string]: unknown;
}

/** rbac/v1 ClusterRole */
export interface ClusterRole {
  apiVersion: "rbac.authorization.k8s.io/v1";
  kind: "ClusterRole";
  metadata: ObjectMeta;
  rules?: PolicyRule[];
  aggregationRule?: AggregationRule;
  [field: string]: unknown;
}

/** rbac/v1 Subject: a user, a group or a service account. */
export interface Subject {
  kind: "User" | "Group" | "ServiceAccount" | (string & {});
  apiGroup?: string;
  name: string;
  namespace?: string;
}

/** rbac/v1 RoleRef */
export interface RoleRef {
  apiGroup: string;
  kind: "Role" | "ClusterRole" | (string & {});
  name: string;
}

/** rbac/v1 RoleBinding */
export interface RoleBinding {
  apiVersion: "rbac.authorization.k8s.io/v1";
  kind: "RoleBinding";
  metadata: ObjectMeta;
  subjects?: Subject[];
  roleRef: RoleRef;
  [field: string]: unknown;
}

/** rbac/v1 ClusterRoleBinding */
export interface ClusterRoleBinding {
  apiVersion: "rbac.authorization.k8s.io/v1";
  kind: "ClusterRoleBinding";
  metadata: ObjectMeta;
  subjects?: Subject[];
  roleRef: RoleRef;
  [field: string]: unknown;
}
