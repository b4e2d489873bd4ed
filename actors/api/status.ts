/**
 * Kubernetes `Status` errors: the one error shape of the API. A
 * `StatusError` is an `ActorError` whose code is the Status `reason` and
 * whose details are the whole Status, so it crosses workers intact.
 */
import { ActorError } from "../../runtime/errors.ts";

/** meta/v1 StatusCause */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** meta/v1 Status */
export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never> | { resourceVersion?: string };
  status: "Success" | "Failure";
  message?: string;
  reason?: StatusReason;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: StatusCause[];
    retryAfterSeconds?: number;
  };
  code: number;
}

/** The reasons this API returns, with their HTTP codes. */
export const StatusReasons = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  AlreadyExists: 409,
  Conflict: 409,
  Gone: 410,
  Expired: 410,
  RequestEntityTooLarge: 413,
  UnsupportedMediaType: 415,
  Invalid: 422,
  TooManyRequests: 429,
  InternalError: 500,
  ServiceUnavailable: 503,
  Timeout: 504,
} as const;

/** One of {@link StatusReasons}. */
export type StatusReason = keyof typeof StatusReasons;

/** An API error: code = Status.reason, details = the Status. */
export class StatusError extends ActorError {
  override name = "StatusError";
  declare readonly details: Status;

  constructor(status: Status) {
    super(status.reason ?? "InternalError", status.message ?? "", { details: status });
  }

  /** The Status object to send to clients. */
  get status(): Status {
    return this.details;
  }
}

/** Builds a failure Status. */
export function failure(reason: StatusReason, message: string, details?: Status["details"]): Status {
  const s: Status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code: StatusReasons[reason] };
  if (details) s.details = details;
  return s;
}

/** Reads the Status out of anything thrown, if it carries one (works across workers). */
export function statusOf(err: unknown): Status | undefined {
  const d = (err as { details?: unknown } | undefined)?.details as Status | undefined;
  return d && typeof d === "object" && d.kind === "Status" ? d : undefined;
}

/** What the resource is, for messages: `pods`, `deployments.apps`. */
function qualified(resource: string, group = ""): string {
  return group ? `${resource}.${group}` : resource;
}

/** 404: `pods "web" not found` */
export function notFound(resource: string, name: string, group = ""): StatusError {
  return new StatusError(failure("NotFound", `${qualified(resource, group)} "${name}" not found`, { name, group: group || undefined, kind: resource }));
}

/** 409: `pods "web" already exists` */
export function alreadyExists(resource: string, name: string, group = ""): StatusError {
  return new StatusError(failure("AlreadyExists", `${qualified(resource, group)} "${name}" already exists`, { name, group: group || undefined, kind: resource }));
}

/** 409 Conflict, the optimistic-concurrency failure. */
export function conflict(resource: string, name: string, why: string, group = ""): StatusError {
  return new StatusError(
    failure("Conflict", `Operation cannot be fulfilled on ${qualified(resource, group)} "${name}": ${why}`, { name, group: group || undefined, kind: resource }),
  );
}

/** 422 Invalid with field-path causes: `Pod "web" is invalid: spec.containers: Required value` */
export function invalid(kind: string, name: string, causes: StatusCause[], group = ""): StatusError {
  const summary = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : `${c.message}`));
  const list = summary.length === 1 ? summary[0] : `[${summary.join(", ")}]`;
  return new StatusError(failure("Invalid", `${kind}${group ? "." + group : ""} "${name}" is invalid: ${list}`, { name, group: group || undefined, kind, causes }));
}

/** 400 BadRequest */
export function badRequest(message: string): StatusError {
  return new StatusError(failure("BadRequest", message));
}

/** 410 Expired: the requested history was compacted. */
export function expired(message: string): StatusError {
  return new StatusError(failure("Expired", message));
}

/** 403 Forbidden, in kube-apiserver's wording. */
export function forbidden(resource: string, name: string, why: string, group = ""): StatusError {
  const what = name ? `${qualified(resource, group)} "${name}"` : qualified(resource, group);
  return new StatusError(failure("Forbidden", `${what} is forbidden: ${why}`, { name: name || undefined, group: group || undefined, kind: resource }));
}

/** 500 InternalError */
export function internalError(message: string): StatusError {
  return new StatusError(failure("InternalError", `Internal error occurred: ${message}`));
}
