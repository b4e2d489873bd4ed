/**
 * The one allocation core behind node CIDRs, pod/service IPs and node ports:
 * a {@link Bitmap} over indices 0..size-1, a reserved set that is never handed
 * out, and errors that carry the caller's codes and name the range. Each
 * allocator only maps its values (CIDRs, addresses, ports) to indices.
 */
import { ActorError } from "../runtime/errors.ts";
import { Bitmap, MAX_BITMAP_SIZE } from "./bitmap.ts";
import { CniCodes } from "./codes.ts";

/** The codes and wording one kind of allocator reports. */
export interface RangeLabels {
  /** Code when every value is in use, e.g. `IPExhausted`. */
  exhausted: string;
  /** Code when a specific value is held already, e.g. `IPAlreadyAllocated`. */
  taken: string;
  /** Code when a specific value is outside the range or reserved, e.g. `IPOutOfRange`. */
  outOfRange: string;
  /** What values are called in messages, plural: "IP addresses", "node CIDRs", "ports". */
  noun: string;
  /** The range as users wrote it: "10.244.0.0/16", "30000-32767". */
  range: string;
}

/** A bitmap with reserved indices and errors that name the range. */
export class RangeAllocator {
  /** The codes and names this allocator reports with. */
  readonly labels: RangeLabels;
  #bitmap: Bitmap;
  #reserved: Set<number>;

  /** Spans `span` indices and keeps `reserved` out of allocation; throws `RangeTooLarge` past 2^24. */
  constructor(span: number, labels: RangeLabels, reserved: Iterable<number> = []) {
    if (span > MAX_BITMAP_SIZE) {
      throw new ActorError(
        CniCodes.RangeTooLarge,
        `${labels.range} spans ${span} ${labels.noun}; at most ${MAX_BITMAP_SIZE} are supported`,
      );
    }
    this.labels = labels;
    this.#bitmap = new Bitmap(span);
    this.#reserved = new Set();
    for (const index of reserved) {
      if (this.#bitmap.allocateSpecific(index).ok) this.#reserved.add(index);
    }
  }

  /** How many indices the range spans, reserved ones included. */
  get span(): number {
    return this.#bitmap.size;
  }

  /** How many values can be handed out (reserved ones excluded). */
  get size(): number {
    return this.#bitmap.size - this.#reserved.size;
  }

  /** How many values are handed out. */
  get used(): number {
    return this.#bitmap.used - this.#reserved.size;
  }

  /** How many values remain. */
  get free(): number {
    return this.#bitmap.free;
  }

  /** True when `index` is handed out (reserved indices are not). */
  has(index: number): boolean {
    return this.#bitmap.has(index) && !this.#reserved.has(index);
  }

  /** True when `index` is kept out of allocation. */
  isReserved(index: number): boolean {
    return this.#reserved.has(index);
  }

  /** Hands out the next free index (see bitmap.ts for the order); throws the exhausted code. */
  allocate(): number {
    const result = this.#bitmap.allocate();
    if (result.ok) return result.index;
    const { labels } = this;
    throw new ActorError(
      labels.exhausted,
      `no free ${labels.noun} in ${labels.range}: all ${this.size} are allocated`,
      { details: { range: labels.range, size: this.size } },
    );
  }

  /** Takes exactly `index`, shown in messages as `shown`; throws the taken or out-of-range code. */
  allocateSpecific(index: number, shown: string): void {
    const { labels } = this;
    if (this.#reserved.has(index)) {
      throw new ActorError(labels.outOfRange, `${shown} is reserved in ${labels.range} and cannot be allocated`);
    }
    const result = this.#bitmap.allocateSpecific(index);
    if (result.ok) return;
    if (result.reason === "taken") {
      throw new ActorError(labels.taken, `${shown} is already allocated in ${labels.range}`);
    }
    throw new ActorError(labels.outOfRange, `${shown} is outside ${labels.range}`);
  }

  /** Marks `index` in use without failing; returns whether it was free (rebuilding state from the store). */
  occupy(index: number): boolean {
    return this.#bitmap.allocateSpecific(index).ok;
  }

  /** Frees `index`; returns whether it was handed out (reserved and free indices: false). */
  release(index: number): boolean {
    if (this.#reserved.has(index)) return false;
    return this.#bitmap.release(index);
  }

  /** The handed-out indices, ascending. */
  *[Symbol.iterator](): Generator<number> {
    for (const index of this.#bitmap) if (!this.#reserved.has(index)) yield index;
  }
}
