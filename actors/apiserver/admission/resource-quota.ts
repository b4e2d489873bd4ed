/**
 * ResourceQuota admission: a create (or an update adding usage) that would
 * take a namespace past one of its quotas is refused with Kubernetes' `exceeded quota` message, and
 * an accepted one charges every matching quota's `status.used` in the same
 * store transaction as the object itself, so usage never drifts from what
 * was admitted. A new or changed quota gets its status (hard, and used
 * counted from the store) on the way in, so it is enforced from its first
 * write. Releases (deletes, finished pods) are counted back by the
 * {@link QuotaTracker}.
 */
import type { KubeObject } from "../../api/meta.ts";
import { conflict, forbidden } from "../../api/status.ts";
import type { Pod, ResourceList, ResourceQuota } from "../../api/types/index.ts";
import type { ResourceDef } from "../registry/resource.ts";
import { storePrefix } from "../registry/resource.ts";
import type { Compare, TxnOp } from "../store/store.ts";
import { countUsage, hardOf } from "./quota-count.ts";
import { matchesResource, podConstraintError, quotaSelects, usageOf } from "./quota-usage.ts";
import { addLists, equalLists, exceeding, mask, prettyList, quantityString, removeZeros, subtractNonNegative } from "./resource-list.ts";
import type { AdmissionContext, AdmissionPlugin, AdmissionRequest, AdmissionWrite } from "./types.ts";

function isQuotaKind(def: ResourceDef): boolean {
  return def.group === "" && def.plural === "resourcequotas";
}

function canonical(list: ResourceList): ResourceList {
  return Object.fromEntries(Object.entries(list).map(([k, v]) => [k, quantityString(v)]));
}

/** The quota's own status: hard from the spec, used counted now. */
async function fillStatus(a: AdmissionRequest, ctx: AdmissionContext): Promise<void> {
  const q = a.object as ResourceQuota;
  const old = a.oldObject as ResourceQuota | undefined;
  const hard = canonical(q.spec?.hard ?? {});
  if (old && equalLists(old.spec?.hard, q.spec?.hard) && q.status?.used && equalLists(q.status.hard, hard)) return;
  const [used] = await countUsage(ctx.store, ctx.registry, a.namespace, [q], ctx.clock.now());
  q.status = { hard, used };
}

function refuse(a: AdmissionRequest, why: string) {
  return forbidden(a.def.plural, a.name || a.object?.metadata?.generateName || "Unknown", why, a.def.group);
}

/** Checks and charges one create (or what an update adds) against the namespace's quotas. */
async function charge(a: AdmissionRequest, ctx: AdmissionContext): Promise<AdmissionWrite | undefined> {
  const obj = a.object as KubeObject;
  const quotaPrefix = storePrefix({ group: "", plural: "resourcequotas" }, a.namespace);
  const r = await ctx.store.range(quotaPrefix, { prefix: true });
  if (r.kvs.length === 0) return undefined;
  const now = ctx.clock.now();
  // An update is charged only for what it adds (Kubernetes' evaluators: new usage minus old, never
  // below zero): a Service becoming a LoadBalancer, a claim asking for more storage.
  const old = a.operation === "UPDATE" ? (a.oldObject as KubeObject | undefined) : undefined;
  const usage = old ? subtractNonNegative(usageOf(a.def, obj, now), usageOf(a.def, old, now)) : usageOf(a.def, obj, now);
  const compare: Compare[] = [];
  const success: TxnOp[] = [];
  const charged: string[] = [];
  for (const kv of r.kvs) {
    const q = kv.value as ResourceQuota;
    const hard = hardOf(q);
    if (!quotaSelects(q, a.def, obj)) continue;
    const restricted = Object.keys(hard).filter((n) => matchesResource(a.def, n));
    if (restricted.length === 0) continue;
    if (a.def.group === "" && a.def.plural === "pods") {
      const err = podConstraintError(obj as Pod, restricted);
      if (err) throw refuse(a, `failed quota: ${q.metadata.name}: ${err}`);
    }
    const requested = removeZeros(mask(usage, restricted));
    if (Object.keys(requested).length === 0) continue;
    let used = q.status?.used ?? {};
    if (restricted.some((n) => !(n in used))) [used] = await countUsage(ctx.store, ctx.registry, a.namespace, [q], now);
    const newUsage = addLists(used, requested);
    const over = exceeding(mask(newUsage, Object.keys(requested)), hard);
    if (over.length > 0) {
      throw refuse(a, `exceeded quota: ${q.metadata.name}, requested: ${prettyList(mask(requested, over))}, used: ${prettyList(mask(used, over))}, limited: ${prettyList(mask(hard, over))}`);
    }
    if (a.dryRun) continue;
    const next = structuredClone(q);
    next.status = { hard: q.status?.hard ?? canonical(hard), used: mask(newUsage, Object.keys(hard)) };
    compare.push({ key: kv.key, target: "modRevision", op: "=", value: kv.modRevision });
    success.push({ type: "put", key: kv.key, value: next });
    charged.push(q.metadata.name ?? "");
  }
  if (compare.length === 0) return undefined;
  return {
    compare,
    success,
    conflict: () => conflict("resourcequotas", charged[0] ?? "", "the object has been modified; please apply your changes to the latest version and try again"),
  };
}

/** The ResourceQuota plugin. */
export const resourceQuotaAdmission: AdmissionPlugin = {
  name: "ResourceQuota",
  async validate(a, ctx) {
    if (!a.namespace || a.subresource || !a.object) return;
    if (isQuotaKind(a.def) && (a.operation === "CREATE" || a.operation === "UPDATE")) await fillStatus(a, ctx);
    if (a.operation !== "CREATE" && a.operation !== "UPDATE") return;
    return charge(a, ctx);
  },
};
