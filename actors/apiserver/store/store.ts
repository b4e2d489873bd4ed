/**
 * The etcd-shaped store interface every backend implements (in-memory,
 * write-ahead log on disk, real etcd): one cluster-wide revision that each
 * write increments, compare-and-swap transactions, range reads by prefix,
 * watch from a revision, compaction.
 *
 * Values are JSON-compatible objects. Ownership passes to the store on put and
 * values returned by reads are shared: callers must never mutate either.
 */

/** One key's current value and its revisions, as etcd's mvccpb.KeyValue. */
export interface KeyValue<V = unknown> {
  key: string;
  value: V;
  /** Revision of the write that created the key (since its last deletion). */
  createRevision: number;
  /** Revision of the key's last write. */
  modRevision: number;
  /** Writes to the key since creation, starting at 1. */
  version: number;
}

/**
 * A condition of a transaction. `version: 0` tests that a key does not
 * exist; `modRevision: n` is the optimistic-concurrency check.
 */
export interface Compare {
  key: string;
  target: "version" | "modRevision" | "createRevision";
  op: "=" | "!=" | "<" | ">";
  value: number;
}

/** One operation of a transaction branch. */
export type TxnOp =
  | { type: "put"; key: string; value: unknown }
  | { type: "delete"; key: string }
  | { type: "get"; key: string };

/** A transaction: if every compare holds, run `success`, else `failure`. */
export interface TxnRequest {
  compare: Compare[];
  success: TxnOp[];
  failure?: TxnOp[];
}

/** What a branch's op produced: the written, deleted (previous) or read kv. */
export type TxnOpResult = { kv?: KeyValue };

/** The outcome of a transaction. */
export interface TxnResult {
  succeeded: boolean;
  /** The store revision after the transaction (unchanged when nothing was written). */
  revision: number;
  results: TxnOpResult[];
}

/** Options of {@link Store.range}. */
export interface RangeOptions {
  /** Treat the key as a prefix (etcd's range_end = prefix + 1). */
  prefix?: boolean;
  /** At most this many kvs (0 or absent: no limit). */
  limit?: number;
  /** Start at this key (inclusive), for paging; must share the prefix. */
  startKey?: string;
  /**
   * Read as of this past revision; fails with `Compacted` below the compacted
   * revision (the compacted revision itself still reads, as in etcd) and with
   * `FutureRevision` above the current one. 0 or absent: the current revision.
   */
  revision?: number;
  /** Only count, return no kvs. */
  countOnly?: boolean;
}

/** The result of a range read. */
export interface RangeResult<V = unknown> {
  kvs: KeyValue<V>[];
  /** True when `limit` cut the result short. */
  more: boolean;
  /** How many keys match the key or prefix at that revision, before `startKey` and `limit` apply. */
  count: number;
  /**
   * How many matching keys after the returned ones `limit` cut off (what
   * Kubernetes reports as `remainingItemCount`); absent when the backend
   * cannot tell cheaply.
   */
  remaining?: number;
  /** The revision the read was served at. */
  revision: number;
}

/** A change, as etcd's watch reports it. */
export interface StoreEvent<V = unknown> {
  type: "put" | "delete";
  /**
   * For put: the new kv. For delete: the key with modRevision = the
   * deletion's revision, value = the last value, version and createRevision 0
   * (etcd's tombstone).
   */
  kv: KeyValue<V>;
  /** The kv before this change (absent for a create). */
  prevKv?: KeyValue<V>;
}

/** Options of {@link Store.watch}. */
export interface WatchOptions {
  prefix?: boolean;
  /**
   * Deliver every event with revision >= startRevision, then live events.
   * Absent or 0: only events after the current revision. At or below the
   * compacted revision the watch fails with a `Compacted` error (HTTP 410
   * upstream); compactedRevision + 1 is the oldest start allowed, as in etcd.
   */
  startRevision?: number;
}

/** A running watch. */
export interface StoreWatch {
  cancel(): void;
}

/** The store's error codes, carried by `ActorError.code`. */
export const StoreCodes = {
  /** The requested revision was compacted away. */
  Compacted: "Compacted",
  /** The requested revision is in the future. */
  FutureRevision: "FutureRevision",
  /** The backend failed (disk, network). */
  Unavailable: "StoreUnavailable",
} as const;

/** The interface every store backend implements. */
export interface Store {
  /** The current revision (0 for an empty, never-written store). */
  revision(): Promise<number>;
  /** The latest revision compacted away (0 when nothing was). */
  compactedRevision(): Promise<number>;
  /** One key, or undefined. */
  get<V = unknown>(key: string): Promise<KeyValue<V> | undefined>;
  /** Keys in order, one key or all under a prefix, optionally at a past revision. */
  range<V = unknown>(key: string, options?: RangeOptions): Promise<RangeResult<V>>;
  /** Atomic compare-and-swap: compares, then one branch, one new revision if anything was written. */
  txn(request: TxnRequest): Promise<TxnResult>;
  /**
   * Streams changes to `onEvents` in revision order, without gaps or
   * duplicates, batched as the backend sees fit. `onError` is called once if
   * the watch fails (e.g. the start revision was compacted) and the watch ends.
   */
  watch(key: string, options: WatchOptions, onEvents: (events: StoreEvent[]) => void, onError?: (err: Error) => void): StoreWatch;
  /**
   * Forgets history below `revision`: reads below it and watches starting at
   * or below it fail with `Compacted` (the state at `revision` itself stays
   * readable). Compacting at or below the compacted revision fails with
   * `Compacted`, above the current one with `FutureRevision`, as in etcd.
   */
  compact(revision: number): Promise<void>;
  /** Releases files, connections and watches. */
  close(): Promise<void>;
}
