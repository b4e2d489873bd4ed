/**
 * The in-memory MVCC store, the embedded default and the index under the
 * write-ahead-log backend. Semantics follow etcd's mvcc package: one revision
 * per write transaction, per-key history kept until compaction, tombstones
 * for deletions, watches replayed from the retained event history.
 *
 * Values are stored and returned by reference, never cloned: whoever passes
 * a value to `txn` hands it over, and whatever a read or watch returns is
 * shared with every other reader, so nobody may mutate either.
 *
 * All work happens synchronously inside each call; the methods return
 * promises only to match {@link Store}. That makes each call atomic, and a
 * caller that needs "state as of this call" (the WAL backend) gets it.
 */
import { compactedError, futureRevisionError, unavailableError, badRequestError } from "./errors.ts";
import { EventLog } from "./event-log.ts";
import { appendVersion, latest, pruneThrough, visibleAt, type KeyRecord } from "./key-history.ts";
import { SortedKeys, prefixEnd } from "./sorted-keys.ts";
import { validateTxn, holds } from "./txn-check.ts";
import { WatchHub, reportWatchError, watchMatches } from "./watch-hub.ts";
import type { Commit, StoreState, Write } from "./commit.ts";
import type {
  KeyValue,
  RangeOptions,
  RangeResult,
  Store,
  StoreEvent,
  StoreWatch,
  TxnOpResult,
  TxnRequest,
  TxnResult,
  WatchOptions,
} from "./store.ts";

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Most events kept for watch replay and past-revision reads. When a commit
   * pushes the history past it, the oldest whole revisions are compacted
   * away at once, exactly as `compact` would (watches and reads from there
   * get `Compacted`). Default 100_000; `Infinity` keeps everything until
   * an explicit `compact`.
   */
  historyLimit?: number;
  /**
   * Called synchronously with each commit's writes, before any watcher hears
   * of it; the write-ahead log hooks in here. Not called by {@link MemoryStore.apply}.
   */
  onCommit?: (commit: Commit) => void;
}

/** An etcd-shaped store held entirely in memory. */
export class MemoryStore implements Store {
  #rev = 0;
  #compacted = 0;
  #closed = false;
  #index = new SortedKeys<KeyRecord>();
  #records = new Map<string, KeyRecord>();
  #events = new EventLog();
  #hub = new WatchHub();
  readonly #historyLimit: number;
  readonly #onCommit?: (commit: Commit) => void;

  constructor(options: MemoryStoreOptions = {}) {
    const limit = options.historyLimit ?? 100_000;
    if (!(limit >= 1)) throw new RangeError(`historyLimit must be at least 1, got ${limit}`);
    this.#historyLimit = limit;
    this.#onCommit = options.onCommit;
  }

  /** The current revision, read synchronously. */
  get currentRevision(): number {
    return this.#rev;
  }

  /** The compacted revision, read synchronously. */
  get currentCompactedRevision(): number {
    return this.#compacted;
  }

  /** Keys with retained history, live or deleted (deleted ones leave at compaction). */
  get indexedKeys(): number {
    return this.#index.size;
  }

  /** Events retained for replay. */
  get retainedEvents(): number {
    return this.#events.length;
  }

  async revision(): Promise<number> {
    this.#check();
    return this.#rev;
  }

  async compactedRevision(): Promise<number> {
    this.#check();
    return this.#compacted;
  }

  async get<V = unknown>(key: string): Promise<KeyValue<V> | undefined> {
    this.#check();
    return latest(this.#records.get(key)) as KeyValue<V> | undefined;
  }

  /**
   * Reads one key or a prefix. `count` counts every key under the prefix at
   * the read revision, before `startKey` and `limit` apply; `remaining`
   * counts the ones `limit` cut off. Revisions below the compacted one fail
   * with `Compacted`; the compacted revision itself still reads (as in etcd).
   */
  async range<V = unknown>(key: string, options: RangeOptions = {}): Promise<RangeResult<V>> {
    this.#check();
    const current = this.#rev;
    const rev = options.revision !== undefined && options.revision > 0 ? options.revision : current;
    if (rev > current) throw futureRevisionError(rev, current);
    if (rev < this.#compacted) throw compactedError(rev, this.#compacted);
    const kvs: KeyValue[] = [];
    if (!options.prefix) {
      const record = this.#records.get(key);
      const kv = record && visibleAt(record, rev);
      if (kv && !options.countOnly) kvs.push(kv);
      return { kvs: kvs as KeyValue<V>[], more: false, count: kv ? 1 : 0, revision: rev, remaining: 0 };
    }
    const limit = options.limit !== undefined && options.limit > 0 ? options.limit : Infinity;
    // Keys below startKey are only counted; most reads have none, so skip the compare then.
    const start = options.startKey !== undefined && options.startKey > key ? options.startKey : undefined;
    const countOnly = options.countOnly === true;
    let count = 0;
    let remaining = 0;
    const end = prefixEnd(key);
    this.#index.scan(key, (record) => {
      if (end === undefined ? !record.key.startsWith(key) : record.key >= end) return false;
      const kv = visibleAt(record, rev);
      if (kv === undefined) return true;
      count++;
      if (countOnly || (start !== undefined && record.key < start)) return true;
      if (kvs.length < limit) kvs.push(kv);
      else remaining++;
      return true;
    });
    return { kvs: kvs as KeyValue<V>[], more: remaining > 0, count, revision: rev, remaining };
  }

  /**
   * Runs a transaction atomically. Ops of a branch apply in order and see
   * each other (a `get` after a `put` of the same key reads the put). A
   * delete of an absent key writes nothing, so a branch that changes nothing
   * leaves the revision alone.
   */
  async txn(request: TxnRequest): Promise<TxnResult> {
    this.#check();
    validateTxn(request);
    const succeeded = request.compare.every((c) => holds(c, latest(this.#records.get(c.key))));
    const ops = succeeded ? request.success : (request.failure ?? []);
    const rev = this.#rev + 1;
    const results: TxnOpResult[] = [];
    const events: StoreEvent[] = [];
    const writes: Write[] = [];
    for (const op of ops) {
      if (op.type === "get") {
        const kv = latest(this.#records.get(op.key));
        results.push(kv ? { kv } : {});
      } else if (op.type === "put") {
        const event = this.#put(op.key, op.value, rev);
        events.push(event);
        writes.push({ type: "put", key: op.key, value: op.value });
        results.push({ kv: event.kv });
      } else {
        const event = this.#delete(op.key, rev);
        if (event) {
          events.push(event);
          writes.push({ type: "delete", key: op.key });
        }
        results.push(event ? { kv: event.prevKv } : {});
      }
    }
    if (events.length > 0) this.#commit(rev, events, writes, true);
    return { succeeded, revision: this.#rev, results };
  }

  watch(key: string, options: WatchOptions, onEvents: (events: StoreEvent[]) => void, onError?: (err: Error) => void): StoreWatch {
    const start = options.startRevision !== undefined && options.startRevision > 0 ? options.startRevision : 0;
    const failure = this.#closed
      ? unavailableError("store is closed")
      : start > 0 && start <= this.#compacted
        ? compactedError(start, this.#compacted)
        : undefined;
    if (failure) {
      // Reported asynchronously like every other watch outcome, unless cancelled first.
      let cancelled = false;
      queueMicrotask(() => cancelled || reportWatchError(onError, failure));
      return { cancel: () => void (cancelled = true) };
    }
    const target = { key, prefix: options.prefix === true };
    const replay: StoreEvent[] = [];
    if (start > 0) this.#events.from(start, (ev) => void (watchMatches(target, ev.kv.key) && replay.push(ev)));
    return this.#hub.add(target, start, replay, onEvents, onError);
  }

  /**
   * Forgets history below `revision` (the state at `revision` stays
   * readable; watches must start above it). Compacting at or below the
   * compacted revision fails with `Compacted`, past the current one with
   * `FutureRevision`, as in etcd.
   */
  async compact(revision: number): Promise<void> {
    this.#check();
    if (revision > this.#rev) throw futureRevisionError(revision, this.#rev);
    if (revision <= this.#compacted) throw compactedError(revision, this.#compacted);
    this.#compactThrough(revision);
  }

  /** Ends every watch with `StoreUnavailable` and refuses further calls. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#hub.failAll(unavailableError("store is closed"));
    this.#records = new Map();
    this.#index = new SortedKeys();
    this.#events = new EventLog();
  }

  /** The live contents now, synchronously (what a snapshot writes). */
  state(): StoreState {
    const kvs: KeyValue[] = [];
    this.#index.scan("", (record) => {
      const kv = latest(record);
      if (kv) kvs.push(kv);
      return true;
    });
    return { revision: this.#rev, kvs };
  }

  /** Loads a snapshot into a fresh store; history starts at its revision (compacted there). */
  restore(state: StoreState): void {
    if (this.#rev !== 0 || this.#records.size !== 0) throw new Error("MemoryStore.restore: the store is not empty");
    for (const kv of state.kvs) {
      if (!(kv.version >= 1 && kv.modRevision <= state.revision && kv.createRevision <= kv.modRevision)) {
        throw badRequestError(`snapshot entry for ${kv.key} is inconsistent with revision ${state.revision}`);
      }
      const record: KeyRecord = { key: kv.key, versions: [kv], last: kv };
      this.#records.set(kv.key, record);
      this.#index.insert(record);
    }
    this.#rev = state.revision;
    this.#compacted = state.revision;
  }

  /** Replays a recorded commit; it must be the next revision and every delete must hit a live key. */
  apply(commit: Commit): void {
    this.#check();
    const rev = this.#rev + 1;
    if (commit.revision !== rev) throw badRequestError(`commit has revision ${commit.revision}, expected ${rev}`);
    if (commit.writes.length === 0) throw badRequestError(`commit ${rev} has no writes`);
    // Check first, so a bad commit changes nothing.
    const live = new Map<string, boolean>();
    for (const w of commit.writes) {
      const exists = live.get(w.key) ?? latest(this.#records.get(w.key)) !== undefined;
      if (w.type === "delete" && !exists) throw badRequestError(`commit ${rev} deletes ${w.key}, which does not exist`);
      if (w.type !== "put" && w.type !== "delete") throw badRequestError(`commit ${rev} has a write of unknown type`);
      live.set(w.key, w.type === "put");
    }
    const events: StoreEvent[] = [];
    for (const w of commit.writes) {
      events.push(w.type === "put" ? this.#put(w.key, w.value, rev) : this.#delete(w.key, rev)!);
    }
    this.#commit(rev, events, commit.writes, false);
  }

  #put(key: string, value: unknown, rev: number): StoreEvent {
    let record = this.#records.get(key);
    const prev = latest(record);
    const kv: KeyValue = prev
      ? { key, value, createRevision: prev.createRevision, modRevision: rev, version: prev.version + 1 }
      : { key, value, createRevision: rev, modRevision: rev, version: 1 };
    if (record === undefined) {
      record = { key, versions: [], last: kv };
      this.#records.set(key, record);
      this.#index.insert(record);
    }
    appendVersion(record, kv);
    return prev ? { type: "put", kv, prevKv: prev } : { type: "put", kv };
  }

  #delete(key: string, rev: number): StoreEvent | undefined {
    const record = this.#records.get(key);
    const prev = latest(record);
    if (record === undefined || prev === undefined) return undefined;
    // The tombstone doubles as the delete event's kv: etcd's shape plus the last value.
    const tombstone: KeyValue = { key, value: prev.value, createRevision: 0, modRevision: rev, version: 0 };
    appendVersion(record, tombstone);
    return { type: "delete", kv: tombstone, prevKv: prev };
  }

  #commit(rev: number, events: StoreEvent[], writes: Write[], notify: boolean): void {
    this.#rev = rev;
    for (const ev of events) this.#events.push(ev);
    if (notify) this.#onCommit?.({ revision: rev, writes });
    this.#hub.publish(events);
    const excess = this.#events.length - this.#historyLimit;
    if (excess > 0) this.#compactThrough(this.#events.revisionAt(excess - 1));
  }

  #compactThrough(revision: number): void {
    // Every version at or below `revision` that compaction can drop was written by a retained event.
    this.#events.dropThrough(revision, (ev) => {
      const record = this.#records.get(ev.kv.key);
      if (record && !pruneThrough(record, revision)) {
        this.#records.delete(record.key);
        this.#index.remove(record.key);
      }
    });
    this.#compacted = revision;
  }

  #check(): void {
    if (this.#closed) throw unavailableError("store is closed");
  }
}
