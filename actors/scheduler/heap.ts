/**
 * A binary heap keyed by string, so items can be found, updated and removed
 * in O(log n) — what the scheduling queue's activeQ and backoffQ need.
 */

/** A keyed min-heap: `less(a, b)` true means `a` comes out first. */
export class KeyedHeap<T> {
  readonly #items: T[] = [];
  readonly #index = new Map<string, number>();
  readonly #keyOf: (item: T) => string;
  readonly #less: (a: T, b: T) => boolean;

  constructor(keyOf: (item: T) => string, less: (a: T, b: T) => boolean) {
    this.#keyOf = keyOf;
    this.#less = less;
  }

  /** Number of items. */
  get size(): number {
    return this.#items.length;
  }

  /** Whether an item with `key` is in the heap. */
  has(key: string): boolean {
    return this.#index.has(key);
  }

  /** The item with `key`, if present. */
  get(key: string): T | undefined {
    const i = this.#index.get(key);
    return i === undefined ? undefined : this.#items[i];
  }

  /** The first item without removing it. */
  peek(): T | undefined {
    return this.#items[0];
  }

  /** Adds the item, or replaces and re-positions the one with the same key. */
  upsert(item: T): void {
    const key = this.#keyOf(item);
    const i = this.#index.get(key);
    if (i !== undefined) {
      this.#items[i] = item;
      this.#fix(i);
      return;
    }
    this.#items.push(item);
    this.#index.set(key, this.#items.length - 1);
    this.#up(this.#items.length - 1);
  }

  /** Removes and returns the first item. */
  pop(): T | undefined {
    const top = this.#items[0];
    if (top !== undefined) this.delete(this.#keyOf(top));
    return top;
  }

  /** Removes the item with `key`; returns it when it was there. */
  delete(key: string): T | undefined {
    const i = this.#index.get(key);
    if (i === undefined) return undefined;
    const item = this.#items[i]!;
    const last = this.#items.pop()!;
    this.#index.delete(key);
    if (i < this.#items.length) {
      this.#items[i] = last;
      this.#index.set(this.#keyOf(last), i);
      this.#fix(i);
    }
    return item;
  }

  /** Every item, in no particular order. */
  values(): T[] {
    return [...this.#items];
  }

  #fix(i: number): void {
    if (!this.#up(i)) this.#down(i);
  }

  #up(i: number): boolean {
    let moved = false;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(this.#items[i]!, this.#items[parent]!)) break;
      this.#swap(i, parent);
      i = parent;
      moved = true;
    }
    return moved;
  }

  #down(i: number): void {
    const n = this.#items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < n && this.#less(this.#items[l]!, this.#items[best]!)) best = l;
      if (r < n && this.#less(this.#items[r]!, this.#items[best]!)) best = r;
      if (best === i) return;
      this.#swap(i, best);
      i = best;
    }
  }

  #swap(a: number, b: number): void {
    const x = this.#items[a]!;
    const y = this.#items[b]!;
    this.#items[a] = y;
    this.#items[b] = x;
    this.#index.set(this.#keyOf(y), a);
    this.#index.set(this.#keyOf(x), b);
  }
}
