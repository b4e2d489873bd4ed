/**
 * The durable store for `--data-dir`: a {@link MemoryStore} for every read,
 * txn and watch, plus a write-ahead log of its commits and periodic
 * snapshots. On open, the snapshot is loaded and the log replayed.
 *
 * Files in the data directory: `wal.log` (one JSON line per commit or
 * compaction since the last snapshot) and `snapshot.jsonl` (the live keys at
 * one revision). A snapshot is written beside the old one and renamed over
 * it; only then is the log cut back to empty, so a crash at any point
 * leaves a snapshot plus a log that replays onto it.
 *
 * Nothing is reported before it is durable: a txn resolves, a read returns
 * and a watch event is delivered only once every log record it may depend
 * on has been written (and, under the default policy, fsynced). Commits that
 * arrive while the log is busy are written together (group commit). If the
 * disk fails, the store stops: every call and watch fails with
 * `StoreUnavailable` and reopening replays what reached the disk, as etcd
 * stops on a WAL write error.
 *
 * History after reopening starts at the last snapshot: reads below its
 * revision and watches starting at or below it fail with `Compacted`, as
 * after a compaction there (clients relist). One process per directory.
 */
import { join } from "node:path";
import { realClock, type Clock, type TimerId } from "../../../runtime/clock.ts";
import type { Commit } from "./commit.ts";
import { DurabilityGate } from "./durability-gate.ts";
import { unavailableError } from "./errors.ts";
import { MemoryStore } from "./memory.ts";
import type { KeyValue, RangeOptions, RangeResult, Store, StoreEvent, StoreWatch, TxnRequest, TxnResult, WatchOptions } from "./store.ts";
import { reportWatchError } from "./watch-hub.ts";
import { nodeWalFiles, type AppendFile, type WalFiles } from "./wal-files.ts";
import { encodeCommit, encodeCompaction, snapshotLines } from "./wal-format.ts";
import { loadSnapshot, replayLog } from "./wal-replay.ts";

/** Options of {@link WalStore.open}. */
export interface WalStoreOptions {
  /**
   * When log writes reach stable storage. "always" (default): fsync before
   * acknowledging, once per group of commits — survives power loss.
   * "interval": acknowledge once written to the OS and fsync every
   * `fsyncIntervalMs` — survives a process crash, may lose that window on
   * power loss. "never": leave flushing to the OS (tests, throwaway clusters).
   */
  fsync?: "always" | "interval" | "never";
  /** The "interval" policy's period. Default 100 ms. */
  fsyncIntervalMs?: number;
  /** Log records after which a snapshot is taken and the log emptied. Default 10_000. */
  snapshotEvery?: number;
  /** Passed to the in-memory index ({@link MemoryStore}); default 100_000 events. */
  historyLimit?: number;
  /** The file system; default `node:fs/promises`. */
  files?: WalFiles;
  /** Times the "interval" fsync; default the real clock. */
  clock?: Clock;
  /** Where recoverable problems are reported (a torn log tail, a failed snapshot). Default: console.warn. */
  warn?: (message: string) => void;
}

/** The log file's name inside the data directory. */
export const walFileName = "wal.log";
/** The snapshot file's name inside the data directory. */
export const snapshotFileName = "snapshot.jsonl";

interface Pending {
  seq: number;
  line: string;
}

/** The etcd-shaped store, durable in a data directory. */
export class WalStore implements Store {
  /** The data directory. */
  readonly dir: string;
  readonly #memory: MemoryStore;
  readonly #log: AppendFile;
  readonly #files: WalFiles;
  readonly #policy: "always" | "interval" | "never";
  readonly #intervalMs: number;
  readonly #snapshotEvery: number;
  readonly #clock: Clock;
  readonly #warn: (message: string) => void;
  readonly #gate = new DurabilityGate();
  #pending: Pending[] = [];
  #lastSeq = 0;
  #logRecords: number;
  #io: Promise<unknown> = Promise.resolve();
  #flushQueued = false;
  #syncTimer?: TimerId;
  #failure?: Error;
  #closing?: Promise<void>;

  /** Use {@link WalStore.open}. */
  private constructor(dir: string, memory: MemoryStore, log: AppendFile, logRecords: number, options: WalStoreOptions) {
    this.dir = dir;
    this.#memory = memory;
    this.#log = log;
    this.#logRecords = logRecords;
    this.#files = options.files ?? nodeWalFiles;
    this.#policy = options.fsync ?? "always";
    this.#intervalMs = options.fsyncIntervalMs ?? 100;
    this.#snapshotEvery = Math.max(1, options.snapshotEvery ?? 10_000);
    this.#clock = options.clock ?? realClock;
    this.#warn = options.warn ?? ((message) => console.warn(`[store/wal] ${message}`));
  }

  /** Opens (creating if needed) the store in `dir`: loads the snapshot, replays the log. */
  static async open(dir: string, options: WalStoreOptions = {}): Promise<WalStore> {
    const files = options.files ?? nodeWalFiles;
    const warn = options.warn ?? ((message: string) => console.warn(`[store/wal] ${message}`));
    let sink: ((commit: Commit) => void) | undefined;
    const memory = new MemoryStore({ historyLimit: options.historyLimit, onCommit: (commit) => sink?.(commit) });
    const snapshotPath = join(dir, snapshotFileName);
    const logPath = join(dir, walFileName);
    let log: AppendFile | undefined;
    try {
      await files.mkdirp(dir);
      // A leftover temporary snapshot is from a crash mid-write; the renamed one is authoritative.
      await files.remove(`${snapshotPath}.tmp`);
      const snapshot = await files.read(snapshotPath);
      if (snapshot) loadSnapshot(memory, snapshot, snapshotPath);
      const bytes = await files.read(logPath);
      const replay = bytes ? await replayLog(memory, bytes, logPath, warn) : { records: 0 };
      log = await files.openAppend(logPath);
      if (replay.truncateTo !== undefined) {
        await log.truncate(replay.truncateTo);
        await log.sync();
      }
      const store = new WalStore(dir, memory, log, replay.records, options);
      sink = (commit) => store.#enqueue(encodeCommit(commit));
      return store;
    } catch (err) {
      await log?.close().catch(() => {});
      await memory.close();
      if ((err as { code?: unknown }).code === "StoreUnavailable") throw err;
      throw unavailableError(`cannot open the store in ${dir}: ${(err as Error).message}`, err);
    }
  }

  async revision(): Promise<number> {
    this.#check();
    const rev = this.#memory.currentRevision;
    await this.#durable();
    return rev;
  }

  async compactedRevision(): Promise<number> {
    this.#check();
    const rev = this.#memory.currentCompactedRevision;
    await this.#durable();
    return rev;
  }

  async get<V = unknown>(key: string): Promise<KeyValue<V> | undefined> {
    this.#check();
    const read = this.#memory.get<V>(key);
    await this.#durable();
    return read;
  }

  async range<V = unknown>(key: string, options?: RangeOptions): Promise<RangeResult<V>> {
    this.#check();
    const read = this.#memory.range<V>(key, options);
    await this.#durable();
    return read;
  }

  async txn(request: TxnRequest): Promise<TxnResult> {
    this.#check();
    const applied = this.#memory.txn(request);
    const seq = this.#lastSeq;
    const result = await applied;
    await this.#gate.wait(seq);
    return result;
  }

  watch(key: string, options: WatchOptions, onEvents: (events: StoreEvent[]) => void, onError?: (err: Error) => void): StoreWatch {
    let ended = false;
    let waiting = 0;
    let chain: Promise<void> = Promise.resolve();
    const end = (err: Error) => {
      if (ended) return;
      ended = true;
      inner.cancel();
      reportWatchError(onError, this.#failure ?? err);
    };
    const deliver = (events: StoreEvent[]) => {
      if (ended) return;
      try {
        onEvents(events);
      } catch (err) {
        end(err instanceof Error ? err : new Error(String(err)));
      }
    };
    // Events wait for the log like replies do; batches queue behind each other to stay in order.
    const inner = this.#memory.watch(key, options, (events) => {
      const seq = this.#lastSeq;
      if (waiting === 0 && this.#gate.isDurable(seq)) return deliver(events);
      waiting++;
      chain = chain
        .then(() => this.#gate.wait(seq))
        .then(() => {
          waiting--;
          deliver(events);
        }, end);
    }, end);
    return { cancel: () => ((ended = true), inner.cancel()) };
  }

  async compact(revision: number): Promise<void> {
    this.#check();
    await this.#memory.compact(revision);
    this.#enqueue(encodeCompaction(revision));
    await this.#gate.wait(this.#lastSeq);
  }

  /** Takes a snapshot now and empties the log (normally done every `snapshotEvery` records). */
  async snapshot(): Promise<void> {
    this.#check();
    await this.#serial(async () => {
      await this.#flush();
      if (this.#failure) throw this.#failure;
      await this.#writeSnapshot().catch((err) => {
        throw unavailableError(`snapshot in ${this.dir} failed (the log still holds everything): ${(err as Error).message}`, err);
      });
    });
  }

  /** Writes out and syncs everything pending, then closes the files and ends all watches. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#syncTimer) this.#clock.clearTimeout(this.#syncTimer);
      await this.#serial(async () => {
        await this.#flush();
        if (!this.#failure && this.#policy !== "never") await this.#log.sync().catch((err) => this.#fail(err));
      });
      await this.#log.close().catch(() => {});
      await this.#memory.close();
    })();
    return this.#closing;
  }

  #enqueue(line: string): void {
    this.#pending.push({ seq: ++this.#lastSeq, line });
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    void this.#serial(() => this.#flush());
  }

  /** Runs file work one step at a time; everything queued meanwhile forms the next group commit. */
  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#io.then(work);
    this.#io = run.catch(() => {});
    return run;
  }

  async #flush(): Promise<void> {
    this.#flushQueued = false;
    if (this.#failure || this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    let data = "";
    for (const p of batch) data += p.line;
    try {
      await this.#log.append(data);
      if (this.#policy === "always") await this.#log.sync();
    } catch (err) {
      this.#fail(err);
      return;
    }
    this.#logRecords += batch.length;
    this.#gate.advance(batch[batch.length - 1].seq);
    if (this.#policy === "interval") this.#armSync();
    if (this.#logRecords >= this.#snapshotEvery) {
      await this.#writeSnapshot().catch((err) => {
        this.#logRecords = 0; // retry after another full interval rather than on every write
        this.#warn(`snapshot failed, the log keeps growing: ${(err as Error).message}`);
      });
    }
  }

  async #writeSnapshot(): Promise<void> {
    // Captured synchronously: the state includes every record queued so far, so those are covered by it.
    const state = this.#memory.state();
    const seq = this.#lastSeq;
    await this.#files.writeAtomic(join(this.dir, snapshotFileName), snapshotLines(state));
    this.#pending = this.#pending.filter((p) => p.seq > seq);
    this.#gate.advance(seq);
    try {
      await this.#log.truncate(0);
      this.#logRecords = 0;
    } catch (err) {
      // Harmless: replay skips records the snapshot covers. Appends continue after them.
      this.#warn(`could not empty the log after a snapshot: ${(err as Error).message}`);
    }
  }

  #armSync(): void {
    if (this.#syncTimer) return;
    this.#syncTimer = this.#clock.setTimeout(() => {
      this.#syncTimer = undefined;
      void this.#serial(() => (this.#failure ? Promise.resolve() : this.#log.sync().catch((err) => this.#fail(err))));
    }, this.#intervalMs);
  }

  #fail(err: unknown): void {
    if (this.#failure) return;
    this.#failure = unavailableError(`write-ahead log in ${this.dir} failed: ${(err as Error)?.message ?? err}`, err);
    this.#pending = [];
    this.#warn(this.#failure.message);
    this.#gate.fail(this.#failure);
    // Watches end now (with the disk error) instead of waiting for an event that never comes.
    void this.#memory.close();
  }

  #durable(): Promise<void> {
    return this.#gate.wait(this.#lastSeq);
  }

  #check(): void {
    if (this.#failure) throw this.#failure;
    if (this.#closing) throw unavailableError("store is closed");
  }
}
