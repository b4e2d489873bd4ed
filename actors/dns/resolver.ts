/**
 * Answers one fully qualified question the way CoreDNS's kubernetes plugin
 * does for the cluster zone (default `cluster.local`) and the in-addr.arpa
 * reverse zone:
 *
 *   <svc>.<ns>.svc.<zone>               A/AAAA: cluster IPs; headless: ready endpoint IPs;
 *                                       ExternalName: CNAME to the external name
 *   <endpoint>.<svc>.<ns>.svc.<zone>    an endpoint by hostname, or by its dashed IP
 *   _<port>._<proto>.<svc>.<ns>.svc.<zone>  SRV (and A/AAAA) filtered by port name and protocol
 *   <a-b-c-d>.<ns>.pod.<zone>           a pod's A record
 *   <d.c.b.a>.in-addr.arpa              PTR: a service's cluster IP, an endpoint, then a pod
 *
 * A name in the zone that matches nothing is NXDOMAIN; a name that exists
 * without records of the asked type is NOERROR with no answers (NODATA). A
 * headless service with no ready endpoint is NXDOMAIN, as kube-dns and
 * CoreDNS answer (and the Kubernetes DNS spec was amended to say).
 */
import { isIPv4 } from "../../cni/ipv4.ts";
import type { Service } from "../api/types/core-service.ts";
import { clusterIPsOf, isHeadless, type ClusterIndex, type ServiceEndpoint } from "./cluster-index.ts";
import type { DnsRecord, QType, Rcode } from "./types.ts";

/** How the zone is served. */
export interface ResolverOptions {
  /** The cluster domain (default `cluster.local`). */
  domain?: string;
  /** TTL of every answer, seconds (default 5, CoreDNS's kubernetes plugin default). */
  ttl?: number;
  /**
   * Pod records: `insecure` answers any well-formed dashed IP (kubeadm's
   * Corefile default), `verified` only IPs a pod in that namespace holds,
   * `disabled` none (default `insecure`).
   */
  pods?: "insecure" | "verified" | "disabled";
}

/** The answer to one absolute name. */
export interface Resolution {
  rcode: Rcode;
  answers: DnsRecord[];
  additional: DnsRecord[];
}

const NXDOMAIN: Resolution = Object.freeze({ rcode: "NXDOMAIN", answers: [], additional: [] }) as Resolution;
const nodata = (): Resolution => ({ rcode: "NOERROR", answers: [], additional: [] });

/** True for something that parses as an IPv6 address (enough for record typing). */
export function isIPv6(s: string): boolean {
  return s.includes(":") && /^[0-9a-fA-F:.]+$/.test(s);
}

/** Resolves one absolute name (no search list, no trailing dot needed). */
export function resolveName(index: ClusterIndex, rawName: string, qtype: QType, options: ResolverOptions = {}): Resolution {
  const domain = (options.domain ?? "cluster.local").toLowerCase();
  const ttl = options.ttl ?? 5;
  const name = rawName.toLowerCase().replace(/\.$/, "");
  if (name.endsWith(".in-addr.arpa")) return reverse(index, name, qtype, domain, ttl);
  if (name !== domain && !name.endsWith(`.${domain}`)) return NXDOMAIN;
  const base = name === domain ? [] : name.slice(0, -domain.length - 1).split(".");
  if (base.length === 0) return nodata();
  const kind = base[base.length - 1];
  if (kind === "svc") return serviceRecords(index, base.slice(0, -1), name, qtype, domain, ttl);
  if (kind === "pod") return podRecords(index, base.slice(0, -1), name, qtype, ttl, options.pods ?? "insecure");
  return NXDOMAIN;
}

// segs: [..., service, namespace] without "svc", as CoreDNS parses from the right.
function serviceRecords(index: ClusterIndex, segs: string[], name: string, qtype: QType, domain: string, ttl: number): Resolution {
  if (segs.length === 0) return nodata();
  const namespace = segs[segs.length - 1];
  if (segs.length === 1) return index.hasNamespace(namespace) ? nodata() : NXDOMAIN;
  const svcName = segs[segs.length - 2];
  const rest = segs.slice(0, -2);
  let endpoint: string | undefined;
  let port: string | undefined;
  let protocol: string | undefined;
  if (rest.length === 1) endpoint = rest[0];
  else if (rest.length === 2) {
    port = rest[0].replace(/^_/, "");
    protocol = rest[1].replace(/^_/, "");
  } else if (rest.length > 2) return NXDOMAIN;
  const svc = index.service(namespace, svcName);
  if (!svc) return NXDOMAIN;
  const svcFqdn = `${svcName}.${namespace}.svc.${domain}`;

  if (svc.spec?.type === "ExternalName") {
    // Only the service name itself is an alias; ports and endpoints do not exist.
    if (endpoint !== undefined || port !== undefined) return NXDOMAIN;
    const target = (svc.spec.externalName ?? "").toLowerCase().replace(/\.$/, "");
    if (!target) return NXDOMAIN;
    if (qtype !== "A" && qtype !== "AAAA" && qtype !== "CNAME") return nodata();
    const cname: DnsRecord = { name, type: "CNAME", ttl, data: target };
    if (qtype === "CNAME") return { rcode: "NOERROR", answers: [cname], additional: [] };
    // Chase targets inside the zone (CoreDNS resolves the alias for the client).
    const chased = target.endsWith(`.${domain}`) && target !== name ? resolveName(index, target, qtype, { domain, ttl }) : undefined;
    return { rcode: "NOERROR", answers: [cname, ...(chased?.answers ?? [])], additional: [] };
  }

  const matchesPort = (p: { name: string; protocol: string }) =>
    port === undefined || (p.name.toLowerCase() === port && p.protocol.toLowerCase() === protocol);

  if (endpoint !== undefined || isHeadless(svc)) {
    // Endpoint records: the ready addresses (filtered by endpoint name or port).
    const eps = index
      .endpoints(namespace, svcName)
      .filter((e) => endpoint === undefined || endpointName(e) === endpoint)
      .filter((e) => port === undefined || e.ports.some(matchesPort));
    if (eps.length === 0) return NXDOMAIN;
    if (qtype === "SRV") {
      const srv: Array<{ target: string; port: number; ip: string }> = [];
      for (const e of eps) for (const p of e.ports) if (matchesPort(p)) srv.push({ target: `${endpointName(e)}.${svcFqdn}`, port: p.port, ip: e.ip });
      return srvAnswer(name, srv, ttl);
    }
    return addressAnswer(name, eps.map((e) => e.ip), qtype, ttl);
  }

  const ports = (svc.spec?.ports ?? []).map((p) => ({ name: p.name ?? "", port: p.port, protocol: p.protocol ?? "TCP" })).filter(matchesPort);
  if (port !== undefined && ports.length === 0) return NXDOMAIN;
  const ips = clusterIPsOf(svc);
  if (qtype === "SRV") return srvAnswer(name, ports.flatMap((p) => ips.map((ip) => ({ target: svcFqdn, port: p.port, ip }))), ttl);
  return addressAnswer(name, ips, qtype, ttl);
}

function podRecords(index: ClusterIndex, segs: string[], name: string, qtype: QType, ttl: number, mode: "insecure" | "verified" | "disabled"): Resolution {
  if (segs.length === 0) return nodata();
  const namespace = segs[segs.length - 1];
  if (segs.length === 1) return index.hasNamespace(namespace) ? nodata() : NXDOMAIN;
  if (segs.length > 2 || mode === "disabled") return NXDOMAIN;
  const ip = ipFromDashed(segs[0]);
  if (!ip) return NXDOMAIN;
  if (mode === "verified" && !index.podsByIP(ip).some((p) => (p.metadata.namespace ?? "default") === namespace && !p.metadata.deletionTimestamp)) return NXDOMAIN;
  return addressAnswer(name, [ip], qtype, ttl);
}

function reverse(index: ClusterIndex, name: string, qtype: QType, domain: string, ttl: number): Resolution {
  const octets = name.slice(0, -".in-addr.arpa".length).split(".");
  if (octets.length !== 4) return octets.length < 4 && octets.every((o) => /^\d{1,3}$/.test(o)) ? nodata() : NXDOMAIN;
  const ip = octets.reverse().join(".");
  if (!isIPv4(ip)) return NXDOMAIN;
  const ptr = ptrTarget(index, ip, domain);
  if (!ptr) return NXDOMAIN;
  if (qtype !== "PTR") return nodata();
  return { rcode: "NOERROR", answers: [{ name, type: "PTR", ttl, data: ptr }], additional: [] };
}

/** The name an IP points back to: a service, then an endpoint of any service, then a pod. */
export function ptrTarget(index: ClusterIndex, ip: string, domain = "cluster.local"): string | undefined {
  const svc = index.serviceByIP(ip);
  if (svc) return `${svc.metadata.name}.${svc.metadata.namespace ?? "default"}.svc.${domain}`;
  const ep = index.endpointsByIP(ip)[0];
  if (ep) return `${endpointName(ep.endpoint)}.${ep.service}.${ep.namespace}.svc.${domain}`;
  const pod = index.podsByIP(ip).find((p) => !p.metadata.deletionTimestamp) ?? index.podsByIP(ip)[0];
  if (pod) return `${dashed(ip)}.${pod.metadata.namespace ?? "default"}.pod.${domain}`;
  return undefined;
}

/** The reverse-lookup name of an IPv4 address: `4.3.2.1.in-addr.arpa`. */
export function reverseName(ip: string): string {
  return `${ip.split(".").reverse().join(".")}.in-addr.arpa`;
}

/** An endpoint's DNS label: its hostname, or its IP with dashes (CoreDNS's default endpoint naming). */
export function endpointName(e: ServiceEndpoint): string {
  return (e.hostname ?? dashed(e.ip)).toLowerCase();
}

/** `10.244.1.5` → `10-244-1-5`; IPv6 colons become dashes too. */
export function dashed(ip: string): string {
  return ip.replace(/[.:]/g, "-");
}

function ipFromDashed(label: string): string | undefined {
  const v4 = label.replace(/-/g, ".");
  if (isIPv4(v4)) return v4;
  const v6 = label.replace(/-/g, ":");
  return label.includes("--") || label.split("-").length === 8 ? (isIPv6(v6) ? v6 : undefined) : undefined;
}

function addressAnswer(name: string, ips: string[], qtype: QType, ttl: number): Resolution {
  const type = qtype === "AAAA" ? "AAAA" : "A";
  if (qtype !== "A" && qtype !== "AAAA") return nodata();
  const fits = [...new Set(ips)].filter((ip) => (type === "A" ? isIPv4(ip) : isIPv6(ip)));
  return { rcode: "NOERROR", answers: fits.map((data) => ({ name, type, ttl, data })), additional: [] };
}

// Weights split 100 evenly over the records of one priority, as CoreDNS computes them.
function srvAnswer(name: string, records: Array<{ target: string; port: number; ip: string }>, ttl: number): Resolution {
  const unique = [...new Map(records.map((r) => [`${r.target}:${r.port}`, r])).values()];
  const weight = unique.length ? Math.floor(100 / unique.length) : 0;
  const answers: DnsRecord[] = unique.map((r) => ({ name, type: "SRV", ttl, data: `0 ${weight} ${r.port} ${r.target}` }));
  const extra = new Map<string, DnsRecord>();
  for (const r of records) extra.set(`${r.target} ${r.ip}`, { name: r.target, type: isIPv6(r.ip) ? "AAAA" : "A", ttl, data: r.ip });
  return { rcode: "NOERROR", answers, additional: [...extra.values()] };
}

/** A service's cluster-local FQDN. */
export function serviceFqdn(svc: Service, domain = "cluster.local"): string {
  return `${svc.metadata.name}.${svc.metadata.namespace ?? "default"}.svc.${domain}`;
}
