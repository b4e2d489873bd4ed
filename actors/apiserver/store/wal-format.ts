/**
 * What the write-ahead log and the snapshot look like on disk: JSON lines.
 * A log line is a commit `{"revision":7,"writes":[...]}` or a compaction
 * `{"compact":5}`; a record counts only once its newline is written. A
 * snapshot is a header line `{"format":..,"revision":..,"count":..}`
 * followed by one KeyValue per line, in key order.
 */
import type { Commit, StoreState, Write } from "./commit.ts";
import type { KeyValue } from "./store.ts";

/** The snapshot header's format tag. */
export const snapshotFormat = "actorkube-snapshot/1";

/** One decoded log line. */
export type LogRecord = { kind: "commit"; commit: Commit } | { kind: "compact"; revision: number };

/** The log line of a commit. */
export function encodeCommit(commit: Commit): string {
  return `${JSON.stringify(commit)}\n`;
}

/** The log line of an explicit compaction. */
export function encodeCompaction(revision: number): string {
  return `${JSON.stringify({ compact: revision })}\n`;
}

const isRevision = (n: unknown): n is number => typeof n === "number" && Number.isSafeInteger(n) && n > 0;

function isWrite(w: unknown): w is Write {
  const x = w as { type?: unknown; key?: unknown; value?: unknown };
  if (x === null || typeof x !== "object" || typeof x.key !== "string" || x.key === "") return false;
  return x.type === "delete" || (x.type === "put" && "value" in x);
}

/** Parses one log line; undefined when it is not a well-formed record. */
export function decodeRecord(line: string): LogRecord | undefined {
  let x: { revision?: unknown; writes?: unknown; compact?: unknown };
  try {
    x = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (x === null || typeof x !== "object") return undefined;
  if (isRevision(x.compact)) return { kind: "compact", revision: x.compact };
  if (isRevision(x.revision) && Array.isArray(x.writes) && x.writes.length > 0 && x.writes.every(isWrite)) {
    return { kind: "commit", commit: { revision: x.revision, writes: x.writes } };
  }
  return undefined;
}

/**
 * The snapshot file's text, produced lazily one line at a time so a large
 * store is serialized while it is written rather than in one blocking call.
 * Values are immutable (see store.ts), so reading them later is safe.
 */
export function* snapshotLines(state: StoreState): Generator<string> {
  yield `${JSON.stringify({ format: snapshotFormat, revision: state.revision, count: state.kvs.length })}\n`;
  for (const kv of state.kvs) yield `${JSON.stringify(kv)}\n`;
}

/** Parses a snapshot; throws (with the reason) when it is not complete and well-formed. */
export function parseSnapshot(bytes: Uint8Array): StoreState {
  const { lines, tailStart } = splitLines(bytes);
  if (tailStart < bytes.length) throw new Error("snapshot ends without a newline");
  if (lines.length === 0) throw new Error("snapshot is empty");
  const header = JSON.parse(lines[0].text) as { format?: unknown; revision?: unknown; count?: unknown };
  if (header.format !== snapshotFormat) throw new Error(`unknown snapshot format ${JSON.stringify(header.format)}`);
  if (!isRevision(header.revision) || header.count !== lines.length - 1) {
    throw new Error(`snapshot header ${lines[0].text} does not match its ${lines.length - 1} entries`);
  }
  const kvs: KeyValue[] = [];
  let previous = "";
  for (let i = 1; i < lines.length; i++) {
    const kv = JSON.parse(lines[i].text) as KeyValue;
    if (typeof kv?.key !== "string" || kv.key <= previous || !("value" in kv)) throw new Error(`snapshot line ${i + 1} is not a KeyValue in key order`);
    previous = kv.key;
    kvs.push(kv);
  }
  return { revision: header.revision, kvs };
}

/** A complete line and the byte offset just past its newline. */
export interface Line {
  text: string;
  end: number;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Splits bytes into newline-terminated lines. Bytes after the last newline
 * (a torn append) are not a line; `tailStart` says where they begin. A line
 * that is not valid UTF-8 decodes to "" so it fails to parse like any torn record.
 */
export function splitLines(bytes: Uint8Array): { lines: Line[]; tailStart: number } {
  const lines: Line[] = [];
  let start = 0;
  for (;;) {
    const nl = bytes.indexOf(10, start);
    if (nl < 0) break;
    let text: string;
    try {
      text = decoder.decode(bytes.subarray(start, nl));
    } catch {
      text = "";
    }
    lines.push({ text, end: nl + 1 });
    start = nl + 1;
  }
  return { lines, tailStart: start };
}
