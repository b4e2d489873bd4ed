/**
 * kube-proxy's virtual service routing table, free of workers: Services,
 * EndpointSlices and Nodes go in (as the informers deliver them), routing
 * decisions come out.
 *
 * Updates are incremental: a changed Service or EndpointSlice only marks its
 * service dirty, and `flush` rebuilds the dirty services' entries and their
 * frontend indices (cluster IP, node port, load-balancer and external IPs);
 * other services are not touched. Nodes only move the node-IP index.
 *
 * How a connection is routed, as kube-proxy's iptables rules decide it:
 * - the frontend is found by destination ip:port/protocol (a node's own
 *   address plus a node port means NodePort, handled by that node);
 * - no ready (or serving-terminating) endpoint anywhere: REJECT;
 * - `internalTrafficPolicy: Local` (ClusterIP traffic) and
 *   `externalTrafficPolicy: Local` (NodePort, LoadBalancer, external IPs)
 *   only use endpoints on the handling node, and DROP when it has none;
 *   traffic from a pod to an external destination is exempt, as kube-proxy
 *   short-circuits it to the cluster-wide endpoints;
 * - otherwise, with `preferLocal` (default on), a node with ready endpoints
 *   of its own uses those, else every ready endpoint (this is actorkube's
 *   reading of the local-traffic optimisation; iptables itself spreads
 *   cluster-wide);
 * - `sessionAffinity: ClientIP` sends a client (the pod IP, else its node's
 *   address) back to its endpoint until `timeoutSeconds` pass without use;
 * - among the candidates the choice is round-robin, per handling node and
 *   service port (iptables picks at random with the probabilities the
 *   table shows; round-robin gives the same shares, deterministically).
 */
import type { Clock } from "../../runtime/clock.ts";
import type { Protocol } from "../api/types/core-common.ts";
import type { Node } from "../api/types/core-node.ts";
import type { Service } from "../api/types/core-service.ts";
import { SERVICE_NAME_LABEL, type EndpointSlice } from "../api/types/discovery.ts";
import { buildServicePorts, categorize, type ProxyEndpoint, type ServicePortEntry } from "./service-ports.ts";

/** How a destination is reached. */
export type Via = "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalIP";

/** A connection to route. */
export interface RouteRequest {
  /** The node the connection starts on (for traffic from outside: the node it arrives at). */
  fromNode: string;
  /** The client pod's IP, when a pod makes the connection. */
  fromPodIP?: string;
  dest: string;
  port: number;
  /** Default TCP. */
  protocol?: Protocol;
}

/** Where a connection goes, or why it goes nowhere. */
export type RouteResult =
  | {
      verdict: "ACCEPT";
      backend: { ip: string; port: number; node?: string; pod?: string };
      service: string;
      portName: string;
      via: Via;
      /** The node whose rules handled the connection. */
      node: string;
      /** The endpoint's KUBE-SEP- chain. */
      chain: string;
      /** True when session affinity picked the backend. */
      sticky: boolean;
    }
  | { verdict: "REJECT" | "DROP"; reason: string; service: string; portName: string; via: Via; node: string }
  | { verdict: "NOT_A_SERVICE"; reason: string };

/** Options of a {@link RoutingTable}. */
export interface RoutingTableOptions {
  clock: Clock;
  /** Prefer ready endpoints on the handling node under Cluster policies (default true). */
  preferLocal?: boolean;
  /** Most remembered ClientIP affinities (default 100 000; the oldest go first). */
  maxAffinities?: number;
}

interface Frontend {
  entry: ServicePortEntry;
  via: Via;
}

const fkey = (ip: string, port: number, proto: string) => `${ip}:${port}/${proto}`;

/** The routing table of every node. */
export class RoutingTable {
  readonly #clock: Clock;
  readonly #preferLocal: boolean;
  readonly #maxAffinities: number;
  readonly #services = new Map<string, Service>();
  readonly #slices = new Map<string, Map<string, EndpointSlice>>();
  readonly #sliceService = new Map<string, string>();
  readonly #nodes = new Map<string, string[]>();
  readonly #nodeByIP = new Map<string, string>();
  readonly #entries = new Map<string, ServicePortEntry[]>();
  readonly #frontends = new Map<string, Frontend>();
  readonly #nodePorts = new Map<string, ServicePortEntry>();
  readonly #clusterIPs = new Map<string, string>();
  readonly #dirty = new Set<string>();
  readonly #rr = new Map<string, number>();
  readonly #affinity = new Map<string, { chain: string; last: number }>();
  /** Rebuilds per service key since start (to see that updates stay incremental). */
  readonly rebuilds = new Map<string, number>();
  readonly counts = { flushes: 0, serviceRebuilds: 0, ACCEPT: 0, REJECT: 0, DROP: 0, NOT_A_SERVICE: 0 };

  constructor(options: RoutingTableOptions) {
    this.#clock = options.clock;
    this.#preferLocal = options.preferLocal ?? true;
    this.#maxAffinities = options.maxAffinities ?? 100_000;
  }

  // ---- inputs ---------------------------------------------------------------

  /** A Service changed (undefined: deleted). */
  setService(key: string, svc: Service | undefined): void {
    if (svc) this.#services.set(key, svc);
    else this.#services.delete(key);
    this.#dirty.add(key);
  }

  /** An EndpointSlice changed (undefined: deleted); `key` is its `namespace/name`. */
  setSlice(key: string, slice: EndpointSlice | undefined): void {
    const before = this.#sliceService.get(key);
    const svcName = slice?.metadata.labels?.[SERVICE_NAME_LABEL];
    const after = slice && svcName ? `${slice.metadata.namespace}/${svcName}` : undefined;
    if (before && before !== after) {
      this.#slices.get(before)?.delete(key);
      if (this.#slices.get(before)?.size === 0) this.#slices.delete(before);
      this.#sliceService.delete(key);
      this.#dirty.add(before);
    }
    if (slice && after) {
      let m = this.#slices.get(after);
      if (!m) this.#slices.set(after, (m = new Map()));
      m.set(key, slice);
      this.#sliceService.set(key, after);
      this.#dirty.add(after);
    }
  }

  /** A Node changed (undefined: deleted): its InternalIP and ExternalIP addresses take node ports. */
  setNode(name: string, node: Node | undefined): void {
    for (const ip of this.#nodes.get(name) ?? []) if (this.#nodeByIP.get(ip) === name) this.#nodeByIP.delete(ip);
    this.#nodes.delete(name);
    if (!node) return;
    const addrs = (node.status?.addresses ?? []).filter((a) => a.type === "InternalIP" || a.type === "ExternalIP").map((a) => a.address);
    this.#nodes.set(name, addrs);
    for (const ip of addrs) this.#nodeByIP.set(ip, name);
  }

  /** Services changed since the last flush. */
  get pending(): number {
    return this.#dirty.size;
  }

  /** Rebuilds the entries of the services that changed; returns their keys. */
  flush(): string[] {
    if (!this.#dirty.size) return [];
    const keys = [...this.#dirty];
    this.#dirty.clear();
    for (const key of keys) this.#rebuild(key);
    this.counts.flushes++;
    return keys;
  }

  // ---- reads ----------------------------------------------------------------

  /** Every service port, by name. */
  entries(): ServicePortEntry[] {
    this.flush();
    return [...this.#entries.values()].flat().sort((a, b) => (a.name === b.name ? a.protocol.localeCompare(b.protocol) : a.name < b.name ? -1 : 1));
  }

  /** Known nodes and their addresses. */
  nodes(): Map<string, string[]> {
    return new Map(this.#nodes);
  }

  /** The node that owns `ip`, if any. */
  nodeOf(ip: string): string | undefined {
    return this.#nodeByIP.get(ip);
  }

  /** Sizes for stats. */
  size(): { services: number; servicePorts: number; endpoints: number; nodes: number } {
    this.flush();
    let ports = 0;
    let eps = 0;
    for (const list of this.#entries.values()) {
      ports += list.length;
      for (const e of list) eps += e.endpoints.length;
    }
    return { services: this.#entries.size, servicePorts: ports, endpoints: eps, nodes: this.#nodes.size };
  }

  // ---- routing --------------------------------------------------------------

  /** Where a connection goes (see the file comment for the rules). */
  route(req: RouteRequest): RouteResult {
    this.flush();
    const proto = req.protocol ?? "TCP";
    let fe = this.#frontends.get(fkey(req.dest, req.port, proto));
    let handler = req.fromNode;
    const destNode = this.#nodeByIP.get(req.dest);
    if (!fe && destNode) {
      const entry = this.#nodePorts.get(`${req.port}/${proto}`);
      if (entry) fe = { entry, via: "NodePort" };
      handler = destNode;
    }
    if (!fe) return this.#count({ verdict: "NOT_A_SERVICE", reason: this.#notAService(req.dest, req.port, proto, destNode) });
    const { entry, via } = fe;
    const base = { service: entry.service, portName: entry.portName, via, node: handler };
    const cat = categorize(entry, handler);
    if (!cat.hasEndpoints) return this.#count({ verdict: "REJECT", reason: `no endpoints for service ${entry.name}`, ...base });
    const external = via !== "ClusterIP";
    const localPolicy = external ? entry.externalLocal && !req.fromPodIP : entry.internalLocal;
    let candidates: ProxyEndpoint[];
    let mode: string;
    if (localPolicy) {
      if (!cat.local.length) {
        const policy = external ? "externalTrafficPolicy" : "internalTrafficPolicy";
        return this.#count({ verdict: "DROP", reason: `no local endpoints for service ${entry.name} on node ${handler} (${policy}: Local)`, ...base });
      }
      candidates = cat.local;
      mode = "local";
    } else {
      const mine = this.#preferLocal ? cat.cluster.filter((e) => e.node === handler && e.ready) : [];
      candidates = mine.length ? mine : cat.cluster;
      mode = mine.length ? "preferred" : "cluster";
    }
    const chosen = this.#pick(entry, handler, mode, candidates, req);
    return this.#count({
      verdict: "ACCEPT",
      backend: { ip: chosen.ep.ip, port: chosen.ep.port, ...(chosen.ep.node ? { node: chosen.ep.node } : {}), ...(chosen.ep.pod ? { pod: chosen.ep.pod } : {}) },
      ...base,
      chain: chosen.ep.chain,
      sticky: chosen.sticky,
    });
  }

  #pick(entry: ServicePortEntry, node: string, mode: string, candidates: ProxyEndpoint[], req: RouteRequest): { ep: ProxyEndpoint; sticky: boolean } {
    const now = this.#clock.now();
    let akey: string | undefined;
    if (entry.affinitySeconds !== undefined) {
      const client = req.fromPodIP ?? this.#nodes.get(req.fromNode)?.[0] ?? req.fromNode;
      akey = `${node}|${entry.name}/${entry.protocol}|${client}`;
      const held = this.#affinity.get(akey);
      if (held && now - held.last <= entry.affinitySeconds * 1000) {
        const ep = candidates.find((e) => e.chain === held.chain);
        if (ep) {
          this.#remember(akey, ep.chain, now);
          return { ep, sticky: true };
        }
      }
    }
    const rkey = `${node}|${entry.name}/${entry.protocol}|${mode}`;
    const n = this.#rr.get(rkey) ?? 0;
    this.#rr.set(rkey, n + 1);
    const ep = candidates[n % candidates.length];
    if (akey) this.#remember(akey, ep.chain, now);
    return { ep, sticky: false };
  }

  #remember(key: string, chain: string, now: number): void {
    this.#affinity.delete(key);
    this.#affinity.set(key, { chain, last: now });
    if (this.#affinity.size > this.#maxAffinities) this.#affinity.delete(this.#affinity.keys().next().value!);
  }

  #notAService(dest: string, port: number, proto: string, destNode: string | undefined): string {
    const svc = this.#clusterIPs.get(dest);
    if (svc) return `${dest} is the cluster IP of service ${svc}, but ${port}/${proto} is not one of its ports`;
    if (destNode) return `${dest} is an address of node ${destNode}, and no service has node port ${port}/${proto}`;
    return `${dest}:${port}/${proto} is not a service address; it is routed directly`;
  }

  #count<R extends RouteResult>(r: R): R {
    this.counts[r.verdict]++;
    return r;
  }

  // ---- rebuilding one service ------------------------------------------------

  #rebuild(key: string): void {
    const before = this.#entries.get(key);
    for (const e of before ?? []) this.#unindex(e);
    this.#entries.delete(key);
    const svc = this.#services.get(key);
    const entries = svc ? buildServicePorts(svc, this.#slices.get(key)?.values() ?? []) : [];
    if (entries.length) this.#entries.set(key, entries);
    for (const e of entries) this.#index(e);
    // Only a service that had entries can have positions or affinities to drop (a headless
    // service's slices change with every pod, and need no scan of the affinity table).
    if (before && !entries.length) this.#forget(key);
    this.counts.serviceRebuilds++;
    this.rebuilds.set(key, (this.rebuilds.get(key) ?? 0) + 1);
  }

  // A service that is gone takes its round-robin positions and affinities with it.
  #forget(key: string): void {
    const mine = (k: string) => {
      const name = k.split("|")[1] ?? "";
      const port = name.slice(0, name.lastIndexOf("/"));
      return port === key || port.startsWith(`${key}:`);
    };
    for (const k of this.#rr.keys()) if (mine(k)) this.#rr.delete(k);
    for (const k of this.#affinity.keys()) if (mine(k)) this.#affinity.delete(k);
  }

  #index(e: ServicePortEntry): void {
    this.#clusterIPs.set(e.clusterIP, e.service);
    this.#frontends.set(fkey(e.clusterIP, e.port, e.protocol), { entry: e, via: "ClusterIP" });
    for (const ip of e.loadBalancerIPs) this.#frontends.set(fkey(ip, e.port, e.protocol), { entry: e, via: "LoadBalancer" });
    for (const ip of e.externalIPs) this.#frontends.set(fkey(ip, e.port, e.protocol), { entry: e, via: "ExternalIP" });
    if (e.nodePort) this.#nodePorts.set(`${e.nodePort}/${e.protocol}`, e);
  }

  #unindex(e: ServicePortEntry): void {
    const drop = (k: string) => {
      if (this.#frontends.get(k)?.entry === e) this.#frontends.delete(k);
    };
    if (this.#clusterIPs.get(e.clusterIP) === e.service) this.#clusterIPs.delete(e.clusterIP);
    drop(fkey(e.clusterIP, e.port, e.protocol));
    for (const ip of [...e.loadBalancerIPs, ...e.externalIPs]) drop(fkey(ip, e.port, e.protocol));
    if (e.nodePort && this.#nodePorts.get(`${e.nodePort}/${e.protocol}`) === e) this.#nodePorts.delete(`${e.nodePort}/${e.protocol}`);
  }
}
