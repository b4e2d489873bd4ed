/**
 * Kubernetes' UIDTrackingControllerExpectations: per controller key, how
 * many creations and deletions the controller has asked for and not yet seen
 * in its informer cache. While any are outstanding the controller must not
 * act on the cache (it would count pods it already created as missing, and
 * create them again). Expectations are satisfied when both counts reach zero
 * or when they are older than the timeout (default 5 minutes), so a lost
 * watch event cannot stall a controller for good.
 */
import type { Clock } from "../../runtime/clock.ts";

/** Kubernetes' `ExpectationsTimeout`. */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;

interface Record {
  add: number;
  del: number;
  at: number;
  /** Keys of the objects whose deletion is expected, so one deletion is counted once. */
  deleting: Set<string>;
}

/** Outstanding creations and deletions per controller key. */
export class Expectations {
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #records = new Map<string, Record>();

  constructor(clock: Clock, timeoutMs = EXPECTATIONS_TIMEOUT_MS) {
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
  }

  /** True when the controller may act: nothing outstanding, expired, or never set. */
  satisfied(key: string): boolean {
    const r = this.#records.get(key);
    if (!r) return true;
    if (r.add <= 0 && r.del <= 0) return true;
    return this.#clock.now() - r.at > this.#timeoutMs;
  }

  /** Expects `n` creations (replacing whatever was expected). */
  expectCreations(key: string, n: number): void {
    this.#records.set(key, { add: n, del: 0, at: this.#clock.now(), deleting: new Set() });
  }

  /** Expects the deletion of the objects with these keys (replacing whatever was expected). */
  expectDeletions(key: string, objectKeys: string[]): void {
    this.#records.set(key, { add: 0, del: objectKeys.length, at: this.#clock.now(), deleting: new Set(objectKeys) });
  }

  /** One creation was seen (or will never happen). */
  creationObserved(key: string): void {
    const r = this.#records.get(key);
    if (r) r.add--;
  }

  /** The deletion of `objectKey` was seen (or will never happen); counted once per object. */
  deletionObserved(key: string, objectKey: string): void {
    const r = this.#records.get(key);
    if (r && r.deleting.delete(objectKey)) r.del--;
  }

  /** Forgets `key` (its controller was deleted). */
  delete(key: string): void {
    this.#records.delete(key);
  }

  /** Outstanding counts of `key`, for tests and stats. */
  get(key: string): { add: number; del: number } | undefined {
    const r = this.#records.get(key);
    return r && { add: r.add, del: r.del };
  }

  /** Number of controller keys with a record. */
  get size(): number {
    return this.#records.size;
  }
}
