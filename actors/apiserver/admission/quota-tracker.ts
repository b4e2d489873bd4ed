/**
 * Gives quota back: follows the store and recounts a namespace's quota
 * usage when something there stops counting (deleted, a pod finished) or
 * changes what it counts, and recounts every namespace at start. Creates
 * are charged by ResourceQuota admission in the same transaction, so they
 * need no recount. The work of kube-controller-manager's resourcequota
 * controller, done inside the apiserver so `status.used` is right as soon
 * as the release lands.
 */
import type { Clock } from "../../../runtime/clock.ts";
import type { KubeObject } from "../../api/meta.ts";
import type { ResourceQuota } from "../../api/types/index.ts";
import { followPrefix, type Feed } from "../auth/store-feed.ts";
import type { Registry } from "../registry/index.ts";
import type { ResourceDef } from "../registry/resource.ts";
import { storePrefix } from "../registry/resource.ts";
import type { Store } from "../store/store.ts";
import { countUsage } from "./quota-count.ts";
import { usageOf } from "./quota-usage.ts";
import { equalLists } from "./resource-list.ts";

/** Options of a {@link QuotaTracker}. */
export interface QuotaTrackerOptions {
  store: Store;
  registry: Registry;
  clock: Clock;
  /** Told about a recount that failed (it is retried on the next change). */
  onError?: (err: unknown) => void;
}

const QUOTAS = "/registry/resourcequotas/";

/** Recounts quota usage after releases. */
export class QuotaTracker {
  readonly #o: QuotaTrackerOptions;
  /** namespace → number of quotas in it. */
  #quotas = new Map<string, number>();
  #dirty = new Set<string>();
  #running?: Promise<void>;
  #feeds: Feed[] = [];
  #prefixes: { prefix: string; def: ResourceDef }[] = [];
  #stopped = false;
  /** Recounts done, for inspection and tests. */
  recounts = 0;

  constructor(options: QuotaTrackerOptions) {
    this.#o = options;
    this.#prefixes = options.registry.list().filter((d) => d.namespaced).map((def) => ({ prefix: storePrefix(def), def }));
  }

  /** Loads the quotas, recounts every namespace that has one, then follows the store. */
  async start(): Promise<void> {
    this.#feeds.push(await followPrefix(this.#o.store, QUOTAS, (key, value, prev) => this.#onQuota(key, value, prev)));
    this.#feeds.push(await followPrefix(this.#o.store, "/registry/", (key, value, prev) => this.#onObject(key, value, prev)));
    for (const ns of this.#quotas.keys()) this.#dirty.add(ns);
    this.#kick();
    await this.idle();
  }

  /** Stops following the store. */
  stop(): void {
    this.#stopped = true;
    for (const f of this.#feeds) f.cancel();
  }

  /** Resolves once no recount is pending. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Asks for a recount of one namespace. */
  recount(namespace: string): void {
    this.#dirty.add(namespace);
    this.#kick();
  }

  #onQuota(key: string, value: unknown, prev: unknown): void {
    const ns = key.slice(QUOTAS.length).split("/")[0];
    if (!ns) return;
    if (value !== undefined && prev === undefined) this.#quotas.set(ns, (this.#quotas.get(ns) ?? 0) + 1);
    if (value === undefined && prev !== undefined) {
      const n = (this.#quotas.get(ns) ?? 1) - 1;
      if (n <= 0) this.#quotas.delete(ns);
      else this.#quotas.set(ns, n);
    }
  }

  #onObject(key: string, value: unknown, prev: unknown): void {
    if (prev === undefined) return; // a create: charged by admission
    const obj = (value ?? prev) as KubeObject;
    const ns = obj?.metadata?.namespace;
    if (!ns || !this.#quotas.has(ns) || key.startsWith(QUOTAS)) return;
    const def = this.#prefixes.find((p) => key.startsWith(p.prefix))?.def;
    if (!def) return;
    const now = this.#o.clock.now();
    if (value !== undefined && equalLists(usageOf(def, value as KubeObject, now), usageOf(def, prev as KubeObject, now))) return;
    this.recount(ns);
  }

  #kick(): void {
    if (this.#running || this.#stopped || this.#dirty.size === 0) return;
    this.#running = (async () => {
      try {
        while (this.#dirty.size > 0 && !this.#stopped) {
          const ns = this.#dirty.values().next().value as string;
          this.#dirty.delete(ns);
          try {
            await this.#recountNamespace(ns);
          } catch (err) {
            this.#o.onError?.(err);
          }
        }
      } finally {
        this.#running = undefined;
      }
    })();
  }

  async #recountNamespace(ns: string): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const r = await this.#o.store.range(`${QUOTAS}${ns}/`, { prefix: true });
      if (r.kvs.length === 0) return;
      const quotas = r.kvs.map((kv) => kv.value as ResourceQuota);
      const used = await countUsage(this.#o.store, this.#o.registry, ns, quotas, this.#o.clock.now());
      this.recounts++;
      let clean = true;
      for (let i = 0; i < r.kvs.length; i++) {
        const q = quotas[i];
        if (equalLists(q.status?.used, used[i]) && q.status?.hard) continue;
        const next = structuredClone(q);
        next.status = { hard: q.status?.hard ?? q.spec?.hard ?? {}, used: used[i] };
        const kv = r.kvs[i];
        const w = await this.#o.store.txn({ compare: [{ key: kv.key, target: "modRevision", op: "=", value: kv.modRevision }], success: [{ type: "put", key: kv.key, value: next }] });
        if (!w.succeeded) clean = false;
      }
      if (clean) return;
    }
  }
}
