/**
 * A compact bitmap allocator: one bit per value in a Uint32Array.
 *
 * Allocation policy: next-fit from a rotating cursor, as the CNI host-local
 * IPAM plugin does with its last-reserved IP. The scan starts just after the
 * last index handed out and wraps at the end, so a value that was just released
 * is reused only after every other free value has been handed out since — a
 * late packet or a stale endpoint for a dead pod does not reach its successor.
 * Kubernetes' ClusterIP bitmap starts its scan at a random offset instead; the
 * cursor is deterministic, which keeps simulations reproducible, and delays
 * reuse at least as long. Specific allocations do not move the cursor.
 *
 * Every operation is bounded: exhaustion is detected from the count before any
 * scan, and a scan visits each word at most once.
 */
import { ActorError } from "../runtime/errors.ts";
import { CniCodes } from "./codes.ts";

/** The most values one bitmap holds: 2^24 bits (2 MiB), a /8 of addresses. */
export const MAX_BITMAP_SIZE = 2 ** 24;

/** Why an allocation failed. */
export type BitmapFailure = "exhausted" | "taken" | "outOfRange";

/** The outcome of an allocation: the index taken, or why none was. */
export type BitmapResult = { ok: true; index: number } | { ok: false; reason: BitmapFailure };

/** A bitmap in persistable, structured-cloneable form; `bits` is base64 of little-endian words. */
export interface BitmapSnapshot {
  size: number;
  cursor: number;
  bits: string;
}

const FULL = 0xffffffff;

/** Index of the lowest set bit of a non-zero word. */
function lowestBit(word: number): number {
  return 31 - Math.clz32(word & -word);
}

function popcount(word: number): number {
  let n = word - ((word >>> 1) & 0x55555555);
  n = (n & 0x33333333) + ((n >>> 2) & 0x33333333);
  return (((n + (n >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** A fixed-size set of small integers 0..size-1 with next-fit allocation. */
export class Bitmap {
  /** How many values the bitmap spans. */
  readonly size: number;
  #words: Uint32Array;
  #used = 0;
  #cursor = 0;

  /** Creates an empty bitmap; throws RangeError unless 0 ≤ size ≤ {@link MAX_BITMAP_SIZE}. */
  constructor(size: number) {
    if (!Number.isInteger(size) || size < 0 || size > MAX_BITMAP_SIZE) {
      throw new RangeError(`bitmap size ${size} must be an integer in 0..${MAX_BITMAP_SIZE}`);
    }
    this.size = size;
    this.#words = new Uint32Array(Math.ceil(size / 32));
  }

  /** How many values are set. */
  get used(): number {
    return this.#used;
  }

  /** How many values are clear. */
  get free(): number {
    return this.size - this.#used;
  }

  /** Where the next {@link allocate} starts scanning. */
  get cursor(): number {
    return this.#cursor;
  }

  /** True when `index` is set; false for anything out of range. */
  has(index: number): boolean {
    if (!this.#inRange(index)) return false;
    return (this.#words[index >>> 5] & (1 << (index & 31))) !== 0;
  }

  /** Sets the first clear value at or after the cursor, wrapping once. */
  allocate(): BitmapResult {
    if (this.#used >= this.size) return { ok: false, reason: "exhausted" };
    let index = this.#findClear(this.#cursor, this.size);
    if (index < 0) index = this.#findClear(0, this.#cursor);
    // The count said a clear bit exists, so one of the two scans found it.
    this.#set(index);
    this.#cursor = index + 1 === this.size ? 0 : index + 1;
    return { ok: true, index };
  }

  /** Sets exactly `index`; fails with `taken` or `outOfRange` instead. */
  allocateSpecific(index: number): BitmapResult {
    if (!this.#inRange(index)) return { ok: false, reason: "outOfRange" };
    if (this.has(index)) return { ok: false, reason: "taken" };
    this.#set(index);
    return { ok: true, index };
  }

  /** Clears `index`; returns whether it was set (out of range: false). */
  release(index: number): boolean {
    if (!this.has(index)) return false;
    this.#words[index >>> 5] &= ~(1 << (index & 31));
    this.#used--;
    return true;
  }

  /** The set values in ascending order. */
  *[Symbol.iterator](): Generator<number> {
    const words = this.#words;
    for (let w = 0; w < words.length; w++) {
      let word = words[w];
      while (word !== 0) {
        const bit = lowestBit(word);
        yield w * 32 + bit;
        word &= ~(1 << bit);
      }
    }
  }

  /** The bitmap as a clone-safe, JSON-safe value for persistence. */
  snapshot(): BitmapSnapshot {
    const bytes = new Uint8Array(this.#words.length * 4);
    const view = new DataView(bytes.buffer);
    this.#words.forEach((word, i) => view.setUint32(i * 4, word, true));
    let binary = "";
    // Chunked because String.fromCharCode(...big) overflows the call stack.
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    return { size: this.size, cursor: this.#cursor, bits: btoa(binary) };
  }

  /** Rebuilds a bitmap from {@link snapshot}; throws `InvalidSnapshot` on anything inconsistent. */
  static restore(snapshot: BitmapSnapshot): Bitmap {
    const bad = (why: string) => new ActorError(CniCodes.InvalidSnapshot, `invalid bitmap snapshot: ${why}`);
    if (typeof snapshot !== "object" || snapshot === null) throw bad("not an object");
    const { size, cursor, bits } = snapshot;
    if (!Number.isInteger(size) || size < 0 || size > MAX_BITMAP_SIZE) throw bad(`size ${size}`);
    if (!Number.isInteger(cursor) || cursor < 0 || cursor >= Math.max(size, 1)) throw bad(`cursor ${cursor}`);
    if (typeof bits !== "string") throw bad("bits is not a string");
    let binary: string;
    try {
      binary = atob(bits);
    } catch (cause) {
      throw new ActorError(CniCodes.InvalidSnapshot, "invalid bitmap snapshot: bits is not base64", { cause });
    }
    const bitmap = new Bitmap(size);
    const words = bitmap.#words;
    if (binary.length !== words.length * 4) throw bad(`${binary.length} bytes for ${size} bits`);
    let used = 0;
    for (let w = 0; w < words.length; w++) {
      const i = w * 4;
      const word =
        (binary.charCodeAt(i) | (binary.charCodeAt(i + 1) << 8) | (binary.charCodeAt(i + 2) << 16) |
          (binary.charCodeAt(i + 3) << 24)) >>> 0;
      words[w] = word;
      used += popcount(word);
    }
    const tail = size % 32;
    if (tail !== 0 && words[words.length - 1] >>> tail !== 0) throw bad("bits set past the size");
    bitmap.#used = used;
    bitmap.#cursor = cursor;
    return bitmap;
  }

  #inRange(index: number): boolean {
    return Number.isInteger(index) && index >= 0 && index < this.size;
  }

  #set(index: number): void {
    this.#words[index >>> 5] |= 1 << (index & 31);
    this.#used++;
  }

  /** The first clear index in [from, to), or -1; skips full words whole. */
  #findClear(from: number, to: number): number {
    const words = this.#words;
    let i = from;
    while (i < to) {
      const w = i >>> 5;
      const clear = ~words[w] & (FULL << (i & 31));
      if (clear !== 0) {
        const index = w * 32 + lowestBit(clear);
        return index < to ? index : -1;
      }
      i = (w + 1) * 32;
    }
    return -1;
  }
}
