/**
 * `for await (const e of watch("pods"))`: a watch as an async iterator. The
 * watch starts on the first `next()`, events queue until read, and leaving
 * the loop (`break`, `return`, an error) ends the watch.
 */
import type { WatchEvent } from "../../../actors/api/meta.ts";
import { ActorError } from "../../../runtime/errors.ts";
import type { ClusterPort, WatchQuery } from "./port.ts";
import { presentError, printedAs } from "./print.ts";

/** An async iterable over a watch's events (bookmarks left out). */
export function watchIterator(port: ClusterPort, query: () => Promise<WatchQuery>): AsyncIterableIterator<WatchEvent> {
  const queue: WatchEvent[] = [];
  const waiting: { resolve(r: IteratorResult<WatchEvent>): void; reject(e: unknown): void }[] = [];
  let handle: { stop(): Promise<void> } | undefined;
  let starting: Promise<void> | undefined;
  let done = false;
  let failure: unknown;

  const finish = (err?: unknown) => {
    if (done) return;
    done = true;
    failure = err;
    for (const w of waiting.splice(0)) err ? w.reject(err) : w.resolve({ value: undefined, done: true });
  };
  const start = () =>
    (starting ??= (async () => {
      try {
        handle = await port.watch(await query(), {
          events: (events) => {
            for (const e of events) {
              if (e.type === "BOOKMARK") continue;
              const w = waiting.shift();
              if (w) w.resolve({ value: e, done: false });
              else queue.push(e);
            }
          },
          closed: (status) => finish(status ? presentError(new ActorError(status.reason ?? "WatchClosed", status.message ?? "the watch ended", { details: status })) : undefined),
        });
      } catch (err) {
        finish(presentError(err));
      }
    })());

  const it: AsyncIterableIterator<WatchEvent> = {
    [Symbol.asyncIterator]() {
      return it;
    },
    async next() {
      void start();
      if (queue.length) return { value: queue.shift()!, done: false };
      if (done) {
        if (failure) throw failure;
        return { value: undefined, done: true };
      }
      return new Promise<IteratorResult<WatchEvent>>((resolve, reject) => waiting.push({ resolve, reject }));
    },
    async return() {
      await starting;
      finish();
      await handle?.stop();
      return { value: undefined, done: true };
    },
  };
  return printedAs(it, () => "a watch: for await (const e of watch(kind)) { ... }");
}
