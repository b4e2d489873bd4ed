/**
 * The kube-scheduler actor: follows nodes and pods through informers, keeps
 * the snapshot and the scheduling queue, runs one cycle at a time through the
 * framework, and binds through the `pods/binding` subresource. Unschedulable
 * pods get `PodScheduled=False` and a `FailedScheduling` event.
 */
import { timestamp } from "../api/meta.ts";
import type { ActorFactory } from "../../runtime/actor.ts";
import { ApiClient, isNotFound, retryOnConflict } from "../api/client.ts";
import { InformerSet } from "../api/informer-set.ts";
import { EventRecorder } from "../api/events.ts";
import type { WatchMessage } from "../api/protocol.ts";
import type { Pod } from "../api/types/core-pod.ts";
import type { Node } from "../api/types/core-node.ts";
import { Framework, SchedulingQueue, Snapshot, buildProfile, FitError } from "./index.ts";

/** Configuration of the scheduler actor. */
export interface SchedulerConfig {
  /** Pods whose spec.schedulerName is this are ours (default `default-scheduler`). */
  schedulerName?: string;
  /** percentageOfNodesToScore (default adaptive, as kube-scheduler). */
  percentageOfNodesToScore?: number;
  apiserver?: string;
}

/** Messages the scheduler answers. */
export type SchedulerMessage = { type: "scheduler.stats" } | WatchMessage;

const assigned = (p: Pod) => Boolean(p.spec?.nodeName);
const terminal = (p: Pod) => p.status?.phase === "Succeeded" || p.status?.phase === "Failed";

/** Builds the scheduler. */
export const schedulerActor: ActorFactory<SchedulerConfig | undefined, SchedulerMessage> = async (ctx, config) => {
  const schedulerName = config?.schedulerName ?? "default-scheduler";
  const client = new ApiClient(ctx, { apiserver: config?.apiserver, user: "system:kube-scheduler" });
  const events = new EventRecorder(client, ctx.clock, schedulerName);
  const snapshot = new Snapshot();
  const queue = new SchedulingQueue({ clock: ctx.clock });
  const framework = new Framework({ profile: buildProfile({ percentageOfNodesToScore: config?.percentageOfNodesToScore }) });
  const stats = { scheduled: 0, unschedulable: 0, bindErrors: 0, cycles: 0 };
  const ours = (p: Pod) => (p.spec?.schedulerName ?? "default-scheduler") === schedulerName && !terminal(p) && !p.metadata.deletionTimestamp;

  const informers = new InformerSet(ctx, client);
  const nodes = informers.informer<Node & { metadata: { name: string } }>({ resource: "nodes" });
  const pods = informers.informer<Pod>({ resource: "pods" });
  nodes.addEventHandler({
    onAdd: (n) => {
      snapshot.upsertNode(n);
      queue.moveAllToActiveOrBackoff("NodeAdd");
    },
    onUpdate: (_, n) => {
      snapshot.upsertNode(n);
      queue.moveAllToActiveOrBackoff("NodeUpdate");
    },
    onDelete: (n) => snapshot.deleteNode(n.metadata.name!),
  });
  pods.addEventHandler({
    onAdd: (p) => {
      if (assigned(p)) {
        snapshot.upsertPod(p);
        queue.moveAllToActiveOrBackoff("AssignedPodAdd");
      } else if (ours(p)) queue.add(p);
    },
    onUpdate: (old, p) => {
      if (assigned(p)) {
        if (!assigned(old)) queue.delete(old);
        snapshot.upsertPod(p);
      } else if (ours(p)) queue.update(p);
      else queue.delete(p);
    },
    onDelete: (p) => {
      if (assigned(p)) {
        snapshot.deletePod(p);
        queue.moveAllToActiveOrBackoff("PodDelete");
      } else queue.delete(p);
    },
  });
  informers.start();
  await informers.waitForSync(60_000);

  const bind = async (pod: Pod, node: string, key: string) => {
    try {
      await client.bind(pod.metadata.namespace!, pod.metadata.name!, node);
      stats.scheduled++;
      queue.done(key);
      void events.record(pod, "Normal", "Scheduled", `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node}`);
    } catch (err) {
      snapshot.forget(pod);
      queue.done(key);
      if (isNotFound(err)) return;
      stats.bindErrors++;
      ctx.log("warn", `binding ${key} to ${node} failed: ${(err as Error).message}`);
      const fresh = pods.get(key);
      if (fresh && !assigned(fresh) && ours(fresh)) queue.add(fresh);
    }
  };

  const markUnschedulable = async (pod: Pod, key: string, message: string) => {
    void events.record(pod, "Warning", "FailedScheduling", message);
    // The first try works on the informer's copy: no request when it already says so, one update otherwise.
    // A Conflict means that copy was stale; the retries read the pod first.
    let cached: Pod | undefined = pods.get(key) ?? pod;
    await retryOnConflict(async () => {
      const cur = cached ?? (await client.get<Pod>("pods", pod.metadata.name!, { namespace: pod.metadata.namespace }));
      cached = undefined;
      if (assigned(cur)) return;
      const conditions = (cur.status?.conditions ?? []).filter((c) => c.type !== "PodScheduled");
      const prev = cur.status?.conditions?.find((c) => c.type === "PodScheduled");
      if (prev?.status === "False" && prev.message === message) return;
      // The transition time moves only when the condition's status changes.
      const now = prev?.status === "False" && prev.lastTransitionTime ? prev.lastTransitionTime : timestamp(ctx.clock.now());
      conditions.push({ type: "PodScheduled", status: "False", reason: "Unschedulable", message, lastProbeTime: null, lastTransitionTime: now });
      await client.updateStatus("pods", { ...cur, status: { ...cur.status, conditions } });
    }).catch((err) => {
      if (!isNotFound(err)) ctx.log("warn", `could not mark ${pod.metadata.namespace}/${pod.metadata.name} unschedulable: ${(err as Error).message}`);
    });
  };

  let running = true;
  const loop = async () => {
    while (running) {
      const info = await queue.pop();
      if (!info) return;
      stats.cycles++;
      const cycle = queue.schedulingCycle;
      const out = framework.schedule(info.pod, snapshot.nodeInfos());
      if (out.ok) {
        snapshot.assume(info.pod, out.node);
        void bind(info.pod, out.node, info.key);
      } else {
        stats.unschedulable++;
        info.unschedulablePlugins = new Set(out.error instanceof FitError ? out.error.diagnosis.unschedulablePlugins : []);
        queue.addUnschedulableIfNotPresent(info, cycle);
        void markUnschedulable(info.pod, info.key, out.error.message);
      }
    }
  };
  void loop().catch((err) => ctx.log("error", `scheduling loop stopped: ${(err as Error).message}`));

  return {
    handlers: {
      ...informers.handlers,
      "scheduler.stats": () => ({ ...stats, queue: queue.sizes, nodes: snapshot.nodeInfos().length }),
    },
    async onStop() {
      running = false;
      queue.close();
      await informers.stop();
    },
    inspect: () => ({ ...stats, queue: queue.sizes }),
  };
};
