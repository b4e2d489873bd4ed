/**
 * The cluster roles and bindings the apiserver creates at start when they
 * are missing, as kube-apiserver's bootstrap policy: cluster-admin for
 * `system:masters`, discovery and self-review for every authenticated
 * user, the user-facing admin/edit/view (aggregating the roles labelled
 * `rbac.authorization.k8s.io/aggregate-to-<role>`), and one role per component, bound to the identity that
 * component's actor uses:
 *
 * | component                 | user (groups)                         | cluster role                          |
 * | ------------------------- | ------------------------------------- | ------------------------------------- |
 * | kube-scheduler            | system:kube-scheduler                 | system:kube-scheduler                 |
 * | kube-controller-manager   | system:kube-controller-manager        | system:kube-controller-manager        |
 * | kubelet                   | system:node:<node> (system:nodes)     | system:node                           |
 * | kube-proxy                | system:kube-proxy                     | system:node-proxier                   |
 * | cni (cluster IPAM)        | system:cni                            | system:actorkube:cni                  |
 * | cloud-controller-manager  | system:cloud-controller-manager       | system:cloud-controller-manager       |
 * | dns                       | system:actorkube:dns                  | system:actorkube:dns                  |
 * | metrics                   | system:actorkube:metrics              | system:actorkube:metrics              |
 * | logging                   | system:actorkube:logging              | system:actorkube:logging              |
 * | dashboard                 | system:actorkube:dashboard            | view                                  |
 */
import type { AggregationRule, ClusterRole, ClusterRoleBinding, PolicyRule, Subject } from "../../api/types/rbac.ts";
import { RBAC_GROUP } from "../registry/rbac.ts";
import { AUTHENTICATED_GROUP, MASTERS_GROUP, NODES_GROUP, SERVICE_ACCOUNTS_GROUP } from "./user.ts";

const READ = ["get", "list", "watch"];
const WRITE = ["create", "delete", "deletecollection", "patch", "update"];
const READ_WRITE = [...READ, ...WRITE];

/** Labels and annotations every bootstrap object carries. */
export const BOOTSTRAP_LABELS = { "kubernetes.io/bootstrapping": "rbac-defaults" };
/** Objects with this annotation "true" get missing rules and subjects back at each start. */
export const AUTOUPDATE_ANNOTATION = "rbac.authorization.kubernetes.io/autoupdate";

/** A resource rule. */
function rule(verbs: string[], groups: string[], resources: string[], names?: string[]): PolicyRule {
  const r: PolicyRule = { verbs, apiGroups: groups, resources };
  if (names) r.resourceNames = names;
  return r;
}

/** A non-resource rule. */
function urls(verbs: string[], paths: string[]): PolicyRule {
  return { verbs, nonResourceURLs: paths };
}

const eventsRule = (): PolicyRule[] => [rule(["create", "patch", "update"], ["", "events.k8s.io"], ["events"])];

const viewRules: PolicyRule[] = [
  rule(READ, [""], ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/status"]),
  rule(READ, [""], ["bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status", "replicationcontrollers/status", "resourcequotas", "resourcequotas/status"]),
  rule(READ, [""], ["namespaces"]),
  rule(READ, ["discovery.k8s.io"], ["endpointslices"]),
  rule(READ, ["apps"], ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status"]),
  rule(READ, ["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
  rule(READ, ["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"]),
  rule(READ, ["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"]),
  rule(READ, ["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"]),
  rule(READ, ["events.k8s.io"], ["events"]),
];

const editOnlyRules: PolicyRule[] = [
  rule(READ, [""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"]),
  rule(["impersonate"], [""], ["serviceaccounts"]),
  rule(WRITE, [""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"]),
  rule(["create"], [""], ["pods/eviction"]),
  rule(WRITE, [""], ["configmaps", "events", "persistentvolumeclaims", "replicationcontrollers", "replicationcontrollers/scale", "secrets", "serviceaccounts", "services", "services/proxy"]),
  rule(["create"], [""], ["serviceaccounts/token"]),
  rule(WRITE, ["apps"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets", "replicasets/scale", "statefulsets", "statefulsets/scale"]),
  rule(WRITE, ["autoscaling"], ["horizontalpodautoscalers"]),
  rule(WRITE, ["batch"], ["cronjobs", "jobs"]),
  rule(WRITE, ["policy"], ["poddisruptionbudgets"]),
  rule(WRITE, ["networking.k8s.io"], ["ingresses", "networkpolicies"]),
];
const editRules: PolicyRule[] = [...editOnlyRules, ...viewRules];

const adminOnlyRules: PolicyRule[] = [
  rule(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews"]),
  rule(READ_WRITE, [RBAC_GROUP], ["rolebindings", "roles"]),
];
const adminRules: PolicyRule[] = [...editRules, ...adminOnlyRules];

/** The label a ClusterRole carries to be aggregated into `to` (admin, edit or view). */
export const aggregateTo = (to: string) => `rbac.authorization.k8s.io/aggregate-to-${to}`;
const aggregating = (to: string) => ({ clusterRoleSelectors: [{ matchLabels: { [aggregateTo(to)]: "true" } }] });

/** What a kubelet may do (Kubernetes' NodeRules, for the resources served here). */
const nodeRules: PolicyRule[] = [
  rule(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
  rule(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews", "subjectaccessreviews"]),
  rule(READ, [""], ["services"]),
  rule(["create", "get", "list", "watch"], [""], ["nodes"]),
  rule(["patch", "update"], [""], ["nodes/status"]),
  rule(["patch", "update"], [""], ["nodes"]),
  ...eventsRule(),
  rule(READ, [""], ["pods"]),
  rule(["create", "delete"], [""], ["pods"]),
  rule(["patch", "update"], [""], ["pods/status"]),
  rule(["create"], [""], ["pods/eviction"]),
  rule(READ, [""], ["configmaps", "secrets"]),
  rule(["get"], [""], ["persistentvolumeclaims", "persistentvolumes"]),
  rule(["get", "patch", "update"], [""], ["persistentvolumeclaims/status"]),
  rule(["get"], [""], ["endpoints"]),
  rule(READ, ["discovery.k8s.io"], ["endpointslices"]),
  rule(["create"], [""], ["serviceaccounts/token"]),
  rule(["create", "delete", "get", "patch", "update"], ["coordination.k8s.io"], ["leases"]),
  rule(READ, ["storage.k8s.io"], ["csidrivers", "csinodes", "storageclasses", "volumeattachments"]),
  rule(READ, ["node.k8s.io"], ["runtimeclasses"]),
];

const schedulerRules: PolicyRule[] = [
  ...eventsRule(),
  rule(["create"], ["coordination.k8s.io"], ["leases"]),
  rule(["get", "update"], ["coordination.k8s.io"], ["leases"], ["kube-scheduler"]),
  rule(["create"], [""], ["endpoints"]),
  rule(["get", "update"], [""], ["endpoints"], ["kube-scheduler"]),
  rule(READ, [""], ["nodes"]),
  rule(["delete", "get", "list", "watch"], [""], ["pods"]),
  rule(["create"], [""], ["bindings", "pods/binding"]),
  rule(["patch", "update"], [""], ["pods/status"]),
  rule(READ, [""], ["replicationcontrollers", "services"]),
  rule(READ, ["apps", "extensions"], ["replicasets"]),
  rule(READ, ["apps"], ["statefulsets"]),
  rule(READ, ["policy"], ["poddisruptionbudgets"]),
  rule(READ, [""], ["persistentvolumeclaims", "persistentvolumes"]),
  rule(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
  rule(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"]),
  rule(READ, ["storage.k8s.io"], ["csidrivers", "csinodes", "csistoragecapacities", "storageclasses"]),
  rule(READ, [""], ["namespaces"]),
  rule(READ, [""], ["configmaps"]),
];

/**
 * kube-controller-manager runs every controller under one identity here
 * (no per-controller service accounts), so its role is the union of the
 * controllers' roles: the garbage collector and namespace controller read,
 * update and delete every resource, the others create what they own. It
 * cannot escalate or bind RBAC roles, impersonate, or reach non-resource URLs.
 */
const controllerManagerRules: PolicyRule[] = [
  rule([...READ, "update", "patch", "delete", "deletecollection"], ["*"], ["*"]),
  rule(["create"], [""], ["configmaps", "endpoints", "events", "pods", "pods/binding", "pods/eviction", "secrets", "serviceaccounts", "serviceaccounts/token", "services", "persistentvolumes", "persistentvolumeclaims", "resourcequotas", "limitranges"]),
  rule(["create"], ["apps"], ["controllerrevisions", "daemonsets", "deployments", "replicasets", "statefulsets"]),
  rule(["create"], ["batch"], ["jobs", "cronjobs"]),
  rule(["create"], ["discovery.k8s.io"], ["endpointslices"]),
  rule(["create"], ["events.k8s.io"], ["events"]),
  rule(["create"], ["coordination.k8s.io"], ["leases"]),
  rule(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
  rule(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"]),
  rule(["create"], ["policy"], ["poddisruptionbudgets"]),
  // The clusterrole-aggregation controller writes rules it may not hold itself.
  rule(["escalate", "get", "list", "watch", "update", "patch"], [RBAC_GROUP], ["clusterroles"]),
];

const proxierRules: PolicyRule[] = [
  rule(["list", "watch"], [""], ["endpoints", "services"]),
  rule(["list", "watch"], ["discovery.k8s.io"], ["endpointslices"]),
  rule(READ, [""], ["nodes"]),
  ...eventsRule(),
];

const cniRules: PolicyRule[] = [
  rule([...READ, "patch", "update"], [""], ["nodes"]),
  rule(["patch", "update"], [""], ["nodes/status"]),
  rule(READ, [""], ["pods"]),
  ...eventsRule(),
];

const cloudControllerManagerRules: PolicyRule[] = [
  ...eventsRule(),
  rule(["*"], [""], ["nodes"]),
  rule(["patch", "update"], [""], ["nodes/status"]),
  rule([...READ, "patch", "update"], [""], ["services"]),
  rule(["patch", "update"], [""], ["services/status"]),
  rule(["create", "get", "list", "watch", "update"], [""], ["serviceaccounts"]),
  rule([...READ, "update", "patch"], [""], ["persistentvolumes"]),
  rule(["create", "get", "list", "watch", "update"], [""], ["endpoints"]),
  rule(READ, [""], ["pods"]),
  rule(["create", "get", "list", "watch", "update"], ["coordination.k8s.io"], ["leases"]),
];

const dnsRules: PolicyRule[] = [
  rule(["list", "watch"], [""], ["endpoints", "namespaces", "pods", "services"]),
  // A query naming its pod reads the pod's DNS settings.
  rule(["get"], [""], ["pods"]),
  rule(["list", "watch"], ["discovery.k8s.io"], ["endpointslices"]),
];

const metricsRules: PolicyRule[] = [
  rule(READ, [""], ["namespaces", "nodes", "nodes/metrics", "nodes/stats", "pods"]),
];

const loggingRules: PolicyRule[] = [
  rule(READ, [""], ["namespaces", "pods", "pods/log"]),
];

/** The bootstrap cluster roles, by name. */
export const bootstrapClusterRoles: readonly { name: string; rules: PolicyRule[]; labels?: Record<string, string>; aggregationRule?: AggregationRule }[] = [
  { name: "cluster-admin", rules: [rule(["*"], ["*"], ["*"]), urls(["*"], ["*"])] },
  { name: "system:discovery", rules: [urls(["get"], ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"])] },
  { name: "system:public-info-viewer", rules: [urls(["get"], ["/healthz", "/livez", "/readyz", "/version", "/version/"])] },
  {
    name: "system:basic-user",
    rules: [rule(["create"], ["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]), rule(["create"], ["authentication.k8s.io"], ["selfsubjectreviews"])],
  },
  { name: "system:service-account-issuer-discovery", rules: [urls(["get"], ["/.well-known/openid-configuration", "/.well-known/openid-configuration/", "/openid/v1/jwks", "/openid/v1/jwks/"])] },
  { name: "system:monitoring", rules: [urls(["get"], ["/healthz", "/healthz/*", "/livez", "/livez/*", "/metrics", "/metrics/slis", "/readyz", "/readyz/*"])] },
  { name: "system:auth-delegator", rules: [rule(["create"], ["authentication.k8s.io"], ["tokenreviews"]), rule(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"])] },
  // admin/edit/view aggregate the roles labelled for them (the clusterrole-aggregation controller
  // fills their rules); they start with the rules of the three system:aggregate-to-* roles below.
  { name: "admin", rules: adminRules, aggregationRule: aggregating("admin") },
  { name: "edit", rules: editRules, aggregationRule: aggregating("edit"), labels: { [aggregateTo("admin")]: "true" } },
  { name: "view", rules: viewRules, aggregationRule: aggregating("view"), labels: { [aggregateTo("edit")]: "true" } },
  { name: "system:aggregate-to-admin", rules: adminOnlyRules, labels: { [aggregateTo("admin")]: "true" } },
  { name: "system:aggregate-to-edit", rules: editOnlyRules, labels: { [aggregateTo("admin")]: "true", [aggregateTo("edit")]: "true" } },
  { name: "system:aggregate-to-view", rules: viewRules, labels: { [aggregateTo("admin")]: "true", [aggregateTo("edit")]: "true", [aggregateTo("view")]: "true" } },
  { name: "system:node", rules: nodeRules },
  { name: "system:node-proxier", rules: proxierRules },
  { name: "system:kube-scheduler", rules: schedulerRules },
  { name: "system:kube-controller-manager", rules: controllerManagerRules },
  { name: "system:cloud-controller-manager", rules: cloudControllerManagerRules },
  { name: "system:actorkube:cni", rules: cniRules },
  { name: "system:actorkube:dns", rules: dnsRules },
  { name: "system:actorkube:metrics", rules: metricsRules },
  { name: "system:actorkube:logging", rules: loggingRules },
];

const user = (name: string): Subject => ({ kind: "User", apiGroup: RBAC_GROUP, name });
const group = (name: string): Subject => ({ kind: "Group", apiGroup: RBAC_GROUP, name });

/** The bootstrap cluster role bindings: name, role, subjects. */
export const bootstrapClusterRoleBindings: readonly { name: string; role: string; subjects: Subject[] }[] = [
  { name: "cluster-admin", role: "cluster-admin", subjects: [group(MASTERS_GROUP)] },
  { name: "system:discovery", role: "system:discovery", subjects: [group(AUTHENTICATED_GROUP)] },
  { name: "system:basic-user", role: "system:basic-user", subjects: [group(AUTHENTICATED_GROUP)] },
  { name: "system:public-info-viewer", role: "system:public-info-viewer", subjects: [group(AUTHENTICATED_GROUP), group("system:unauthenticated")] },
  { name: "system:service-account-issuer-discovery", role: "system:service-account-issuer-discovery", subjects: [group(SERVICE_ACCOUNTS_GROUP)] },
  { name: "system:monitoring", role: "system:monitoring", subjects: [group("system:monitoring")] },
  { name: "system:node", role: "system:node", subjects: [group(NODES_GROUP)] },
  { name: "system:node-proxier", role: "system:node-proxier", subjects: [user("system:kube-proxy")] },
  { name: "system:kube-scheduler", role: "system:kube-scheduler", subjects: [user("system:kube-scheduler")] },
  { name: "system:kube-controller-manager", role: "system:kube-controller-manager", subjects: [user("system:kube-controller-manager")] },
  { name: "system:cloud-controller-manager", role: "system:cloud-controller-manager", subjects: [user("system:cloud-controller-manager")] },
  { name: "system:actorkube:cni", role: "system:actorkube:cni", subjects: [user("system:cni")] },
  { name: "system:actorkube:dns", role: "system:actorkube:dns", subjects: [user("system:actorkube:dns")] },
  { name: "system:actorkube:metrics", role: "system:actorkube:metrics", subjects: [user("system:actorkube:metrics")] },
  { name: "system:actorkube:logging", role: "system:actorkube:logging", subjects: [user("system:actorkube:logging")] },
  { name: "system:actorkube:dashboard", role: "view", subjects: [user("system:actorkube:dashboard")] },
];

/** The ClusterRole objects. */
export function bootstrapClusterRoleObjects(): ClusterRole[] {
  return bootstrapClusterRoles.map((r) => ({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: r.name, labels: { ...BOOTSTRAP_LABELS, ...r.labels }, annotations: { [AUTOUPDATE_ANNOTATION]: "true" } },
    rules: structuredClone(r.rules),
    ...(r.aggregationRule ? { aggregationRule: structuredClone(r.aggregationRule) } : {}),
  }));
}

/** The ClusterRoleBinding objects. */
export function bootstrapClusterRoleBindingObjects(): ClusterRoleBinding[] {
  return bootstrapClusterRoleBindings.map((b) => ({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: b.name, labels: { ...BOOTSTRAP_LABELS }, annotations: { [AUTOUPDATE_ANNOTATION]: "true" } },
    roleRef: { apiGroup: RBAC_GROUP, kind: "ClusterRole", name: b.role },
    subjects: structuredClone(b.subjects),
  }));
}
