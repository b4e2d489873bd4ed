/**
 * Field numbers of the Kubernetes protobuf messages that kubectl's typed
 * commands send (`kubectl create configmap|secret|namespace|serviceaccount|
 * deployment|service`), from k8s.io/api's generated.proto. Pointer fields
 * keep zero values; the rest drop them, as Go's JSON `omitempty` would.
 */
import type { FieldSpec, Schema } from "./wire.ts";

const s = (name: string): FieldSpec => ({ name, kind: "string" });
const i = (name: string, pointer = false): FieldSpec => ({ name, kind: "int", pointer });
const b = (name: string, pointer = false): FieldSpec => ({ name, kind: "bool", pointer });
const m = (name: string, type: string): FieldSpec => ({ name, kind: `msg:${type}` });
const list = (name: string, type: string): FieldSpec => ({ name, kind: type === "string" ? "string" : `msg:${type}`, repeated: true });
const map = (name: string, value = "string"): FieldSpec => ({ name, kind: `map:${value}` });

/** The messages, by name. */
export const kubeSchema: Schema = {
  ObjectMeta: {
    1: s("name"),
    2: s("generateName"),
    3: s("namespace"),
    4: s("selfLink"),
    5: s("uid"),
    6: s("resourceVersion"),
    7: i("generation"),
    8: { name: "creationTimestamp", kind: "time" },
    9: { name: "deletionTimestamp", kind: "time" },
    10: i("deletionGracePeriodSeconds", true),
    11: map("labels"),
    12: map("annotations"),
    13: list("ownerReferences", "OwnerReference"),
    14: list("finalizers", "string"),
    17: list("managedFields", "ManagedFieldsEntry"),
  },
  OwnerReference: { 1: s("kind"), 3: s("name"), 4: s("uid"), 5: s("apiVersion"), 6: b("controller", true), 7: b("blockOwnerDeletion", true) },
  ManagedFieldsEntry: { 1: s("manager"), 2: s("operation"), 3: s("apiVersion"), 4: { name: "time", kind: "time" }, 6: s("fieldsType"), 8: s("subresource") },
  LabelSelector: { 1: map("matchLabels"), 2: list("matchExpressions", "LabelSelectorRequirement") },
  LabelSelectorRequirement: { 1: s("key"), 2: s("operator"), 3: list("values", "string") },
  ObjectReference: { 1: s("kind"), 2: s("namespace"), 3: s("name"), 4: s("uid"), 5: s("apiVersion"), 6: s("resourceVersion"), 7: s("fieldPath") },
  LocalObjectReference: { 1: s("name") },

  ConfigMap: { 1: m("metadata", "ObjectMeta"), 2: map("data"), 3: map("binaryData", "bytes"), 4: b("immutable", true) },
  Secret: { 1: m("metadata", "ObjectMeta"), 2: map("data", "bytes"), 3: s("type"), 4: map("stringData"), 5: b("immutable", true) },
  Namespace: { 1: m("metadata", "ObjectMeta"), 2: m("spec", "NamespaceSpec"), 3: m("status", "NamespaceStatus") },
  NamespaceSpec: { 1: list("finalizers", "string") },
  NamespaceStatus: { 1: s("phase") },
  ServiceAccount: { 1: m("metadata", "ObjectMeta"), 2: list("secrets", "ObjectReference"), 3: list("imagePullSecrets", "LocalObjectReference"), 4: b("automountServiceAccountToken", true) },

  Deployment: { 1: m("metadata", "ObjectMeta"), 2: m("spec", "DeploymentSpec"), 3: m("status", "DeploymentStatus") },
  DeploymentSpec: {
    1: i("replicas", true),
    2: m("selector", "LabelSelector"),
    3: m("template", "PodTemplateSpec"),
    4: m("strategy", "DeploymentStrategy"),
    5: i("minReadySeconds"),
    6: i("revisionHistoryLimit", true),
    7: b("paused"),
    9: i("progressDeadlineSeconds", true),
  },
  DeploymentStrategy: { 1: s("type"), 2: m("rollingUpdate", "RollingUpdateDeployment") },
  RollingUpdateDeployment: { 1: { name: "maxUnavailable", kind: "intorstring" }, 2: { name: "maxSurge", kind: "intorstring" } },
  DeploymentStatus: { 1: i("observedGeneration"), 2: i("replicas"), 3: i("updatedReplicas"), 4: i("availableReplicas"), 5: i("unavailableReplicas"), 7: i("readyReplicas") },

  PodTemplateSpec: { 1: m("metadata", "ObjectMeta"), 2: m("spec", "PodSpec") },
  PodSpec: {
    2: list("containers", "Container"),
    3: s("restartPolicy"),
    4: i("terminationGracePeriodSeconds", true),
    5: i("activeDeadlineSeconds", true),
    6: s("dnsPolicy"),
    7: map("nodeSelector"),
    8: s("serviceAccountName"),
    9: s("serviceAccount"),
    10: s("nodeName"),
    11: b("hostNetwork"),
    12: b("hostPID"),
    13: b("hostIPC"),
    14: m("securityContext", "PodSecurityContext"),
    15: list("imagePullSecrets", "LocalObjectReference"),
    16: s("hostname"),
    17: s("subdomain"),
    19: s("schedulerName"),
    20: list("initContainers", "Container"),
    21: b("automountServiceAccountToken", true),
    24: s("priorityClassName"),
    25: i("priority", true),
    30: b("enableServiceLinks", true),
  },
  PodSecurityContext: {},
  Container: {
    1: s("name"),
    2: s("image"),
    3: list("command", "string"),
    4: list("args", "string"),
    5: s("workingDir"),
    6: list("ports", "ContainerPort"),
    7: list("env", "EnvVar"),
    8: m("resources", "ResourceRequirements"),
    13: s("terminationMessagePath"),
    14: s("imagePullPolicy"),
    16: b("stdin"),
    17: b("stdinOnce"),
    18: b("tty"),
    20: s("terminationMessagePolicy"),
    24: s("restartPolicy"),
  },
  ContainerPort: { 1: s("name"), 2: i("hostPort"), 3: i("containerPort"), 4: s("protocol"), 5: s("hostIP") },
  EnvVar: { 1: s("name"), 2: s("value") },
  ResourceRequirements: { 1: map("limits", "quantity"), 2: map("requests", "quantity") },

  Service: { 1: m("metadata", "ObjectMeta"), 2: m("spec", "ServiceSpec"), 3: m("status", "ServiceStatus") },
  ServiceSpec: {
    1: list("ports", "ServicePort"),
    2: map("selector"),
    3: s("clusterIP"),
    4: s("type"),
    5: list("externalIPs", "string"),
    7: s("sessionAffinity"),
    8: s("loadBalancerIP"),
    9: list("loadBalancerSourceRanges", "string"),
    10: s("externalName"),
    11: s("externalTrafficPolicy"),
    12: i("healthCheckNodePort"),
    13: b("publishNotReadyAddresses"),
    14: m("sessionAffinityConfig", "SessionAffinityConfig"),
    17: s("ipFamilyPolicy"),
    18: list("clusterIPs", "string"),
    19: list("ipFamilies", "string"),
    20: b("allocateLoadBalancerNodePorts", true),
    21: s("loadBalancerClass"),
    22: s("internalTrafficPolicy"),
    23: s("trafficDistribution"),
  },
  SessionAffinityConfig: { 1: m("clientIP", "ClientIPConfig") },
  ClientIPConfig: { 1: i("timeoutSeconds", true) },
  ServicePort: { 1: s("name"), 2: s("protocol"), 3: i("port"), 4: { name: "targetPort", kind: "intorstring" }, 5: i("nodePort"), 6: s("appProtocol") },
  ServiceStatus: { 1: m("loadBalancer", "LoadBalancerStatus") },
  LoadBalancerStatus: { 1: list("ingress", "LoadBalancerIngress") },
  LoadBalancerIngress: { 1: s("ip"), 2: s("hostname") },

  // `kubectl auth can-i` (and `--list`).
  SelfSubjectAccessReview: { 1: m("metadata", "ObjectMeta"), 2: m("spec", "SelfSubjectAccessReviewSpec"), 3: m("status", "SubjectAccessReviewStatus") },
  SelfSubjectAccessReviewSpec: { 1: m("resourceAttributes", "ResourceAttributes"), 2: m("nonResourceAttributes", "NonResourceAttributes") },
  ResourceAttributes: { 1: s("namespace"), 2: s("verb"), 3: s("group"), 4: s("version"), 5: s("resource"), 6: s("subresource"), 7: s("name") },
  NonResourceAttributes: { 1: s("path"), 2: s("verb") },
  SubjectAccessReviewStatus: { 1: b("allowed"), 2: s("reason"), 3: s("evaluationError"), 4: b("denied") },
  SelfSubjectRulesReview: { 1: m("metadata", "ObjectMeta"), 2: m("spec", "SelfSubjectRulesReviewSpec"), 3: m("status", "SubjectRulesReviewStatus") },
  SubjectRulesReviewStatus: { 3: b("incomplete"), 4: s("evaluationError") },
  // `kubectl auth whoami`
  SelfSubjectReview: { 1: m("metadata", "ObjectMeta"), 2: m("status", "SelfSubjectReviewStatus") },
  SelfSubjectReviewStatus: { 1: m("userInfo", "UserInfo") },
  UserInfo: { 1: s("username"), 2: s("uid"), 3: list("groups", "string") },
  SelfSubjectRulesReviewSpec: { 1: s("namespace") },

  // `kubectl create role|clusterrole|rolebinding|clusterrolebinding`
  Role: { 1: m("metadata", "ObjectMeta"), 2: list("rules", "PolicyRule") },
  ClusterRole: { 1: m("metadata", "ObjectMeta"), 2: list("rules", "PolicyRule"), 3: m("aggregationRule", "AggregationRule") },
  AggregationRule: { 1: list("clusterRoleSelectors", "LabelSelector") },
  PolicyRule: { 1: list("verbs", "string"), 2: list("apiGroups", "string"), 3: list("resources", "string"), 4: list("resourceNames", "string"), 5: list("nonResourceURLs", "string") },
  RoleBinding: { 1: m("metadata", "ObjectMeta"), 2: list("subjects", "Subject"), 3: m("roleRef", "RoleRef") },
  ClusterRoleBinding: { 1: m("metadata", "ObjectMeta"), 2: list("subjects", "Subject"), 3: m("roleRef", "RoleRef") },
  Subject: { 1: s("kind"), 2: s("apiGroup"), 3: s("name"), 4: s("namespace") },
  RoleRef: { 1: s("apiGroup"), 2: s("kind"), 3: s("name") },

  // `kubectl create quota`
  ResourceQuota: { 1: m("metadata", "ObjectMeta"), 2: m("spec", "ResourceQuotaSpec"), 3: m("status", "ResourceQuotaStatus") },
  ResourceQuotaSpec: { 1: map("hard", "quantity"), 2: list("scopes", "string"), 3: m("scopeSelector", "ScopeSelector") },
  ScopeSelector: { 1: list("matchExpressions", "ScopedResourceSelectorRequirement") },
  ScopedResourceSelectorRequirement: { 1: s("scopeName"), 2: s("operator"), 3: list("values", "string") },
  ResourceQuotaStatus: { 1: map("hard", "quantity"), 2: map("used", "quantity") },
};

/** The kinds a protobuf body may carry, with their apiVersion. */
export const protobufKinds: Record<string, string> = {
  ConfigMap: "v1",
  Secret: "v1",
  Namespace: "v1",
  ServiceAccount: "v1",
  Service: "v1",
  Deployment: "apps/v1",
  SelfSubjectAccessReview: "authorization.k8s.io/v1",
  SelfSubjectRulesReview: "authorization.k8s.io/v1",
  SelfSubjectReview: "authentication.k8s.io/v1",
  Role: "rbac.authorization.k8s.io/v1",
  ClusterRole: "rbac.authorization.k8s.io/v1",
  RoleBinding: "rbac.authorization.k8s.io/v1",
  ClusterRoleBinding: "rbac.authorization.k8s.io/v1",
  ResourceQuota: "v1",
};
