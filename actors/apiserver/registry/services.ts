/**
 * core/v1 Services: defaulting as SetDefaults_Service, validation in
 * `service-validation.ts`, and the strategy that keeps allocated values
 * (cluster IPs, node ports) when an update leaves them out. Allocation
 * itself belongs to the apiserver's allocators, not to this file.
 */
import type { Service } from "../../api/types/index.ts";
import type { ResourceDef } from "./resource.ts";
import { externallyAccessible, validateService, validateServiceStatus, validateServiceUpdate } from "./service-validation.ts";
import { clone, ipFamilyOf, nameIsDNS1035Label, semanticEqual } from "./validation.ts";

/** Default ClientIP affinity timeout: three hours. */
export const DEFAULT_CLIENT_IP_AFFINITY_SECONDS = 10800;

function defaultService(svc: Service): void {
  const spec = (svc.spec ??= {});
  spec.sessionAffinity ||= "None";
  if (spec.sessionAffinity === "None") delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === "ClientIP" && spec.sessionAffinityConfig?.clientIP?.timeoutSeconds === undefined) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: DEFAULT_CLIENT_IP_AFFINITY_SECONDS } };
  }
  spec.type ||= "ClusterIP";
  for (const p of spec.ports ?? []) {
    p.protocol ||= "TCP";
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === "") p.targetPort = p.port;
  }
  if (externallyAccessible(svc)) spec.externalTrafficPolicy ||= "Cluster";
  if (spec.internalTrafficPolicy === undefined && spec.type !== "ExternalName") spec.internalTrafficPolicy = "Cluster";
  if (spec.type === "LoadBalancer") spec.allocateLoadBalancerNodePorts ??= true;
  // The v1 conversion keeps clusterIP and clusterIPs in step.
  if (spec.clusterIP && !spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
  if (!spec.clusterIP && spec.clusterIPs?.length) spec.clusterIP = spec.clusterIPs[0];
}

/**
 * Single-stack clusters: one family, taken from a given cluster IP, else
 * IPv4. A headless service without a selector defaults to RequireDualStack
 * with both families, as Kubernetes does even on a single-stack cluster.
 */
function defaultIPFamilies(svc: Service): void {
  const spec = svc.spec;
  if (spec.type === "ExternalName") return;
  const headlessNoSelector = spec.clusterIP === "None" && !Object.keys(spec.selector ?? {}).length;
  spec.ipFamilyPolicy ??= headlessNoSelector ? "RequireDualStack" : "SingleStack";
  if (!spec.ipFamilies?.length) {
    const fam = spec.clusterIP && spec.clusterIP !== "None" ? ipFamilyOf(spec.clusterIP) : undefined;
    spec.ipFamilies = [fam === 6 ? "IPv6" : "IPv4"];
  }
  if (headlessNoSelector && spec.ipFamilyPolicy !== "SingleStack" && spec.ipFamilies.length === 1) {
    spec.ipFamilies.push(spec.ipFamilies[0] === "IPv4" ? "IPv6" : "IPv4");
  }
}

/**
 * A client that knows only `clusterIP` may change it and send the old
 * `clusterIPs` back; follow the singular field then (normalizeClusterIPs).
 */
function normalizeClusterIPs(svc: Service, old: Service): void {
  const spec = svc.spec;
  const prev = old.spec;
  if ((spec.clusterIP ?? "") === (prev.clusterIP ?? "")) return;
  if (!semanticEqual(spec.clusterIPs, prev.clusterIPs)) return;
  if (!spec.clusterIP) delete spec.clusterIPs;
  else spec.clusterIPs = [spec.clusterIP, ...(spec.clusterIPs ?? []).slice(1)];
}

/** An update may omit what the apiserver allocated; keep the old values then. */
function keepAllocated(svc: Service, old: Service): void {
  const spec = svc.spec;
  const prev = old.spec;
  if (!spec || !prev) return;
  normalizeClusterIPs(svc, old);
  if (spec.type !== "ExternalName" && prev.type !== "ExternalName") {
    if (!spec.clusterIP && !spec.clusterIPs?.length && prev.clusterIP) {
      spec.clusterIP = prev.clusterIP;
      spec.clusterIPs = clone(prev.clusterIPs);
    }
    if (!spec.ipFamilies?.length && prev.ipFamilies?.length) spec.ipFamilies = clone(prev.ipFamilies);
    spec.ipFamilyPolicy ??= prev.ipFamilyPolicy;
  }
  const nodePorts = spec.type === "NodePort" || (spec.type === "LoadBalancer" && spec.allocateLoadBalancerNodePorts !== false);
  for (const p of spec.ports ?? []) {
    const match = (prev.ports ?? []).find((o) => (o.name ?? "") === (p.name ?? "") && o.port === p.port) ?? (prev.ports?.length === 1 && spec.ports?.length === 1 ? prev.ports[0] : undefined);
    if (nodePorts && !p.nodePort && match?.nodePort) p.nodePort = match.nodePort;
    // Switching to a type without node ports drops the ones that were allocated.
    if (!nodePorts && spec.type !== "LoadBalancer" && p.nodePort && p.nodePort === match?.nodePort) delete p.nodePort;
  }
  if (spec.type === "ExternalName" && prev.type !== "ExternalName") {
    if (spec.clusterIP === prev.clusterIP) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    delete spec.ipFamilies;
    delete spec.ipFamilyPolicy;
  }
  // The health check node port lives as long as the service is a LoadBalancer with the Local policy.
  const healthCheck = spec.type === "LoadBalancer" && spec.externalTrafficPolicy === "Local";
  if (healthCheck && !spec.healthCheckNodePort && prev.healthCheckNodePort) spec.healthCheckNodePort = prev.healthCheckNodePort;
  if (!healthCheck && spec.healthCheckNodePort && spec.healthCheckNodePort === prev.healthCheckNodePort) delete spec.healthCheckNodePort;
  if (!externallyAccessible(svc) && spec.externalTrafficPolicy === prev.externalTrafficPolicy) delete spec.externalTrafficPolicy;
  if (spec.type === "ExternalName" && spec.internalTrafficPolicy === prev.internalTrafficPolicy) delete spec.internalTrafficPolicy;
}

/** core/v1 services. */
export const serviceResource = {
  group: "",
  version: "v1",
  kind: "Service",
  listKind: "ServiceList",
  plural: "services",
  singular: "service",
  namespaced: true,
  shortNames: ["svc"],
  categories: ["all"],
  subresources: ["status"],
  fieldSelectors: {
    "spec.type": (s) => s.spec?.type ?? "",
    "spec.clusterIP": (s) => s.spec?.clusterIP ?? "",
  },
  validateName: nameIsDNS1035Label,
  defaults: defaultService,
  prepareForCreate(svc) {
    svc.status = {};
    defaultIPFamilies(svc);
  },
  prepareForUpdate(svc, old) {
    svc.status = clone(old.status);
    keepAllocated(svc, old);
    defaultIPFamilies(svc);
  },
  validate: validateService,
  validateUpdate: validateServiceUpdate,
  validateStatusUpdate: (svc, _old) => validateServiceStatus(svc),
} satisfies ResourceDef<Service>;
