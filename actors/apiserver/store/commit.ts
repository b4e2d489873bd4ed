/**
 * The effect of one write transaction, as a backend persists or replays it:
 * the revision and the puts and deletes that actually happened (compares,
 * reads and deletes of absent keys leave nothing to record). Replaying the
 * commits in order over the same starting state rebuilds the same store,
 * versions and create revisions included.
 */
import type { KeyValue } from "./store.ts";

/** One write that a committed transaction made. */
export type Write = { type: "put"; key: string; value: unknown } | { type: "delete"; key: string };

/** Everything one revision changed. */
export interface Commit {
  revision: number;
  writes: Write[];
}

/** A store's live contents at one revision: what a snapshot holds. */
export interface StoreState {
  revision: number;
  /** Live keys in key order, with their etcd metadata. */
  kvs: KeyValue[];
}
