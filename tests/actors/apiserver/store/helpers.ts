/** Small helpers the store tests share: one-op writes and a watch recorder. */
import type { KeyValue, Store, StoreEvent, WatchOptions } from "../../../../actors/apiserver/store/store.ts";

/** Puts one key unconditionally and returns the written kv. */
export async function put<V>(store: Store, key: string, value: V): Promise<KeyValue<V>> {
  const res = await store.txn({ compare: [], success: [{ type: "put", key, value }] });
  return res.results[0].kv as KeyValue<V>;
}

/** Deletes one key and returns the revision after it. */
export async function del(store: Store, key: string): Promise<number> {
  return (await store.txn({ compare: [], success: [{ type: "delete", key }] })).revision;
}

/** What a test watch saw, with a way to wait for more. */
export interface Recorder {
  events: StoreEvent[];
  batches: StoreEvent[][];
  error?: Error;
  cancel(): void;
  /** Resolves once `n` events (or an error) arrived; rejects after `timeoutMs`. */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  /** Resolves once an error arrived. */
  waitForError(timeoutMs?: number): Promise<Error>;
}

/** Opens a watch that records everything it gets. */
export function record(store: Store, key: string, options: WatchOptions, onBatch?: (events: StoreEvent[]) => void): Recorder {
  const r: Recorder = {
    events: [],
    batches: [],
    cancel: () => w.cancel(),
    waitFor: (n, timeoutMs = 3000) => until(() => r.events.length >= n || r.error !== undefined, timeoutMs, () => `${r.events.length} of ${n} events`),
    waitForError: async (timeoutMs = 3000) => {
      await until(() => r.error !== undefined, timeoutMs, () => `an error (got ${r.events.length} events)`);
      return r.error!;
    },
  };
  const w = store.watch(
    key,
    options,
    (events) => {
      r.batches.push(events);
      r.events.push(...events);
      onBatch?.(events);
    },
    (err) => void (r.error = err),
  );
  return r;
}

/** Polls `cond` on macrotask turns (so file I/O can progress) until it holds. */
export async function until(cond: () => boolean, timeoutMs = 3000, what: () => string = () => "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Lets pending deliveries run: a few macrotask turns. */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setTimeout(resolve, 1));
}

/** Awaits a promise expected to reject and returns its error's code. */
export async function rejectionCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return String((err as { code?: unknown }).code);
  }
  throw new Error("expected a rejection, but the call succeeded");
}

/** The short form of an event for compact assertions: `put /a@3` or `delete /a@4`. */
export function brief(ev: StoreEvent): string {
  return `${ev.type} ${ev.kv.key}@${ev.kv.modRevision}`;
}
