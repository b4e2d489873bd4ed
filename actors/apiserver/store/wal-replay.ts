/**
 * Startup of the write-ahead-log backend: load the snapshot, then replay the
 * log over it. Damage is tolerated only where a crash can cause it — at the
 * end of the log, in records that were never acknowledged — and is dropped
 * with a warning. Damage followed by good records is real corruption: opening
 * fails with `StoreUnavailable` and the files are left as they are.
 */
import { unavailableError } from "./errors.ts";
import type { MemoryStore } from "./memory.ts";
import { decodeRecord, parseSnapshot, splitLines, type LogRecord } from "./wal-format.ts";

/** What replaying the log found. */
export interface ReplayResult {
  /** Records in the log (applied or already covered by the snapshot). */
  records: number;
  /** When the log ends in damage: the length to cut it back to. */
  truncateTo?: number;
}

/** Loads a snapshot file's bytes into an empty store. */
export function loadSnapshot(memory: MemoryStore, bytes: Uint8Array, path: string): void {
  try {
    memory.restore(parseSnapshot(bytes));
  } catch (err) {
    throw unavailableError(`snapshot ${path} is unreadable: ${(err as Error).message}`, err);
  }
}

/** Replays log bytes onto `memory` (which holds the snapshot, if any). */
export async function replayLog(memory: MemoryStore, bytes: Uint8Array, path: string, warn: (message: string) => void): Promise<ReplayResult> {
  const { lines, tailStart } = splitLines(bytes);
  const records = lines.map((line) => decodeRecord(line.text));
  let firstBad = records.findIndex((r) => r === undefined);
  if (firstBad < 0) firstBad = records.length;
  if (records.slice(firstBad).some((r) => r !== undefined)) {
    throw unavailableError(`write-ahead log ${path} is corrupt at line ${firstBad + 1}, and later records follow; refusing to drop them`);
  }
  for (let i = 0; i < firstBad; i++) {
    try {
      await applyRecord(memory, records[i]!);
    } catch (err) {
      throw unavailableError(`write-ahead log ${path} line ${i + 1} cannot be replayed: ${(err as Error).message}`, err);
    }
  }
  const validEnd = firstBad === 0 ? 0 : lines[firstBad - 1].end;
  if (validEnd === bytes.length) return { records: firstBad };
  const dropped = lines.length - firstBad + (tailStart < bytes.length ? 1 : 0);
  warn(
    `write-ahead log ${path} ends in ${dropped} torn or corrupt record(s) (${bytes.length - validEnd} bytes, never acknowledged); ` +
      `dropped them and kept the ${firstBad} records before (revision ${memory.currentRevision})`,
  );
  return { records: firstBad, truncateTo: validEnd };
}

async function applyRecord(memory: MemoryStore, record: LogRecord): Promise<void> {
  if (record.kind === "compact") {
    // Compactions at or below the snapshot's revision are already in effect.
    if (record.revision <= memory.currentCompactedRevision) return;
    await memory.compact(record.revision);
    return;
  }
  // Records up to the snapshot's revision are left over from before it (a crash before truncation).
  if (record.commit.revision <= memory.currentRevision) return;
  memory.apply(record.commit);
}
