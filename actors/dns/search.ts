/**
 * The client side of a lookup: the search list and ndots a pod's
 * resolv.conf gets from its dnsPolicy and dnsConfig (as the kubelet writes
 * it), and the order in which a stub resolver tries the expanded names.
 */
import type { Pod } from "../api/types/core-pod.ts";

/** What a pod's resolver does with a relative name. */
export interface ResolverConfig {
  search: string[];
  ndots: number;
}

/** Kubernetes' ndots for ClusterFirst pods. */
export const CLUSTER_NDOTS = 5;

/** The cluster search list of a namespace: `<ns>.svc.<domain> svc.<domain> <domain>`. */
export function clusterSearch(namespace: string, domain = "cluster.local"): string[] {
  return [`${namespace}.svc.${domain}`, `svc.${domain}`, domain];
}

/**
 * The resolver settings of a pod. ClusterFirst (the default) gets the
 * cluster search list and ndots:5 — except with hostNetwork, where it falls
 * back to the node's settings as Kubernetes does; ClusterFirstWithHostNet
 * always gets them; Default gets the node's (no search list here); None gets
 * only its dnsConfig. dnsConfig's searches are appended and its options
 * override (ndots).
 */
export function podResolverConfig(pod: Pod, domain = "cluster.local"): ResolverConfig {
  const ns = pod.metadata.namespace ?? "default";
  const policy = pod.spec?.dnsPolicy ?? "ClusterFirst";
  const cluster = policy === "ClusterFirstWithHostNet" || (policy === "ClusterFirst" && !pod.spec?.hostNetwork);
  let search = cluster ? clusterSearch(ns, domain) : [];
  let ndots = cluster ? CLUSTER_NDOTS : 1;
  const cfg = pod.spec?.dnsConfig;
  if (cfg) {
    search = [...new Set([...search, ...(cfg.searches ?? []).map((s) => s.replace(/\.$/, "").toLowerCase())])];
    for (const o of cfg.options ?? []) {
      const n = Number(o.value);
      if (o.name === "ndots" && Number.isInteger(n) && n >= 0) ndots = Math.min(n, 15);
    }
  }
  return { search, ndots };
}

/**
 * The names a stub resolver tries, in order: a name ending in "." only as
 * given; a name with at least `ndots` dots as given first, then with each
 * search domain; any other name with each search domain first, then as given.
 */
export function candidates(name: string, config: ResolverConfig): string[] {
  if (name.endsWith(".")) return [name.slice(0, -1)];
  const expanded = config.search.map((d) => `${name}.${d}`);
  const dots = name.split(".").length - 1;
  return dots >= config.ndots ? [name, ...expanded] : [...expanded, name];
}
