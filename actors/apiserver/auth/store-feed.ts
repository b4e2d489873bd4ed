/**
 * Keeps an in-memory index in step with a store prefix: every key is read
 * once, then every later put and delete is applied in revision order, as
 * an informer does for a controller. The apiserver's authentication,
 * authorization and quota caches are fed this way.
 */
import type { Store, StoreWatch } from "../store/store.ts";

/** Called for each key: its value, or undefined once deleted. */
export type FeedApply = (key: string, value: unknown | undefined, previous: unknown | undefined) => void;

/** A running feed. */
export interface Feed {
  /** The store revision the index reflects. */
  readonly revision: number;
  cancel(): void;
}

/**
 * Reads every key under `prefix`, then follows changes from the next
 * revision. `onError` hears a failed watch (the store closing).
 */
export async function followPrefix(store: Store, prefix: string, apply: FeedApply, onError?: (err: Error) => void): Promise<Feed> {
  const r = await store.range(prefix, { prefix: true });
  for (const kv of r.kvs) apply(kv.key, kv.value, undefined);
  let revision = r.revision;
  const watch: StoreWatch = store.watch(
    prefix,
    { prefix: true, startRevision: r.revision + 1 },
    (events) => {
      for (const ev of events) {
        apply(ev.kv.key, ev.type === "put" ? ev.kv.value : undefined, ev.prevKv?.value);
        revision = ev.kv.modRevision;
      }
    },
    onError,
  );
  return {
    get revision() {
      return revision;
    },
    cancel: () => watch.cancel(),
  };
}
