/**
 * client-go's reflector + indexer + shared informer for one resource: list,
 * then watch from the list's resourceVersion, keeping an indexed local cache
 * and calling event handlers. A watch that closes is resumed from the last
 * resourceVersion seen; one that expired (410) is replaced by a relist whose
 * diff against the cache is emitted, so nothing missed in the gap is lost.
 * Watch messages reach the informer through a {@link WatchRouter}
 * (`InformerSet` in `informer-set.ts`), since they arrive as actor mail.
 */
import type { Clock, TimerId } from "../../runtime/clock.ts";
import type { LogLevel } from "../../runtime/actor.ts";
import { ActorError, RuntimeCodes } from "../../runtime/errors.ts";
import { isExpired, type ApiClient } from "./client.ts";
import { Cache, type IndexFunc } from "./cache.ts";
import { objectKey, type KubeObject, type WatchEvent } from "./meta.ts";
import type { WatchStarted } from "./protocol.ts";
import type { Status } from "./status.ts";

/** What an informer watches and how it retries. */
export interface InformerOptions<T extends KubeObject> {
  /** `pods`, `deployments.apps`, … */
  resource: string;
  /** Only this namespace (default all). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Extra indices, by name (the `namespace` index is built in). */
  indexers?: Record<string, IndexFunc<T>>;
  /** List page size; default unpaged. */
  pageSize?: number;
  /** First retry delay after a second consecutive failure (the first retry is immediate). Default 1 000 ms. */
  backoffBaseMs?: number;
  /** Longest retry delay. Default 30 000 ms. */
  backoffMaxMs?: number;
  /** Random extra delay, as a fraction of the delay, so many informers don't retry in step. Default 0.2. */
  jitter?: number;
}

/** Callbacks of an informer; they should only enqueue keys. */
export interface EventHandler<T> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  /** Called with the object's last known state (a relist cannot know the final one). */
  onDelete?(obj: T): void;
}

/** Where the messages of one watch go. */
export interface WatchSink {
  events(events: WatchEvent[]): void;
  closed(status?: Status): void;
}

/** Routes watch messages, which arrive as actor mail, to the watch that asked for them. */
export interface WatchRouter {
  /** The address the apiserver tells events to. */
  readonly watcher: string;
  /** Starts a watch with `start` and routes its messages to `sink` (also those racing ahead of the reply). */
  open(start: () => Promise<WatchStarted>, sink: WatchSink): Promise<WatchStarted>;
  /** Stops routing `watchId` and asks the apiserver to end it. */
  close(watchId: string): Promise<void>;
}

/** What an informer needs from its surroundings. */
export interface InformerDeps {
  client: ApiClient;
  clock: Clock;
  router: WatchRouter;
  log?(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

// A watch that ends sooner than this without delivering anything counts as a failure (backoff).
const HEALTHY_WATCH_MS = 1_000;

/** List + watch of one resource into an indexed cache, with event handlers. */
export class Informer<T extends KubeObject = KubeObject> {
  readonly options: Readonly<InformerOptions<T>>;
  readonly #deps: InformerDeps;
  readonly #cache = new Cache<T>();
  readonly #handlers = new Set<EventHandler<T>>();
  #syncWaiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  #synced = false;
  #started = false;
  #stopped = false;
  // Bumped by every new list or watch and by stop, so late replies of an old one are ignored.
  #gen = 0;
  #lastRV = "";
  #watchId?: string;
  #watchStartedAt = 0;
  #sawEvents = false;
  #failures = 0;
  #timer?: TimerId;

  /** Builds a stopped informer; `start` lists and watches. */
  constructor(options: InformerOptions<T>, deps: InformerDeps) {
    this.options = options;
    this.#deps = deps;
    for (const [name, fn] of Object.entries(options.indexers ?? {})) this.#cache.addIndexer(name, fn);
  }

  /** True once the first list is in the cache. */
  get hasSynced(): boolean {
    return this.#synced;
  }

  /** The resourceVersion the cache is current to. */
  get lastSyncResourceVersion(): string {
    return this.#lastRV;
  }

  /** The object at `namespace/name` (or `name`). */
  get(key: string): T | undefined {
    return this.#cache.get(key);
  }

  /** Every cached object. */
  list(): T[] {
    return this.#cache.list();
  }

  /** Every cached key. */
  keys(): string[] {
    return this.#cache.keys();
  }

  /** Cached objects whose index `name` has `value` (`byIndex("namespace", "default")`). */
  byIndex(name: string, value: string): T[] {
    return this.#cache.byIndex(name, value);
  }

  /** Adds an index; existing objects are indexed at once. */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    this.#cache.addIndexer(name, fn);
  }

  /** Registers handlers; cached objects are replayed to `onAdd`. Returns the unregister function. */
  addEventHandler(handler: EventHandler<T>): () => void {
    this.#handlers.add(handler);
    for (const obj of this.#cache.list()) this.#call("onAdd", () => handler.onAdd?.(obj));
    return () => void this.#handlers.delete(handler);
  }

  /** Resolves once synced; rejects `Timeout` after `timeoutMs` (if given) or `ActorStopped` on stop. */
  waitForSync(timeoutMs?: number): Promise<void> {
    if (this.#synced) return Promise.resolve();
    if (this.#stopped) return Promise.reject(this.#stoppedError());
    return new Promise<void>((resolve, reject) => {
      const waiter = { resolve, reject };
      this.#syncWaiters.push(waiter);
      if (timeoutMs === undefined) return;
      const timer = this.#deps.clock.setTimeout(() => {
        this.#syncWaiters = this.#syncWaiters.filter((w) => w !== waiter);
        reject(new ActorError(RuntimeCodes.Timeout, `informer for ${this.options.resource} did not sync within ${timeoutMs} ms`));
      }, timeoutMs);
      waiter.resolve = () => {
        this.#deps.clock.clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Lists, then watches; retries with backoff until stopped. Calling it twice does nothing. */
  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    void this.#relist();
  }

  /** Ends the watch and every retry, for good; the cache stays readable. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#gen++;
    if (this.#timer) this.#deps.clock.clearTimeout(this.#timer);
    for (const w of this.#syncWaiters.splice(0)) w.reject(this.#stoppedError());
    const id = this.#watchId;
    this.#watchId = undefined;
    if (id !== undefined) await this.#deps.router.close(id);
  }

  // ---- list and watch -----------------------------------------------------

  async #relist(): Promise<void> {
    const gen = this.#newGeneration();
    const { client } = this.#deps;
    const { resource, namespace, labelSelector, fieldSelector, pageSize } = this.options;
    try {
      const items: T[] = [];
      let rv: string | undefined;
      let cont: string | undefined;
      do {
        const page = await client.list<T>(resource, { namespace, labelSelector, fieldSelector, limit: pageSize, continue: cont });
        if (gen !== this.#gen) return;
        items.push(...page.items);
        rv ??= page.metadata.resourceVersion ?? "";
        cont = page.metadata.continue || undefined;
      } while (cont);
      this.#replace(items, rv ?? "");
      this.#watch();
    } catch (err) {
      if (gen !== this.#gen) return;
      this.#retry("list failed", err, () => void this.#relist());
    }
  }

  #watch(): void {
    const gen = this.#newGeneration();
    const { client } = this.#deps;
    const { resource, namespace, labelSelector, fieldSelector } = this.options;
    const router = this.#deps.router;
    const sink: WatchSink = {
      events: (events) => gen === this.#gen && this.#onEvents(events),
      closed: (status) => gen === this.#gen && this.#onClosed(status),
    };
    const start = () =>
      client.watch(resource, { watcher: router.watcher, namespace, labelSelector, fieldSelector, resourceVersion: this.#lastRV, allowWatchBookmarks: true });
    this.#watchStartedAt = this.#deps.clock.now();
    this.#sawEvents = false;
    router.open(start, sink).then(
      (started) => {
        // A closed message that raced ahead of the reply has already moved on.
        if (gen !== this.#gen) void router.close(started.watchId);
        else this.#watchId = started.watchId;
      },
      (err: unknown) => {
        if (gen !== this.#gen) return;
        if (isExpired(err)) this.#retry("watch expired, relisting", err, () => void this.#relist());
        else this.#retry("watch failed", err, () => this.#watch());
      },
    );
  }

  #onEvents(events: WatchEvent[]): void {
    for (const ev of events) {
      if (ev.type === "ERROR") return this.#onClosed(ev.object as unknown as Status, true);
      this.#sawEvents = true;
      this.#failures = 0;
      if (ev.type === "BOOKMARK") this.#advance(ev.object.metadata?.resourceVersion);
      else this.#apply(ev as WatchEvent<T>);
    }
  }

  #onClosed(status: Status | undefined, stillOpen = false): void {
    const id = this.#watchId;
    this.#watchId = undefined;
    this.#newGeneration();
    if (stillOpen && id !== undefined) void this.#deps.router.close(id);
    if (status && (status.code === 410 || status.reason === "Expired" || status.reason === "Gone")) {
      return this.#retry("watch expired, relisting", status, () => void this.#relist());
    }
    const healthy = !status && (this.#sawEvents || this.#deps.clock.now() - this.#watchStartedAt >= HEALTHY_WATCH_MS);
    if (healthy) {
      this.#failures = 0;
      return this.#watch();
    }
    this.#retry("watch closed", status ?? "closed at once", () => this.#watch());
  }

  // The first failure in a row retries at once; later ones back off exponentially.
  #retry(what: string, why: unknown, again: () => void): void {
    if (this.#stopped) return;
    const n = ++this.#failures;
    const base = this.options.backoffBaseMs ?? 1_000;
    const max = this.options.backoffMaxMs ?? 30_000;
    const jitter = this.options.jitter ?? 0.2;
    const delay = n <= 1 ? 0 : Math.min(max, base * 2 ** (n - 2)) * (1 + Math.random() * jitter);
    const message = (why as { message?: unknown })?.message ?? why;
    this.#deps.log?.(n <= 1 ? "debug" : "warn", `informer ${this.options.resource}: ${what}; retrying`, { error: String(message), delayMs: Math.round(delay), failures: n });
    const gen = this.#gen;
    this.#timer = this.#deps.clock.setTimeout(() => {
      this.#timer = undefined;
      if (gen === this.#gen && !this.#stopped) again();
    }, delay);
  }

  #newGeneration(): number {
    if (this.#timer) this.#deps.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    return ++this.#gen;
  }

  // ---- the cache ----------------------------------------------------------

  #apply(ev: WatchEvent<T>): void {
    const obj = ev.object;
    const rv = obj.metadata.resourceVersion;
    this.#advance(rv);
    const key = objectKey(obj);
    const old = this.#cache.get(key);
    if (old && !isNewer(rv, old.metadata.resourceVersion)) return;
    if (ev.type === "DELETED") {
      if (!old) return;
      this.#cache.delete(key);
      this.#emit("onDelete", (h) => h.onDelete?.(obj));
      return;
    }
    this.#cache.set(obj);
    if (old) this.#emit("onUpdate", (h) => h.onUpdate?.(old, obj));
    else this.#emit("onAdd", (h) => h.onAdd?.(obj));
  }

  // A relist is the truth: anything cached but not listed was deleted meanwhile.
  #replace(items: T[], rv: string): void {
    const listed = new Set<string>();
    for (const obj of items) {
      const key = objectKey(obj);
      listed.add(key);
      const old = this.#cache.get(key);
      if (old && old.metadata.resourceVersion === obj.metadata.resourceVersion) continue;
      this.#cache.set(obj);
      if (old) this.#emit("onUpdate", (h) => h.onUpdate?.(old, obj));
      else this.#emit("onAdd", (h) => h.onAdd?.(obj));
    }
    for (const key of this.#cache.keys()) {
      if (listed.has(key)) continue;
      const old = this.#cache.delete(key)!;
      this.#emit("onDelete", (h) => h.onDelete?.(old));
    }
    this.#lastRV = rv;
    if (!this.#synced) {
      this.#synced = true;
      for (const w of this.#syncWaiters.splice(0)) w.resolve();
    }
  }

  #advance(rv: string | undefined): void {
    if (rv && isNewer(rv, this.#lastRV)) this.#lastRV = rv;
  }

  #emit(what: string, call: (h: EventHandler<T>) => void): void {
    for (const h of this.#handlers) this.#call(what, () => call(h));
  }

  // One throwing handler must not stop the others or the informer.
  #call(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#deps.log?.("error", `informer ${this.options.resource}: ${what} handler threw`, { error: String(err) });
    }
  }

  #stoppedError(): ActorError {
    return new ActorError(RuntimeCodes.ActorStopped, `informer for ${this.options.resource} was stopped`);
  }
}

/** Whether resourceVersion `a` is newer than `b`; unknown or non-numeric versions count as newer. */
export function isNewer(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return true;
  if (!/^\d+$/.test(a) || !/^\d+$/.test(b)) return a !== b;
  return a.length !== b.length ? a.length > b.length : a > b;
}
