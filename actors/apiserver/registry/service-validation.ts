/**
 * Service validation as Kubernetes' ValidateService / ValidateServiceUpdate:
 * ports, type-dependent fields, cluster IPs, affinity, traffic policies.
 */
import type { Service, ServicePort } from "../../api/types/index.ts";
import { validatePortNumOrName } from "./container-validation.ts";
import type { FieldError } from "./resource.ts";
import {
  at,
  child,
  duplicate,
  forbidden,
  goRepr,
  invalid,
  ipFamilyOf,
  isDNS1123Label,
  isDNS1123Subdomain,
  isValidCIDR,
  isValidIP,
  isValidPortNum,
  notSupported,
  required,
  validateLabels,
} from "./validation.ts";

const serviceTypes = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
const protocols = ["SCTP", "TCP", "UDP"];
const MAX_CLIENT_IP_AFFINITY_SECONDS = 86400;

/** LoadBalancer, NodePort, or ClusterIP with external IPs: reachable from outside the cluster. */
export function externallyAccessible(svc: Service): boolean {
  const t = svc.spec?.type;
  return t === "LoadBalancer" || t === "NodePort" || (t === "ClusterIP" && (svc.spec?.externalIPs?.length ?? 0) > 0);
}

function goServicePort(p: { protocol?: string; port?: number; nodePort?: number }): string {
  return `core.ServicePort{Name:"", Protocol:${JSON.stringify(p.protocol ?? "")}, AppProtocol:(*string)(nil), Port:${p.port ?? 0}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:${p.nodePort ?? 0}}`;
}

function validatePort(sp: ServicePort, requireName: boolean, names: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (requireName && !sp.name) errs.push(required(child(path, "name")));
  else if (sp.name) {
    errs.push(...isDNS1123Label(sp.name).map((m) => invalid(child(path, "name"), sp.name, m)));
    if (names.has(sp.name)) errs.push(duplicate(child(path, "name"), sp.name));
    else names.add(sp.name);
  }
  errs.push(...isValidPortNum(sp.port).map((m) => invalid(child(path, "port"), sp.port, m)));
  if (!sp.protocol) errs.push(required(child(path, "protocol")));
  else if (!protocols.includes(sp.protocol)) errs.push(notSupported(child(path, "protocol"), sp.protocol, protocols));
  errs.push(...validatePortNumOrName(sp.targetPort, child(path, "targetPort")));
  if (sp.nodePort) errs.push(...isValidPortNum(sp.nodePort).map((m) => invalid(child(path, "nodePort"), sp.nodePort, m)));
  return errs;
}

function validatePorts(svc: Service): FieldError[] {
  const spec = svc.spec;
  const ports = spec.ports ?? [];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validatePort(p, ports.length > 1, names, at("spec.ports", i))));
  const seen = new Set<string>();
  const seenNode = new Set<string>();
  ports.forEach((p, i) => {
    const path = at("spec.ports", i);
    if (spec.type === "ClusterIP" && p.nodePort) errs.push(forbidden(child(path, "nodePort"), "may not be used when `type` is 'ClusterIP'"));
    const key = `${p.protocol}/${p.port}`;
    if (seen.has(key)) errs.push(duplicate(path, goRepr(goServicePort({ protocol: p.protocol, port: p.port }))));
    seen.add(key);
    if (p.nodePort) {
      const nkey = `${p.protocol}/${p.nodePort}`;
      if (seenNode.has(nkey)) errs.push(duplicate(path, goRepr(goServicePort({ protocol: p.protocol, nodePort: p.nodePort }))));
      seenNode.add(nkey);
    }
  });
  return errs;
}

function validateClusterIPs(svc: Service): FieldError[] {
  const spec = svc.spec;
  const errs: FieldError[] = [];
  const ips = spec.clusterIPs ?? [];
  if (spec.type === "ExternalName") {
    if (spec.clusterIP || ips.length) errs.push(forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
    if (spec.ipFamilies?.length) errs.push(forbidden("spec.ipFamilies", "may not be set for ExternalName services"));
    if (spec.ipFamilyPolicy) errs.push(forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"));
    return errs;
  }
  if (ips.length && (spec.clusterIP ?? "") !== ips[0]) errs.push(invalid("spec.clusterIPs", ips, "first value must match `clusterIP`"));
  if (!ips.length && spec.clusterIP) errs.push(invalid("spec.clusterIPs", ips, "must be set when `clusterIP` is set"));
  ips.forEach((ip, i) => {
    const p = at("spec.clusterIPs", i);
    if (ip === "None" && i === 0) return;
    if (ip === "None") errs.push(invalid(p, ip, "must be a valid IP address"));
    else errs.push(...(isValidIP(ip).length ? [invalid(p, ip, "must be empty, 'None', or a valid IP address")] : []));
  });
  if (ips.length > 2) errs.push(invalid("spec.clusterIPs", ips, "may only hold up to 2 values"));
  else if (ips.length === 2 && ipFamilyOf(ips[0]) === ipFamilyOf(ips[1])) {
    errs.push(invalid("spec.clusterIPs", ips, "may specify no more than one IP for each IP family"));
  }
  if (ips[0] === "None" && (spec.type === "NodePort" || spec.type === "LoadBalancer")) {
    errs.push(invalid(at("spec.clusterIPs", 0), "None", `may not be set to 'None' for ${spec.type} services`));
  }
  (spec.ipFamilies ?? []).forEach((f, i) => {
    if (f !== "IPv4" && f !== "IPv6") errs.push(notSupported(at("spec.ipFamilies", i), f, ["IPv4", "IPv6"]));
  });
  const policies = ["PreferDualStack", "RequireDualStack", "SingleStack"];
  if (spec.ipFamilyPolicy && !policies.includes(spec.ipFamilyPolicy)) errs.push(notSupported("spec.ipFamilyPolicy", spec.ipFamilyPolicy, policies));
  return errs;
}

function validateAffinity(svc: Service): FieldError[] {
  const spec = svc.spec;
  const path = "spec.sessionAffinityConfig";
  if (!spec.sessionAffinity) return [required("spec.sessionAffinity")];
  if (!["ClientIP", "None"].includes(spec.sessionAffinity)) return [notSupported("spec.sessionAffinity", spec.sessionAffinity, ["ClientIP", "None"])];
  if (spec.sessionAffinity === "None") return spec.sessionAffinityConfig ? [forbidden(path, "must not be set when session affinity is None")] : [];
  const cfg = spec.sessionAffinityConfig;
  if (!cfg) return [required(path, "when session affinity type is ClientIP")];
  if (!cfg.clientIP) return [required(child(path, "clientIP"), "when session affinity type is ClientIP")];
  const t = cfg.clientIP.timeoutSeconds;
  const tPath = child(child(path, "clientIP"), "timeoutSeconds");
  if (t === undefined) return [required(tPath, "when session affinity type is ClientIP")];
  return t > 0 && t <= MAX_CLIENT_IP_AFFINITY_SECONDS ? [] : [invalid(tPath, t, `must be greater than 0 and less than ${MAX_CLIENT_IP_AFFINITY_SECONDS}`)];
}

function validateTraffic(svc: Service): FieldError[] {
  const spec = svc.spec;
  const errs: FieldError[] = [];
  if (!externallyAccessible(svc)) {
    if (spec.externalTrafficPolicy) errs.push(invalid("spec.externalTrafficPolicy", spec.externalTrafficPolicy, "may only be set for externally-accessible services"));
  } else if (!spec.externalTrafficPolicy) errs.push(required("spec.externalTrafficPolicy"));
  else if (!["Cluster", "Local"].includes(spec.externalTrafficPolicy)) errs.push(notSupported("spec.externalTrafficPolicy", spec.externalTrafficPolicy, ["Cluster", "Local"]));
  if (spec.healthCheckNodePort) {
    if (spec.type !== "LoadBalancer" || spec.externalTrafficPolicy !== "Local") {
      errs.push(invalid("spec.healthCheckNodePort", spec.healthCheckNodePort, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
    } else errs.push(...isValidPortNum(spec.healthCheckNodePort).map((m) => invalid("spec.healthCheckNodePort", spec.healthCheckNodePort, m)));
  }
  if (spec.internalTrafficPolicy === undefined) {
    if (spec.type !== "ExternalName") errs.push(required("spec.internalTrafficPolicy"));
  } else if (!["Cluster", "Local"].includes(spec.internalTrafficPolicy)) {
    errs.push(notSupported("spec.internalTrafficPolicy", spec.internalTrafficPolicy, ["Cluster", "Local"]));
  }
  return errs;
}

/** A whole service spec (metadata is the apiserver's). */
export function validateService(svc: Service): FieldError[] {
  const spec = svc.spec;
  if (!spec) return [required("spec")];
  const errs: FieldError[] = [];
  const headless = spec.clusterIP === "None";
  if (!spec.ports?.length && !headless && spec.type !== "ExternalName") errs.push(required("spec.ports"));
  if (spec.type === "ExternalName") {
    const name = spec.externalName ?? "";
    if (!name) errs.push(required("spec.externalName"));
    else {
      const trimmed = name.endsWith(".") ? name.slice(0, -1) : name;
      const msgs = isDNS1123Subdomain(trimmed);
      if (msgs.length) errs.push(invalid("spec.externalName", trimmed, msgs.join(",")));
      else if (trimmed.split(".").length < 2) errs.push(invalid("spec.externalName", trimmed, "should be a domain with at least two segments separated by dots"));
    }
  }
  errs.push(...validatePorts(svc));
  errs.push(...validateLabels(spec.selector, "spec.selector"));
  errs.push(...validateAffinity(svc));
  if (!spec.type) errs.push(required("spec.type"));
  else if (!serviceTypes.includes(spec.type)) errs.push(notSupported("spec.type", spec.type, serviceTypes));
  errs.push(...validateClusterIPs(svc));
  (spec.externalIPs ?? []).forEach((ip, i) => errs.push(...isValidIP(ip).map((m) => invalid(at("spec.externalIPs", i), ip, m))));
  if (spec.loadBalancerSourceRanges?.length) {
    if (spec.type !== "LoadBalancer") errs.push(forbidden("spec.loadBalancerSourceRanges", "may only be used when `type` is 'LoadBalancer'"));
    spec.loadBalancerSourceRanges.forEach((r, i) => {
      errs.push(...isValidCIDR(r.trim()).map((m) => invalid(at("spec.loadBalancerSourceRanges", i), r, m)));
    });
  }
  if (spec.type === "LoadBalancer" && spec.allocateLoadBalancerNodePorts === undefined) errs.push(required("spec.allocateLoadBalancerNodePorts"));
  errs.push(...validateTraffic(svc));
  return errs;
}

/** What a service update may not change: its assigned cluster IPs and primary family (unless to/from ExternalName). */
export function validateServiceUpdate(svc: Service, old: Service): FieldError[] {
  if (svc.spec?.type === "ExternalName" || old.spec?.type === "ExternalName") return [];
  const errs: FieldError[] = [];
  const before = old.spec?.clusterIPs ?? [];
  const after = svc.spec?.clusterIPs ?? [];
  if (before.length && after.length && before[0] !== after[0]) errs.push(invalid(at("spec.clusterIPs", 0), after[0], "may not change once set"));
  if (before.length === 2 && after.length === 2 && before[1] !== after[1]) errs.push(invalid(at("spec.clusterIPs", 1), after[1], "may not change once set"));
  const famBefore = old.spec?.ipFamilies ?? [];
  const famAfter = svc.spec?.ipFamilies ?? [];
  if (famBefore.length && famAfter.length && famBefore[0] !== famAfter[0]) errs.push(invalid(at("spec.ipFamilies", 0), famAfter[0], "may not change once set"));
  return errs;
}

/** A `services/status` update: load-balancer ingress points. */
export function validateServiceStatus(svc: Service): FieldError[] {
  const errs: FieldError[] = [];
  (svc.status?.loadBalancer?.ingress ?? []).forEach((ing, i) => {
    const p = at("status.loadBalancer.ingress", i);
    if (ing.ip) errs.push(...isValidIP(ing.ip).map((m) => invalid(child(p, "ip"), ing.ip, m)));
    if (ing.ipMode && !ing.ip) errs.push(forbidden(child(p, "ipMode"), "may not be specified when `ip` is not set"));
    if (ing.ipMode && !["Proxy", "VIP"].includes(ing.ipMode)) errs.push(notSupported(child(p, "ipMode"), ing.ipMode, ["Proxy", "VIP"]));
    if (ing.hostname) {
      errs.push(...isDNS1123Subdomain(ing.hostname).map((m) => invalid(child(p, "hostname"), ing.hostname, m)));
      if (ipFamilyOf(ing.hostname)) errs.push(invalid(child(p, "hostname"), ing.hostname, "must be a DNS name, not an IP address"));
    }
  });
  return errs;
}
