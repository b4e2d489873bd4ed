/**
 * A bounded mailbox: messages are processed one at a time, to completion
 * (an async handler is awaited before the next message starts).
 *
 * Overflow: when `capacity` messages are waiting, a new message is refused.
 * A refused ask gets a `MailboxFull` error reply; a refused tell is dropped
 * and counted in `dropped`. Nothing already queued is ever discarded.
 */

/** One queued message and, for an ask, how to answer it. */
export interface Envelope {
  msg: unknown;
  reply?: (ok: boolean, value: unknown) => void;
  /** The message came from another thread (it is the receiver's own copy). */
  copied?: boolean;
}

/** Figures a mailbox keeps. */
export interface MailboxStats {
  depth: number;
  maxDepth: number;
  processed: number;
  dropped: number;
}

// Run for at most this long, then let the event loop breathe so I/O and
// other actors' turns are not starved. Time, not a count: a count smaller than
// one arriving batch would let the port deliver faster than we drain.
const RUN_BUDGET_MS = 8;
const CHECK_EVERY = 256;

/** The queue in front of one actor. */
export class Mailbox {
  readonly capacity: number;
  #queue: Envelope[] = [];
  #head = 0;
  #running = false;
  #closed = false;
  #process: (env: Envelope) => unknown;
  #yield: (fn: () => void) => void;
  processed = 0;
  dropped = 0;
  maxDepth = 0;

  constructor(process: (env: Envelope) => unknown, yieldFn: (fn: () => void) => void, capacity = 100_000) {
    this.#process = process;
    this.#yield = yieldFn;
    this.capacity = capacity;
  }

  /** Messages waiting. */
  get depth(): number {
    return this.#queue.length - this.#head;
  }

  /** Queues a message; false when the mailbox is full or closed (the caller answers/counts). */
  push(env: Envelope): boolean {
    if (this.#closed || this.depth >= this.capacity) {
      this.dropped++;
      return false;
    }
    this.#queue.push(env);
    const d = this.depth;
    if (d > this.maxDepth) this.maxDepth = d;
    if (!this.#running) {
      this.#running = true;
      queueMicrotask(() => this.#run());
    }
    return true;
  }

  /** Refuses further messages and returns those still queued (to be answered as stopped). */
  close(): Envelope[] {
    this.#closed = true;
    const rest = this.#queue.slice(this.#head);
    this.#queue = [];
    this.#head = 0;
    return rest;
  }

  /** A snapshot of the figures. */
  stats(): MailboxStats {
    return { depth: this.depth, maxDepth: this.maxDepth, processed: this.processed, dropped: this.dropped };
  }

  #run(): void {
    const deadline = performance.now() + RUN_BUDGET_MS;
    let n = 0;
    while (this.#head < this.#queue.length) {
      if (++n % CHECK_EVERY === 0 && performance.now() > deadline) {
        this.#yield(() => this.#run());
        return;
      }
      const env = this.#queue[this.#head];
      this.#queue[this.#head++] = undefined as unknown as Envelope;
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      this.processed++;
      const result = this.#process(env);
      if (result && typeof (result as Promise<unknown>).then === "function") {
        (result as Promise<unknown>).then(
          () => this.#run(),
          () => this.#run(),
        );
        return;
      }
    }
    this.#running = false;
  }
}
