/**
 * The shared informer factory of one actor. Watch events arrive as actor
 * mail to the actor's own address, so the set owns the routing: it maps each
 * apiserver watch id to the informer that opened it and exposes `handlers`
 * for the actor to spread into its own. Messages that race ahead of the
 * `api.watch` reply are held until the reply names their watch.
 */
import type { ActorContext, Handlers } from "../../runtime/actor.ts";
import type { ApiClient } from "./client.ts";
import { Informer, type InformerOptions, type WatchRouter, type WatchSink } from "./informer.ts";
import type { KubeObject } from "./meta.ts";
import type { WatchMessage, WatchStarted } from "./protocol.ts";

// Bounds on bookkeeping that only exists to handle races and leaks.
const MAX_EARLY_MESSAGES = 10_000;
const MAX_RETIRED_IDS = 1_024;

type Query = Pick<InformerOptions<KubeObject>, "resource" | "namespace" | "labelSelector" | "fieldSelector">;

/** What makes two informers the same. */
function queryKey(q: Query): string {
  return [q.resource, q.namespace ?? "", q.labelSelector ?? "", q.fieldSelector ?? ""].join("\u0000");
}

/** Informers of one actor, sharing one watch router; `informer()` with the same query returns the same one. */
export class InformerSet {
  /** Spread into the actor's handlers: `{ ...informers.handlers, ...mine }`. */
  readonly handlers: Handlers<WatchMessage>;
  readonly #ctx: ActorContext;
  readonly #client: ApiClient;
  readonly #informers = new Map<string, Informer<KubeObject>>();
  readonly #sinks = new Map<string, WatchSink>();
  readonly #early = new Map<string, WatchMessage[]>();
  readonly #retired = new Set<string>();
  #earlyCount = 0;
  #starting = 0;
  #started = false;
  readonly #router: WatchRouter;

  /** Builds an empty set for the actor `ctx`, talking through `client`. */
  constructor(ctx: ActorContext, client: ApiClient) {
    this.#ctx = ctx;
    this.#client = client;
    this.#router = {
      watcher: ctx.self,
      open: (start, sink) => this.#open(start, sink),
      close: (id) => this.#close(id),
    };
    this.handlers = {
      "api.watch.events": (msg) => this.#route(msg),
      "api.watch.closed": (msg) => this.#route(msg),
    };
  }

  /** The informer for this query, created on first use (and started if the set is). Indexers are merged. */
  informer<T extends KubeObject = KubeObject>(options: InformerOptions<T>): Informer<T> {
    const key = queryKey(options);
    let informer = this.#informers.get(key) as Informer<T> | undefined;
    if (informer) {
      for (const [name, fn] of Object.entries(options.indexers ?? {})) informer.addIndexer(name, fn);
      return informer;
    }
    informer = new Informer<T>(options, { client: this.#client, clock: this.#ctx.clock, router: this.#router, log: (l, m, f) => this.#ctx.log(l, m, f) });
    this.#informers.set(key, informer as unknown as Informer<KubeObject>);
    if (this.#started) informer.start();
    return informer;
  }

  /** Stops the informer for this query and forgets it (its handlers with it); a later `informer()` makes a new one. */
  async release(options: Query): Promise<void> {
    const key = queryKey(options);
    const informer = this.#informers.get(key);
    if (!informer) return;
    this.#informers.delete(key);
    await informer.stop();
  }

  /** Starts every informer (and those created later). */
  start(): void {
    this.#started = true;
    for (const informer of this.#informers.values()) informer.start();
  }

  /** True once every informer has synced. */
  get hasSynced(): boolean {
    return [...this.#informers.values()].every((i) => i.hasSynced);
  }

  /** Resolves when every informer has synced; see {@link Informer.waitForSync}. */
  async waitForSync(timeoutMs?: number): Promise<void> {
    await Promise.all([...this.#informers.values()].map((i) => i.waitForSync(timeoutMs)));
  }

  /** Stops every informer and ends their watches. */
  async stop(): Promise<void> {
    this.#started = false;
    await Promise.all([...this.#informers.values()].map((i) => i.stop()));
  }

  /** Figures for an actor's `inspect`. */
  stats(): Record<string, unknown> {
    return {
      informers: [...this.#informers.values()].map((i) => ({ resource: i.options.resource, synced: i.hasSynced, objects: i.keys().length, resourceVersion: i.lastSyncResourceVersion })),
      watches: this.#sinks.size,
    };
  }

  async #open(start: () => Promise<WatchStarted>, sink: WatchSink): Promise<WatchStarted> {
    this.#starting++;
    let started: WatchStarted;
    try {
      started = await start();
    } catch (err) {
      if (--this.#starting === 0) this.#dropEarly();
      throw err;
    }
    this.#starting--;
    this.#sinks.set(started.watchId, sink);
    const early = this.#early.get(started.watchId) ?? [];
    this.#early.delete(started.watchId);
    this.#earlyCount -= early.length;
    for (const msg of early) this.#route(msg);
    if (this.#starting === 0) this.#dropEarly();
    return started;
  }

  async #close(watchId: string): Promise<void> {
    if (!this.#sinks.delete(watchId)) return;
    this.#retire(watchId);
    await this.#client.unwatch(watchId).catch(() => undefined);
  }

  #route(msg: WatchMessage): void {
    if (!msg || typeof msg.watchId !== "string") return;
    const sink = this.#sinks.get(msg.watchId);
    if (sink) {
      if (msg.type === "api.watch.closed") {
        this.#sinks.delete(msg.watchId);
        this.#retire(msg.watchId);
        sink.closed(msg.status);
      } else if (Array.isArray(msg.events)) {
        sink.events(msg.events);
      }
      return;
    }
    if (this.#retired.has(msg.watchId)) return;
    if (this.#starting > 0 && this.#earlyCount < MAX_EARLY_MESSAGES) {
      const held = this.#early.get(msg.watchId) ?? [];
      held.push(msg);
      this.#early.set(msg.watchId, held);
      this.#earlyCount++;
      return;
    }
    this.#orphan(msg.watchId, msg.type === "api.watch.closed");
  }

  // Held messages no started watch claimed belong to watches whose reply was lost (a timed-out ask).
  #dropEarly(): void {
    for (const [id, msgs] of this.#early) this.#orphan(id, msgs.some((m) => m.type === "api.watch.closed"));
    this.#early.clear();
    this.#earlyCount = 0;
  }

  #orphan(watchId: string, closed: boolean): void {
    this.#retire(watchId);
    if (!closed) void this.#client.unwatch(watchId).catch(() => undefined);
  }

  #retire(watchId: string): void {
    this.#retired.add(watchId);
    if (this.#retired.size > MAX_RETIRED_IDS) this.#retired.delete(this.#retired.values().next().value!);
  }
}
