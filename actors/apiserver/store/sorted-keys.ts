/**
 * An ordered index of records by string key: a list of sorted chunks (a
 * B-tree of height two). Lookups are two binary searches; an insert or
 * removal moves at most one chunk's worth of slots, so it stays cheap at
 * hundreds of thousands of keys where one flat sorted array would memmove
 * the whole index on every new key.
 *
 * Keys compare with JavaScript's `<` (UTF-16 code units). That equals etcd's
 * byte order for every key Kubernetes writes (ASCII), and differs only
 * between astral characters and BMP characters above U+E000.
 */

/** Anything indexed by a string key. */
export interface Keyed {
  readonly key: string;
}

/** Records kept in key order, with ordered scans from any key. */
export class SortedKeys<T extends Keyed> {
  #chunks: T[][] = [];
  #size = 0;
  readonly #maxChunk: number;

  /** `maxChunk` bounds the slots one insert or removal moves; scans and lookups barely depend on it. */
  constructor(maxChunk = 512) {
    this.#maxChunk = Math.max(4, maxChunk);
  }

  /** How many records the index holds. */
  get size(): number {
    return this.#size;
  }

  /** Adds a record whose key is not yet present (a present key is replaced). */
  insert(record: T): void {
    const chunks = this.#chunks;
    if (chunks.length === 0) {
      chunks.push([record]);
      this.#size = 1;
      return;
    }
    let ci = this.#chunkFor(record.key);
    if (ci === chunks.length) ci--;
    const chunk = chunks[ci];
    const i = lowerBound(chunk, record.key);
    if (i < chunk.length && chunk[i].key === record.key) {
      chunk[i] = record;
      return;
    }
    chunk.splice(i, 0, record);
    this.#size++;
    if (chunk.length > this.#maxChunk) chunks.splice(ci + 1, 0, chunk.splice(chunk.length >> 1));
  }

  /** Removes the record with `key`; true when there was one. */
  remove(key: string): boolean {
    const ci = this.#chunkFor(key);
    if (ci === this.#chunks.length) return false;
    const chunk = this.#chunks[ci];
    const i = lowerBound(chunk, key);
    if (i === chunk.length || chunk[i].key !== key) return false;
    chunk.splice(i, 1);
    this.#size--;
    if (chunk.length === 0) this.#chunks.splice(ci, 1);
    return true;
  }

  /**
   * Calls `visit` with each record whose key is >= `from`, in key order,
   * until it returns false. A callback, not an iterator, because scans of
   * 30k+ keys run on hot paths where generators cost several times more.
   */
  scan(from: string, visit: (record: T) => boolean): void {
    const chunks = this.#chunks;
    let ci = this.#chunkFor(from);
    if (ci === chunks.length) return;
    let i = lowerBound(chunks[ci], from);
    for (; ci < chunks.length; ci++, i = 0) {
      const chunk = chunks[ci];
      for (; i < chunk.length; i++) if (!visit(chunk[i])) return;
    }
  }

  /** The first chunk whose last key is >= `key` (chunks.length when none). */
  #chunkFor(key: string): number {
    const chunks = this.#chunks;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const last = chunks[mid];
      if (last[last.length - 1].key < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** The index of the first record with key >= `key`. */
function lowerBound<T extends Keyed>(arr: T[], key: string): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (arr[mid].key < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The first key after every key starting with `prefix` (etcd's range_end),
 * or undefined when no such bound exists ("" or a last code unit of
 * U+FFFF). Scans test `key < end` because it is several times faster in V8
 * than `key.startsWith(prefix)`, and in sorted order it means the same.
 */
export function prefixEnd(prefix: string): string | undefined {
  if (prefix === "") return undefined;
  const last = prefix.charCodeAt(prefix.length - 1);
  if (last === 0xffff) return undefined;
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}
