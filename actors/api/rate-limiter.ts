/**
 * Retry rate limiters, as client-go's workqueue has them: a per-key
 * exponential backoff, an overall token bucket, and the max of several.
 * Delays are milliseconds; time comes from an injected `Clock`.
 */
import { type Clock, realClock } from "../../runtime/clock.ts";

/** Decides how long a key waits before its next retry. */
export interface RateLimiter<K> {
  /** The delay (ms) before retrying `key`; counts one more failure of it. */
  when(key: K): number;
  /** Stops tracking `key`: its next failure starts from the base delay again. */
  forget(key: K): void;
  /** How many failures of `key` are being counted. */
  numRequeues(key: K): number;
}

/** `baseDelayMs * 2^failures`, capped at `maxDelayMs`, per key. */
export class ItemExponentialFailureRateLimiter<K> implements RateLimiter<K> {
  readonly #failures = new Map<K, number>();
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;

  /** Throws a `RangeError` unless `0 <= baseDelayMs <= maxDelayMs` and both are finite. */
  constructor(baseDelayMs: number, maxDelayMs: number) {
    if (!(baseDelayMs >= 0) || !(maxDelayMs >= baseDelayMs) || !Number.isFinite(maxDelayMs)) {
      throw new RangeError(`backoff needs 0 <= baseDelayMs <= maxDelayMs < Infinity, got ${baseDelayMs} and ${maxDelayMs}`);
    }
    this.#baseDelayMs = baseDelayMs;
    this.#maxDelayMs = maxDelayMs;
  }

  when(key: K): number {
    const exp = this.#failures.get(key) ?? 0;
    this.#failures.set(key, exp + 1);
    // 2^exp overflows to Infinity long before exp does; the cap absorbs it.
    return Math.min(this.#baseDelayMs * 2 ** exp, this.#maxDelayMs);
  }

  forget(key: K): void {
    this.#failures.delete(key);
  }

  numRequeues(key: K): number {
    return this.#failures.get(key) ?? 0;
  }
}

/**
 * A token bucket shared by all keys (golang.org/x/time/rate semantics): it
 * starts full with `burst` tokens and refills at `qps`; every `when` takes a
 * token, and when none is left the caller waits for one to be earned.
 */
export class BucketRateLimiter<K> implements RateLimiter<K> {
  readonly #qps: number;
  readonly #burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #last: number;

  /** Throws a `RangeError` unless `qps > 0` (Infinity disables limiting) and `burst >= 1`. */
  constructor(qps: number, burst: number, clock: Clock = realClock) {
    if (!(qps > 0) || !(burst >= 1)) throw new RangeError(`token bucket needs qps > 0 and burst >= 1, got ${qps} and ${burst}`);
    this.#qps = qps;
    this.#burst = burst;
    this.#clock = clock;
    this.#tokens = burst;
    this.#last = clock.now();
  }

  when(_key: K): number {
    if (this.#qps === Infinity) return 0;
    const now = Math.max(this.#clock.now(), this.#last);
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#qps);
    this.#last = now;
    // Tokens may go negative: that is a reservation of tokens not yet earned.
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.#qps) * 1000;
  }

  forget(_key: K): void {}

  numRequeues(_key: K): number {
    return 0;
  }
}

/** The longest delay any of its limiters asks for. */
export class MaxOfRateLimiter<K> implements RateLimiter<K> {
  readonly #limiters: readonly RateLimiter<K>[];

  /** Combines `limiters`; every one of them is consulted on every call. */
  constructor(...limiters: RateLimiter<K>[]) {
    this.#limiters = limiters;
  }

  when(key: K): number {
    let max = 0;
    for (const l of this.#limiters) max = Math.max(max, l.when(key));
    return max;
  }

  forget(key: K): void {
    for (const l of this.#limiters) l.forget(key);
  }

  numRequeues(key: K): number {
    let max = 0;
    for (const l of this.#limiters) max = Math.max(max, l.numRequeues(key));
    return max;
  }
}

/** Settings of {@link defaultControllerRateLimiter}; each default is client-go's. */
export interface ControllerRateLimiterOptions {
  /** First retry delay of a key, doubled on each further failure. Default 5 ms. */
  baseDelayMs?: number;
  /** Longest per-key delay. Default 1,000,000 ms (1000 s). */
  maxDelayMs?: number;
  /** Overall retry rate across all keys. Default 10 per second. */
  qps?: number;
  /** Retries allowed at once before `qps` applies. Default 100. */
  burst?: number;
  /** Time source for the token bucket. Default the real clock. */
  clock?: Clock;
}

/** client-go's `DefaultControllerRateLimiter`: per-key exponential backoff, max'ed with a shared token bucket. */
export function defaultControllerRateLimiter<K>(options: ControllerRateLimiterOptions = {}): RateLimiter<K> {
  const { baseDelayMs = 5, maxDelayMs = 1_000_000, qps = 10, burst = 100, clock = realClock } = options;
  return new MaxOfRateLimiter<K>(
    new ItemExponentialFailureRateLimiter<K>(baseDelayMs, maxDelayMs),
    new BucketRateLimiter<K>(qps, burst, clock),
  );
}
