/**
 * The taint manager (kube-controller-manager's taint-eviction-controller):
 * a pod on a node with NoExecute taints is deleted once its tolerations run
 * out — at once when some taint is not tolerated, after the smallest
 * matching `tolerationSeconds` otherwise, never when every matching
 * toleration is unbounded. Removing the taints cancels pending evictions.
 * Each eviction records `TaintManagerEviction` ("Marking for deletion Pod
 * ns/name") and marks the pod with the DisruptionTarget condition first.
 *
 * Pods themselves are deleted without a rate limit, as in Kubernetes: the
 * eviction rate (`--node-eviction-rate`) bounds how fast nodes receive the
 * NoExecute taints (see node-lifecycle-zones.ts).
 */
import type { TimerId } from "../../runtime/clock.ts";
import { isNotFound, retryOnConflict } from "../api/client.ts";
import type { Informer } from "../api/informer.ts";
import type { KubeObject } from "../api/meta.ts";
import type { Node, Taint } from "../api/types/core-node.ts";
import type { Pod, Toleration } from "../api/types/core-pod.ts";
import { timestamp } from "../apiserver/objects.ts";
import { toleratesTaint } from "../scheduler/plugins/tolerations.ts";
import { Reconciler, keyOf, splitKey, type ControllerContext } from "./controller.ts";

/** The pod index by `spec.nodeName` the node controllers share. */
export const POD_NODE_INDEX = "spec.nodeName";

/** Indexes pods by the node they are bound to. */
export const podNodeIndex = (p: Pod): string[] => (p.spec?.nodeName ? [p.spec.nodeName] : []);

interface ScheduledEviction {
  uid: string;
  createdAt: number;
  fireAt: number;
  timer?: TimerId;
  /** Due: handed to the eviction queue, no longer cancellable. */
  fired: boolean;
}

/** The NoExecute taints of a node. */
export function noExecuteTaints(node: Node | undefined): Taint[] {
  return (node?.spec?.taints ?? []).filter((t) => t.effect === "NoExecute");
}

/**
 * For each taint the first toleration that tolerates it; `all` is false
 * when some taint has none (v1helper.GetMatchingTolerations).
 */
export function matchingTolerations(taints: readonly Taint[], tolerations: readonly Toleration[] | undefined): { all: boolean; used: Toleration[] } {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = (tolerations ?? []).find((x) => toleratesTaint(x, taint));
    if (!t) return { all: false, used: [] };
    used.push(t);
  }
  return { all: true, used };
}

/** Milliseconds the tolerations allow: 0 = evict now, -1 = forever (none bounded). */
export function minTolerationMs(used: readonly Toleration[]): number {
  if (used.length === 0) return 0;
  let min = Infinity;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = Math.min(min, t.tolerationSeconds);
  }
  return min === Infinity ? -1 : min * 1000;
}

/** Schedules and carries out NoExecute evictions. */
export class TaintManager {
  readonly #cc: ControllerContext;
  readonly #nodes: Informer<Node>;
  readonly #pods: Informer<Pod>;
  readonly #scheduled = new Map<string, ScheduledEviction>();
  // Keys: `node:<name>`, `pod:<ns/name>`, `evict:<ns/name>`.
  readonly #queue: Reconciler;
  readonly counts = { evictions: 0, cancelled: 0 };

  constructor(cc: ControllerContext, nodes: Informer<Node>, pods: Informer<Pod>) {
    this.#cc = cc;
    this.#nodes = nodes;
    this.#pods = pods;
    this.#queue = new Reconciler(cc, "taint-eviction-controller", (key) => this.#sync(key));
    nodes.addEventHandler({
      onAdd: (n) => noExecuteTaints(n).length > 0 && this.#queue.enqueue(`node:${n.metadata.name}`),
      onUpdate: (o, n) => !sameTaints(noExecuteTaints(o), noExecuteTaints(n)) && this.#queue.enqueue(`node:${n.metadata.name}`),
      onDelete: (n) => this.#queue.enqueue(`node:${n.metadata.name}`),
    });
    pods.addEventHandler({
      onAdd: (p) => p.spec?.nodeName && this.#queue.enqueue(`pod:${keyOf(p)}`),
      onUpdate: (o, p) => {
        const changed = o.spec?.nodeName !== p.spec?.nodeName || JSON.stringify(o.spec?.tolerations) !== JSON.stringify(p.spec?.tolerations) || Boolean(o.metadata.deletionTimestamp) !== Boolean(p.metadata.deletionTimestamp);
        if (changed) this.#queue.enqueue(`pod:${keyOf(p)}`);
      },
      onDelete: (p) => this.#queue.enqueue(`pod:${keyOf(p)}`),
    });
  }

  start(): void {
    this.#queue.start();
  }

  async stop(): Promise<void> {
    for (const s of this.#scheduled.values()) if (s.timer) this.#cc.clock.clearTimeout(s.timer);
    this.#scheduled.clear();
    await this.#queue.stop();
  }

  stats(): Record<string, unknown> {
    return { ...this.#queue.stats(), ...this.counts, scheduledEvictions: this.#scheduled.size };
  }

  async #sync(key: string): Promise<void> {
    const colon = key.indexOf(":");
    const kind = key.slice(0, colon);
    const rest = key.slice(colon + 1);
    if (kind === "node") return this.#syncNode(rest);
    if (kind === "pod") return this.#syncPod(rest);
    if (kind === "evict") return this.#evict(rest);
  }

  #syncNode(name: string): void {
    const taints = noExecuteTaints(this.#nodes.get(name));
    const now = this.#cc.clock.now();
    for (const pod of this.#pods.byIndex(POD_NODE_INDEX, name)) this.#processPod(pod, taints, now);
  }

  #syncPod(key: string): void {
    const pod = this.#pods.get(key);
    if (!pod || !pod.spec?.nodeName || pod.metadata.deletionTimestamp) {
      this.#drop(key);
      return;
    }
    this.#processPod(pod, noExecuteTaints(this.#nodes.get(pod.spec.nodeName)), this.#cc.clock.now());
  }

  #processPod(pod: Pod, taints: Taint[], now: number): void {
    const key = keyOf(pod);
    if (pod.metadata.deletionTimestamp) return this.#drop(key);
    if (taints.length === 0) return this.#cancel(key, pod);
    const { all, used } = matchingTolerations(taints, pod.spec.tolerations);
    if (!all) {
      const s = this.#scheduled.get(key);
      if (s && s.fireAt <= now) return;
      this.#cancel(key, pod);
      return this.#schedule(key, pod.metadata.uid!, now, now);
    }
    const ms = minTolerationMs(used);
    if (ms < 0) return this.#cancel(key, pod);
    const s = this.#scheduled.get(key);
    // An eviction keeps the time its taint was first noticed; tolerations only move its deadline.
    const createdAt = s ? s.createdAt : now;
    if (s && (s.fired || s.fireAt === createdAt + ms)) return;
    if (s) this.#clear(key);
    this.#schedule(key, pod.metadata.uid!, createdAt, createdAt + ms);
  }

  #schedule(key: string, uid: string, createdAt: number, fireAt: number): void {
    const s: ScheduledEviction = { uid, createdAt, fireAt, fired: false };
    this.#scheduled.set(key, s);
    const fire = () => {
      s.fired = true;
      s.timer = undefined;
      this.#queue.enqueue(`evict:${key}`);
    };
    const delay = fireAt - this.#cc.clock.now();
    if (delay <= 0) fire();
    else s.timer = this.#cc.clock.setTimeout(fire, delay);
  }

  // Cancels a pending eviction, telling the pod's events (cancelWorkWithEvent); a due one goes ahead.
  #cancel(key: string, pod: KubeObject): void {
    const s = this.#scheduled.get(key);
    if (!s || s.fired) return;
    this.#clear(key);
    this.counts.cancelled++;
    void this.#cc.recorder("taint-eviction-controller").record(pod, "Normal", "TaintManagerEviction", `Cancelling deletion of Pod ${key}`);
  }

  // Forgets an eviction silently (the pod is gone or already being deleted).
  #drop(key: string): void {
    if (this.#scheduled.has(key)) this.#clear(key);
  }

  #clear(key: string): void {
    const s = this.#scheduled.get(key);
    if (s?.timer) this.#cc.clock.clearTimeout(s.timer);
    this.#scheduled.delete(key);
  }

  async #evict(key: string): Promise<void> {
    const s = this.#scheduled.get(key);
    if (!s || !s.fired) return;
    const { namespace, name } = splitKey(key);
    const { client } = this.#cc;
    let pod: Pod;
    try {
      pod = await client.get<Pod>("pods", name, { namespace });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      this.#scheduled.delete(key);
      return;
    }
    if (pod.metadata.uid !== s.uid || pod.metadata.deletionTimestamp) {
      this.#scheduled.delete(key);
      return;
    }
    await this.#cc.recorder("taint-eviction-controller").record(pod, "Normal", "TaintManagerEviction", `Marking for deletion Pod ${key}`);
    try {
      await this.#markDisruption(pod);
      await client.delete("pods", name, { namespace, preconditions: { uid: s.uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    this.#scheduled.delete(key);
    this.counts.evictions++;
  }

  // The DisruptionTarget condition tells the pod's owner why it went (PodDisruptionConditions).
  async #markDisruption(pod: Pod): Promise<void> {
    const now = timestamp(this.#cc.clock.now());
    await retryOnConflict(async () => {
      const cur = await this.#cc.client.get<Pod>("pods", pod.metadata.name!, { namespace: pod.metadata.namespace });
      const conditions = (cur.status?.conditions ?? []).filter((c) => c.type !== "DisruptionTarget");
      conditions.push({ type: "DisruptionTarget", status: "True", reason: "DeletionByTaintManager", message: "Taint manager: deleting due to NoExecute taint", lastTransitionTime: now });
      await this.#cc.client.updateStatus("pods", { ...cur, status: { ...cur.status, conditions } });
    });
  }
}

function sameTaints(a: readonly Taint[], b: readonly Taint[]): boolean {
  return a.length === b.length && a.every((t, i) => t.key === b[i].key && t.effect === b[i].effect && (t.value ?? "") === (b[i].value ?? ""));
}
