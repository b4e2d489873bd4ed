/**
 * The wire between two threads: one MessagePort per pair of threads, and
 * every frame sent in one turn of the event loop goes out in one
 * `postMessage` as a flat array (no per-message envelope objects to clone).
 *
 * Frames, laid out one after another in the array:
 *   TELL  0, to, msg
 *   ASK   1, to, msg, replyId
 *   OK    2, replyId, value
 *   ERR   3, replyId, wireError
 *   DIR   4, entries            (address → system id; -1 removes)
 *   DOWN  5, systemId           (that thread is gone)
 */
import { platform, type PortLike } from "./platform/index.ts";
import { toWire } from "./errors.ts";

/** Frame tags. */
export const Frame = { Tell: 0, Ask: 1, Ok: 2, Err: 3, Dir: 4, Down: 5 } as const;

/** Slots each frame kind takes in a batch, tag included. */
export const frameWidth = [3, 4, 3, 3, 2, 2] as const;

// Flush early past this many slots, so one busy turn cannot build an unbounded batch.
const MAX_BATCH_SLOTS = 60_000;

/** Figures a link keeps. */
export interface LinkStats {
  batchesSent: number;
  framesSent: number;
  batchesReceived: number;
}

/** One side of the port to another thread. */
export class PeerLink {
  readonly peerId: number;
  readonly #port: PortLike;
  #out: unknown[] = [];
  #scheduled = false;
  #closed = false;
  readonly stats: LinkStats = { batchesSent: 0, framesSent: 0, batchesReceived: 0 };
  /** Called for frames that could not be cloned (the batch is retried frame by frame). */
  onUnsendable: (frame: unknown[], err: unknown) => void = () => {};

  constructor(peerId: number, port: PortLike, onBatch: (batch: unknown[], from: number) => void) {
    this.peerId = peerId;
    this.#port = port;
    platform.listen(port, (data) => {
      this.stats.batchesReceived++;
      onBatch(data as unknown[], peerId);
    });
  }

  /** Queues a frame of 2, 3 or 4 slots; it leaves with this turn's batch. */
  send(tag: number, a: unknown, b?: unknown, c?: unknown): void {
    if (this.#closed) return;
    const out = this.#out;
    out.push(tag, a);
    if (tag <= 3) out.push(b);
    if (tag === Frame.Ask) out.push(c);
    this.stats.framesSent++;
    if (out.length >= MAX_BATCH_SLOTS) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Sends what is queued now. */
  flush(): void {
    this.#scheduled = false;
    if (this.#out.length === 0 || this.#closed) return;
    const batch = this.#out;
    this.#out = [];
    try {
      this.#port.postMessage(batch);
      this.stats.batchesSent++;
    } catch {
      this.#sendOneByOne(batch);
    }
  }

  /** Stops sending; queued frames are dropped. */
  close(): void {
    this.#closed = true;
    this.#out = [];
    try {
      this.#port.close();
    } catch {
      // already closed
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  // A value that structured clone refuses (a function, say) must fail only its own frame.
  #sendOneByOne(batch: unknown[]): void {
    for (let i = 0; i < batch.length; ) {
      const width = frameWidth[batch[i] as number];
      const frame = batch.slice(i, i + width);
      i += width;
      try {
        this.#port.postMessage(frame);
        this.stats.batchesSent++;
      } catch (err) {
        if (frame[0] === Frame.Ok) {
          // The reply itself cannot cross: answer with the reason instead.
          this.#port.postMessage([Frame.Err, frame[1], toWire(err)]);
        } else {
          this.onUnsendable(frame, err);
        }
      }
    }
  }
}
