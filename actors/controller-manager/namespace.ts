/**
 * The namespace controller. A namespace being deleted (deletionTimestamp
 * set, phase Terminating — the apiserver refuses new content in it) has
 * every namespaced object in it deleted, kind by kind; pods get their
 * graceful termination, objects with finalizers are waited for. The
 * deletion conditions (NamespaceDeletionDiscoveryFailure,
 * NamespaceDeletionGroupVersionParsingFailure, NamespaceDeletionContentFailure,
 * NamespaceContentRemaining, NamespaceFinalizersRemaining) report progress
 * as Kubernetes words them. Once nothing is left the `kubernetes` finalizer
 * is removed through the `finalize` subresource and the apiserver deletes
 * the namespace.
 *
 * Kubernetes re-checks a namespace after half the time its content is
 * expected to take; here the deletion of anything in a terminating
 * namespace also re-checks it, so it goes as soon as it is empty.
 */
import { isNotFound, retryOnConflict } from "../api/client.ts";
import type { Informer } from "../api/informer.ts";
import type { Condition, KubeObject } from "../api/meta.ts";
import type { Namespace } from "../api/types/core-node.ts";
import type { Pod } from "../api/types/core-pod.ts";
import { timestamp } from "../apiserver/objects.ts";
import { NAMESPACE_FINALIZER } from "../apiserver/registry/namespaces.ts";
import { registry as builtinRegistry, type ResourceDef } from "../apiserver/registry/index.ts";
import { Reconciler, type Controller, type ControllerContext } from "./controller.ts";
import { resourceName, serves } from "./garbage-collector.ts";

// Assumed time for finalizers of remaining content to complete (finalizerEstimateSeconds).
const FINALIZER_ESTIMATE_S = 15;

const CONDITION_TYPES = ["NamespaceDeletionDiscoveryFailure", "NamespaceDeletionGroupVersionParsingFailure", "NamespaceDeletionContentFailure", "NamespaceContentRemaining", "NamespaceFinalizersRemaining"] as const;
const OK: Record<(typeof CONDITION_TYPES)[number], { reason: string; message: string }> = {
  NamespaceDeletionDiscoveryFailure: { reason: "ResourcesDiscovered", message: "All resources successfully discovered" },
  NamespaceDeletionGroupVersionParsingFailure: { reason: "ParsedGroupVersions", message: "All legacy kube types successfully parsed" },
  NamespaceDeletionContentFailure: { reason: "ContentDeleted", message: "All content successfully deleted, may be waiting on finalization" },
  NamespaceContentRemaining: { reason: "ContentRemoved", message: "All content successfully removed" },
  NamespaceFinalizersRemaining: { reason: "ContentHasNoFinalizers", message: "All content-preserving finalizers finished" },
};

/** What deleting one kind's content left behind. */
interface KindResult {
  estimateS: number;
  remaining: number;
  finalizers: Map<string, number>;
  error?: string;
}

/** The namespace controller. */
export class NamespaceController implements Controller {
  readonly name = "namespace";
  readonly #cc: ControllerContext;
  readonly #kinds: ResourceDef[];
  readonly #queue: Reconciler;
  readonly #namespaces: Informer<Namespace>;
  readonly counts = { finalized: 0, deleted: 0 };

  constructor(cc: ControllerContext, defs: readonly ResourceDef[] = builtinRegistry.list()) {
    this.#cc = cc;
    this.#kinds = defs.filter((d) => d.namespaced && serves(d, "list", "watch", "delete"));
    this.#queue = new Reconciler(cc, "namespace", (name) => this.#sync(name));
    this.#namespaces = cc.informers.informer<Namespace>({ resource: "namespaces" });
    this.#namespaces.addEventHandler({
      onAdd: (ns) => ns.metadata.deletionTimestamp && this.#queue.enqueue(ns),
      onUpdate: (_, ns) => ns.metadata.deletionTimestamp && this.#queue.enqueue(ns),
    });
    // Content going away in a terminating namespace may be the last of it.
    for (const def of this.#kinds) {
      if (def.plural === "events") continue;
      cc.informers.informer<KubeObject>({ resource: resourceName(def) }).addEventHandler({
        onDelete: (o) => {
          const ns = o.metadata.namespace && this.#namespaces.get(o.metadata.namespace);
          if (ns && ns.metadata.deletionTimestamp) this.#queue.enqueue(ns);
        },
      });
    }
  }

  start(): void {
    this.#queue.start();
  }

  stop(): Promise<void> {
    return this.#queue.stop();
  }

  stats(): Record<string, unknown> {
    return { ...this.#queue.stats(), ...this.counts };
  }

  async #sync(name: string): Promise<void> {
    const { client } = this.#cc;
    let ns: Namespace;
    try {
      ns = await client.get<Namespace>("namespaces", name);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (!ns.metadata.deletionTimestamp) return;
    if (ns.status?.phase !== "Terminating") ns = await client.updateStatus<Namespace>("namespaces", { ...ns, status: { ...ns.status, phase: "Terminating" } });
    if (!(ns.spec?.finalizers ?? []).includes(NAMESPACE_FINALIZER)) return;

    const estimateS = await this.#deleteAllContent(ns);
    if (estimateS > 0) {
      this.#queue.enqueueAfter(name, (Math.floor(estimateS / 2) + 1) * 1000);
      return;
    }
    try {
      await retryOnConflict(async () => {
        const cur = await client.get<Namespace>("namespaces", name);
        if (cur.metadata.uid !== ns.metadata.uid) return;
        const rest = (cur.spec?.finalizers ?? []).filter((f) => f !== NAMESPACE_FINALIZER);
        await client.finalize({ ...cur, spec: { ...cur.spec, finalizers: rest } });
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    this.counts.finalized++;
    this.#cc.log("info", `namespace ${name}: all content removed, finalized`);
  }

  // Deletes every namespaced object; resolves the seconds to wait before looking again (0 = empty).
  async #deleteAllContent(ns: Namespace): Promise<number> {
    const name = ns.metadata.name!;
    const deletedAt = Date.parse(ns.metadata.deletionTimestamp!);
    const remaining: string[] = [];
    const finalizers = new Map<string, number>();
    const errors: string[] = [];
    let estimateS = 0;
    for (const def of this.#kinds) {
      let r: KindResult;
      try {
        r = await this.#deleteKind(def, name, deletedAt);
      } catch (err) {
        r = { estimateS: 0, remaining: 0, finalizers: new Map(), error: (err as Error).message ?? String(err) };
      }
      if (r.error) errors.push(r.error);
      estimateS = Math.max(estimateS, r.estimateS);
      if (r.remaining > 0) remaining.push(`${def.plural}.${def.group} has ${r.remaining} resource instances`);
      for (const [f, n] of r.finalizers) finalizers.set(f, (finalizers.get(f) ?? 0) + n);
    }
    await this.#updateConditions(ns, remaining, finalizers, errors);
    if (errors.length > 0) throw new Error(`namespace ${name}: ${errors.join("; ")}`);
    this.#cc.log("debug", `namespace ${name}: content deleted`, { remaining, estimateS });
    return remaining.length > 0 ? Math.max(estimateS, 1) : estimateS;
  }

  async #deleteKind(def: ResourceDef, namespace: string, deletedAt: number): Promise<KindResult> {
    const { client } = this.#cc;
    const resource = resourceName(def);
    let estimateS = def.plural === "pods" && def.group === "" ? await this.#podGraceEstimate(namespace) : 0;
    // The grace time has passed since the namespace was deleted: no point waiting on it.
    if ((this.#cc.clock.now() - deletedAt) / 1000 >= estimateS) estimateS = 0;
    const before = await client.list(resource, { namespace });
    for (const item of before.items) {
      if (item.metadata.deletionTimestamp) continue;
      try {
        await client.delete(resource, item.metadata.name!, { namespace, propagationPolicy: "Background" });
        this.counts.deleted++;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    const after = before.items.length === 0 ? [] : (await client.list(resource, { namespace })).items;
    const finalizers = new Map<string, number>();
    for (const item of after) for (const f of item.metadata.finalizers ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
    if (after.length === 0) return { estimateS: 0, remaining: 0, finalizers };
    if (estimateS > 0) return { estimateS, remaining: after.length, finalizers };
    if (finalizers.size > 0) return { estimateS: FINALIZER_ESTIMATE_S, remaining: after.length, finalizers };
    return { estimateS: 0, remaining: after.length, finalizers, error: `unexpected items still remain in namespace: ${namespace} for gvr: ${def.group}/${def.version}, Resource=${def.plural}` };
  }

  // The longest termination grace of the namespace's running pods.
  async #podGraceEstimate(namespace: string): Promise<number> {
    const pods = await this.#cc.client.list<Pod>("pods", { namespace });
    let estimate = 0;
    for (const p of pods.items) {
      const phase = p.status?.phase;
      if (phase === "Succeeded" || phase === "Failed") continue;
      estimate = Math.max(estimate, p.spec.terminationGracePeriodSeconds ?? 0);
    }
    return estimate;
  }

  async #updateConditions(ns: Namespace, remaining: string[], finalizers: Map<string, number>, errors: string[]): Promise<void> {
    const now = timestamp(this.#cc.clock.now());
    const want = new Map<string, Omit<Condition, "type">>();
    for (const type of CONDITION_TYPES) want.set(type, { status: "False", ...OK[type] });
    if (errors.length > 0) {
      want.set("NamespaceDeletionContentFailure", { status: "True", reason: "ContentDeletionFailed", message: `Failed to delete all resource types, ${errors.length} remaining: ${[...errors].sort().join(", ")}` });
    }
    if (remaining.length > 0) {
      want.set("NamespaceContentRemaining", { status: "True", reason: "SomeResourcesRemain", message: `Some resources are remaining: ${[...remaining].sort().join(", ")}` });
    }
    if (finalizers.size > 0) {
      const list = [...finalizers].map(([f, n]) => `${f} in ${n} resource instances`).sort();
      want.set("NamespaceFinalizersRemaining", { status: "True", reason: "SomeFinalizersRemain", message: `Some content in the namespace has finalizers remaining: ${list.join(", ")}` });
    }
    await retryOnConflict(async () => {
      let cur: Namespace;
      try {
        cur = await this.#cc.client.get<Namespace>("namespaces", ns.metadata.name!);
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
      const conditions: Condition[] = [...(cur.status?.conditions ?? [])];
      let changed = false;
      for (const [type, c] of want) {
        const i = conditions.findIndex((x) => x.type === type);
        const old = conditions[i];
        if (old && old.status === c.status && old.reason === c.reason && old.message === c.message) continue;
        const lastTransitionTime = old && old.status === c.status ? old.lastTransitionTime : now;
        const next: Condition = { type, ...c, lastTransitionTime };
        if (i < 0) conditions.push(next);
        else conditions[i] = next;
        changed = true;
      }
      if (changed) await this.#cc.client.updateStatus("namespaces", { ...cur, status: { ...cur.status, conditions } });
    });
  }
}

/** Builds the namespace controller. */
export const namespaceController = (cc: ControllerContext): Controller => new NamespaceController(cc);
