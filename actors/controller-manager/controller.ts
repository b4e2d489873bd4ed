/**
 * What every controller of the controller-manager is built from. A controller
 * registers its informers and their handlers when it is constructed (handlers
 * only enqueue keys), and `start` runs its work queue once every informer of
 * the manager has synced. `sync(key)` is level-triggered and idempotent: it
 * compares the desired state with the cached actual state, acts, and writes
 * status; a thrown error requeues the key with rate-limited back-off.
 */
import type { ActorContext, LogLevel } from "../../runtime/actor.ts";
import type { Clock } from "../../runtime/clock.ts";
import type { ApiClient } from "../api/client.ts";
import { EventRecorder } from "../api/events.ts";
import type { InformerSet } from "../api/informer-set.ts";
import { objectKey, splitKey, type KubeObject } from "../api/meta.ts";
import { WorkQueue, runWorkers, type WorkQueueOptions } from "../api/workqueue.ts";

/** Settings shared by the controllers (each reads the ones it knows). */
export interface ControllerOptions {
  /** Node lifecycle: how long a node may stay silent before it is marked Ready=Unknown (default 40 000 ms). */
  nodeMonitorGracePeriodMs?: number;
  /** Node lifecycle: how often node health is checked (default 5 000 ms). */
  nodeMonitorPeriodMs?: number;
  /** Evictions per second from unhealthy nodes (default 0.1, as `--node-eviction-rate`). */
  nodeEvictionRate?: number;
  /** Garbage collector: period of the orphan scan (default 30 000 ms). */
  gcPeriodMs?: number;
  /** Workers per controller queue (default 5, kube-controller-manager's `--concurrent-*-syncs`). */
  workers?: number;
  /** Anything a controller documents for itself. */
  [setting: string]: unknown;
}

/** What a controller gets from the manager. */
export interface ControllerContext {
  /** The manager actor (address, clock, log, asks). */
  readonly actor: ActorContext;
  /** The apiserver client, acting as `system:kube-controller-manager`. */
  readonly client: ApiClient;
  /** The manager's shared informers: ask for the same query and get the same cache. */
  readonly informers: InformerSet;
  readonly clock: Clock;
  readonly options: ControllerOptions;
  /** An event recorder reporting as `component` (e.g. `replicaset-controller`). */
  recorder(component: string): EventRecorder;
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

/** The context controllers get: `client` acts for them, events are recorded per component. */
export function controllerContext(actor: ActorContext, client: ApiClient, informers: InformerSet, options: ControllerOptions): ControllerContext {
  const recorders = new Map<string, EventRecorder>();
  return {
    actor,
    client,
    informers,
    clock: actor.clock,
    options,
    recorder: (component) => {
      let r = recorders.get(component);
      if (!r) recorders.set(component, (r = new EventRecorder(client, actor.clock, component)));
      return r;
    },
    log: (level, message, fields) => actor.log(level, message, fields),
  };
}

/** A running controller. */
export interface Controller {
  readonly name: string;
  /** Called once every informer has synced: start the workers (and any periodic scans). */
  start(): void;
  /** Stops workers and timers; resolves when they have exited. */
  stop(): Promise<void>;
  /** Figures for the manager's `inspect`. */
  stats?(): Record<string, unknown>;
}

/** Builds a controller: registers informers and handlers on `cc.informers`, does not start work. */
export type ControllerFactory = (cc: ControllerContext) => Controller;

/** The `namespace/name` key of an object (`name` for cluster-scoped ones), as client-go's MetaNamespaceKeyFunc. */
export const keyOf: (obj: KubeObject) => string = objectKey;

/** Splits a key made by {@link keyOf}. */
export { splitKey };

/** Whether a create failed because its namespace is terminating (the apiserver refuses new content there). */
export function isNamespaceTerminating(err: unknown): boolean {
  return /because it is being terminated/.test((err as { message?: string })?.message ?? "");
}

/** Options of {@link Reconciler}. */
export interface ReconcilerOptions extends Omit<WorkQueueOptions<string>, "clock"> {
  /** Concurrent syncs (default `cc.options.workers` or 5). */
  workers?: number;
}

/**
 * A work queue of string keys and the workers that drain it through `sync`,
 * counting syncs and failures. Most controllers are one of these plus handlers.
 */
export class Reconciler {
  readonly queue: WorkQueue<string>;
  readonly #cc: ControllerContext;
  readonly #name: string;
  readonly #sync: (key: string) => Promise<void>;
  readonly #workers: number;
  #running: Promise<void> | undefined;
  readonly counts = { syncs: 0, errors: 0 };

  constructor(cc: ControllerContext, name: string, sync: (key: string) => Promise<void>, options: ReconcilerOptions = {}) {
    this.#cc = cc;
    this.#name = name;
    this.#sync = sync;
    this.#workers = options.workers ?? cc.options.workers ?? 5;
    this.queue = new WorkQueue<string>({ ...options, clock: cc.clock });
  }

  /** Enqueues the key of `obj` (or a key string). */
  enqueue(objOrKey: KubeObject | string): void {
    this.queue.add(typeof objOrKey === "string" ? objOrKey : keyOf(objOrKey));
  }

  /** Enqueues after `ms` (e.g. to re-check when minReadySeconds pass). */
  enqueueAfter(key: string, ms: number): void {
    this.queue.addAfter(key, ms);
  }

  start(): void {
    if (this.#running) return;
    const sync = async (key: string) => {
      this.counts.syncs++;
      await this.#sync(key);
    };
    this.#running = runWorkers(this.queue, this.#workers, sync, (err, key, requeues) => {
      this.counts.errors++;
      const e = err as { message?: string; code?: string };
      this.#cc.log(requeues > 5 ? "warn" : "debug", `${this.#name}: sync of ${key} failed, requeued`, { error: e?.message ?? String(err), code: e?.code, requeues });
    });
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    await this.#running;
  }

  stats(): Record<string, unknown> {
    return { ...this.counts, queued: this.queue.len, delayed: this.queue.delayed };
  }
}
