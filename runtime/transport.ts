/**
 * The wire between two threads: one MessagePort per pair of threads, and
 * every frame sent in one turn of the event loop goes out in one
 * `postMessage` as a flat array — no per-message envelope objects, and each
 * address crosses once, then as a small integer.
 *
 * Frames are sent after pending I/O, not at the end of the current task: a
 * thread that handles many messages in one turn of its event loop (the
 * apiserver answering a burst of writes, and telling every watcher of each)
 * sends each peer one batch for the whole turn rather than one per message.
 * Each `postMessage` costs a wake-up of the receiving thread, so under load
 * this halves the cost of a pod's trip through the cluster.
 *
 * Frames, laid out one after another in the array:
 *   TELL    addr, msg             (addr ≥ 0: an index into the link's address table)
 *   ASK     -1, addr, msg, replyId
 *   OK      -2, replyId, value
 *   ERR     -3, replyId, wireError
 *   DIR     -4, entries           (address → system id; -1 removes)
 *   DOWN    -5, systemId          (that thread is gone)
 *   DEFINE  -6, addr, address     (names an index for the frames after it)
 */
import { platform, type PortLike } from "./platform/index.ts";
import { toWire, type WireError } from "./errors.ts";

/** Frame tags (a non-negative first slot is a TELL). */
export const Frame = { Ask: -1, Ok: -2, Err: -3, Dir: -4, Down: -5, Define: -6 } as const;

// Flush early past this many slots, so one busy turn cannot build an unbounded batch.
const MAX_BATCH_SLOTS = 4_000;

/** What a link hands up to its actor system. */
export interface LinkReceiver {
  onTell(to: string, msg: unknown): void;
  onAsk(to: string, msg: unknown, replyId: number, link: PeerLink): void;
  onReply(replyId: number, ok: boolean, value: unknown): void;
  onDirectory(entries: [string, number][]): void;
  onDown(systemId: number): void;
  /** A batch that does not decode: the rest of it is dropped. */
  onMalformed(detail: string): void;
  /** A frame that structured clone refused (sent alone after its batch failed). */
  onUnsendable(kind: "tell" | "ask", replyId: number | undefined, to: string, err: unknown): void;
}

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
  readonly #receiver: LinkReceiver;
  #out: unknown[] = [];
  #scheduled = false;
  #closed = false;
  #outIds = new Map<string, number>();
  #inNames: string[] = [];
  readonly stats: LinkStats = { batchesSent: 0, framesSent: 0, batchesReceived: 0 };
  readonly #flushLater = (): void => this.flush();

  constructor(peerId: number, port: PortLike, receiver: LinkReceiver) {
    this.peerId = peerId;
    this.#port = port;
    this.#receiver = receiver;
    platform.listen(port, (data) => {
      this.stats.batchesReceived++;
      this.#decode(data);
    });
  }

  /** Queues a tell. */
  tell(to: string, msg: unknown): void {
    if (this.#closed) return;
    const out = this.#out;
    out.push(this.#addr(to), msg);
    this.#sent(out);
  }

  /** Queues an ask whose answer comes back as OK/ERR with `replyId`. */
  ask(to: string, msg: unknown, replyId: number): void {
    if (this.#closed) return;
    const addr = this.#addr(to);
    const out = this.#out;
    out.push(Frame.Ask, addr, msg, replyId);
    this.#sent(out);
  }

  /** Queues the answer to an ask. */
  reply(replyId: number, ok: boolean, value: unknown): void {
    if (this.#closed) return;
    this.#out.push(ok ? Frame.Ok : Frame.Err, replyId, ok ? value : toWire(value));
    this.#sent(this.#out);
  }

  /** Queues directory entries. */
  directory(entries: [string, number][]): void {
    if (this.#closed) return;
    this.#out.push(Frame.Dir, entries);
    this.#sent(this.#out);
  }

  /** Queues the news that a thread is gone. */
  down(systemId: number): void {
    if (this.#closed) return;
    this.#out.push(Frame.Down, systemId);
    this.#sent(this.#out);
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

  /** True once closed. */
  get closed(): boolean {
    return this.#closed;
  }

  #addr(to: string): number {
    let id = this.#outIds.get(to);
    if (id === undefined) {
      id = this.#outIds.size;
      this.#outIds.set(to, id);
      this.#out.push(Frame.Define, id, to);
    }
    return id;
  }

  #sent(out: unknown[]): void {
    this.stats.framesSent++;
    if (out.length >= MAX_BATCH_SLOTS) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      platform.yieldToEventLoop(this.#flushLater);
    }
  }

  #decode(data: unknown): void {
    const r = this.#receiver;
    if (!Array.isArray(data)) {
      r.onMalformed("a batch must be an array");
      return;
    }
    const names = this.#inNames;
    const b = data;
    let i = 0;
    while (i < b.length) {
      const tag = b[i];
      if (typeof tag !== "number") {
        r.onMalformed(`slot ${i} is not a frame tag`);
        return;
      }
      if (tag >= 0) {
        r.onTell(names[tag], b[i + 1]);
        i += 2;
        continue;
      }
      switch (tag) {
        case Frame.Ask:
          r.onAsk(names[b[i + 1] as number], b[i + 2], b[i + 3] as number, this);
          i += 4;
          break;
        case Frame.Ok:
          r.onReply(b[i + 1] as number, true, b[i + 2]);
          i += 3;
          break;
        case Frame.Err:
          r.onReply(b[i + 1] as number, false, b[i + 2] as WireError);
          i += 3;
          break;
        case Frame.Dir:
          r.onDirectory(b[i + 1] as [string, number][]);
          i += 2;
          break;
        case Frame.Down:
          r.onDown(b[i + 1] as number);
          i += 2;
          break;
        case Frame.Define:
          names[b[i + 1] as number] = b[i + 2] as string;
          i += 3;
          break;
        default:
          r.onMalformed(`unknown frame tag ${tag} at slot ${i}`);
          return;
      }
    }
  }

  // A value that structured clone refuses (a function, say) must fail only its own frame.
  #sendOneByOne(batch: unknown[]): void {
    const names = [...this.#outIds.entries()].reduce<string[]>((a, [n, id]) => ((a[id] = n), a), []);
    for (let i = 0; i < batch.length; ) {
      const tag = batch[i] as number;
      const width = tag >= 0 ? 2 : tag === Frame.Ask ? 4 : tag === Frame.Dir || tag === Frame.Down ? 2 : 3;
      const frame = batch.slice(i, i + width);
      i += width;
      try {
        this.#port.postMessage(frame);
        this.stats.batchesSent++;
      } catch (err) {
        if (tag === Frame.Ok) {
          // The reply itself cannot cross: answer with the reason instead.
          this.#port.postMessage([Frame.Err, frame[1], toWire(err)]);
        } else if (tag >= 0) {
          this.#receiver.onUnsendable("tell", undefined, names[tag], err);
        } else if (tag === Frame.Ask) {
          this.#receiver.onUnsendable("ask", frame[3] as number, names[frame[1] as number], err);
        }
      }
    }
  }
}
