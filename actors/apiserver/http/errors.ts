/**
 * Every failure leaves the front as a Kubernetes `Status` with the matching
 * HTTP code: API errors carry their own Status; runtime failures (ask
 * timeouts, a dead apiserver worker) are mapped to 504 and 503.
 */
import { RuntimeCodes, errorCode } from "../../../runtime/errors.ts";
import { failure, statusOf, type Status, type StatusReason } from "../../api/status.ts";

/** An error raised inside the front with the Status to answer. */
export class HttpStatusError extends Error {
  override name = "HttpStatusError";
  readonly code: string;
  readonly details: Status;

  constructor(reason: StatusReason, message: string, details?: Status["details"]) {
    super(message);
    this.code = reason;
    this.details = failure(reason, message, details);
  }
}

/** The Status to send for anything thrown while serving a request. */
export function statusForError(err: unknown): Status {
  const status = statusOf(err);
  if (status) return status;
  const message = err instanceof Error ? err.message : String(err);
  switch (errorCode(err)) {
    case RuntimeCodes.Timeout:
      return failure("Timeout", `the server was unable to return a response in the time allotted: ${message}`, { retryAfterSeconds: 1 });
    case RuntimeCodes.UnknownActor:
    case RuntimeCodes.WorkerDied:
    case RuntimeCodes.ActorStopped:
    case RuntimeCodes.MailboxFull:
      return failure("ServiceUnavailable", `the apiserver is unavailable: ${message}`, { retryAfterSeconds: 1 });
    case RuntimeCodes.BadMessage:
      return failure("BadRequest", message);
    default:
      return failure("InternalError", `Internal error occurred: ${message}`);
  }
}

/** 404 for a path or resource this server does not serve, in kube-apiserver's words. */
export function pathNotFound(): HttpStatusError {
  return new HttpStatusError("NotFound", "the server could not find the requested resource");
}

/** 405 for a verb the resource does not support. */
export function methodNotAllowed(method: string, what: string): HttpStatusError {
  return new HttpStatusError("MethodNotAllowed", `the server does not allow this method on the requested resource: ${method} ${what}`);
}

/** 400 BadRequest raised by the front. */
export function badRequest(message: string): HttpStatusError {
  return new HttpStatusError("BadRequest", message);
}
