/**
 * Typed errors that survive a worker boundary. Errors are checked by `code`,
 * never by `instanceof`, because structured clone drops classes and custom
 * fields; `toWire` / `fromWire` carry name, code, message, details and cause.
 */

/** Codes the runtime itself produces. Actors add their own (e.g. `NotFound`). */
export const RuntimeCodes = {
  Timeout: "Timeout",
  WorkerDied: "WorkerDied",
  UnknownActor: "UnknownActor",
  UnknownMessage: "UnknownMessage",
  BadMessage: "BadMessage",
  MailboxFull: "MailboxFull",
  ActorStopped: "ActorStopped",
  AlreadyExists: "ActorAlreadyExists",
  HandlerFailed: "HandlerFailed",
} as const;

/** Options for {@link ActorError}. */
export interface ActorErrorOptions {
  /** Structured, clone-safe data about the failure (a Kubernetes `Status`, for example). */
  details?: unknown;
  /** The underlying error. */
  cause?: unknown;
}

/** An error with a string code; the one error shape that crosses threads. */
export class ActorError extends Error {
  override name = "ActorError";
  readonly code: string;
  readonly details?: unknown;

  constructor(code: string, message: string, options: ActorErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.details !== undefined) this.details = options.details;
  }
}

/** The plain, structured-cloneable form of an error. */
export interface WireError {
  name: string;
  code: string;
  message: string;
  details?: unknown;
  cause?: WireError;
  stack?: string;
}

/** Reads the `code` of any thrown value (`HandlerFailed` when it has none). */
export function errorCode(err: unknown): string {
  if (err && typeof err === "object" && typeof (err as { code?: unknown }).code === "string") {
    return (err as { code: string }).code;
  }
  return RuntimeCodes.HandlerFailed;
}

/** Turns any thrown value into its wire form. */
export function toWire(err: unknown, depth = 0): WireError {
  if (err instanceof Error) {
    const wire: WireError = {
      name: err.name,
      code: errorCode(err),
      message: err.message,
      stack: err.stack,
    };
    const details = (err as { details?: unknown }).details;
    if (details !== undefined) wire.details = details;
    if (err.cause !== undefined && depth < 4) wire.cause = toWire(err.cause, depth + 1);
    return wire;
  }
  if (err && typeof err === "object" && "code" in err && "message" in err) {
    const e = err as WireError;
    return { name: e.name ?? "ActorError", code: String(e.code), message: String(e.message), details: e.details };
  }
  return { name: "Error", code: RuntimeCodes.HandlerFailed, message: String(err) };
}

/** Rebuilds an {@link ActorError} from its wire form, keeping name, code and details. */
export function fromWire(wire: WireError): ActorError {
  const cause = wire.cause ? fromWire(wire.cause) : undefined;
  const err = new ActorError(wire.code, wire.message, { details: wire.details, cause });
  err.name = wire.name;
  if (wire.stack) err.stack = wire.stack;
  return err;
}

/** True when `err` carries `code`; safe on anything thrown. */
export function hasCode(err: unknown, code: string): boolean {
  return errorCode(err) === code;
}
