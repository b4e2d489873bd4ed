/**
 * Time as a dependency. Components take a `Clock` so tests can run on
 * simulated time instead of sleeping.
 */

/** A cancel handle returned by {@link Clock.setTimeout}. */
export type TimerId = { readonly id: number };

/** The source of time and timers every actor uses. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Calls `fn` after `ms` milliseconds. Real timers do not keep a finished
   * process alive unless `keepAlive` is set (a pending restart must).
   */
  setTimeout(fn: () => void, ms: number, options?: { keepAlive?: boolean }): TimerId;
  /** Cancels a timer; cancelling a fired or cancelled timer does nothing. */
  clearTimeout(id: TimerId): void;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
}

/** The wall clock and the platform's timers. */
export const realClock: Clock = (() => {
  const handles = new Map<number, ReturnType<typeof setTimeout>>();
  let next = 1;
  return {
    now: () => Date.now(),
    setTimeout(fn, ms, options) {
      const id = next++;
      const h = setTimeout(() => {
        handles.delete(id);
        fn();
      }, ms);
      if (!options?.keepAlive) (h as { unref?: () => void }).unref?.();
      handles.set(id, h);
      return { id };
    },
    clearTimeout(t) {
      const h = handles.get(t.id);
      if (h !== undefined) {
        clearTimeout(h);
        handles.delete(t.id);
      }
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
})();

interface SimTimer {
  id: number;
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * Simulated time: nothing happens until `advance` or `runAll` moves the
 * clock. Timers fire in time order (ties in creation order), and timers
 * created while advancing fire in the same call if they fall due.
 */
export class SimulatedClock implements Clock {
  #now: number;
  #timers = new Map<number, SimTimer>();
  #next = 1;

  constructor(start = Date.parse("2026-01-01T00:00:00Z")) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    const id = this.#next++;
    this.#timers.set(id, { id, at: this.#now + Math.max(0, ms), seq: id, fn });
    return { id };
  }

  clearTimeout(t: TimerId): void {
    this.#timers.delete(t.id);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }

  /** Number of timers not yet fired. */
  get pending(): number {
    return this.#timers.size;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due, and lets
   * promise callbacks run between timers so awaiting code sees each step.
   */
  async advance(ms: number): Promise<void> {
    const until = this.#now + ms;
    for (;;) {
      await flushMicrotasks();
      const due = this.#earliest();
      if (!due || due.at > until) break;
      this.#timers.delete(due.id);
      this.#now = Math.max(this.#now, due.at);
      due.fn();
    }
    this.#now = until;
    await flushMicrotasks();
  }

  /** Fires timers until none are left (bounded, so a timer loop cannot spin forever). */
  async runAll(maxTimers = 100_000): Promise<void> {
    for (let i = 0; i < maxTimers; i++) {
      await flushMicrotasks();
      const due = this.#earliest();
      if (!due) return;
      this.#timers.delete(due.id);
      this.#now = Math.max(this.#now, due.at);
      due.fn();
    }
    throw new Error(`SimulatedClock.runAll: more than ${maxTimers} timers fired; a timer loop never ends`);
  }

  #earliest(): SimTimer | undefined {
    let best: SimTimer | undefined;
    for (const t of this.#timers.values()) {
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }
}

/** Lets queued promise callbacks run (several turns, since chains hop). */
async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}
