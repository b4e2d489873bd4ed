/**
 * The retained event history: every event above the compacted revision,
 * oldest first. Watches replay from it; compaction drops its head. The array
 * keeps a head offset so dropping one event is O(1), and is re-based only
 * once the dead head outweighs the live part.
 */
import type { StoreEvent } from "./store.ts";

/** Events in revision order (several share a revision when one txn wrote several keys). */
export class EventLog {
  #events: StoreEvent[] = [];
  #head = 0;

  /** Events retained. */
  get length(): number {
    return this.#events.length - this.#head;
  }

  /** Appends an event; its revision must not be below the last one's. */
  push(event: StoreEvent): void {
    this.#events.push(event);
  }

  /** The revision of the `i`-th retained event, oldest first. */
  revisionAt(i: number): number {
    return this.#events[this.#head + i].kv.modRevision;
  }

  /** Calls `visit` with every event of revision >= `revision`, in order. */
  from(revision: number, visit: (event: StoreEvent) => void): void {
    const events = this.#events;
    let lo = this.#head;
    let hi = events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (events[mid].kv.modRevision < revision) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < events.length; i++) visit(events[i]);
  }

  /** Drops every event of revision <= `revision`, handing each to `dropped` first. */
  dropThrough(revision: number, dropped: (event: StoreEvent) => void): void {
    const events = this.#events;
    let head = this.#head;
    while (head < events.length && events[head].kv.modRevision <= revision) {
      dropped(events[head]);
      head++;
    }
    if (head > 1024 && head * 2 > events.length) {
      this.#events = events.slice(head);
      head = 0;
    }
    this.#head = head;
  }
}
