/**
 * One key's MVCC history: its versions oldest first, each an immutable
 * {@link KeyValue}. A deletion is a tombstone entry with `version: 0` (as in
 * etcd, version 0 means "absent"); it keeps the last value so the delete
 * event can carry it. Compaction trims the list but keeps the newest entry at
 * or below the compacted revision, so reads at that revision still work.
 */
import type { KeyValue } from "./store.ts";

/** The index entry of one key; `versions` is never empty while indexed. */
export interface KeyRecord {
  readonly key: string;
  versions: KeyValue[];
  /** The newest entry of `versions`, kept beside it so scans at the current revision skip one hop. */
  last: KeyValue;
}

/** True for the entry a deletion leaves. */
export function isTombstone(kv: KeyValue): boolean {
  return kv.version === 0;
}

/** The key's live value now, or undefined when absent or deleted. */
export function latest(record: KeyRecord | undefined): KeyValue | undefined {
  if (record === undefined) return undefined;
  const kv = record.last;
  return kv.version === 0 ? undefined : kv;
}

/** The key's live value as of `revision`, or undefined. */
export function visibleAt(record: KeyRecord, revision: number): KeyValue | undefined {
  const last = record.last;
  if (last.modRevision <= revision) return last.version === 0 ? undefined : last;
  const versions = record.versions;
  let lo = 0;
  let hi = versions.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (versions[mid].modRevision <= revision) lo = mid + 1;
    else hi = mid;
  }
  if (lo === 0) return undefined;
  const kv = versions[lo - 1];
  return kv.version === 0 ? undefined : kv;
}

/**
 * Records `kv` as the key's newest entry. A second write to the key in the
 * same revision (one txn touching it twice) replaces the first, because
 * reads resolve whole revisions.
 */
export function appendVersion(record: KeyRecord, kv: KeyValue): void {
  const versions = record.versions;
  const last = versions.length - 1;
  if (last >= 0 && versions[last].modRevision === kv.modRevision) versions[last] = kv;
  else versions.push(kv);
  record.last = kv;
}

/** Forgets versions compaction at `revision` makes unreachable; false when nothing is left. */
export function pruneThrough(record: KeyRecord, revision: number): boolean {
  const versions = record.versions;
  let keep = 0;
  while (keep + 1 < versions.length && versions[keep + 1].modRevision <= revision) keep++;
  // versions[keep] is the newest entry at or below `revision` (if any is): it is what a read there sees.
  if (versions[keep].modRevision <= revision && versions[keep].version === 0) keep++;
  if (keep > 0) versions.splice(0, keep);
  return versions.length > 0;
}
