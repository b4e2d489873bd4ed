/**
 * What kube-proxy makes of one Service and its EndpointSlices: a
 * {@link ServicePortEntry} per service port — its frontends (cluster IP,
 * node port, load-balancer and external IPs), policies, chain names and
 * backends (pod IP:targetPort with node and conditions), as kube-proxy's
 * ServiceChangeTracker and EndpointsChangeTracker build them.
 */
import type { Service } from "../api/types/core-service.ts";
import type { EndpointSlice } from "../api/types/discovery.ts";
import type { Protocol } from "../api/types/core-common.ts";
import { endpointChain, serviceChains, type ServiceChains } from "./chains.ts";

/** The label that makes a service another proxy's business. */
export const SERVICE_PROXY_NAME_LABEL = "service.kubernetes.io/service-proxy-name";

/** One backend of a service port. */
export interface ProxyEndpoint {
  ip: string;
  port: number;
  /** The node the pod runs on, when known. */
  node?: string;
  /** `namespace/name` of the pod, when the endpoint points at one. */
  pod?: string;
  zone?: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  /** Its KUBE-SEP- chain. */
  chain: string;
}

/** One service port as kube-proxy routes it. */
export interface ServicePortEntry {
  /** `namespace/name` of the service. */
  service: string;
  /** The port's name ("" when unnamed). */
  portName: string;
  /** kube-proxy's ServicePortName: `namespace/name:port`, or `namespace/name` for an unnamed port. */
  name: string;
  protocol: Protocol;
  port: number;
  clusterIP: string;
  nodePort?: number;
  loadBalancerIPs: string[];
  externalIPs: string[];
  /** internalTrafficPolicy Local. */
  internalLocal: boolean;
  /** externalTrafficPolicy Local (externally reachable services only). */
  externalLocal: boolean;
  /** True for NodePort and LoadBalancer services, and ClusterIP ones with external IPs. */
  externallyAccessible: boolean;
  /** ClientIP affinity timeout in seconds; undefined without affinity. */
  affinitySeconds?: number;
  chains: ServiceChains;
  /** Backends, one per ip:port, in address order. */
  endpoints: ProxyEndpoint[];
}

/** True when kube-proxy programs the service: it has a cluster IP and no other proxy claims it. */
export function proxied(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  return Boolean(ip) && ip !== "None" && svc.spec.type !== "ExternalName" && !svc.metadata.labels?.[SERVICE_PROXY_NAME_LABEL];
}

function compareAddr(a: ProxyEndpoint, b: ProxyEndpoint): number {
  const pa = a.ip.split(".").map(Number);
  const pb = b.ip.split(".").map(Number);
  for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return a.port - b.port;
}

/** The service ports of `svc` with backends from `slices` (the slices labelled with its name). */
export function buildServicePorts(svc: Service, slices: Iterable<EndpointSlice>): ServicePortEntry[] {
  if (!proxied(svc)) return [];
  const spec = svc.spec;
  const service = `${svc.metadata.namespace}/${svc.metadata.name}`;
  const externallyAccessible = spec.type === "NodePort" || spec.type === "LoadBalancer" || (spec.externalIPs?.length ?? 0) > 0;
  // Ingress points in Proxy mode are reached through the load balancer, not captured on the nodes (KEP-1860).
  const lbIPs = spec.type === "LoadBalancer" ? (svc.status?.loadBalancer?.ingress ?? []).filter((i) => i.ip && i.ipMode !== "Proxy").map((i) => i.ip!) : [];
  const sliceList = [...slices].filter((s) => s.addressType === "IPv4");
  return (spec.ports ?? []).map((sp) => {
    const protocol = sp.protocol ?? "TCP";
    const portName = sp.name ?? "";
    const name = portName ? `${service}:${portName}` : service;
    const byAddr = new Map<string, ProxyEndpoint>();
    for (const slice of sliceList) {
      const port = (slice.ports ?? []).find((p) => (p.name ?? "") === portName && (p.protocol ?? "TCP") === protocol);
      if (!port?.port) continue;
      for (const ep of slice.endpoints ?? []) {
        const ip = ep.addresses?.[0];
        if (!ip) continue;
        const ready = ep.conditions?.ready ?? true;
        const e: ProxyEndpoint = {
          ip,
          port: port.port,
          ready,
          serving: ep.conditions?.serving ?? ready,
          terminating: ep.conditions?.terminating ?? false,
          chain: endpointChain(name, protocol, `${ip}:${port.port}`),
        };
        if (ep.nodeName) e.node = ep.nodeName;
        if (ep.zone) e.zone = ep.zone;
        if (ep.targetRef?.kind === "Pod" && ep.targetRef.name) e.pod = `${ep.targetRef.namespace ?? svc.metadata.namespace}/${ep.targetRef.name}`;
        const key = `${ip}:${port.port}`;
        // The same endpoint in two slices (while one is being rewritten): the ready copy wins.
        const seen = byAddr.get(key);
        if (!seen || (!seen.ready && e.ready)) byAddr.set(key, e);
      }
    }
    const entry: ServicePortEntry = {
      service,
      portName,
      name,
      protocol,
      port: sp.port,
      clusterIP: spec.clusterIP!,
      loadBalancerIPs: lbIPs,
      externalIPs: [...(spec.externalIPs ?? [])],
      internalLocal: spec.internalTrafficPolicy === "Local",
      externalLocal: externallyAccessible && spec.externalTrafficPolicy === "Local",
      externallyAccessible,
      chains: serviceChains(name, protocol),
      endpoints: [...byAddr.values()].sort(compareAddr),
    };
    if (sp.nodePort && (spec.type === "NodePort" || spec.type === "LoadBalancer")) entry.nodePort = sp.nodePort;
    if (spec.sessionAffinity === "ClientIP") entry.affinitySeconds = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800;
    return entry;
  });
}

/** The endpoints a policy chain lists, as kube-proxy's CategorizeEndpoints picks them. */
export interface Categorized {
  /** Cluster policy: ready endpoints, else serving terminating ones. */
  cluster: ProxyEndpoint[];
  /** Local policy on `node`: ready local endpoints, else serving terminating local ones. */
  local: ProxyEndpoint[];
  /** True when some endpoint anywhere can serve (ready, or serving while terminating). */
  hasEndpoints: boolean;
}

/** Splits an entry's endpoints for `node` (undefined: no node, so nothing is local). */
export function categorize(entry: ServicePortEntry, node: string | undefined): Categorized {
  const eps = entry.endpoints;
  const ready = eps.filter((e) => e.ready);
  const cluster = ready.length ? ready : eps.filter((e) => e.serving && e.terminating);
  const mine = node === undefined ? [] : eps.filter((e) => e.node === node);
  const localReady = mine.filter((e) => e.ready);
  const local = localReady.length ? localReady : mine.filter((e) => e.serving && e.terminating);
  return { cluster, local, hasEndpoints: cluster.length > 0 };
}
