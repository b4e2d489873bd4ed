/** The store's errors, built in one place so every backend words them alike. */
import { ActorError, RuntimeCodes } from "../../../runtime/errors.ts";
import { StoreCodes } from "./store.ts";

/** A read or watch asked for history that compaction removed (HTTP 410 upstream). */
export function compactedError(requested: number, compactedRevision: number): ActorError {
  return new ActorError(
    StoreCodes.Compacted,
    `required revision ${requested} has been compacted; compacted revision is ${compactedRevision}`,
    { details: { requestedRevision: requested, compactedRevision } },
  );
}

/** A read or compaction named a revision the store has not reached. */
export function futureRevisionError(requested: number, currentRevision: number): ActorError {
  return new ActorError(
    StoreCodes.FutureRevision,
    `required revision ${requested} is a future revision; current revision is ${currentRevision}`,
    { details: { requestedRevision: requested, currentRevision } },
  );
}

/** The backend cannot serve: closed, or its disk failed. */
export function unavailableError(message: string, cause?: unknown): ActorError {
  return new ActorError(StoreCodes.Unavailable, message, { cause });
}

/** A request of the wrong shape (a caller's bug, not a store failure). */
export function badRequestError(message: string): ActorError {
  return new ActorError(RuntimeCodes.BadMessage, message);
}
