/**
 * The routing table as one node's kube-proxy would program it: a structured
 * view per service port (where ClusterIP and external traffic go, the policy
 * chains and their endpoints with probabilities) and the same rules as
 * `iptables-save` prints them (filter and nat tables: KUBE-SERVICES →
 * KUBE-SVC-/KUBE-SVL-/KUBE-EXT- chains → KUBE-SEP- DNAT targets).
 * Without a node the view is cluster-wide: nothing is local.
 */
import { probability } from "./chains.ts";
import { categorize, type ProxyEndpoint, type ServicePortEntry } from "./service-ports.ts";

/** One rule of a policy chain: jump to an endpoint with this probability (null: the last rule, always). */
export interface ChainRule {
  chain: string;
  endpoint: string;
  node?: string;
  pod?: string;
  probability: string | null;
}

/** One service port on one node. */
export interface ServicePortView {
  name: string;
  service: string;
  portName: string;
  protocol: string;
  clusterIP: string;
  port: number;
  nodePort?: number;
  loadBalancerIPs: string[];
  externalIPs: string[];
  internalTrafficPolicy: "Cluster" | "Local";
  externalTrafficPolicy?: "Cluster" | "Local";
  sessionAffinity: "None" | "ClientIP";
  affinityTimeoutSeconds?: number;
  /** Where ClusterIP traffic goes here: a chain, REJECT (no endpoints) or DROP (no local endpoints). */
  internal: string;
  /** Where NodePort / load-balancer / external-IP traffic goes here. */
  external?: string;
  /** The KUBE-SVC- / KUBE-SVL- chains written, with their rules in order. */
  policyChains: Record<string, ChainRule[]>;
  /** Every endpoint, with its conditions and whether it is on this node. */
  endpoints: Array<Omit<ProxyEndpoint, "zone"> & { local: boolean }>;
}

/** A node's table. */
export interface ProxyTable {
  node: string | null;
  preferLocal: boolean;
  services: ServicePortView[];
  /** The rules as `iptables-save` prints them. */
  iptablesSave: string;
}

/** Options of {@link renderTable}. */
export interface RenderOptions {
  node?: string;
  preferLocal: boolean;
  /** The pod network, for the masquerade rule of off-cluster traffic to cluster IPs. */
  clusterCIDR?: string;
}

function rules(eps: ProxyEndpoint[]): ChainRule[] {
  return eps.map((e, i) => ({ chain: e.chain, endpoint: `${e.ip}:${e.port}`, ...(e.node ? { node: e.node } : {}), ...(e.pod ? { pod: e.pod } : {}), probability: i < eps.length - 1 ? probability(eps.length - i) : null }));
}

/** One service port's view on `node`. */
export function viewOf(e: ServicePortEntry, opts: RenderOptions): ServicePortView {
  const node = opts.node;
  const cat = categorize(e, node);
  const preferred = opts.preferLocal && node !== undefined && !e.internalLocal && cat.cluster.some((x) => x.node === node && x.ready);
  const usesCluster = cat.cluster.length > 0 && (!e.internalLocal || e.externallyAccessible);
  const usesLocal = cat.local.length > 0 && (e.internalLocal || e.externalLocal || preferred);
  const policyChains: Record<string, ChainRule[]> = {};
  if (usesCluster) policyChains[e.chains.svc] = rules(cat.cluster);
  if (usesLocal) policyChains[e.chains.svl] = rules(preferred ? cat.cluster.filter((x) => x.node === node && x.ready) : cat.local);
  let internal: string;
  if (!cat.hasEndpoints) internal = "REJECT";
  else if (e.internalLocal) internal = cat.local.length ? e.chains.svl : "DROP";
  else internal = preferred ? e.chains.svl : e.chains.svc;
  const view: ServicePortView = {
    name: e.name,
    service: e.service,
    portName: e.portName,
    protocol: e.protocol,
    clusterIP: e.clusterIP,
    port: e.port,
    loadBalancerIPs: e.loadBalancerIPs,
    externalIPs: e.externalIPs,
    internalTrafficPolicy: e.internalLocal ? "Local" : "Cluster",
    sessionAffinity: e.affinitySeconds === undefined ? "None" : "ClientIP",
    internal,
    policyChains,
    endpoints: e.endpoints.map(({ zone: _zone, ...x }) => ({ ...x, local: node !== undefined && x.node === node })),
  };
  if (e.nodePort) view.nodePort = e.nodePort;
  if (e.affinitySeconds !== undefined) view.affinityTimeoutSeconds = e.affinitySeconds;
  if (e.externallyAccessible) {
    view.externalTrafficPolicy = e.externalLocal ? "Local" : "Cluster";
    view.external = !cat.hasEndpoints ? "REJECT" : e.externalLocal && !cat.local.length ? "DROP" : e.chains.ext;
  }
  return view;
}

// iptables-save quotes a comment only when it holds spaces.
const comment = (text: string) => (/\s/.test(text) ? `"${text}"` : text);

/** The node's table, structured and as iptables-save text. */
export function renderTable(entries: ServicePortEntry[], opts: RenderOptions): ProxyTable {
  const services = entries.map((e) => viewOf(e, opts));
  return { node: opts.node ?? null, preferLocal: opts.preferLocal, services, iptablesSave: iptablesSave(entries, services, opts) };
}

function iptablesSave(entries: ServicePortEntry[], views: ServicePortView[], opts: RenderOptions): string {
  const filter: string[] = [];
  const natChains: string[] = [];
  const nat: string[] = [];
  entries.forEach((e, i) => {
    const v = views[i];
    const p = e.protocol.toLowerCase();
    const match = `-m ${p} -p ${p}`;
    const name = e.name;
    const dport = (ip: string) => `-d ${ip}/32 --dport ${e.port}`;
    if (v.internal === "REJECT" || v.internal === "DROP") {
      const why = v.internal === "REJECT" ? `${name} has no endpoints` : `${name} has no local endpoints`;
      filter.push(`-A KUBE-SERVICES -m comment --comment ${comment(why)} ${match} ${dport(e.clusterIP)} -j ${v.internal}`);
    } else {
      const what = v.internal === e.chains.svl && !e.internalLocal ? `${name} cluster IP; prefers endpoints on ${opts.node}` : `${name} cluster IP`;
      nat.push(`-A KUBE-SERVICES -m comment --comment ${comment(what)} ${match} ${dport(e.clusterIP)} -j ${v.internal}`);
    }
    const externalWhy = v.external === "REJECT" ? `${name} has no endpoints` : `${name} has no local endpoints`;
    for (const [ips, label] of [[e.externalIPs, "external IP"], [e.loadBalancerIPs, "loadbalancer IP"]] as const) {
      for (const ip of ips) {
        if (v.external !== "REJECT") nat.push(`-A KUBE-SERVICES -m comment --comment ${comment(`${name} ${label}`)} ${match} ${dport(ip)} -j ${e.chains.ext}`);
        if (v.external === "REJECT" || v.external === "DROP") filter.push(`-A KUBE-EXTERNAL-SERVICES -m comment --comment ${comment(externalWhy)} ${match} ${dport(ip)} -j ${v.external}`);
      }
    }
    if (e.nodePort) {
      if (v.external !== "REJECT") nat.push(`-A KUBE-NODEPORTS -m comment --comment ${comment(name)} ${match} --dport ${e.nodePort} -j ${e.chains.ext}`);
      if (v.external === "REJECT" || v.external === "DROP") {
        filter.push(`-A KUBE-EXTERNAL-SERVICES -m comment --comment ${comment(externalWhy)} -m addrtype --dst-type LOCAL ${match} --dport ${e.nodePort} -j ${v.external}`);
      }
    }
    // Off-cluster traffic to the cluster IP is masqueraded.
    const internalChain = v.internal.startsWith("KUBE-") ? v.internal : undefined;
    if (internalChain && opts.clusterCIDR) {
      nat.push(`-A ${internalChain} -m comment --comment ${comment(`${name} cluster IP`)} ${match} ${dport(e.clusterIP)} ! -s ${opts.clusterCIDR} -j KUBE-MARK-MASQ`);
    }
    if (e.externallyAccessible && v.external !== "REJECT") {
      natChains.push(e.chains.ext);
      const policy = e.externalLocal ? e.chains.svl : v.internal === e.chains.svl && !e.internalLocal ? e.chains.svl : e.chains.svc;
      if (!e.externalLocal) {
        nat.push(`-A ${e.chains.ext} -m comment --comment ${comment(`masquerade traffic for ${name} external destinations`)} -j KUBE-MARK-MASQ`);
        nat.push(`-A ${e.chains.ext} -j ${policy}`);
      } else {
        if (opts.clusterCIDR) nat.push(`-A ${e.chains.ext} -m comment --comment ${comment(`pod traffic for ${name} external destinations`)} -s ${opts.clusterCIDR} -j ${e.chains.svc}`);
        nat.push(`-A ${e.chains.ext} -m comment --comment ${comment(`masquerade LOCAL traffic for ${name} external destinations`)} -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`);
        nat.push(`-A ${e.chains.ext} -m comment --comment ${comment(`route LOCAL traffic for ${name} external destinations`)} -m addrtype --src-type LOCAL -j ${e.chains.svc}`);
        if (v.external !== "DROP") nat.push(`-A ${e.chains.ext} -j ${policy}`);
      }
    }
    const written = new Map<string, ProxyEndpoint>();
    for (const [chain, list] of Object.entries(v.policyChains)) {
      natChains.push(chain);
      if (e.affinitySeconds !== undefined) {
        for (const r of list) nat.push(`-A ${chain} -m comment --comment ${comment(`${name} -> ${r.endpoint}`)} -m recent --name ${r.chain} --rcheck --seconds ${e.affinitySeconds} --reap -j ${r.chain}`);
      }
      for (const r of list) {
        const stat = r.probability === null ? "" : ` -m statistic --mode random --probability ${r.probability}`;
        nat.push(`-A ${chain} -m comment --comment ${comment(`${name} -> ${r.endpoint}`)}${stat} -j ${r.chain}`);
        written.set(r.chain, e.endpoints.find((x) => x.chain === r.chain)!);
      }
    }
    for (const [chain, ep] of written) {
      natChains.push(chain);
      nat.push(`-A ${chain} -m comment --comment ${comment(name)} -s ${ep.ip}/32 -j KUBE-MARK-MASQ`);
      const recent = e.affinitySeconds !== undefined ? ` -m recent --name ${chain} --set` : "";
      nat.push(`-A ${chain} -m comment --comment ${comment(name)}${recent} ${match} -j DNAT --to-destination ${ep.ip}:${ep.port}`);
    }
  });
  const head = (chains: string[]) => chains.map((c) => `:${c} - [0:0]`);
  const out = [
    `# Generated by actorkube kube-proxy${opts.node ? ` for node ${opts.node}` : " (cluster-wide view)"}`,
    "*filter",
    ...head(["KUBE-EXTERNAL-SERVICES", "KUBE-FORWARD", "KUBE-NODEPORTS", "KUBE-PROXY-FIREWALL", "KUBE-SERVICES"]),
    ...filter,
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    "COMMIT",
    "*nat",
    ...head(["KUBE-MARK-MASQ", "KUBE-NODEPORTS", "KUBE-POSTROUTING", "KUBE-SERVICES", ...new Set(natChains)]),
    "-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000",
    "-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN",
    "-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000",
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
    ...nat,
    '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
    "COMMIT",
  ];
  return out.join("\n") + "\n";
}
