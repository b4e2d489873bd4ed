/**
 * One hub per resource, like kube-apiserver's watch cache: a single store
 * watch, a window of recent events for watches that start a little in the
 * past, and fan-out to every client watch with its filters applied. Pod
 * watches selecting `spec.nodeName=X` (every kubelet's) are indexed by node,
 * so an event costs the watchers it concerns, not all of them.
 */
import type { KubeObject, WatchEvent } from "../api/meta.ts";
import type { Store, StoreEvent, StoreWatch } from "./store/store.ts";
import type { ObjectFilter } from "./objects.ts";
import { withRV } from "./objects.ts";
import { exactFieldValue } from "../api/field-selector.ts";
import { expired } from "../api/status.ts";

/** One event as the hub keeps it. */
interface HubEvent {
  rev: number;
  obj: KubeObject;
  /** The stored object before this event (no resourceVersion: used for matching only). */
  prev?: KubeObject;
  deleted: boolean;
  /** `obj` without managedFields, made at most once and shared by every watcher that asked for it. */
  lean?: KubeObject;
}

/** The object without `metadata.managedFields` (the same object when it has none). */
export function withoutManagedFields(obj: KubeObject): KubeObject {
  if (obj.metadata?.managedFields === undefined) return obj;
  const { managedFields: _, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/** A client's watch as the hub dispatches to it. */
export interface HubWatcher {
  id: string;
  namespace?: string;
  filter: ObjectFilter;
  /** Events at or below this revision were already seen (the list it follows). */
  fromRevision: number;
  /** Send objects without `metadata.managedFields`. */
  omitManagedFields?: boolean;
  /** Receives a batch of events; returns false when the watcher is gone. */
  send(events: WatchEvent[]): boolean;
  /** Told when the hub drops the watcher (store failure); undefined error = normal end. */
  close(err?: Error): void;
}

/** Options of a {@link WatchHub}. */
export interface WatchHubOptions {
  /** Events kept for watches that start in the past (default 20 000). */
  windowSize?: number;
  /** Field whose exact-match selectors are indexed (pods: `spec.nodeName`). */
  indexField?: string;
  /** Reads the indexed field of an object. */
  indexValue?: (obj: KubeObject) => string | undefined;
}

/** The fan-out point for one resource. */
export class WatchHub {
  readonly prefix: string;
  #store: Store;
  #watch?: StoreWatch;
  /** The window is `#window` from `#head` on; dropped events are cut off in chunks, not one by one. */
  #window: HubEvent[] = [];
  #head = 0;
  #windowSize: number;
  /** Events with revision > windowStart are all in the window. */
  #windowStart = 0;
  revision = 0;
  #all = new Set<HubWatcher>();
  #byIndex = new Map<string, Set<HubWatcher>>();
  #indexOf = new Map<HubWatcher, string>();
  #indexField?: string;
  #indexValue?: (obj: KubeObject) => string | undefined;

  constructor(store: Store, prefix: string, options: WatchHubOptions = {}) {
    this.#store = store;
    this.prefix = prefix;
    this.#windowSize = options.windowSize ?? 20_000;
    this.#indexField = options.indexField;
    this.#indexValue = options.indexValue;
  }

  /** Starts following the store from its current revision. */
  async start(): Promise<void> {
    const rev = await this.#store.revision();
    this.revision = rev;
    this.#windowStart = rev;
    this.#watch = this.#store.watch(this.prefix, { prefix: true, startRevision: rev + 1 }, (evs) => this.#onEvents(evs), (err) => this.#fail(err));
  }

  /** Number of client watches. */
  get size(): number {
    return this.#all.size + [...this.#byIndex.values()].reduce((n, s) => n + s.size, 0);
  }

  /**
   * Adds a watcher that has seen everything up to `fromRevision`: events of
   * the window after it are replayed first. Too old for the window → Expired.
   */
  add(w: HubWatcher): void {
    if (w.fromRevision < this.#windowStart) {
      throw expired(`too old resource version: ${w.fromRevision} (${this.#windowStart})`);
    }
    if (w.fromRevision < this.revision) {
      const replay: WatchEvent[] = [];
      for (let i = this.#head; i < this.#window.length; i++) {
        const e = this.#window[i];
        if (e.rev > w.fromRevision) this.#match(w, e, replay);
      }
      if (replay.length) w.send(replay);
    }
    const key = this.#indexField && w.filter.fields ? exactFieldValue(w.filter.fields, this.#indexField) : undefined;
    if (key !== undefined) {
      let set = this.#byIndex.get(key);
      if (!set) this.#byIndex.set(key, (set = new Set()));
      set.add(w);
      this.#indexOf.set(w, key);
    } else this.#all.add(w);
  }

  /** Removes a watcher (no close message). */
  remove(w: HubWatcher): void {
    this.#all.delete(w);
    const key = this.#indexOf.get(w);
    if (key !== undefined) {
      this.#byIndex.get(key)?.delete(w);
      if (this.#byIndex.get(key)?.size === 0) this.#byIndex.delete(key);
      this.#indexOf.delete(w);
    }
  }

  /** Every watcher, for bookmarks. */
  watchers(): HubWatcher[] {
    const out = [...this.#all];
    for (const s of this.#byIndex.values()) out.push(...s);
    return out;
  }

  /** Stops the store watch and ends every client watch. */
  stop(): void {
    this.#watch?.cancel();
    for (const w of this.watchers()) w.close();
    this.#all.clear();
    this.#byIndex.clear();
  }

  #onEvents(evs: StoreEvent[]): void {
    const batches = new Map<HubWatcher, WatchEvent[]>();
    for (const se of evs) {
      const deleted = se.type === "delete";
      const e: HubEvent = {
        rev: se.kv.modRevision,
        obj: withRV(se.kv),
        prev: se.prevKv?.value as KubeObject | undefined,
        deleted,
      };
      this.revision = e.rev;
      this.#window.push(e);
      for (const w of this.#candidates(e)) {
        if (e.rev <= w.fromRevision) continue;
        let out = batches.get(w);
        if (!out) batches.set(w, (out = []));
        this.#match(w, e, out);
      }
    }
    const over = this.#window.length - this.#head - this.#windowSize;
    if (over > 0) {
      this.#head += over;
      this.#windowStart = this.#window[this.#head - 1].rev;
      if (this.#head >= Math.min(1024, this.#windowSize)) {
        this.#window.splice(0, this.#head);
        this.#head = 0;
      }
    }
    for (const [w, events] of batches) {
      if (events.length && !w.send(events)) this.remove(w);
    }
  }

  *#candidates(e: HubEvent): Iterable<HubWatcher> {
    yield* this.#all;
    if (this.#byIndex.size === 0 || !this.#indexValue) return;
    const a = this.#indexValue(e.obj) ?? "";
    const b = e.prev ? (this.#indexValue(e.prev) ?? "") : a;
    const sa = this.#byIndex.get(a);
    if (sa) yield* sa;
    if (b !== a) {
      const sb = this.#byIndex.get(b);
      if (sb) yield* sb;
    }
  }

  // Kubernetes' filtered watch: entering the selection is ADDED, leaving it DELETED.
  #match(w: HubWatcher, e: HubEvent, out: WatchEvent[]): void {
    if (w.namespace && e.obj.metadata.namespace !== w.namespace) return;
    let type: WatchEvent["type"];
    if (e.deleted) {
      if (!w.filter.matches(e.obj)) return;
      type = "DELETED";
    } else {
      const now = w.filter.matches(e.obj);
      const before = e.prev !== undefined && w.filter.matches(e.prev);
      if (now) type = before ? "MODIFIED" : "ADDED";
      else if (before) type = "DELETED";
      else return;
    }
    out.push({ type, object: w.omitManagedFields ? (e.lean ??= withoutManagedFields(e.obj)) : e.obj });
  }

  #fail(err: Error): void {
    for (const w of this.watchers()) w.close(err);
    this.#all.clear();
    this.#byIndex.clear();
    // Follow again from now; clients relist after the error.
    void this.start().catch(() => {});
  }
}
