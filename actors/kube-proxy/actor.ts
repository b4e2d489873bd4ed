/**
 * The kube-proxy actor (address `kube-proxy`, a worker of its own): informs
 * Services, EndpointSlices and Nodes into the routing table of every node
 * (table.ts) and answers routing queries and table dumps. Watch handlers
 * only record what changed; the table rebuilds the changed services on the
 * next query or after `minSyncPeriodMs`, whichever comes first. A restart
 * relists everything and rebuilds the table from the apiserver.
 *
 * Messages:
 * - `{ type: "proxy.route", fromNode, fromPodIP?, dest, port, protocol? }` →
 *   `{ verdict: "ACCEPT", backend: { ip, port, node, pod }, service, via, ... }`,
 *   or `REJECT` (no endpoints), `DROP` (Local policy, no local endpoint),
 *   `NOT_A_SERVICE`, each with a `reason`;
 * - `{ type: "proxy.table", node? }` → the node's table, structured and as
 *   `iptables-save` text (render.ts);
 * - `{ type: "proxy.stats" }` → sizes, syncs and route counts.
 */
import type { ActorFactory, Validator } from "../../runtime/actor.ts";
import { need } from "../../runtime/actor.ts";
import { ActorError } from "../../runtime/errors.ts";
import type { TimerId } from "../../runtime/clock.ts";
import { isIPv4 } from "../../cni/ipv4.ts";
import { ApiClient } from "../api/client.ts";
import { InformerSet } from "../api/informer-set.ts";
import type { Informer } from "../api/informer.ts";
import { objectKey, type KubeObject } from "../api/meta.ts";
import type { WatchMessage } from "../api/protocol.ts";
import type { Node } from "../api/types/core-node.ts";
import type { Service } from "../api/types/core-service.ts";
import type { EndpointSlice } from "../api/types/discovery.ts";
import { renderTable, type ProxyTable } from "./render.ts";
import { RoutingTable, type RouteRequest, type RouteResult } from "./table.ts";

/** Configuration of the kube-proxy actor. */
export interface KubeProxyConfig {
  apiserver?: string;
  /** Prefer ready endpoints on the handling node under Cluster policies (default true). */
  preferLocal?: boolean;
  /** The pod network, shown in the masquerade rules of the table (default 10.244.0.0/16). */
  clusterCIDR?: string;
  /** Longest a change waits before the table is rebuilt when nobody asks (default 0: at once). */
  minSyncPeriodMs?: number;
  /** How long to wait for the first list of each informer (default 60 000 ms). */
  syncTimeoutMs?: number;
}

/** Messages kube-proxy answers. */
export type KubeProxyMessage =
  | ({ type: "proxy.route" } & RouteRequest)
  | { type: "proxy.table"; node?: string }
  | { type: "proxy.stats" }
  | WatchMessage;

const validateRoute: Validator = (m) => {
  if (typeof m.fromNode !== "string" || m.fromNode === "") return "fromNode: expected the name of a node";
  if (m.fromPodIP !== undefined && (typeof m.fromPodIP !== "string" || !isIPv4(m.fromPodIP))) return `fromPodIP: expected an IPv4 address, got ${JSON.stringify(m.fromPodIP)}`;
  if (typeof m.dest !== "string" || !isIPv4(m.dest)) return `dest: expected an IPv4 address, got ${JSON.stringify(m.dest)}`;
  if (typeof m.port !== "number" || !Number.isInteger(m.port) || m.port < 1 || m.port > 65535) return `port: expected an integer in 1..65535, got ${JSON.stringify(m.port)}`;
  if (m.protocol !== undefined && !["TCP", "UDP", "SCTP"].includes(m.protocol as string)) return `protocol: expected TCP, UDP or SCTP, got ${JSON.stringify(m.protocol)}`;
  return undefined;
};

/** Builds kube-proxy. */
export const kubeProxyActor: ActorFactory<KubeProxyConfig | undefined, KubeProxyMessage> = async (ctx, config) => {
  const cfg = config ?? {};
  const preferLocal = cfg.preferLocal ?? true;
  const clusterCIDR = cfg.clusterCIDR ?? "10.244.0.0/16";
  const client = new ApiClient(ctx, { apiserver: cfg.apiserver, user: "system:kube-proxy" });
  const informers = new InformerSet(ctx, client);
  const table = new RoutingTable({ clock: ctx.clock, preferLocal });
  let timer: TimerId | undefined;
  let lastSync: { at: string; services: string[] } | undefined;

  const sync = () => {
    if (timer) ctx.clock.clearTimeout(timer);
    timer = undefined;
    const services = table.flush();
    if (services.length) lastSync = { at: new Date(ctx.clock.now()).toISOString(), services: services.slice(0, 20) };
  };
  const changed = () => {
    timer ??= ctx.clock.setTimeout(sync, cfg.minSyncPeriodMs ?? 0);
  };
  const feed = <T extends KubeObject>(inf: Informer<T>, set: (key: string, obj: T | undefined) => void) =>
    inf.addEventHandler({
      onAdd: (o) => (set(objectKey(o), o), changed()),
      onUpdate: (_old, o) => (set(objectKey(o), o), changed()),
      onDelete: (o) => (set(objectKey(o), undefined), changed()),
    });
  feed(informers.informer<Service>({ resource: "services" }), (k, s) => table.setService(k, s));
  feed(informers.informer<EndpointSlice>({ resource: "endpointslices.discovery.k8s.io" }), (k, s) => table.setSlice(k, s));
  feed(informers.informer<Node>({ resource: "nodes" }), (k, n) => table.setNode(k, n));
  informers.start();
  await informers.waitForSync(cfg.syncTimeoutMs ?? 60_000);
  sync();
  ctx.log("info", "kube-proxy synced", table.size());

  return {
    handlers: {
      ...informers.handlers,
      "proxy.route": (m): RouteResult => {
        const { type: _t, ...req } = m;
        sync();
        return table.route(req);
      },
      "proxy.table": (m): ProxyTable => {
        sync();
        if (m.node !== undefined && !table.nodes().has(m.node)) throw new ActorError("NotFound", `node "${m.node}" is not known to kube-proxy (known: ${[...table.nodes().keys()].sort().join(", ") || "none"})`);
        return renderTable(table.entries(), { node: m.node, preferLocal, clusterCIDR });
      },
      "proxy.stats": () => {
        sync();
        return { ...table.size(), syncs: table.counts.flushes, serviceRebuilds: table.counts.serviceRebuilds, lastSync, routes: routeCounts(table), preferLocal };
      },
    },
    validate: {
      "proxy.route": validateRoute,
      "proxy.table": (m) => (m.node !== undefined ? need(m, "node", "string") : undefined),
    },
    onStop: async () => {
      if (timer) ctx.clock.clearTimeout(timer);
      await informers.stop();
    },
    inspect: () => ({ ...table.size(), pending: table.pending, ...informers.stats() }),
  };
};

function routeCounts(table: RoutingTable): Record<string, number> {
  const { ACCEPT, REJECT, DROP, NOT_A_SERVICE } = table.counts;
  return { ACCEPT, REJECT, DROP, NOT_A_SERVICE };
}
