/**
 * The scheduling queue, as kube-scheduler's PriorityQueue: activeQ (ready to
 * schedule, highest spec.priority first, then oldest), backoffQ (failed pods
 * waiting out a per-pod exponential backoff) and the unschedulable pool (pods
 * no node fits, parked until a cluster event may have changed that, or for at
 * most 5 minutes). A pod is in at most one of them at a time.
 */
import { objectKey } from "../api/meta.ts";
import type { Pod } from "../api/types/index.ts";
import type { Clock, TimerId } from "../../runtime/clock.ts";
import { KeyedHeap } from "./heap.ts";

/** A pod in the queue with its scheduling history. */
export interface QueuedPodInfo {
  pod: Pod;
  /** `namespace/name`: the queue's de-duplication key. */
  readonly key: string;
  /** When the pod last entered the queue (or last failed); orders equal priorities. */
  timestamp: number;
  /** When the pod first entered the queue. */
  readonly initialAttemptTimestamp: number;
  /** Scheduling attempts so far (incremented on pop). */
  attempts: number;
  /** Plugins that rejected the pod in its last attempt; decides which events wake it. */
  unschedulablePlugins: Set<string>;
}

/** A cluster change that may make parked pods schedulable. */
export type ClusterEvent =
  | "NodeAdd"
  | "NodeUpdate"
  | "NodeDelete"
  | "PodDelete"
  | "AssignedPodAdd"
  | "AssignedPodUpdate"
  | "UnschedulableTimeout"
  | "ForceActivate";

/**
 * Which rejecting plugins an event can help (kube-scheduler's
 * EventsToRegister, simplified to whole events). A pod rejected only by
 * plugins not listed stays parked; a pod with no recorded plugins always moves.
 */
export const DEFAULT_EVENT_PLUGINS: Readonly<Record<ClusterEvent, readonly string[] | "all">> = {
  NodeAdd: "all",
  NodeUpdate: "all",
  NodeDelete: ["InterPodAffinity"],
  PodDelete: ["NodeResourcesFit", "NodePorts", "InterPodAffinity"],
  AssignedPodAdd: ["InterPodAffinity"],
  AssignedPodUpdate: ["NodeResourcesFit", "InterPodAffinity"],
  UnschedulableTimeout: "all",
  ForceActivate: "all",
};

/** Options for {@link SchedulingQueue}. */
export interface SchedulingQueueOptions {
  clock: Clock;
  /** First backoff after a failure. Default 1 000 ms. */
  initialBackoffMs?: number;
  /** Longest backoff. Default 10 000 ms. */
  maxBackoffMs?: number;
  /** Longest stay in the unschedulable pool before a retry. Default 5 minutes. */
  maxUnschedulableMs?: number;
  /** Default {@link DEFAULT_EVENT_PLUGINS}. */
  eventPlugins?: Readonly<Record<string, readonly string[] | "all">>;
}

function priorityOf(p: Pod): number {
  return p.spec?.priority ?? 0;
}

/** Whether an update changed something scheduling depends on (not just status or metadata bookkeeping). */
function isPodUpdated(oldPod: Pod, newPod: Pod): boolean {
  const strip = (p: Pod) => JSON.stringify({ spec: p.spec, labels: p.metadata.labels, annotations: p.metadata.annotations });
  return strip(oldPod) !== strip(newPod);
}

/** activeQ + backoffQ + unschedulable pool, on an injected clock. */
export class SchedulingQueue {
  readonly #clock: Clock;
  readonly #initialBackoff: number;
  readonly #maxBackoff: number;
  readonly #maxUnschedulable: number;
  readonly #eventPlugins: Readonly<Record<string, readonly string[] | "all">>;
  readonly #active = new KeyedHeap<QueuedPodInfo>((i) => i.key, (a, b) => {
    const pa = priorityOf(a.pod);
    const pb = priorityOf(b.pod);
    return pa !== pb ? pa > pb : a.timestamp < b.timestamp;
  });
  readonly #backoff = new KeyedHeap<QueuedPodInfo>((i) => i.key, (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  readonly #unschedulable = new Map<string, QueuedPodInfo>();
  /** Popped and not yet requeued or done: key → info (kept current by updates). */
  readonly #inFlight = new Map<string, QueuedPodInfo>();
  readonly #deletedInFlight = new Set<string>();
  readonly #waiters: Array<(info: QueuedPodInfo | undefined) => void> = [];
  #schedulingCycle = 0;
  #moveRequestCycle = -1;
  #backoffTimer: TimerId | undefined;
  #unschedulableTimer: TimerId | undefined;
  #closed = false;

  constructor(opts: SchedulingQueueOptions) {
    this.#clock = opts.clock;
    this.#initialBackoff = opts.initialBackoffMs ?? 1_000;
    this.#maxBackoff = opts.maxBackoffMs ?? 10_000;
    this.#maxUnschedulable = opts.maxUnschedulableMs ?? 5 * 60_000;
    this.#eventPlugins = opts.eventPlugins ?? DEFAULT_EVENT_PLUGINS;
  }

  /** The number of pops so far: the current scheduling cycle. */
  get schedulingCycle(): number {
    return this.#schedulingCycle;
  }

  /** Pods in each sub-queue, for stats and tests. */
  get sizes(): { active: number; backoff: number; unschedulable: number; inFlight: number } {
    return { active: this.#active.size, backoff: this.#backoff.size, unschedulable: this.#unschedulable.size, inFlight: this.#inFlight.size };
  }

  /** Where the pod with `key` is, if queued. */
  where(key: string): "active" | "backoff" | "unschedulable" | "inFlight" | undefined {
    if (this.#active.has(key)) return "active";
    if (this.#backoff.has(key)) return "backoff";
    if (this.#unschedulable.has(key)) return "unschedulable";
    if (this.#inFlight.has(key)) return "inFlight";
    return undefined;
  }

  /** Backoff for the pod's attempts so far: initial × 2^(attempts-1), capped. */
  backoffDuration(info: QueuedPodInfo): number {
    let d = this.#initialBackoff;
    for (let i = 1; i < info.attempts; i++) {
      d *= 2;
      if (d >= this.#maxBackoff) return this.#maxBackoff;
    }
    return Math.min(d, this.#maxBackoff);
  }

  /** When the pod's backoff ends. */
  backoffExpiry(info: QueuedPodInfo): number {
    return info.timestamp + this.backoffDuration(info);
  }

  /** A new pending pod: into activeQ; a pod already queued is updated instead. */
  add(pod: Pod): void {
    const key = objectKey(pod);
    if (this.where(key)) {
      this.update(pod);
      return;
    }
    const now = this.#clock.now();
    this.#pushActive({ pod, key, timestamp: now, initialAttemptTimestamp: now, attempts: 0, unschedulablePlugins: new Set() });
  }

  /** A pending pod changed. A parked pod whose spec or labels changed gets another try. */
  update(pod: Pod): void {
    const key = objectKey(pod);
    const active = this.#active.get(key);
    if (active) return this.#active.upsert({ ...active, pod });
    const backing = this.#backoff.get(key);
    if (backing) return this.#backoff.upsert({ ...backing, pod });
    const parked = this.#unschedulable.get(key);
    if (parked) {
      const changed = isPodUpdated(parked.pod, pod);
      parked.pod = pod;
      if (changed) {
        this.#unschedulable.delete(key);
        this.#requeue(parked);
      }
      return;
    }
    const flying = this.#inFlight.get(key);
    if (flying) {
      flying.pod = pod;
      return;
    }
    this.add(pod);
  }

  /** The pod was deleted (or bound by someone else): drop it everywhere. */
  delete(pod: Pod): void {
    const key = objectKey(pod);
    this.#active.delete(key);
    this.#backoff.delete(key);
    this.#unschedulable.delete(key);
    if (this.#inFlight.has(key)) this.#deletedInFlight.add(key);
    this.#armTimers();
  }

  /**
   * The next pod to schedule, highest priority first; waits while activeQ is
   * empty. Resolves undefined once the queue is closed.
   */
  pop(): Promise<QueuedPodInfo | undefined> {
    if (this.#closed) return Promise.resolve(undefined);
    const info = this.#take();
    if (info) return Promise.resolve(info);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** The popped pod was bound (or given up on): stop tracking it. */
  done(key: string): void {
    this.#inFlight.delete(key);
    this.#deletedInFlight.delete(key);
  }

  /**
   * A popped pod failed. If a cluster event arrived while it was being
   * scheduled (or it failed with an error, no plugins to blame), it goes to
   * backoffQ; otherwise it is parked as unschedulable. `info.unschedulablePlugins`
   * should name the rejecting plugins.
   */
  addUnschedulableIfNotPresent(info: QueuedPodInfo, podSchedulingCycle: number): void {
    const key = info.key;
    const current = this.#inFlight.get(key) ?? info;
    this.#inFlight.delete(key);
    if (this.#deletedInFlight.delete(key) || this.#active.has(key) || this.#backoff.has(key) || this.#unschedulable.has(key)) return;
    current.unschedulablePlugins = info.unschedulablePlugins;
    current.timestamp = this.#clock.now();
    if (this.#moveRequestCycle >= podSchedulingCycle || current.unschedulablePlugins.size === 0) {
      this.#backoff.upsert(current);
    } else {
      this.#unschedulable.set(key, current);
    }
    this.#armTimers();
  }

  /** A cluster event happened: parked pods it may help go to activeQ, or backoffQ if still backing off. */
  moveAllToActiveOrBackoff(event: ClusterEvent | (string & {})): void {
    const interested = this.#eventPlugins[event] ?? "all";
    for (const [key, info] of this.#unschedulable) {
      if (interested !== "all" && info.unschedulablePlugins.size > 0 && ![...info.unschedulablePlugins].some((p) => interested.includes(p))) continue;
      this.#unschedulable.delete(key);
      this.#requeue(info);
    }
    // Pods in flight now may have missed this event: send them to backoff, not the pool.
    this.#moveRequestCycle = this.#schedulingCycle;
    this.#armTimers();
  }

  /** Moves backoffQ pods whose backoff ended to activeQ, and pods parked too long out of the pool. */
  flush(): void {
    const now = this.#clock.now();
    for (let top = this.#backoff.peek(); top && this.backoffExpiry(top) <= now; top = this.#backoff.peek()) {
      this.#backoff.pop();
      this.#pushActive(top);
    }
    // The pool is a Map in insertion order, and pods enter it stamped "now": oldest first.
    for (const [key, info] of this.#unschedulable) {
      if (now - info.timestamp < this.#maxUnschedulable) break;
      this.#unschedulable.delete(key);
      this.#requeue(info);
    }
    this.#armTimers();
  }

  /** Stops timers and resolves waiting pops with undefined. */
  close(): void {
    this.#closed = true;
    this.#cancelTimers();
    for (const w of this.#waiters.splice(0)) w(undefined);
  }

  #requeue(info: QueuedPodInfo): void {
    if (this.backoffExpiry(info) > this.#clock.now()) this.#backoff.upsert(info);
    else this.#pushActive(info);
  }

  #pushActive(info: QueuedPodInfo): void {
    this.#active.upsert(info);
    const w = this.#waiters.shift();
    if (w) w(this.#take());
  }

  #take(): QueuedPodInfo | undefined {
    const info = this.#active.pop();
    if (!info) return undefined;
    info.attempts++;
    this.#schedulingCycle++;
    this.#inFlight.set(info.key, info);
    return info;
  }

  /** One timer for the earliest backoff end and one for the earliest pool timeout, instead of polling. */
  #armTimers(): void {
    this.#cancelTimers();
    if (this.#closed) return;
    const now = this.#clock.now();
    const top = this.#backoff.peek();
    if (top) this.#backoffTimer = this.#clock.setTimeout(() => this.flush(), Math.max(0, this.backoffExpiry(top) - now));
    const oldest = this.#unschedulable.values().next().value;
    if (oldest) this.#unschedulableTimer = this.#clock.setTimeout(() => this.flush(), Math.max(0, oldest.timestamp + this.#maxUnschedulable - now));
  }

  #cancelTimers(): void {
    if (this.#backoffTimer) this.#clock.clearTimeout(this.#backoffTimer);
    if (this.#unschedulableTimer) this.#clock.clearTimeout(this.#unschedulableTimer);
    this.#backoffTimer = this.#unschedulableTimer = undefined;
  }
}
