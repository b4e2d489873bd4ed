/**
 * The route controller: one route per node podCIDR in the cloud's VPC route
 * table, so pod traffic between nodes is routed by the cloud. Routes for
 * nodes that are gone (or whose CIDR changed) are deleted. Each node's
 * NetworkUnavailable condition says whether its route exists, with the
 * reasons Kubernetes uses (RouteCreated / NoRouteCreated).
 */
import { isNotFound, retryOnConflict } from "../api/client.ts";
import type { Node, NodeCondition } from "../api/types/core-node.ts";
import type { TimerId } from "../../runtime/clock.ts";
import { Reconciler, type Controller } from "../controller-manager/controller.ts";
import type { CloudContext } from "./context.ts";
import { timestamp } from "../api/meta.ts";

const KEY = "routes";

/** The podCIDRs of a node. */
export function podCIDRsOf(node: Node): string[] {
  return node.spec?.podCIDRs?.length ? node.spec.podCIDRs : node.spec?.podCIDR ? [node.spec.podCIDR] : [];
}

function networkCondition(node: Node): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === "NetworkUnavailable");
}

/** Builds the route controller. */
export function routeController(cc: CloudContext): Controller {
  const nodes = cc.informers.informer<Node>({ resource: "nodes" });
  const r = new Reconciler(cc, "route", sync, { workers: 1 });
  nodes.addEventHandler({
    onAdd: () => r.enqueue(KEY),
    onUpdate: (o, n) => {
      // The route set depends on CIDRs; the condition may have been dropped by another writer.
      if (podCIDRsOf(o).join() !== podCIDRsOf(n).join() || (podCIDRsOf(n).length > 0 && networkCondition(n)?.reason !== networkCondition(o)?.reason) || !networkCondition(n)) r.enqueue(KEY);
    },
    onDelete: () => r.enqueue(KEY),
  });
  let timer: TimerId | undefined;
  const counts = { created: 0, deleted: 0 };

  async function sync(): Promise<void> {
    const cluster = cc.clusterName;
    const routes = await cc.provider.listRoutes(cluster);
    const all = nodes.list().filter((n) => !n.metadata.deletionTimestamp);
    const have = new Set(routes.map((rt) => `${rt.targetNode} ${rt.destinationCIDR}`));
    const failed = new Map<string, string>();
    for (const node of all) {
      for (const cidr of podCIDRsOf(node)) {
        if (have.has(`${node.metadata.name} ${cidr}`)) continue;
        try {
          await cc.provider.createRoute(cluster, node.metadata.uid ?? node.metadata.name!, { targetNode: node.metadata.name!, destinationCIDR: cidr });
          have.add(`${node.metadata.name} ${cidr}`);
          counts.created++;
          cc.log("info", `created route for node ${node.metadata.name} ${cidr}`);
        } catch (err) {
          failed.set(node.metadata.name!, (err as Error).message);
        }
      }
    }
    const wanted = new Set(all.flatMap((n) => podCIDRsOf(n).map((c) => `${n.metadata.name} ${c}`)));
    for (const rt of routes) {
      if (wanted.has(`${rt.targetNode} ${rt.destinationCIDR}`)) continue;
      await cc.provider.deleteRoute(cluster, rt);
      counts.deleted++;
      cc.log("info", `deleted route ${rt.name} ${rt.destinationCIDR} (node ${rt.targetNode} is gone or has another podCIDR)`);
    }
    for (const node of all) if (podCIDRsOf(node).length > 0) await setCondition(node, !failed.has(node.metadata.name!));
    if (failed.size > 0) throw new Error(`could not create routes: ${[...failed].map(([n, e]) => `${n}: ${e}`).join("; ")}`);
  }

  async function setCondition(cached: Node, created: boolean): Promise<void> {
    const current = networkCondition(cached);
    if (created && current?.status === "False") return;
    if (!created && current?.status === "True" && current.reason === "NoRouteCreated") return;
    const now = timestamp(cc.clock.now());
    const next: NodeCondition = created
      ? { type: "NetworkUnavailable", status: "False", reason: "RouteCreated", message: "RouteController created a route", lastTransitionTime: now, lastHeartbeatTime: now }
      : { type: "NetworkUnavailable", status: "True", reason: "NoRouteCreated", message: "RouteController failed to create a route", lastTransitionTime: now, lastHeartbeatTime: now };
    await retryOnConflict(async () => {
      const node = await cc.client.get<Node>("nodes", cached.metadata.name!);
      const conditions = node.status?.conditions ?? [];
      const prev = conditions.find((c) => c.type === "NetworkUnavailable");
      if (prev?.status === next.status && prev.reason === next.reason) return;
      if (prev?.status === next.status) next.lastTransitionTime = prev.lastTransitionTime;
      await cc.client.updateStatus<Node>("nodes", { ...node, status: { ...node.status, conditions: [...conditions.filter((c) => c.type !== "NetworkUnavailable"), next] } });
    }).catch((err) => {
      if (!isNotFound(err)) throw err;
    });
  }

  const periodic = () => {
    r.enqueue(KEY);
    timer = cc.clock.setTimeout(periodic, cc.cloud.routeReconciliationPeriodMs);
  };

  return {
    name: "route",
    start: () => {
      r.start();
      periodic();
    },
    stop: async () => {
      if (timer) cc.clock.clearTimeout(timer);
      await r.stop();
    },
    stats: () => ({ ...r.stats(), ...counts }),
  };
}
