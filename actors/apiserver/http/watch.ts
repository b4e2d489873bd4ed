/**
 * Watch streams: each HTTP watch is one `api.watch` whose events the
 * apiserver tells to the front's address; they are written to the response
 * as newline-delimited JSON `{"type":...,"object":...}` frames (chunked),
 * until timeoutSeconds, the apiserver closing the watch, or the client
 * leaving (→ `api.unwatch`).
 */
import type { ServerResponse } from "node:http";
import type { WatchEvent } from "../../api/meta.ts";
import type { WatchMessage } from "../../api/protocol.ts";
import type { Status } from "../../api/status.ts";

/** One open watch response. */
export interface WatchSink {
  events(events: WatchEvent[]): void;
  /** The apiserver ended the watch; `status` when it failed (e.g. 410 Expired). */
  closed(status?: Status): void;
}

// Events told before the ask that started their watch has settled wait here this long at most.
const EARLY_TTL_MS = 30_000;

/** Routes watch messages, by watchId, to their HTTP responses. */
export class WatchRouter {
  readonly #sinks = new Map<string, WatchSink>();
  readonly #early = new Map<string, { at: number; messages: WatchMessage[] }>();

  /** Connects a watch to its response; replays anything that arrived first. */
  attach(watchId: string, sink: WatchSink): void {
    this.#sinks.set(watchId, sink);
    const early = this.#early.get(watchId);
    this.#early.delete(watchId);
    for (const m of early?.messages ?? []) this.deliver(m);
  }

  /** Forgets a watch (its response has ended). */
  detach(watchId: string): void {
    this.#sinks.delete(watchId);
    this.#early.delete(watchId);
  }

  /** Hands an `api.watch.events` / `api.watch.closed` message to its response. */
  deliver(msg: WatchMessage): void {
    const sink = this.#sinks.get(msg.watchId);
    if (!sink) {
      this.#keepEarly(msg);
      return;
    }
    if (msg.type === "api.watch.events") sink.events(msg.events);
    else {
      this.#sinks.delete(msg.watchId);
      sink.closed(msg.status);
    }
  }

  /** Open watches, for inspection. */
  get size(): number {
    return this.#sinks.size;
  }

  #keepEarly(msg: WatchMessage): void {
    const now = Date.now();
    for (const [id, e] of this.#early) if (now - e.at > EARLY_TTL_MS) this.#early.delete(id);
    const entry = this.#early.get(msg.watchId) ?? { at: now, messages: [] };
    entry.messages.push(msg);
    this.#early.set(msg.watchId, entry);
  }
}

/** Writes watch frames to a response; transforms each event's object (for Table watches). */
export function streamingSink(
  res: ServerResponse,
  transform: (event: WatchEvent, first: boolean) => WatchEvent,
  onEnd: () => void,
): WatchSink {
  let first = true;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    res.end();
    onEnd();
  };
  return {
    events(events) {
      if (ended) return;
      let chunk = "";
      for (const e of events) {
        const framed = e.type === "BOOKMARK" || e.type === "ERROR" ? e : transform(e, first);
        if (framed !== e) first = false;
        chunk += JSON.stringify(framed) + "\n";
      }
      if (chunk) res.write(chunk);
    },
    closed(status) {
      if (ended) return;
      if (status) res.write(JSON.stringify(errorEvent(status)) + "\n");
      end();
    },
  };
}

/** The ERROR event kube-apiserver sends inside a watch stream (e.g. 410 Expired). */
export function errorEvent(status: Status): { type: "ERROR"; object: Status } {
  return { type: "ERROR", object: status };
}
