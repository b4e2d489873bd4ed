/**
 * A pod's DNS settings as the kubelet forms them (pkg/kubelet/network/dns):
 * `dnsPolicy` picks the cluster's DNS service or the node's resolver,
 * `dnsConfig` is merged on top, and the result goes to the runtime, which
 * writes it into the sandbox's /etc/resolv.conf. Also the kubelet-managed
 * /etc/hosts of a pod.
 */
import type { Pod } from "../api/types/index.ts";
import type { DNSConfig } from "./cri/types.ts";

/** The node's side of DNS: the kubelet's clusterDNS/clusterDomain and the host's resolver. */
export interface DNSSettings {
  /** Cluster DNS servers (kubelet `clusterDNS`); empty: ClusterFirst falls back to Default. */
  clusterDNS: readonly string[];
  /** The cluster domain (kubelet `clusterDomain`, e.g. `cluster.local`). */
  clusterDomain: string;
  /** The node's own resolver (its /etc/resolv.conf), used by dnsPolicy Default. */
  host: DNSConfig;
}

/** A warning to record as an event on the pod. */
export interface DNSWarning {
  reason: string;
  message: string;
}

// Limits the kubelet applies to what it passes on (glibc's resolver reads at most three nameservers).
const MAX_NAMESERVERS = 3;
const MAX_SEARCHES = 32;
const MAX_SEARCH_CHARS = 2048;

/** The DNS config a pod's sandbox gets, and the warnings the kubelet records while forming it. */
export function podDNSConfig(pod: Pod, s: DNSSettings): { config: DNSConfig; warnings: DNSWarning[] } {
  const warnings: DNSWarning[] = [];
  const policy = pod.spec.dnsPolicy ?? "ClusterFirst";
  let kind: "cluster" | "host" | "none" =
    policy === "None" ? "none" : policy === "Default" ? "host" : policy === "ClusterFirstWithHostNet" ? "cluster" : pod.spec.hostNetwork ? "host" : "cluster";
  if (kind === "cluster" && s.clusterDNS.length === 0) {
    warnings.push({
      reason: "MissingClusterDNS",
      message: `pod: "${podRef(pod)}". kubelet does not have ClusterDNS IP configured and cannot create Pod using "${policy}" policy. Falling back to "Default" policy.`,
    });
    kind = "host";
  }
  let config: DNSConfig;
  if (kind === "none") config = { servers: [], searches: [], options: [] };
  else if (kind === "host") config = { servers: [...s.host.servers], searches: [...s.host.searches], options: [...s.host.options] };
  else {
    const ns = pod.metadata.namespace ?? "default";
    const d = s.clusterDomain;
    config = { servers: [...s.clusterDNS], searches: [`${ns}.svc.${d}`, `svc.${d}`, d, ...s.host.searches], options: ["ndots:5"] };
  }
  const extra = pod.spec.dnsConfig;
  if (extra) {
    config.servers = unique([...config.servers, ...(extra.nameservers ?? [])]);
    config.searches = unique([...config.searches, ...(extra.searches ?? [])]);
    config.options = mergeOptions(config.options, extra.options ?? []);
  }
  config.searches = unique(config.searches);
  if (config.servers.length > MAX_NAMESERVERS) {
    config.servers = config.servers.slice(0, MAX_NAMESERVERS);
    warnings.push({ reason: "DNSConfigForming", message: `Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${config.servers.join(" ")}` });
  }
  if (config.searches.length > MAX_SEARCHES || config.searches.join(" ").length > MAX_SEARCH_CHARS) {
    const kept: string[] = [];
    for (const d of config.searches) {
      if (kept.length >= MAX_SEARCHES || [...kept, d].join(" ").length > MAX_SEARCH_CHARS) break;
      kept.push(d);
    }
    config.searches = kept;
    warnings.push({ reason: "DNSConfigForming", message: `Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${kept.join(" ")}` });
  }
  return { config, warnings };
}

/** The node resolver a kubelet assumes when none is configured: the gateway of its address (a.b.c.1), as on a container network. */
export function defaultHostDNS(hostIP: string): DNSConfig {
  const parts = hostIP.split(".");
  const gateway = parts.length === 4 ? `${parts.slice(0, 3).join(".")}.1` : "127.0.0.53";
  return { servers: [gateway], searches: [], options: [] };
}

/**
 * The kubelet-managed /etc/hosts of a pod: localhost entries, the pod's own
 * name (its FQDN first when it has hostname + subdomain), then hostAliases.
 */
export function etcHosts(pod: Pod, podIPs: readonly string[], clusterDomain: string): string {
  const lines = [
    "# Kubernetes-managed hosts file.",
    "127.0.0.1\tlocalhost",
    "::1\tlocalhost ip6-localhost ip6-loopback",
    "fe00::0\tip6-localnet",
    "fe00::0\tip6-mcastprefix",
    "fe00::1\tip6-allnodes",
    "fe00::2\tip6-allrouters",
  ];
  const hostname = pod.spec.hostname ?? pod.metadata.name ?? "";
  const sub = pod.spec.subdomain;
  for (const ip of podIPs) {
    lines.push(sub ? `${ip}\t${hostname}.${sub}.${pod.metadata.namespace ?? "default"}.svc.${clusterDomain}\t${hostname}` : `${ip}\t${hostname}`);
  }
  const aliases = pod.spec.hostAliases ?? [];
  if (aliases.length) {
    lines.push("", "# Entries added by HostAliases.");
    for (const a of aliases) lines.push(`${a.ip}\t${(a.hostnames ?? []).join("\t")}`);
  }
  return `${lines.join("\n")}\n`;
}

/** `name_namespace(uid)`, as the kubelet names a pod in messages. */
export function podRef(pod: Pod): string {
  return `${pod.metadata.name}_${pod.metadata.namespace ?? "default"}(${pod.metadata.uid ?? ""})`;
}

function unique(list: readonly string[]): string[] {
  return [...new Set(list.filter((x) => x !== ""))];
}

// Pod options override the base ones by name; an option without a value is written bare.
function mergeOptions(base: readonly string[], extra: ReadonlyArray<{ name?: string; value?: string }>): string[] {
  const byName = new Map<string, string>();
  for (const o of base) byName.set(o.split(":")[0], o);
  for (const o of extra) {
    if (!o.name) continue;
    byName.set(o.name, o.value !== undefined && o.value !== "" ? `${o.name}:${o.value}` : o.name);
  }
  return [...byName.values()];
}
