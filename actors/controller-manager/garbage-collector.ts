/**
 * The garbage collector: cascading deletion driven by ownerReferences,
 * across every kind the apiserver serves (but Events), namespaced and
 * cluster-scoped, as kube-controller-manager's garbagecollector does.
 *
 * - Background: an object whose owners are all gone is deleted (with
 *   the propagation its own finalizers ask for, Background by default), so
 *   Deployment → ReplicaSet → Pods unwinds one level at a time. An owner
 *   counts as gone only after a live GET says so (404, or another uid).
 * - Foreground: an owner with deletionTimestamp and the `foregroundDeletion`
 *   finalizer gets its dependents deleted (those that have dependents of
 *   their own in the foreground too); once none with `blockOwnerDeletion`
 *   is left the finalizer is removed and the apiserver deletes the owner.
 * - Orphan: an owner with deletionTimestamp and the `orphan` finalizer has
 *   its ownerReference removed from every dependent, then the finalizer.
 *
 * The dependency graph is the informers' caches indexed by owner uid; watch
 * handlers only enqueue keys, and a periodic scan (`gcPeriodMs`, default
 * 30 s) re-enqueues anything a missed event could have left behind.
 */
import type { TimerId } from "../../runtime/clock.ts";
import { isConflict, isNotFound, retryOnConflict } from "../api/client.ts";
import type { Informer } from "../api/informer.ts";
import type { KubeObject, OwnerReference } from "../api/meta.ts";
import { registry as builtinRegistry, type ResourceDef } from "../apiserver/registry/index.ts";
import { Reconciler, keyOf, type Controller, type ControllerContext } from "./controller.ts";

/** The finalizer that makes an owner wait for its dependents (propagationPolicy Foreground). */
export const FOREGROUND_FINALIZER = "foregroundDeletion";
/** The finalizer that makes an owner release its dependents (propagationPolicy Orphan). */
export const ORPHAN_FINALIZER = "orphan";

const OWNER_INDEX = "gc.ownerUID";
const IGNORED = new Set(["events", "events.events.k8s.io"]);
const MAX_ABSENT = 10_000;

/** Whether a kind serves every one of `verbs` (kinds without a verb list serve them all). */
export function serves(def: Pick<ResourceDef, "verbs">, ...verbs: string[]): boolean {
  return !def.verbs || verbs.every((v) => def.verbs!.includes(v));
}

/** The resource string (`pods`, `replicasets.apps`) the client and informers use for a kind. */
export function resourceName(def: Pick<ResourceDef, "plural" | "group">): string {
  return def.group ? `${def.plural}.${def.group}` : def.plural;
}

interface Watched {
  resource: string;
  def: ResourceDef;
  informer: Informer<KubeObject>;
}

type OwnerState = "solid" | "dangling" | "waiting";

const hasFinalizer = (o: KubeObject, f: string) => o.metadata.finalizers?.includes(f) ?? false;
const deletingDependents = (o: KubeObject) => Boolean(o.metadata.deletionTimestamp) && hasFinalizer(o, FOREGROUND_FINALIZER);

/** The garbage collector controller. */
export class GarbageCollector implements Controller {
  readonly name = "garbagecollector";
  readonly #cc: ControllerContext;
  readonly #watched: Watched[] = [];
  readonly #byDef = new Map<ResourceDef, Watched>();
  readonly #byResource = new Map<string, Watched>();
  // uid -> where the object is cached; the graph's nodes.
  readonly #uids = new Map<string, { w: Watched; key: string }>();
  // Owner uids a live GET found gone; uids are never reused, so this never goes stale.
  readonly #absent = new Set<string>();
  readonly #attemptToDelete: Reconciler;
  readonly #attemptToOrphan: Reconciler;
  readonly #periodMs: number;
  #started = false;
  #timer?: TimerId;
  readonly counts = { deleted: 0, orphaned: 0, finalizersRemoved: 0, ownerRefsRemoved: 0 };

  constructor(cc: ControllerContext, defs: readonly ResourceDef[] = builtinRegistry.list()) {
    this.#cc = cc;
    const period = cc.options.gcPeriodMs;
    this.#periodMs = typeof period === "number" && period > 0 ? period : 30_000;
    this.#attemptToDelete = new Reconciler(cc, "garbagecollector", (k) => this.#syncDelete(k));
    this.#attemptToOrphan = new Reconciler(cc, "garbagecollector-orphan", (k) => this.#syncOrphan(k));
    for (const def of defs) {
      const resource = resourceName(def);
      // Only kinds that can be watched and deleted take part (not create-only reviews).
      if (IGNORED.has(resource) || !serves(def, "list", "watch", "delete")) continue;
      const informer = cc.informers.informer<KubeObject>({ resource, indexers: { [OWNER_INDEX]: (o) => (o.metadata.ownerReferences ?? []).map((r) => r.uid) } });
      const w: Watched = { resource, def, informer };
      this.#watched.push(w);
      this.#byDef.set(def, w);
      this.#byResource.set(resource, w);
      informer.addEventHandler({
        onAdd: (o) => this.#observe(w, undefined, o),
        onUpdate: (old, o) => this.#observe(w, old, o),
        onDelete: (o) => this.#deleted(o),
      });
    }
  }

  start(): void {
    this.#started = true;
    this.#attemptToDelete.start();
    this.#attemptToOrphan.start();
    this.#scan();
  }

  async stop(): Promise<void> {
    this.#started = false;
    if (this.#timer) this.#cc.clock.clearTimeout(this.#timer);
    await Promise.all([this.#attemptToDelete.stop(), this.#attemptToOrphan.stop()]);
  }

  stats(): Record<string, unknown> {
    return { ...this.counts, objects: this.#uids.size, attemptToDelete: this.#attemptToDelete.stats(), attemptToOrphan: this.#attemptToOrphan.stats() };
  }

  // ---- the graph: handlers only enqueue ---------------------------------------

  #observe(w: Watched, old: KubeObject | undefined, obj: KubeObject): void {
    this.#uids.set(obj.metadata.uid!, { w, key: keyOf(obj) });
    if (!this.#started) return;
    const key = itemKey(w, obj);
    if (obj.metadata.deletionTimestamp && hasFinalizer(obj, ORPHAN_FINALIZER)) this.#attemptToOrphan.enqueue(key);
    if (deletingDependents(obj) && (!old || !deletingDependents(old))) {
      this.#attemptToDelete.enqueue(key);
      for (const [dw, dep] of this.#dependents(obj.metadata.uid!)) this.#attemptToDelete.enqueue(itemKey(dw, dep));
    }
    const refs = obj.metadata.ownerReferences ?? [];
    if (refs.some((r) => this.#needsCheck(obj, r))) this.#attemptToDelete.enqueue(key);
    // An owner waiting in the foreground may be unblocked by a dependent dropping or unblocking its reference.
    for (const r of old?.metadata.ownerReferences ?? []) {
      if (!r.blockOwnerDeletion) continue;
      const now = refs.find((x) => x.uid === r.uid);
      if (!now?.blockOwnerDeletion) this.#enqueueIfDeletingDependents(r.uid);
    }
  }

  #deleted(obj: KubeObject): void {
    const uid = obj.metadata.uid!;
    if (this.#uids.get(uid)?.key === keyOf(obj)) this.#uids.delete(uid);
    if (!this.#started) return;
    const deps = this.#dependents(uid);
    if (deps.length > 0) this.#markAbsent(uid);
    for (const [dw, dep] of deps) this.#attemptToDelete.enqueue(itemKey(dw, dep));
    for (const r of obj.metadata.ownerReferences ?? []) this.#enqueueIfDeletingDependents(r.uid);
  }

  // An owner we cannot see, or one deleting in the foreground, needs the dependent looked at.
  #needsCheck(obj: KubeObject, ref: OwnerReference): boolean {
    if (!this.#resolve(ref)) return false;
    const owner = this.#cached(obj, ref);
    return !owner || deletingDependents(owner);
  }

  #enqueueIfDeletingDependents(uid: string): void {
    const at = this.#uids.get(uid);
    const owner = at?.w.informer.get(at.key);
    if (owner && deletingDependents(owner)) this.#attemptToDelete.enqueue(itemKey(at!.w, owner));
  }

  #dependents(uid: string): [Watched, KubeObject][] {
    const out: [Watched, KubeObject][] = [];
    for (const w of this.#watched) for (const o of w.informer.byIndex(OWNER_INDEX, uid)) out.push([w, o]);
    return out;
  }

  #resolve(ref: OwnerReference): Watched | undefined {
    const def = builtinRegistry.byApiVersionKind(ref.apiVersion, ref.kind);
    return def ? this.#byDef.get(def) : undefined;
  }

  // The owner as cached, if the cache holds that very object (same uid, same namespace rules).
  #cached(dependent: KubeObject, ref: OwnerReference): KubeObject | undefined {
    const at = this.#uids.get(ref.uid);
    if (!at) return undefined;
    const owner = at.w.informer.get(at.key);
    if (!owner || owner.metadata.uid !== ref.uid) return undefined;
    if (at.w.def.namespaced && owner.metadata.namespace !== dependent.metadata.namespace) return undefined;
    return owner;
  }

  #markAbsent(uid: string): void {
    this.#absent.add(uid);
    if (this.#absent.size > MAX_ABSENT) this.#absent.delete(this.#absent.values().next().value!);
  }

  #scan(): void {
    if (!this.#started) return;
    for (const w of this.#watched) for (const o of w.informer.list()) this.#observe(w, undefined, o);
    this.#timer = this.#cc.clock.setTimeout(() => this.#scan(), this.#periodMs);
  }

  // ---- attemptToDelete ----------------------------------------------------------

  async #syncDelete(key: string): Promise<void> {
    const found = await this.#getItem(key);
    if (!found) return;
    const { w, item } = found;
    if (item.metadata.deletionTimestamp && !deletingDependents(item)) return;
    if (deletingDependents(item)) return this.#processDeletingDependents(w, item);
    const refs = item.metadata.ownerReferences ?? [];
    if (refs.length === 0) return;
    const solid: OwnerReference[] = [];
    const gone: OwnerReference[] = [];
    const waiting: OwnerReference[] = [];
    for (const ref of refs) {
      const state = await this.#ownerState(item, ref);
      (state === "solid" ? solid : state === "dangling" ? gone : waiting).push(ref);
    }
    if (solid.length > 0) {
      // References to owners that are gone (or going) must go, or those owners would wait forever.
      if (gone.length > 0 || waiting.length > 0) await this.#removeOwnerRefs(w, item, [...gone, ...waiting].map((r) => r.uid));
      return;
    }
    const deps = this.#dependents(item.metadata.uid!);
    if (waiting.length > 0 && deps.length > 0) {
      // Its owner waits for it, and it has dependents: delete it in the foreground too. A dependent that
      // itself waits in the foreground could be a cycle, so stop blocking our owners first.
      if (deps.some(([, d]) => deletingDependents(d))) await this.#unblockOwnerRefs(w, item);
      return this.#deleteItem(w, item, "Foreground");
    }
    const policy = hasFinalizer(item, ORPHAN_FINALIZER) ? "Orphan" : hasFinalizer(item, FOREGROUND_FINALIZER) ? "Foreground" : "Background";
    return this.#deleteItem(w, item, policy);
  }

  async #processDeletingDependents(w: Watched, item: KubeObject): Promise<void> {
    const uid = item.metadata.uid!;
    const blocking = this.#dependents(uid).filter(([, d]) => d.metadata.ownerReferences?.some((r) => r.uid === uid && r.blockOwnerDeletion));
    if (blocking.length === 0) return this.#removeFinalizer(w, item, FOREGROUND_FINALIZER);
    for (const [dw, d] of blocking) if (!deletingDependents(d)) this.#attemptToDelete.enqueue(itemKey(dw, d));
  }

  async #ownerState(item: KubeObject, ref: OwnerReference): Promise<OwnerState> {
    const w = this.#resolve(ref);
    if (!w) {
      this.#cc.log("debug", `garbagecollector: unknown owner kind ${ref.apiVersion}/${ref.kind} of ${keyOf(item)}; keeping it`);
      return "solid";
    }
    if (this.#absent.has(ref.uid)) return "dangling";
    if (w.def.namespaced && !item.metadata.namespace) {
      void this.#cc.recorder("garbage-collector-controller").record(item, "Warning", "OwnerRefInvalidNamespace", `ownerRef [${ref.apiVersion}/${ref.kind}, namespace: , name: ${ref.name}, uid: ${ref.uid}] does not exist in namespace ""`);
      return "dangling";
    }
    // The cache may say an owner exists (a lagging cache only delays deletion); only absence needs the live word.
    let owner = this.#cached(item, ref);
    if (!owner) {
      try {
        owner = await this.#cc.client.get(w.resource, ref.name, { namespace: w.def.namespaced ? item.metadata.namespace : undefined });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      if (!owner || owner.metadata.uid !== ref.uid) {
        this.#markAbsent(ref.uid);
        return "dangling";
      }
    }
    return deletingDependents(owner) ? "waiting" : "solid";
  }

  async #deleteItem(w: Watched, item: KubeObject, propagationPolicy: "Orphan" | "Foreground" | "Background"): Promise<void> {
    const { namespace, name, uid } = item.metadata;
    try {
      await this.#cc.client.delete(w.resource, name!, { namespace, propagationPolicy, preconditions: { uid } });
      this.counts.deleted++;
      this.#cc.log("debug", `garbagecollector: deleted ${w.resource} ${keyOf(item)} (${propagationPolicy})`);
    } catch (err) {
      // Gone already, or a newer object took the name: nothing of ours to delete.
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  // ---- attemptToOrphan ----------------------------------------------------------

  async #syncOrphan(key: string): Promise<void> {
    const found = await this.#getItem(key);
    if (!found) return;
    const { w, item } = found;
    if (!item.metadata.deletionTimestamp || !hasFinalizer(item, ORPHAN_FINALIZER)) return;
    for (const [dw, dep] of this.#dependents(item.metadata.uid!)) {
      await this.#removeOwnerRefs(dw, dep, [item.metadata.uid!]);
      this.counts.orphaned++;
    }
    await this.#removeFinalizer(w, item, ORPHAN_FINALIZER);
  }

  // ---- writes -------------------------------------------------------------------

  async #getItem(key: string): Promise<{ w: Watched; item: KubeObject } | undefined> {
    const { resource, namespace, name } = splitItemKey(key);
    const w = this.#byResource.get(resource);
    if (!w) return undefined;
    try {
      return { w, item: await this.#cc.client.get(resource, name, { namespace }) };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  // Merge-patches metadata of the live object (its resourceVersion a precondition), re-reading on conflict.
  async #patchMeta(w: Watched, obj: KubeObject, change: (cur: KubeObject) => Record<string, unknown> | undefined): Promise<boolean> {
    const { namespace, name, uid } = obj.metadata;
    try {
      return await retryOnConflict(async () => {
        const cur = await this.#cc.client.get(w.resource, name!, { namespace });
        if (cur.metadata.uid !== uid) return false;
        const meta = change(cur);
        if (!meta) return false;
        await this.#cc.client.patch(w.resource, name!, "merge", { metadata: { ...meta, resourceVersion: cur.metadata.resourceVersion } }, { namespace });
        return true;
      });
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async #removeFinalizer(w: Watched, obj: KubeObject, finalizer: string): Promise<void> {
    const done = await this.#patchMeta(w, obj, (cur) => {
      if (!hasFinalizer(cur, finalizer)) return undefined;
      const rest = cur.metadata.finalizers!.filter((f) => f !== finalizer);
      return { finalizers: rest.length ? rest : null };
    });
    if (done) this.counts.finalizersRemoved++;
  }

  async #removeOwnerRefs(w: Watched, obj: KubeObject, uids: string[]): Promise<void> {
    const done = await this.#patchMeta(w, obj, (cur) => {
      const refs = cur.metadata.ownerReferences ?? [];
      const kept = refs.filter((r) => !uids.includes(r.uid));
      if (kept.length === refs.length) return undefined;
      return { ownerReferences: kept.length ? kept : null };
    });
    if (done) this.counts.ownerRefsRemoved++;
  }

  async #unblockOwnerRefs(w: Watched, obj: KubeObject): Promise<void> {
    await this.#patchMeta(w, obj, (cur) => {
      const refs = cur.metadata.ownerReferences ?? [];
      if (!refs.some((r) => r.blockOwnerDeletion)) return undefined;
      return { ownerReferences: refs.map((r) => (r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r)) };
    });
  }
}

// `resource/namespace/name`, namespace empty for cluster-scoped objects.
function itemKey(w: Watched, obj: KubeObject): string {
  return `${w.resource}/${obj.metadata.namespace ?? ""}/${obj.metadata.name}`;
}

function splitItemKey(key: string): { resource: string; namespace?: string; name: string } {
  const a = key.indexOf("/");
  const b = key.indexOf("/", a + 1);
  const namespace = key.slice(a + 1, b);
  return { resource: key.slice(0, a), namespace: namespace || undefined, name: key.slice(b + 1) };
}

/** Builds the garbage collector. */
export const garbageCollector = (cc: ControllerContext): Controller => new GarbageCollector(cc);
