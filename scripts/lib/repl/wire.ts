/**
 * The attach protocol's framing: one superjson value per line, so errors
 * (with their code and details), Dates, Maps and BigInts cross intact.
 * Requests carry an id and get exactly one reply with that id; watches push
 * their events as they come.
 */
import { decode, encode } from "../../../runtime/codec.ts";
import { ActorError, fromWire, toWire } from "../../../runtime/errors.ts";
import type { WatchEvent } from "../../../actors/api/meta.ts";
import type { Status } from "../../../actors/api/status.ts";

/** Client → server. The first request of a connection must be `hello` with the token. */
export interface Request {
  id: number;
  op: string;
  args: unknown[];
}

/** Server → client: the answer to one request. */
export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: ActorError };

/** Server → client, unasked: a watch's events or its end. */
export type Push = { push: "watch.events"; wid: number; events: WatchEvent[] } | { push: "watch.closed"; wid: number; status?: Status };

// A line longer than this is a broken or hostile peer, not a message.
const MAX_LINE = 64 * 1024 * 1024;

/** One frame: the value as superjson, then a newline. */
export function frame(value: unknown): string {
  return `${encode(value)}\n`;
}

/** Any error as the ActorError that crosses the wire (code and details kept). */
export function wireError(err: unknown): ActorError {
  return err instanceof ActorError ? err : fromWire(toWire(err));
}

/** Splits a byte stream into frames; calls `onFrame` with each decoded value, `onError` on a bad one. */
export function frameReader(onFrame: (value: unknown) => void, onError: (err: Error) => void): (chunk: string) => void {
  let buffered = "";
  return (chunk) => {
    buffered += chunk;
    if (buffered.length > MAX_LINE) {
      buffered = "";
      onError(new Error(`a frame longer than ${MAX_LINE} bytes`));
      return;
    }
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (!line.trim()) continue;
      let value: unknown;
      try {
        value = decode(line);
      } catch (err) {
        onError(new Error(`a frame that is not superjson: ${(err as Error).message}`));
        continue;
      }
      onFrame(value);
    }
  };
}
