/**
 * client-go's rate-limited work queue. Keys are de-duplicated: a key added
 * while queued is queued once; a key added while being processed is queued
 * again only after `done(key)`, so no key is ever processed by two workers
 * at once. Controllers enqueue keys from watch handlers and reconcile them
 * in `runWorkers`.
 */
import { type Clock, type TimerId, realClock } from "../../runtime/clock.ts";
import { type RateLimiter, defaultControllerRateLimiter } from "./rate-limiter.ts";

/** Settings of a {@link WorkQueue}; the rate-limit defaults are client-go's `DefaultControllerRateLimiter`. */
export interface WorkQueueOptions<K> {
  /** Time source for `addAfter` and the rate limiter. Default the real clock. */
  clock?: Clock;
  /** First retry delay of a key, doubled on each further failure. Default 5 ms. */
  baseDelayMs?: number;
  /** Longest per-key retry delay. Default 1,000,000 ms (1000 s). */
  maxDelayMs?: number;
  /** Overall retry rate across all keys. Default 10 per second. */
  qps?: number;
  /** Retries allowed at once before `qps` applies. Default 100. */
  burst?: number;
  /** Replaces the default limiter; the four settings above are then ignored. */
  rateLimiter?: RateLimiter<K>;
}

/** A de-duplicating, delaying, rate-limited queue of keys (`undefined` is reserved for "shut down"). */
export class WorkQueue<K extends {} = string> {
  // A head index instead of Array#shift keeps `get` O(1) on long queues.
  #queue: K[] = [];
  #head = 0;
  readonly #dirty = new Set<K>();
  readonly #processing = new Set<K>();
  readonly #waiters: ((key: K | undefined) => void)[] = [];
  readonly #drainWaiters: (() => void)[] = [];
  readonly #delayed = new Map<K, { at: number; timer: TimerId }>();
  readonly #clock: Clock;
  readonly #limiter: RateLimiter<K>;
  #shuttingDown = false;

  /** Builds an empty queue; throws a `RangeError` for impossible rate-limit settings. */
  constructor(options: WorkQueueOptions<K> = {}) {
    this.#clock = options.clock ?? realClock;
    this.#limiter = options.rateLimiter ?? defaultControllerRateLimiter<K>({ ...options, clock: this.#clock });
  }

  /** Marks `key` as needing processing; ignored after shutdown. */
  add(key: K): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (this.#processing.has(key)) return;
    this.#queue.push(key);
    this.#dispatch();
  }

  /**
   * The next key to process, waiting for one if the queue is empty. Resolves
   * `undefined` once the queue is shut down and empty. Call `done(key)` after.
   */
  get(): Promise<K | undefined> {
    if (this.#head < this.#queue.length) return Promise.resolve(this.#take());
    if (this.#shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Ends processing of `key`; if it was added meanwhile, queues it again. Unknown keys are ignored. */
  done(key: K): void {
    if (!this.#processing.delete(key)) return;
    if (this.#dirty.has(key)) {
      this.#queue.push(key);
      this.#dispatch();
    } else if (this.#processing.size === 0) {
      for (const resolve of this.#drainWaiters.splice(0)) resolve();
    }
  }

  /**
   * Adds `key` after `ms` milliseconds (at once if `ms <= 0`). A key already
   * waiting keeps the earlier of its two times. Ignored after shutdown.
   */
  addAfter(key: K, ms: number): void {
    if (this.#shuttingDown) return;
    if (!(ms > 0)) {
      this.add(key);
      return;
    }
    const at = this.#clock.now() + ms;
    const waiting = this.#delayed.get(key);
    if (waiting) {
      if (waiting.at <= at) return;
      this.#clock.clearTimeout(waiting.timer);
    }
    const timer = this.#clock.setTimeout(() => {
      this.#delayed.delete(key);
      this.add(key);
    }, ms);
    this.#delayed.set(key, { at, timer });
  }

  /** Adds `key` when the rate limiter allows: exponential backoff per key, token bucket overall. */
  addRateLimited(key: K): void {
    if (this.#shuttingDown) return;
    this.addAfter(key, this.#limiter.when(key));
  }

  /** Resets `key`'s backoff; call it when the key was processed successfully. */
  forget(key: K): void {
    this.#limiter.forget(key);
  }

  /** How many times `key` has been rate-limited since it was last forgotten. */
  numRequeues(key: K): number {
    return this.#limiter.numRequeues(key);
  }

  /** Keys waiting to be handed out (not those in flight or delayed). */
  get len(): number {
    return this.#queue.length - this.#head;
  }

  /** Keys scheduled by `addAfter` / `addRateLimited` that are not due yet. */
  get delayed(): number {
    return this.#delayed.size;
  }

  /** Whether `shutDown` or `shutDownWithDrain` was called. */
  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /**
   * Stops accepting keys and drops delayed ones. Queued keys are still handed
   * out; waiting and later `get` calls resolve `undefined` once none are left.
   * Ends any `shutDownWithDrain` wait at once.
   */
  shutDown(): void {
    this.#stop();
    for (const resolve of this.#drainWaiters.splice(0)) resolve();
  }

  /**
   * Like `shutDown`, but resolves only when no key is in flight, i.e. every
   * key handed out has had its `done` (client-go's `ShutDownWithDrain`).
   * Workers must keep calling `done`, or this waits until `shutDown`.
   */
  shutDownWithDrain(): Promise<void> {
    this.#stop();
    if (this.#processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  #stop(): void {
    this.#shuttingDown = true;
    for (const { timer } of this.#delayed.values()) this.#clock.clearTimeout(timer);
    this.#delayed.clear();
    // Waiters exist only while the queue is empty, so they are all told "shut down".
    if (this.#head >= this.#queue.length) for (const resolve of this.#waiters.splice(0)) resolve(undefined);
  }

  #take(): K {
    const key = this.#queue[this.#head]!;
    this.#head++;
    if (this.#head >= 1024 && this.#head * 2 >= this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    this.#processing.add(key);
    this.#dirty.delete(key);
    return key;
  }

  #dispatch(): void {
    while (this.#waiters.length > 0 && this.#head < this.#queue.length) this.#waiters.shift()!(this.#take());
  }
}

/** Reports a failed sync: the error, the key, and how many times it has been requeued. */
export type SyncErrorHandler<K> = (err: unknown, key: K, requeues: number) => void;

/**
 * Runs `n` workers over `queue` until it shuts down: each takes a key, awaits
 * `sync(key)`, then `forget`s it on success, or `addRateLimited`s it and
 * reports on failure; `done` always follows. Resolves when every worker has
 * exited; throws a `RangeError` at once unless `n` is a positive integer.
 */
export function runWorkers<K extends {}>(
  queue: WorkQueue<K>,
  n: number,
  sync: (key: K) => Promise<void>,
  onError: SyncErrorHandler<K> = defaultReport,
): Promise<void> {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`runWorkers needs at least one worker, got ${n}`);
  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await sync(key);
        queue.forget(key);
      } catch (err) {
        queue.addRateLimited(key);
        try {
          onError(err, key, queue.numRequeues(key));
        } catch {
          // A failing reporter must not stop the worker or leak the key.
        }
      } finally {
        queue.done(key);
      }
    }
  };
  return Promise.all(Array.from({ length: n }, worker)).then(() => undefined);
}

function defaultReport(err: unknown, key: unknown, requeues: number): void {
  console.error(`workqueue: sync of ${String(key)} failed (requeue ${requeues}):`, err);
}
