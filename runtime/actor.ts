/**
 * What an actor is: a factory that takes its context and config and returns
 * handlers keyed by message type. Messages are plain structured-cloneable
 * objects with a dotted `type` (`pod.bind`, `cni.add`).
 */
import type { Clock } from "./clock.ts";

/** Every message has a `type`; the rest is the message's own. */
export interface Message {
  type: string;
}

/** A message with any fields: what `ask<R>(...)` accepts when its type is not named. */
export type AnyMessage = Message & Record<string, unknown>;

/** Options of an ask. */
export interface AskOptions {
  /** Milliseconds before the ask rejects with `Timeout` (default 30 000). */
  timeoutMs?: number;
}

/** Sending, from anywhere in a thread. */
export interface Messenger {
  /** Fire-and-forget; returns false when the address is unknown here (the message is dropped). */
  tell<M extends Message>(to: string, msg: M): boolean;
  /** Request/response that always settles: reply, typed error, timeout or worker death. */
  ask<R = unknown, M extends Message = AnyMessage>(to: string, msg: M, options?: AskOptions): Promise<R>;
}

/** Log levels, least to most severe. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** What a running actor can see of the world. */
export interface ActorContext extends Messenger {
  /** This actor's address. */
  readonly self: string;
  /** The clock to use for all time (simulated in tests). */
  readonly clock: Clock;
  /** Structured log line, tagged with the actor's address. */
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  /** True when some thread hosts `address` right now. */
  knows(address: string): boolean;
}

/** How a message reached its handler. */
export interface Delivery {
  /**
   * The message is the handler's own copy: it crossed from another thread
   * (structured clone made it), so the handler may keep or change it. A
   * message told within one thread is the sender's object, shared.
   */
  readonly copied: boolean;
}

/**
 * A handler gets the message and returns the reply (for asks) or a promise of
 * it. Throwing (or rejecting) sends the error to the asker; the actor goes on.
 */
export type Handler<M extends Message = AnyMessage> = (msg: M, delivery: Delivery) => unknown;

/** Handlers keyed by message type, for a discriminated union `M`. */
export type Handlers<M extends Message> = { [K in M["type"]]: Handler<Extract<M, { type: K }>> };

/** Checks a message's shape before its handler runs: an error text for a bad one. */
export type Validator = (msg: Record<string, unknown>) => string | undefined;

/** The running actor, as its factory returns it. */
export interface ActorBehavior<M extends Message = AnyMessage> {
  handlers: Handlers<M>;
  /** Per-type shape checks; a failing one answers `BadMessage` and skips the handler. */
  validate?: Partial<Record<M["type"], Validator>>;
  /** Called once when the actor is stopped (not when its worker crashes). */
  onStop?(): void | Promise<void>;
  /** Extra figures for `inspect` and `stats`. */
  inspect?(): Record<string, unknown>;
}

/** Builds an actor: the export an actor module names in its {@link ActorSpec}. */
export type ActorFactory<C = unknown, M extends Message = AnyMessage> = (
  ctx: ActorContext,
  config: C,
) => ActorBehavior<M> | Promise<ActorBehavior<M>>;

/**
 * Where to find an actor's factory, so any worker (and a restarted one) can
 * build it: a module path relative to the project root and an export name.
 */
export interface ActorSpec<C = unknown> {
  address: string;
  /** Module path from the project root, e.g. `actors/apiserver/actor.ts`. */
  module: string;
  /** The factory's export name. */
  export: string;
  /** Structured-cloneable configuration passed to the factory. */
  config?: C;
  /** Mailbox capacity (default 100 000). */
  mailboxCapacity?: number;
}

/** Small checks for validators: `need(msg, "name", "string")`. */
export function need(msg: Record<string, unknown>, field: string, type: "string" | "number" | "boolean" | "object"): string | undefined {
  const v = msg[field];
  if (type === "object" ? v === null || typeof v !== "object" : typeof v !== type) return `${field}: expected ${type}, got ${v === null ? "null" : typeof v}`;
  return undefined;
}
