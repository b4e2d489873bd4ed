/**
 * The watchers of one store and their delivery. Commits only append to the
 * matching watchers' queues; one microtask later each queue is handed to its
 * callback as one batch. So a callback never runs inside `txn` (it may write
 * to the store: those events land in a fresh queue and follow in the next
 * batch), and each watcher sees its events in commit order, exactly once.
 */
import type { StoreEvent, StoreWatch } from "./store.ts";

/** What a watch subscribes to. */
export interface WatchTarget {
  key: string;
  prefix: boolean;
}

interface Watcher extends WatchTarget {
  /** Events below this revision are not for this watch (it asked to start in the future). */
  fromRevision: number;
  onEvents: (events: StoreEvent[]) => void;
  onError?: (err: Error) => void;
  queue: StoreEvent[];
  active: boolean;
}

/** True when an event on `key` belongs to the watch on `target`. */
export function watchMatches(target: WatchTarget, key: string): boolean {
  return target.prefix ? key.startsWith(target.key) : key === target.key;
}

/** Fans committed events out to watchers, batched per microtask. */
export class WatchHub {
  #watchers = new Set<Watcher>();
  #scheduled = false;

  /** Watches currently open. */
  get size(): number {
    return this.#watchers.size;
  }

  /**
   * Opens a watch whose first batch is `replay` (already filtered, in order),
   * followed by live events of revision >= `fromRevision`.
   */
  add(
    target: WatchTarget,
    fromRevision: number,
    replay: StoreEvent[],
    onEvents: (events: StoreEvent[]) => void,
    onError?: (err: Error) => void,
  ): StoreWatch {
    const w: Watcher = { key: target.key, prefix: target.prefix, fromRevision, onEvents, onError, queue: replay, active: true };
    this.#watchers.add(w);
    if (replay.length > 0) this.#schedule();
    return {
      cancel: () => {
        w.active = false;
        w.queue = [];
        this.#watchers.delete(w);
      },
    };
  }

  /** Queues one commit's events for every watcher they match. */
  publish(events: StoreEvent[]): void {
    if (this.#watchers.size === 0) return;
    let any = false;
    for (const w of this.#watchers) {
      for (const ev of events) {
        if (ev.kv.modRevision >= w.fromRevision && watchMatches(w, ev.kv.key)) {
          w.queue.push(ev);
          any = true;
        }
      }
    }
    if (any) this.#schedule();
  }

  /** Ends every watch with `err` (the store is closing or failed). */
  failAll(err: Error): void {
    const all = [...this.#watchers];
    this.#watchers.clear();
    for (const w of all) this.#end(w, err);
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(this.#deliver);
  }

  #deliver = (): void => {
    this.#scheduled = false;
    for (const w of this.#watchers) {
      if (!w.active || w.queue.length === 0) continue;
      const batch = w.queue;
      w.queue = [];
      try {
        w.onEvents(batch);
      } catch (err) {
        // A throwing consumer loses its watch, not the store or other watchers.
        this.#watchers.delete(w);
        this.#end(w, err instanceof Error ? err : new Error(String(err)));
      }
    }
  };

  #end(w: Watcher, err: Error): void {
    if (!w.active) return;
    w.active = false;
    w.queue = [];
    reportWatchError(w.onError, err);
  }
}

/** Hands `err` to a watch's error callback; with none, logs it rather than lose it silently. */
export function reportWatchError(onError: ((err: Error) => void) | undefined, err: Error): void {
  if (onError === undefined) {
    console.error("[store] watch ended:", err);
    return;
  }
  try {
    onError(err);
  } catch (e) {
    console.error("[store] watch onError threw:", e);
  }
}
