/**
 * The CNI actor: the cluster network. It gives each Node a `spec.podCIDR`,
 * answers the kubelets' ADD/DEL/CHECK for pod IPs, and releases the IPs of
 * pods deleted without a DEL (a node that died). After a restart it rebuilds
 * its state from the apiserver before it answers anything.
 */
import type { ActorFactory } from "../runtime/actor.ts";
import { need } from "../runtime/actor.ts";
import { ApiClient, retryOnConflict } from "../actors/api/client.ts";
import { InformerSet } from "../actors/api/informer-set.ts";
import { timestamp, type KubeObject } from "../actors/api/meta.ts";
import type { WatchMessage } from "../actors/api/protocol.ts";
import { PodNetwork, type CniResult, type PodNetworkOptions } from "./network.ts";

/** Configuration of the CNI actor. */
export interface CniConfig extends PodNetworkOptions {
  /** The apiserver's address (default `apiserver`). */
  apiserver?: string;
}

/** What the CNI actor answers. */
export type CniMessage =
  | { type: "cni.add"; node: string; podUid: string; namespace?: string; name?: string; sandbox?: string }
  | { type: "cni.del"; node?: string; podUid: string }
  | { type: "cni.check"; node: string; podUid: string }
  | { type: "cni.node"; node: string }
  | { type: "cni.stats" };

type NodeObj = KubeObject & { spec?: { podCIDR?: string; podCIDRs?: string[] } };
type PodObj = KubeObject & { spec?: { nodeName?: string }; status?: { podIP?: string; phase?: string } };

const byPod = (m: Record<string, unknown>) => need(m, "podUid", "string");

/** Builds the CNI actor. */
export const cniActor: ActorFactory<CniConfig | undefined, CniMessage | WatchMessage> = async (ctx, config) => {
  const client = new ApiClient(ctx, { apiserver: config?.apiserver, user: "system:cni" });
  const net = new PodNetwork(config);

  // Rebuild: node CIDRs first, then the IPs pods already hold.
  const nodes = await client.list<NodeObj>("nodes");
  for (const n of nodes.items) if (n.spec?.podCIDR) net.ensureNode(n.metadata.name!, n.spec.podCIDR);
  const pods = await client.list<PodObj>("pods");
  for (const p of pods.items) {
    const node = p.spec?.nodeName;
    const ip = p.status?.podIP;
    if (!node || !ip || !net.nodeCIDR(node)) continue;
    try {
      net.restore(node, p.metadata.uid!, ip);
    } catch (err) {
      ctx.log("warn", `pod ${p.metadata.namespace}/${p.metadata.name} holds ${ip}, which cannot be restored: ${(err as Error).message}`);
    }
  }

  const exhaustedNodes = new Set<string>();
  /** Tells the node (a NetworkUnavailable condition, as the node-ipam controller's CIDRNotAvailable) that it gets no range. */
  const reportExhausted = async (name: string, message: string) => {
    if (exhaustedNodes.has(name)) return;
    exhaustedNodes.add(name);
    ctx.log("warn", message, { node: name });
    const now = timestamp(ctx.clock.now());
    await retryOnConflict(async () => {
      const node = await client.get<NodeObj & { status?: { conditions?: { type: string }[] } }>("nodes", name);
      const conditions = (node.status?.conditions ?? []).filter((c) => c.type !== "NetworkUnavailable");
      conditions.push({ type: "NetworkUnavailable", status: "True", reason: "CIDRNotAvailable", message, lastHeartbeatTime: now, lastTransitionTime: now } as never);
      await client.updateStatus("nodes", { ...node, status: { ...node.status, conditions } });
    }).catch(() => {});
  };

  /** Gives the node a podCIDR and records it on the Node object. */
  const assign = async (name: string): Promise<string> => {
    const known = net.nodeCIDR(name);
    let cidr: string;
    try {
      cidr = known ?? net.ensureNode(name);
    } catch (err) {
      await reportExhausted(name, (err as Error).message);
      throw err;
    }
    if (!known) {
      try {
        await retryOnConflict(() => client.patch("nodes", name, "merge", { spec: { podCIDR: cidr, podCIDRs: [cidr] } }));
      } catch (err) {
        ctx.log("warn", `could not record podCIDR ${cidr} on node ${name}: ${(err as Error).message}`);
      }
    }
    return cidr;
  };

  const informers = new InformerSet(ctx, client);
  const nodeInformer = informers.informer<NodeObj>({ resource: "nodes" });
  // Only pods holding an IP matter here (their deletion frees it): the field selector spares this
  // actor, and the apiserver's fan-out, every pod event before the kubelet reports the IP.
  const podInformer = informers.informer<PodObj>({ resource: "pods", fieldSelector: "status.podIP!=" });
  nodeInformer.addEventHandler({
    // Handlers only note work; the patch goes out as its own message so the mailbox stays in order.
    onAdd: (n) => void (!n.spec?.podCIDR && ctx.tell(ctx.self, { type: "cni.node", node: n.metadata.name! })),
    onUpdate: (_, n) => void (!n.spec?.podCIDR && !exhaustedNodes.has(n.metadata.name!) && ctx.tell(ctx.self, { type: "cni.node", node: n.metadata.name! })),
    onDelete: (n) => {
      net.removeNode(n.metadata.name!);
      exhaustedNodes.delete(n.metadata.name!);
    },
  });
  podInformer.addEventHandler({ onDelete: (p) => void net.del(p.spec?.nodeName, p.metadata.uid!) });
  informers.start();

  return {
    handlers: {
      ...informers.handlers,
      "cni.node": (m) => assign(m.node),
      "cni.add": async (m): Promise<CniResult> => {
        if (!net.nodeCIDR(m.node)) {
          const node = await client.get<NodeObj>("nodes", m.node);
          if (node.spec?.podCIDR) net.ensureNode(m.node, node.spec.podCIDR);
          else await assign(m.node);
        }
        return net.add(m.node, m.podUid, m.sandbox);
      },
      "cni.del": (m) => net.del(m.node, m.podUid),
      "cni.check": (m) => ({ ip: net.check(m.node, m.podUid) }),
      "cni.stats": () => net.stats(),
    },
    validate: {
      "cni.add": (m) => need(m, "node", "string") ?? byPod(m),
      "cni.del": byPod,
      "cni.check": (m) => need(m, "node", "string") ?? byPod(m),
      "cni.node": (m) => need(m, "node", "string"),
    },
    onStop: () => informers.stop(),
    inspect: () => ({ ...net.stats(), informers: informers.stats() }),
  };
};
