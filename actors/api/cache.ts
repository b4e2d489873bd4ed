/**
 * client-go's thread-safe store with indexers, minus the threads: objects by
 * `namespace/name` key, plus named indices kept up to date on every write so
 * `byIndex` is a lookup, not a scan.
 */
import { objectKey, type KubeObject } from "./meta.ts";

/** Computes the index values of one object (none = not in the index). */
export type IndexFunc<T> = (obj: T) => string[];

/** The built-in index: objects by `metadata.namespace` (cluster-scoped objects under ""). */
export const NAMESPACE_INDEX = "namespace";

/** The namespace index function. */
export const namespaceIndexFunc: IndexFunc<KubeObject> = (obj) => [obj.metadata.namespace ?? ""];

/** An indexed map of objects by key. */
export class Cache<T extends KubeObject> {
  readonly #items = new Map<string, T>();
  readonly #indexers = new Map<string, IndexFunc<T>>();
  // index name -> value -> keys
  readonly #indices = new Map<string, Map<string, Set<string>>>();

  /** Builds an empty cache with the namespace index. */
  constructor() {
    this.addIndexer(NAMESPACE_INDEX, namespaceIndexFunc);
  }

  /** Adds an index (existing objects are indexed at once); a name registered twice keeps the first. */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    if (this.#indexers.has(name)) return;
    this.#indexers.set(name, fn);
    const index = new Map<string, Set<string>>();
    this.#indices.set(name, index);
    for (const [key, obj] of this.#items) addTo(index, fn(obj), key);
  }

  /** The object at `key` (`namespace/name` or `name`). */
  get(key: string): T | undefined {
    return this.#items.get(key);
  }

  /** Every object, in no particular order. */
  list(): T[] {
    return [...this.#items.values()];
  }

  /** Every key. */
  keys(): string[] {
    return [...this.#items.keys()];
  }

  /** Number of objects. */
  get size(): number {
    return this.#items.size;
  }

  /** Objects whose index `name` has `value`; throws for an unknown index (a programming error). */
  byIndex(name: string, value: string): T[] {
    const index = this.#indices.get(name);
    if (!index) throw new Error(`no index named "${name}"`);
    const keys = index.get(value);
    return keys ? [...keys].map((k) => this.#items.get(k)!) : [];
  }

  /** Inserts or replaces `obj`; returns the object it replaced. */
  set(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.#items.get(key);
    if (old) this.#unindex(key, old);
    this.#items.set(key, obj);
    for (const [name, fn] of this.#indexers) addTo(this.#indices.get(name)!, fn(obj), key);
    return old;
  }

  /** Removes `key`; returns the object removed. */
  delete(key: string): T | undefined {
    const old = this.#items.get(key);
    if (!old) return undefined;
    this.#unindex(key, old);
    this.#items.delete(key);
    return old;
  }

  #unindex(key: string, obj: T): void {
    for (const [name, fn] of this.#indexers) {
      const index = this.#indices.get(name)!;
      for (const value of fn(obj)) {
        const keys = index.get(value);
        if (!keys) continue;
        keys.delete(key);
        if (keys.size === 0) index.delete(value);
      }
    }
  }
}

function addTo(index: Map<string, Set<string>>, values: string[], key: string): void {
  for (const value of values) {
    let keys = index.get(value);
    if (!keys) index.set(value, (keys = new Set()));
    keys.add(key);
  }
}
