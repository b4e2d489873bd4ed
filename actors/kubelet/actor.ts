/**
 * The kubelet actor, one per node (many per node-pool worker, as kubemark's
 * hollow nodes): registers its Node, keeps its Lease fresh as the heartbeat
 * the node-lifecycle controller watches, and reports node conditions.
 * `kubelet.silence` makes it stop heartbeating, as a dead machine would.
 */
import type { ActorFactory } from "../../runtime/actor.ts";
import type { TimerId } from "../../runtime/clock.ts";
import { ActorError } from "../../runtime/errors.ts";
import { ApiClient, isAlreadyExists, isNotFound, retryOnConflict } from "../api/client.ts";
import { healthyConditions, leaseObject, microTime, nodeObject, type NodeShape } from "./node-status.ts";
import type { Node } from "../api/types/core-node.ts";
import type { Lease } from "../api/types/coordination.ts";
import type { Pod } from "../api/types/core-pod.ts";
import type { WatchMessage } from "../api/protocol.ts";
import { InformerSet } from "../api/informer-set.ts";
import { EventRecorder } from "../api/events.ts";
import { SimulatedRuntime, type SimulatedRuntimeOptions } from "./cri/simulated.ts";
import type { CniResult } from "../../cni/network.ts";
import { PodWorkers } from "./pods.ts";

/** Configuration of one kubelet. */
export interface KubeletConfig {
  node: NodeShape;
  /** Lease renewal period (default 10 000 ms, as Kubernetes). */
  heartbeatMs?: number;
  /** Lease duration written on the Lease (default 40 s). */
  leaseDurationSeconds?: number;
  /** Node status report period when nothing changed (default 60 000 ms). */
  statusEveryMs?: number;
  apiserver?: string;
  /** The CNI actor's address (default `cni`). */
  cni?: string;
  /** Simulated runtime settings (image pull delay, start delay, …). */
  runtime?: Omit<SimulatedRuntimeOptions, "clock" | "network">;
}

/** Messages a kubelet answers. */
export type KubeletMessage =
  | { type: "kubelet.heartbeat" }
  | { type: "kubelet.report-status" }
  | { type: "kubelet.silence" }
  | { type: "kubelet.resume" }
  | { type: "kubelet.status" }
  | { type: "kubelet.sync-pod"; uid: string }
  | { type: "kubelet.logs"; namespace: string; name: string; container?: string; tailLines?: number; previous?: boolean };

/** Builds one kubelet. */
export const kubeletActor: ActorFactory<KubeletConfig, KubeletMessage | WatchMessage> = async (ctx, config) => {
  if (!config?.node?.name) throw new Error("kubelet config needs node.name");
  const name = config.node.name;
  const client = new ApiClient(ctx, { apiserver: config.apiserver, user: `system:node:${name}` });
  const heartbeatMs = config.heartbeatMs ?? 10_000;
  const statusEveryMs = config.statusEveryMs ?? 60_000;
  let silent = false;
  let lastRenew = 0;
  const timers = new Map<KubeletMessage["type"], TimerId>();

  // Register (or re-register after a restart: the Node may already exist).
  const node = nodeObject(config.node, ctx.clock.now());
  try {
    await client.create("nodes", node);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    await reportStatus(true);
  }

  async function reportStatus(full = false): Promise<void> {
    const now = ctx.clock.now();
    await retryOnConflict(async () => {
      const cur = await client.get<Node>("nodes", name);
      const fresh = nodeObject(config.node, now);
      const old = cur.status?.conditions ?? [];
      // Transition times move only when a condition's status changes.
      const conditions = healthyConditions(now).map((c) => {
        const prev = old.find((o) => o.type === c.type);
        return prev && prev.status === c.status ? { ...c, lastTransitionTime: prev.lastTransitionTime } : c;
      });
      const status = full ? { ...cur.status, ...fresh.status, conditions } : { ...cur.status, conditions };
      await client.updateStatus("nodes", { ...cur, status });
    });
  }

  async function renewLease(): Promise<void> {
    const now = ctx.clock.now();
    try {
      await retryOnConflict(async () => {
        const cur = await client.get<Lease>("leases.coordination.k8s.io", name, { namespace: "kube-node-lease" });
        await client.update("leases.coordination.k8s.io", { ...cur, spec: { ...cur.spec, holderIdentity: name, leaseDurationSeconds: config.leaseDurationSeconds ?? 40, renewTime: microTime(now) } });
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await client.create("leases.coordination.k8s.io", leaseObject(name, now, config.leaseDurationSeconds));
    }
    lastRenew = now;
  }

  // One timer per kind of periodic work; rescheduling replaces it.
  const schedule = (type: KubeletMessage["type"], ms: number) => {
    const old = timers.get(type);
    if (old) ctx.clock.clearTimeout(old);
    timers.set(type, ctx.clock.setTimeout(() => ctx.tell(ctx.self, { type }), ms));
  };
  const clearTimers = () => {
    for (const t of timers.values()) ctx.clock.clearTimeout(t);
    timers.clear();
  };
  await renewLease();
  schedule("kubelet.heartbeat", heartbeatMs);
  schedule("kubelet.report-status", statusEveryMs);

  // The node's container runtime; its sandboxes join the cluster network through the CNI actor.
  const cni = config.cni ?? "cni";
  const sandboxPods = new Map<string, string>();
  const runtime = new SimulatedRuntime({
    ...config.runtime,
    clock: ctx.clock,
    network: {
      add: async (sandboxId, sb) => {
        const r = await ctx.ask<CniResult>(cni, { type: "cni.add", node: name, podUid: sb.metadata.uid, namespace: sb.metadata.namespace, name: sb.metadata.name, sandbox: sandboxId });
        sandboxPods.set(sandboxId, sb.metadata.uid);
        return { ip: r.ips[0].address.split("/")[0] };
      },
      del: async (sandboxId) => {
        const uid = sandboxPods.get(sandboxId);
        sandboxPods.delete(sandboxId);
        if (uid) await ctx.ask(cni, { type: "cni.del", node: name, podUid: uid });
      },
    },
  });
  const workers = new PodWorkers({
    node: name,
    hostIP: config.node.internalIP ?? "192.168.0.2",
    client,
    clock: ctx.clock,
    runtime,
    events: new EventRecorder(client, ctx.clock, "kubelet"),
    requestSync: (uid, ms) => ctx.clock.setTimeout(() => ctx.tell(ctx.self, { type: "kubelet.sync-pod", uid }), ms),
    log: (level, message) => ctx.log(level, message),
  });
  runtime.onContainerEvent((e) => {
    if (e.type === "ContainerDied") ctx.tell(ctx.self, { type: "kubelet.sync-pod", uid: e.podUid });
  });
  const informers = new InformerSet(ctx, client);
  const pods = informers.informer<Pod>({ resource: "pods", fieldSelector: `spec.nodeName=${name}` });
  pods.addEventHandler({
    onAdd: (p) => void ctx.tell(ctx.self, { type: "kubelet.sync-pod", uid: workers.observe(p) }),
    onUpdate: (_, p) => void ctx.tell(ctx.self, { type: "kubelet.sync-pod", uid: workers.observe(p) }),
    onDelete: (p) => void workers.forget(p),
  });
  informers.start();

  return {
    handlers: {
      ...informers.handlers,
      "kubelet.sync-pod": (m) => workers.sync(m.uid),
      "kubelet.logs": async (m) => {
        const pod = pods.get(`${m.namespace}/${m.name}`);
        if (!pod) throw new ActorError("NotFound", `pod ${m.namespace}/${m.name} is not on node ${name}`);
        const container = m.container ?? pod.spec.containers[0]?.name;
        const id = workers.containerId(pod.metadata.uid!, container);
        if (!id) throw new ActorError("BadRequest", `container "${container}" in pod "${m.name}" is waiting to start`);
        return runtime.logs(id, { tailLines: m.tailLines, previous: m.previous });
      },
      "kubelet.heartbeat": async () => {
        if (silent) return;
        try {
          await renewLease();
        } catch (err) {
          ctx.log("warn", `lease renewal failed: ${(err as Error).message}`);
        }
        schedule("kubelet.heartbeat", heartbeatMs);
      },
      "kubelet.report-status": async () => {
        if (silent) return;
        try {
          await reportStatus();
        } catch (err) {
          ctx.log("warn", `node status update failed: ${(err as Error).message}`);
        }
        schedule("kubelet.report-status", statusEveryMs);
      },
      "kubelet.silence": () => {
        silent = true;
        clearTimers();
        return { node: name, heartbeating: false };
      },
      "kubelet.resume": async () => {
        if (!silent) return { node: name, heartbeating: true };
        silent = false;
        await renewLease();
        await reportStatus();
        schedule("kubelet.heartbeat", heartbeatMs);
        schedule("kubelet.report-status", statusEveryMs);
        return { node: name, heartbeating: true };
      },
      "kubelet.status": () => ({ node: name, heartbeating: !silent, lastRenew: lastRenew ? new Date(lastRenew).toISOString() : undefined }),
    },
    validate: {},
    onStop: async () => {
      clearTimers();
      await informers.stop();
    },
    inspect: () => ({ node: name, heartbeating: !silent, pods: workers.size }),
  };
};

