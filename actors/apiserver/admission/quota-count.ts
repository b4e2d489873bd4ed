/**
 * Counts a namespace's usage against its quotas from the store: each kind a
 * quota limits is read once, each object added to every quota that selects
 * it. What the resourcequota controller's full recalculation does.
 */
import type { KubeObject } from "../../api/meta.ts";
import type { ResourceList, ResourceQuota } from "../../api/types/index.ts";
import type { Registry } from "../registry/index.ts";
import { storePrefix } from "../registry/resource.ts";
import type { Store } from "../store/store.ts";
import { matchesResource, quotaSelects, usageOf } from "./quota-usage.ts";
import { addLists, mask } from "./resource-list.ts";

/** The names a quota limits: its status.hard once set, else its spec.hard. */
export function hardOf(q: ResourceQuota): ResourceList {
  return q.spec?.hard ?? q.status?.hard ?? {};
}

/** Current usage for each quota (same order), counted from the store. Every limited name gets a value ("0" when unused). */
export async function countUsage(store: Store, registry: Registry, namespace: string, quotas: readonly ResourceQuota[], now: number): Promise<ResourceList[]> {
  const used: ResourceList[] = quotas.map((q) => Object.fromEntries(Object.keys(hardOf(q)).map((k) => [k, "0"])));
  const names = new Set(quotas.flatMap((q) => Object.keys(hardOf(q))));
  for (const def of registry.list()) {
    if (!def.namespaced || (def.verbs && !def.verbs.includes("list"))) continue;
    if (![...names].some((n) => matchesResource(def, n))) continue;
    const r = await store.range(storePrefix(def, namespace), { prefix: true });
    for (const kv of r.kvs) {
      const obj = kv.value as KubeObject;
      const usage = usageOf(def, obj, now);
      quotas.forEach((q, i) => {
        if (!quotaSelects(q, def, obj)) return;
        used[i] = addLists(used[i], mask(usage, Object.keys(hardOf(q))));
      });
    }
  }
  return used;
}
