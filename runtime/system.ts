/**
 * One actor system per thread: the actors this thread hosts, the directory of
 * where every other actor lives, and a PeerLink to every other thread.
 * `tell` and `ask` route to a local mailbox or to the owning thread's link.
 */
import { ActorError, RuntimeCodes, fromWire, type WireError } from "./errors.ts";
import { realClock, type Clock } from "./clock.ts";
import { Mailbox, type Envelope } from "./mailbox.ts";
import { PeerLink, type LinkReceiver } from "./transport.ts";
import { log, logEnabled } from "./log.ts";
import { platform, type PortLike } from "./platform/index.ts";
import type { ActorBehavior, ActorContext, ActorFactory, AnyMessage, AskOptions, Delivery, LogLevel, Message, Messenger } from "./actor.ts";

const COPIED: Delivery = Object.freeze({ copied: true });
const SHARED: Delivery = Object.freeze({ copied: false });

/** Directory value for an actor whose thread is being restarted. */
export const RESTARTING = -2;

/** Options of an {@link ActorSystem}. */
export interface ActorSystemOptions {
  /** This thread's system id (0 = main thread; workers get fresh ids, also after a restart). */
  id: number;
  /** A name for logs: `main`, `apiserver`, `node-pool-1`. */
  name: string;
  /** Defaults to the real clock. */
  clock?: Clock;
  /** Ask timeout when the caller gives none (default 30 000 ms). */
  defaultTimeoutMs?: number;
}

/** What `inspect` and `stats` report of one actor. */
export interface ActorStats {
  address: string;
  depth: number;
  maxDepth: number;
  processed: number;
  dropped: number;
  errors: number;
  rejected: number;
  extra?: Record<string, unknown>;
}

/** What `stats` reports of a thread. */
export interface SystemStats {
  id: number;
  name: string;
  threadId: number;
  actors: ActorStats[];
  deadLetters: number;
  pendingAsks: number;
  links: { peer: number; batchesSent: number; framesSent: number; batchesReceived: number }[];
}

interface LocalActor {
  address: string;
  mailbox: Mailbox;
  behavior?: ActorBehavior;
  ready: Promise<void>;
  markReady: () => void;
  /** Reserved by `reserve`, factory not started yet. */
  reserved: boolean;
  errors: number;
  rejected: number;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  system: number;
  to: string;
  type: string;
  timeoutMs: number;
}

// Ask deadlines are grouped into buckets this wide, one timer per bucket,
// so a hundred thousand pipelined asks do not arm a hundred thousand timers.
const BUCKET_MS = 25;

/** The actors of one thread and the routes to all others. */
export class ActorSystem implements Messenger {
  readonly id: number;
  readonly name: string;
  readonly clock: Clock;
  readonly defaultTimeoutMs: number;
  #actors = new Map<string, LocalActor>();
  #directory = new Map<string, number>();
  #links = new Map<number, PeerLink>();
  #pending = new Map<number, Pending>();
  #buckets = new Map<number, number[]>();
  #nextReply = 1;
  #logBudget = new Map<string, number>();
  /** Messages to addresses nobody hosts (and tells refused by full mailboxes). */
  deadLetters = 0;
  /** Called with each DIR frame's entries (the supervisor's own system uses it to learn local spawns). */
  onDirectory?: (entries: [string, number][]) => void;

  constructor(options: ActorSystemOptions) {
    this.id = options.id;
    this.name = options.name;
    this.clock = options.clock ?? realClock;
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? 30_000;
  }

  // ---- sending ------------------------------------------------------------

  tell<M extends Message>(to: string, msg: M): boolean {
    const local = this.#actors.get(to);
    if (local) {
      this.#deliver(local, { msg });
      return true;
    }
    const link = this.#linkFor(to);
    if (!link) {
      this.deadLetters++;
      return false;
    }
    link.tell(to, msg);
    return true;
  }

  ask<R = unknown, M extends Message = AnyMessage>(to: string, msg: M, options?: AskOptions): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const timeoutMs = options?.timeoutMs ?? this.defaultTimeoutMs;
      const type = typeof msg?.type === "string" ? msg.type : "?";
      const local = this.#actors.get(to);
      if (local) {
        const id = this.#track(this.id, to, type, timeoutMs, resolve as (v: unknown) => void, reject);
        this.#deliver(local, { msg, reply: (ok, v) => this.#settle(id, ok, v) });
        return;
      }
      const where = this.#directory.get(to);
      if (where === RESTARTING) {
        reject(new ActorError(RuntimeCodes.WorkerDied, `actor ${to} is unavailable: its worker is restarting`));
        return;
      }
      const link = where === undefined ? undefined : this.#links.get(where);
      if (!link) {
        reject(new ActorError(RuntimeCodes.UnknownActor, `no actor at address "${to}"`));
        return;
      }
      const id = this.#track(where!, to, type, timeoutMs, resolve as (v: unknown) => void, reject);
      link.ask(to, msg, id);
    });
  }

  /** True when some thread hosts `address` now. */
  knows(address: string): boolean {
    return this.#actors.has(address) || (this.#directory.get(address) ?? -1) >= 0;
  }

  /** Addresses of this thread's actors. */
  localAddresses(): string[] {
    return [...this.#actors.keys()];
  }

  /** The whole directory: address → system id. */
  directory(): Map<string, number> {
    return new Map(this.#directory);
  }

  // ---- actors -------------------------------------------------------------

  /**
   * Opens the mailbox of an actor that `spawn` will build: messages sent to
   * `address` from now on wait for its factory instead of being refused, so
   * the address can be announced to other threads before the actor runs.
   */
  reserve(address: string, mailboxCapacity?: number): void {
    if (typeof address !== "string" || address.length === 0) {
      throw new ActorError(RuntimeCodes.BadMessage, "an actor address must be a non-empty string");
    }
    if (this.#actors.has(address)) {
      throw new ActorError(RuntimeCodes.AlreadyExists, `an actor already runs at address "${address}"`);
    }
    let ready!: () => void;
    const actor: LocalActor = {
      address,
      mailbox: undefined as unknown as Mailbox,
      ready: new Promise<void>((r) => (ready = r)),
      markReady: () => ready(),
      reserved: true,
      errors: 0,
      rejected: 0,
    };
    actor.mailbox = new Mailbox((env) => this.#process(actor, env), platform.yieldToEventLoop, mailboxCapacity);
    this.#actors.set(address, actor);
    this.#directory.set(address, this.id);
  }

  /** Creates an actor in this thread; messages sent before its factory finishes wait in its mailbox. */
  async spawn<C>(address: string, factory: ActorFactory<C>, config: C, mailboxCapacity?: number): Promise<void> {
    let actor = this.#actors.get(address);
    if (!actor || !actor.reserved) {
      this.reserve(address, mailboxCapacity);
      actor = this.#actors.get(address)!;
    }
    actor.reserved = false;
    try {
      actor.behavior = (await factory(this.#context(address), config)) as ActorBehavior;
      if (!actor.behavior || typeof actor.behavior.handlers !== "object") {
        throw new ActorError(RuntimeCodes.BadMessage, `the factory of "${address}" returned no handlers`);
      }
      actor.markReady();
    } catch (err) {
      this.#fail(actor);
      throw err;
    }
  }

  /** Closes a reservation whose actor will not be built (its factory could not even be loaded). */
  release(address: string): void {
    const actor = this.#actors.get(address);
    if (actor && !actor.behavior) this.#fail(actor);
  }

  #fail(actor: LocalActor): void {
    if (this.#actors.get(actor.address) === actor) {
      this.#actors.delete(actor.address);
      this.#directory.delete(actor.address);
    }
    for (const env of actor.mailbox.close()) env.reply?.(false, new ActorError(RuntimeCodes.ActorStopped, `actor ${actor.address} failed to start`));
    actor.markReady();
  }

  /** Stops a local actor: queued asks are answered `ActorStopped`, then its `onStop` runs. */
  async stop(address: string): Promise<boolean> {
    const actor = this.#actors.get(address);
    if (!actor) return false;
    this.#actors.delete(address);
    this.#directory.delete(address);
    for (const env of actor.mailbox.close()) env.reply?.(false, new ActorError(RuntimeCodes.ActorStopped, `actor ${address} stopped`));
    try {
      await actor.behavior?.onStop?.();
    } catch (err) {
      log("warn", address, "onStop failed", { error: String(err) });
    }
    return true;
  }

  /** Stops every local actor. */
  async stopAll(): Promise<void> {
    for (const address of [...this.#actors.keys()]) await this.stop(address);
  }

  /** Figures of one local actor, or undefined. */
  inspect(address: string): ActorStats | undefined {
    const a = this.#actors.get(address);
    if (!a) return undefined;
    let extra: Record<string, unknown> | undefined;
    try {
      extra = a.behavior?.inspect?.();
    } catch (err) {
      extra = { inspectError: String(err) };
    }
    return { address, ...a.mailbox.stats(), errors: a.errors, rejected: a.rejected, ...(extra ? { extra } : {}) };
  }

  /** Figures of this thread. */
  stats(): SystemStats {
    return {
      id: this.id,
      name: this.name,
      threadId: platform.threadId(),
      actors: [...this.#actors.keys()].map((a) => this.inspect(a)!),
      deadLetters: this.deadLetters,
      pendingAsks: this.#pending.size,
      links: [...this.#links.values()].map((l) => ({ peer: l.peerId, ...l.stats })),
    };
  }

  // ---- peers and directory ------------------------------------------------

  /** Opens the link to another thread over `port`. */
  connect(peerId: number, port: PortLike): void {
    this.#links.get(peerId)?.close();
    this.#links.set(peerId, new PeerLink(peerId, port, this.#receiver));
  }

  /** Applies directory entries (system id -1 removes, {@link RESTARTING} marks a restart). */
  applyDirectory(entries: [string, number][]): void {
    for (const [address, id] of entries) {
      if (this.#actors.has(address)) continue;
      if (id === -1) this.#directory.delete(address);
      else this.#directory.set(address, id);
    }
    this.onDirectory?.(entries);
  }

  /** Sends directory entries to every linked thread. */
  broadcastDirectory(entries: [string, number][]): void {
    for (const link of this.#links.values()) link.directory(entries);
  }

  /** Tells every linked thread that `systemId` is gone, then forgets it here too. */
  broadcastDown(systemId: number): void {
    for (const link of this.#links.values()) if (link.peerId !== systemId) link.down(systemId);
    this.peerDown(systemId);
  }

  /** A thread is gone: its link closes and every ask waiting on it rejects with `WorkerDied`. */
  peerDown(systemId: number): void {
    this.#links.get(systemId)?.close();
    this.#links.delete(systemId);
    for (const [id, p] of this.#pending) {
      if (p.system !== systemId) continue;
      this.#pending.delete(id);
      p.reject(new ActorError(RuntimeCodes.WorkerDied, `ask to ${p.to} (${p.type}) failed: its worker died`));
    }
  }

  /** Sends every queued batch now (before a shutdown). */
  flush(): void {
    for (const link of this.#links.values()) link.flush();
  }

  /** Closes all links and rejects every pending ask. */
  close(): void {
    for (const link of this.#links.values()) link.close();
    this.#links.clear();
    for (const [id, p] of this.#pending) {
      this.#pending.delete(id);
      p.reject(new ActorError(RuntimeCodes.ActorStopped, `ask to ${p.to} (${p.type}) abandoned: the actor system closed`));
    }
  }

  // ---- internals ----------------------------------------------------------

  #linkFor(to: string): PeerLink | undefined {
    const where = this.#directory.get(to);
    return where === undefined || where < 0 ? undefined : this.#links.get(where);
  }

  #context(address: string): ActorContext {
    return {
      self: address,
      clock: this.clock,
      tell: (to, msg) => this.tell(to, msg),
      ask: (to, msg, options) => this.ask(to, msg, options),
      log: (level: LogLevel, message: string, fields?: Record<string, unknown>) => log(level, address, message, fields),
      knows: (a) => this.knows(a),
    };
  }

  #deliver(actor: LocalActor, env: Envelope): void {
    if (actor.mailbox.push(env)) return;
    if (env.reply) {
      env.reply(false, new ActorError(RuntimeCodes.MailboxFull, `mailbox of ${actor.address} is full (${actor.mailbox.capacity} messages waiting)`));
    } else {
      this.deadLetters++;
      this.#rateLimitedLog(actor.address, "mailbox full: dropped a tell", actor.mailbox.dropped);
    }
  }

  #process(actor: LocalActor, env: Envelope): unknown {
    const behavior = actor.behavior;
    if (!behavior) return actor.ready.then(() => (actor.behavior ? this.#process(actor, env) : undefined));
    const msg = env.msg as Record<string, unknown> | null;
    if (msg === null || typeof msg !== "object" || typeof msg.type !== "string") {
      return this.#reject(actor, env, RuntimeCodes.BadMessage, `a message must be an object with a string "type"; got ${describe(msg)}`);
    }
    const handler = (behavior.handlers as Record<string, ((m: unknown, d: Delivery) => unknown) | undefined>)[msg.type];
    if (typeof handler !== "function") {
      const known = Object.keys(behavior.handlers).join(", ");
      return this.#reject(actor, env, RuntimeCodes.UnknownMessage, `${actor.address} has no handler for message type "${msg.type}" (it handles: ${known})`);
    }
    const check = (behavior.validate as Record<string, ((m: Record<string, unknown>) => string | undefined) | undefined> | undefined)?.[msg.type];
    if (check) {
      let problem: string | undefined;
      try {
        problem = check(msg);
      } catch (err) {
        problem = `validation failed: ${String(err)}`;
      }
      if (problem) return this.#reject(actor, env, RuntimeCodes.BadMessage, `bad "${msg.type}" message for ${actor.address}: ${problem}`);
    }
    let result: unknown;
    try {
      result = handler(msg, env.copied ? COPIED : SHARED);
    } catch (err) {
      this.#failed(actor, env, msg.type, err);
      return undefined;
    }
    if (result && typeof (result as Promise<unknown>).then === "function") {
      return (result as Promise<unknown>).then(
        (v) => env.reply?.(true, v),
        (err) => this.#failed(actor, env, msg.type as string, err),
      );
    }
    env.reply?.(true, result);
    return undefined;
  }

  #reject(actor: LocalActor, env: Envelope, code: string, message: string): undefined {
    actor.rejected++;
    if (env.reply) env.reply(false, new ActorError(code, message));
    else this.#rateLimitedLog(actor.address, `rejected a tell: ${message}`, actor.rejected);
    return undefined;
  }

  #failed(actor: LocalActor, env: Envelope, type: string, err: unknown): void {
    actor.errors++;
    if (env.reply) env.reply(false, err);
    else this.#rateLimitedLog(actor.address, `handler for "${type}" failed: ${err instanceof Error ? err.message : String(err)}`, actor.errors);
  }

  // The first ten problems are logged, then the 100th, 1000th, ..., so a flood of bad input cannot flood the log.
  #rateLimitedLog(address: string, message: string, count: number): void {
    if (!logEnabled("warn")) return;
    const seen = (this.#logBudget.get(address) ?? 0) + 1;
    this.#logBudget.set(address, seen);
    if (seen <= 10 || Number.isInteger(Math.log10(seen))) log("warn", address, message, { count });
  }

  #track(system: number, to: string, type: string, timeoutMs: number, resolve: (v: unknown) => void, reject: (e: unknown) => void): number {
    const id = this.#nextReply++;
    this.#pending.set(id, { resolve, reject, system, to, type, timeoutMs });
    const now = this.clock.now();
    const due = Math.ceil((now + timeoutMs) / BUCKET_MS) * BUCKET_MS;
    let bucket = this.#buckets.get(due);
    if (!bucket) {
      bucket = [];
      this.#buckets.set(due, bucket);
      this.clock.setTimeout(() => this.#expire(due), due - now);
    }
    bucket.push(id);
    return id;
  }

  #expire(due: number): void {
    const bucket = this.#buckets.get(due);
    this.#buckets.delete(due);
    if (!bucket) return;
    for (const id of bucket) {
      const p = this.#pending.get(id);
      if (!p) continue;
      this.#pending.delete(id);
      p.reject(new ActorError(RuntimeCodes.Timeout, `ask to ${p.to} (${p.type}) timed out after ${p.timeoutMs} ms`));
    }
  }

  #settle(id: number, ok: boolean, value: unknown): void {
    const p = this.#pending.get(id);
    if (!p) return; // timed out already, or its thread died
    this.#pending.delete(id);
    if (ok) p.resolve(value);
    else p.reject(value);
  }

  // What links hand up: the same routing for every peer.
  #receiver: LinkReceiver = {
    onTell: (to, msg) => {
      const actor = this.#actors.get(to);
      if (actor) this.#deliver(actor, { msg, copied: true });
      else this.deadLetters++;
    },
    onAsk: (to, msg, replyId, link) => {
      const actor = this.#actors.get(to);
      if (!actor) {
        link.reply(replyId, false, new ActorError(RuntimeCodes.UnknownActor, `no actor at address "${to}"`));
        return;
      }
      this.#deliver(actor, { msg, reply: (ok, v) => link.reply(replyId, ok, v), copied: true });
    },
    onReply: (replyId, ok, value) => this.#settle(replyId, ok, ok ? value : fromWire(value as WireError)),
    onDirectory: (entries) => this.applyDirectory(entries),
    onDown: (systemId) => this.peerDown(systemId),
    onMalformed: (detail) => log("error", this.name, `dropped the rest of a malformed batch: ${detail}`),
    onUnsendable: (kind, replyId, to, err) => {
      const why = `message to ${to} cannot be sent between threads: ${String((err as Error)?.message ?? err)}`;
      if (kind === "ask" && replyId !== undefined) this.#settle(replyId, false, new ActorError(RuntimeCodes.BadMessage, why));
      else {
        this.deadLetters++;
        log("warn", this.name, why);
      }
    },
  };
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object without a string type";
  return typeof v;
}
