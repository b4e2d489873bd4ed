/**
 * What the DNS server knows of the cluster, kept current from watch events:
 * Services by name and by cluster IP, their ready endpoints (from
 * EndpointSlices) by service and by address, Pods by IP, and namespaces.
 * Pure data, no actors, so the resolver can be tested from plain objects.
 */
import type { Pod } from "../api/types/core-pod.ts";
import type { Service } from "../api/types/core-service.ts";
import { SERVICE_NAME_LABEL, type EndpointSlice } from "../api/types/discovery.ts";
import type { Namespace } from "../api/types/core-node.ts";
import type { Protocol } from "../api/types/core-common.ts";

/** One ready address of a service with the ports its slice lists. */
export interface ServiceEndpoint {
  ip: string;
  hostname?: string;
  ports: Array<{ name: string; port: number; protocol: Protocol }>;
}

const key = (ns: string, name: string) => `${ns}/${name}`;

/** Services, endpoints, pods and namespaces, indexed for name and reverse lookups. */
export class ClusterIndex {
  readonly #services = new Map<string, Service>();
  readonly #serviceByIP = new Map<string, string>();
  readonly #slices = new Map<string, EndpointSlice>();
  readonly #slicesByService = new Map<string, Set<string>>();
  readonly #sliceByIP = new Map<string, Set<string>>();
  readonly #pods = new Map<string, Pod>();
  readonly #podsByIP = new Map<string, Set<string>>();
  readonly #namespaces = new Set<string>();

  // ---- updates ------------------------------------------------------------

  /** Adds or replaces a Service. */
  upsertService(svc: Service): void {
    const k = key(svc.metadata.namespace ?? "default", svc.metadata.name!);
    this.deleteService(svc);
    this.#services.set(k, svc);
    for (const ip of clusterIPsOf(svc)) this.#serviceByIP.set(ip, k);
  }

  /** Forgets a Service. */
  deleteService(svc: Service): void {
    const k = key(svc.metadata.namespace ?? "default", svc.metadata.name!);
    const old = this.#services.get(k);
    if (!old) return;
    this.#services.delete(k);
    for (const ip of clusterIPsOf(old)) if (this.#serviceByIP.get(ip) === k) this.#serviceByIP.delete(ip);
  }

  /** Adds or replaces an EndpointSlice (slices without the service-name label are ignored, as CoreDNS does). */
  upsertSlice(slice: EndpointSlice): void {
    this.deleteSlice(slice);
    const svc = slice.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!svc) return;
    const k = key(slice.metadata.namespace ?? "default", slice.metadata.name!);
    this.#slices.set(k, slice);
    addTo(this.#slicesByService, key(slice.metadata.namespace ?? "default", svc), k);
    for (const ep of slice.endpoints ?? []) for (const ip of ep.addresses ?? []) addTo(this.#sliceByIP, ip, k);
  }

  /** Forgets an EndpointSlice. */
  deleteSlice(slice: EndpointSlice): void {
    const k = key(slice.metadata.namespace ?? "default", slice.metadata.name!);
    const old = this.#slices.get(k);
    if (!old) return;
    this.#slices.delete(k);
    const svc = old.metadata.labels?.[SERVICE_NAME_LABEL];
    if (svc) removeFrom(this.#slicesByService, key(old.metadata.namespace ?? "default", svc), k);
    for (const ep of old.endpoints ?? []) for (const ip of ep.addresses ?? []) removeFrom(this.#sliceByIP, ip, k);
  }

  /** Adds or replaces a Pod. */
  upsertPod(pod: Pod): void {
    this.deletePod(pod);
    const k = key(pod.metadata.namespace ?? "default", pod.metadata.name!);
    this.#pods.set(k, pod);
    for (const ip of podIPsOf(pod)) addTo(this.#podsByIP, ip, k);
  }

  /** Forgets a Pod. */
  deletePod(pod: Pod): void {
    const k = key(pod.metadata.namespace ?? "default", pod.metadata.name!);
    const old = this.#pods.get(k);
    if (!old) return;
    this.#pods.delete(k);
    for (const ip of podIPsOf(old)) removeFrom(this.#podsByIP, ip, k);
  }

  /** Adds a namespace (a terminating one still answers, as it still exists). */
  upsertNamespace(ns: Namespace): void {
    this.#namespaces.add(ns.metadata.name!);
  }

  /** Forgets a namespace. */
  deleteNamespace(ns: Namespace): void {
    this.#namespaces.delete(ns.metadata.name!);
  }

  // ---- lookups ------------------------------------------------------------

  /** The Service `ns/name`. */
  service(namespace: string, name: string): Service | undefined {
    return this.#services.get(key(namespace, name));
  }

  /** The Service whose cluster IP is `ip`. */
  serviceByIP(ip: string): Service | undefined {
    const k = this.#serviceByIP.get(ip);
    return k ? this.#services.get(k) : undefined;
  }

  /** True when the namespace exists (or holds something we know of). */
  hasNamespace(namespace: string): boolean {
    if (this.#namespaces.has(namespace)) return true;
    for (const k of this.#services.keys()) if (k.startsWith(`${namespace}/`)) return true;
    return false;
  }

  /**
   * The ready endpoints of a service across its slices, one entry per
   * address (an address in two slices merges their ports). Endpoints whose
   * `ready` condition is false are left out; unset counts as ready.
   */
  endpoints(namespace: string, name: string): ServiceEndpoint[] {
    const byIP = new Map<string, ServiceEndpoint>();
    for (const sk of [...(this.#slicesByService.get(key(namespace, name)) ?? [])].sort()) {
      const slice = this.#slices.get(sk)!;
      if (slice.addressType === "FQDN") continue;
      const ports = (slice.ports ?? []).filter((p) => typeof p.port === "number").map((p) => ({ name: p.name ?? "", port: p.port!, protocol: p.protocol ?? "TCP" }));
      for (const ep of slice.endpoints ?? []) {
        if (ep.conditions?.ready === false) continue;
        for (const ip of ep.addresses ?? []) {
          const seen = byIP.get(ip);
          if (seen) {
            for (const p of ports) if (!seen.ports.some((q) => q.name === p.name && q.port === p.port && q.protocol === p.protocol)) seen.ports.push(p);
            seen.hostname ??= ep.hostname;
            continue;
          }
          byIP.set(ip, { ip, hostname: ep.hostname, ports: [...ports] });
        }
      }
    }
    return [...byIP.values()];
  }

  /** The services (`ns/name`) that have `ip` among their ready endpoints, sorted, with that endpoint. */
  endpointsByIP(ip: string): Array<{ namespace: string; service: string; endpoint: ServiceEndpoint }> {
    const out: Array<{ namespace: string; service: string; endpoint: ServiceEndpoint }> = [];
    const services = new Set<string>();
    for (const sk of this.#sliceByIP.get(ip) ?? []) {
      const slice = this.#slices.get(sk)!;
      services.add(key(slice.metadata.namespace ?? "default", slice.metadata.labels![SERVICE_NAME_LABEL]));
    }
    for (const sk of [...services].sort()) {
      const [namespace, service] = sk.split("/");
      const endpoint = this.endpoints(namespace, service).find((e) => e.ip === ip);
      if (endpoint) out.push({ namespace, service, endpoint });
    }
    return out;
  }

  /** Pods holding `ip` (normally one; a finished pod may linger beside its successor). */
  podsByIP(ip: string): Pod[] {
    return [...(this.#podsByIP.get(ip) ?? [])].sort().map((k) => this.#pods.get(k)!);
  }

  /** The Pod `ns/name`. */
  pod(namespace: string, name: string): Pod | undefined {
    return this.#pods.get(key(namespace, name));
  }

  /** Counts for `dns.info`. */
  counts(): { services: number; endpointSlices: number; pods: number; namespaces: number } {
    return { services: this.#services.size, endpointSlices: this.#slices.size, pods: this.#pods.size, namespaces: this.#namespaces.size };
  }
}

/** A service's cluster IPs; none for headless and ExternalName services. */
export function clusterIPsOf(svc: Service): string[] {
  const spec = svc.spec ?? {};
  if (spec.type === "ExternalName") return [];
  const ips = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  return ips.filter((ip) => ip && ip !== "None");
}

/** True for a headless service (clusterIP None). */
export function isHeadless(svc: Service): boolean {
  return svc.spec?.clusterIP === "None";
}

function podIPsOf(pod: Pod): string[] {
  const ips = new Set<string>();
  if (pod.status?.podIP) ips.add(pod.status.podIP);
  for (const p of pod.status?.podIPs ?? []) if (p.ip) ips.add(p.ip);
  return [...ips];
}

function addTo(m: Map<string, Set<string>>, k: string, v: string): void {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(v);
}

function removeFrom(m: Map<string, Set<string>>, k: string, v: string): void {
  const s = m.get(k);
  if (!s) return;
  s.delete(v);
  if (s.size === 0) m.delete(k);
}
