/**
 * Holds callers back until the log records they depend on are on disk. Each
 * appended record gets a sequence number; `advance` marks everything up to a
 * number durable; `fail` rejects every waiter, present and future, once the
 * log can no longer be trusted.
 */

interface Waiter {
  seq: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** Waits on log sequence numbers becoming durable. */
export class DurabilityGate {
  #durable = 0;
  #waiters: Waiter[] = [];
  #failure?: Error;

  /** The highest durable sequence number. */
  get durable(): number {
    return this.#durable;
  }

  /** True when `seq` is durable and nothing failed (so no need to wait). */
  isDurable(seq: number): boolean {
    return this.#failure === undefined && seq <= this.#durable;
  }

  /** Resolves once `seq` is durable; rejects if the log fails first. */
  wait(seq: number): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (seq <= this.#durable) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiters.push({ seq, resolve, reject }));
  }

  /** Marks everything up to `seq` durable. */
  advance(seq: number): void {
    if (seq <= this.#durable || this.#failure) return;
    this.#durable = seq;
    const still: Waiter[] = [];
    for (const w of this.#waiters) {
      if (w.seq <= seq) w.resolve();
      else still.push(w);
    }
    this.#waiters = still;
  }

  /** Rejects every waiter with `err`, now and from now on. */
  fail(err: Error): void {
    if (this.#failure) return;
    this.#failure = err;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w.reject(err);
  }
}
