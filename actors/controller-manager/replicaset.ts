/**
 * The ReplicaSet controller, as kube-controller-manager's: keeps
 * `spec.replicas` active pods matching the selector, owned through their
 * controllerRef. Watch handlers only enqueue ReplicaSet keys and count
 * observed creations and deletions against the expectations; `sync` claims
 * pods (adopting orphans, releasing pods that stopped matching), creates the
 * missing ones in slow-start batches or deletes the least valuable extras,
 * and writes status. Expectations keep a lagging cache from causing a second
 * round of creations for the same shortfall.
 *
 * Settings read from the manager's options: `burstReplicas` (creations or
 * deletions per sync, default 500) and `replicaSetWorkers` (concurrent
 * syncs, default `workers`, 5).
 */
import { isNotFound, type ApiClient } from "../api/client.ts";
import { labelSelectorFromObject, type ParsedLabelSelector } from "../api/label-selector.ts";
import type { KubeObject, OwnerReference } from "../api/meta.ts";
import type { Informer } from "../api/informer.ts";
import type { ReplicaSet } from "../api/types/apps.ts";
import type { Pod } from "../api/types/core-pod.ts";
import type { EventRecorder } from "../api/events.ts";
import { Reconciler, isNamespaceTerminating, keyOf, type Controller, type ControllerContext } from "./controller.ts";
import { CONTROLLER_UID_INDEX, ORPHAN_INDEX, claimObjects, controllerIndexers, controllerRefOf, newControllerRef, recheckDeletion } from "./controller-ref.ts";
import { Expectations } from "./expectations.ts";
import { availableAt, isPodActive, isPodReady, podsToDelete } from "./pod-ranking.ts";
import { calculateReplicaSetStatus, updateReplicaSetStatus } from "./replicaset-status.ts";

/** Kubernetes' `BurstReplicas`: at most this many creations or deletions per sync. */
export const BURST_REPLICAS = 500;
/** Kubernetes' `SlowStartInitialBatchSize`. */
export const SLOW_START_INITIAL_BATCH = 1;

/**
 * Runs `fn` `count` times in batches of 1, 2, 4, 8, … (each batch at once),
 * stopping after the first batch with a failure: a template that cannot
 * work fails once, not `count` times. Resolves with the successes and the
 * first error.
 */
export async function slowStartBatch(count: number, initial: number, fn: () => Promise<unknown>): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initial); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    successes += batch - failed.length;
    if (failed.length > 0) return { successes, error: failed[0].reason };
    remaining -= batch;
  }
  return { successes };
}

/** `namespace/name` of a pod, the unit of deletion expectations. */
const podKey = (pod: Pod) => `${pod.metadata.namespace}/${pod.metadata.name}`;

/** `GetPodFromTemplate`: a pod of the ReplicaSet's template, named `<rs>-<random>`, controlled by it. */
export function podFromTemplate(rs: ReplicaSet): Pod {
  const t = rs.spec.template;
  const metadata: Pod["metadata"] = {
    generateName: `${rs.metadata.name}-`,
    namespace: rs.metadata.namespace,
    labels: { ...(t.metadata?.labels ?? {}) },
    ownerReferences: [newControllerRef(rs as KubeObject)],
  };
  if (t.metadata?.annotations) metadata.annotations = { ...t.metadata.annotations };
  if (t.metadata?.finalizers) metadata.finalizers = [...t.metadata.finalizers];
  return { apiVersion: "v1", kind: "Pod", metadata, spec: structuredClone(t.spec) };
}

/** The ReplicaSet controller. */
export class ReplicaSetController implements Controller {
  readonly name = "replicaset";
  readonly expectations: Expectations;
  readonly #cc: ControllerContext;
  readonly #client: ApiClient;
  readonly #events: EventRecorder;
  readonly #sets: Informer<ReplicaSet>;
  readonly #pods: Informer<Pod>;
  readonly #reconciler: Reconciler;
  readonly #burst: number;
  readonly #selectors = new WeakMap<ReplicaSet, ParsedLabelSelector | null>();
  readonly counts = { creates: 0, deletes: 0, adoptionErrors: 0 };

  constructor(cc: ControllerContext) {
    this.#cc = cc;
    this.#client = cc.client;
    this.#events = cc.recorder("replicaset-controller");
    this.#burst = typeof cc.options.burstReplicas === "number" ? cc.options.burstReplicas : BURST_REPLICAS;
    this.expectations = new Expectations(cc.clock);
    this.#sets = cc.informers.informer<ReplicaSet>({ resource: "replicasets.apps", indexers: controllerIndexers });
    this.#pods = cc.informers.informer<Pod>({ resource: "pods", indexers: controllerIndexers });
    this.#reconciler = new Reconciler(cc, "replicaset", (key) => this.sync(key), { workers: typeof cc.options.replicaSetWorkers === "number" ? cc.options.replicaSetWorkers : undefined });
    this.#sets.addEventHandler({
      onAdd: (rs) => this.#reconciler.enqueue(rs),
      onUpdate: (old, cur) => {
        if (old.metadata.uid !== cur.metadata.uid) this.#onSetDeleted(old);
        this.#reconciler.enqueue(cur);
      },
      onDelete: (rs) => this.#onSetDeleted(rs),
    });
    this.#pods.addEventHandler({
      onAdd: (pod) => this.#onPodAdded(pod),
      onUpdate: (old, cur) => this.#onPodUpdated(old, cur),
      onDelete: (pod) => this.#onPodDeleted(pod),
    });
  }

  start(): void {
    this.#reconciler.start();
  }

  stop(): Promise<void> {
    return this.#reconciler.stop();
  }

  stats(): Record<string, unknown> {
    return { ...this.#reconciler.stats(), ...this.counts, expectations: this.expectations.size };
  }

  // ---- handlers: only bookkeeping and enqueueing ---------------------------

  #onSetDeleted(rs: ReplicaSet): void {
    const key = keyOf(rs);
    this.expectations.delete(key);
    this.#reconciler.enqueue(key);
  }

  #owner(namespace: string | undefined, ref: OwnerReference | undefined): ReplicaSet | undefined {
    if (!ref || ref.kind !== "ReplicaSet" || !ref.apiVersion.startsWith("apps/")) return undefined;
    const rs = this.#sets.get(`${namespace}/${ref.name}`);
    return rs && rs.metadata.uid === ref.uid ? rs : undefined;
  }

  #selector(rs: ReplicaSet): ParsedLabelSelector | null {
    let s = this.#selectors.get(rs);
    if (s === undefined) {
      try {
        s = labelSelectorFromObject(rs.spec.selector);
      } catch {
        s = null;
      }
      this.#selectors.set(rs, s);
    }
    return s;
  }

  // ReplicaSets of the pod's namespace whose (non-empty) selector matches it: candidates to adopt an orphan.
  #enqueueMatching(pod: Pod): void {
    for (const rs of this.#sets.byIndex("namespace", pod.metadata.namespace ?? "")) {
      const s = this.#selector(rs);
      if (s && !s.isEverything && s.matches(pod.metadata.labels)) this.#reconciler.enqueue(rs);
    }
  }

  #onPodAdded(pod: Pod): void {
    // A pod seen for the first time already being deleted (after a restart) is no creation to count.
    if (pod.metadata.deletionTimestamp) return this.#onPodDeleted(pod);
    const ref = controllerRefOf(pod);
    if (ref) {
      const rs = this.#owner(pod.metadata.namespace, ref);
      if (!rs) return;
      const key = keyOf(rs);
      this.expectations.creationObserved(key);
      this.#reconciler.enqueue(key);
      return;
    }
    this.#enqueueMatching(pod);
  }

  #onPodUpdated(old: Pod, cur: Pod): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (cur.metadata.deletionTimestamp) {
      // A graceful deletion shows up as an update first: count it now, the controller need not wait for the kubelet.
      this.#onPodDeleted(cur);
      if (labelsChanged) this.#onPodDeleted(old);
      return;
    }
    const curRef = controllerRefOf(cur);
    const oldRef = controllerRefOf(old);
    const refChanged = curRef?.uid !== oldRef?.uid;
    if (refChanged && oldRef) {
      const rs = this.#owner(old.metadata.namespace, oldRef);
      if (rs) this.#reconciler.enqueue(rs);
    }
    if (curRef) {
      const rs = this.#owner(cur.metadata.namespace, curRef);
      if (!rs) return;
      this.#reconciler.enqueue(rs);
      const minReady = rs.spec.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(old) && isPodReady(cur)) this.#reconciler.enqueueAfter(keyOf(rs), minReady * 1000);
      return;
    }
    if (labelsChanged || refChanged) this.#enqueueMatching(cur);
  }

  #onPodDeleted(pod: Pod): void {
    const rs = this.#owner(pod.metadata.namespace, controllerRefOf(pod));
    if (!rs) return;
    const key = keyOf(rs);
    this.expectations.deletionObserved(key, podKey(pod));
    this.#reconciler.enqueue(key);
  }

  // ---- sync ---------------------------------------------------------------

  /** Reconciles one ReplicaSet by key; throws to be retried with back-off. */
  async sync(key: string): Promise<void> {
    const cached = this.#sets.get(key);
    if (!cached) {
      this.expectations.delete(key);
      return;
    }
    const rs = structuredClone(cached);
    const needsSync = this.expectations.satisfied(key);
    const selector = this.#selector(cached);
    if (!selector) {
      this.#cc.log("warn", `replicaset ${key} has an invalid selector; not syncing`);
      return;
    }
    const ns = rs.metadata.namespace ?? "";
    const candidates = [...this.#pods.byIndex(CONTROLLER_UID_INDEX, rs.metadata.uid!), ...this.#pods.byIndex(ORPHAN_INDEX, ns)].filter(isPodActive);
    const pods = await claimObjects<Pod>({
      client: this.#client,
      resource: "pods",
      owner: rs as KubeObject,
      match: (p) => !selector.isEverything && selector.matches(p.metadata.labels),
      candidates,
      canAdopt: recheckDeletion(this.#client, "replicasets.apps", rs as KubeObject),
    });
    let manageError: unknown;
    if (needsSync && !rs.metadata.deletionTimestamp) {
      try {
        await this.#manageReplicas(key, rs, pods);
      } catch (err) {
        manageError = err;
      }
    }
    const now = this.#cc.clock.now();
    const status = calculateReplicaSetStatus(rs, pods, manageError, now);
    await updateReplicaSetStatus(this.#client, rs, status);
    if (manageError) throw manageError;
    // Come back when the next ready pod has been ready for minReadySeconds.
    let next = Infinity;
    for (const p of pods) next = Math.min(next, availableAt(p, rs.spec.minReadySeconds ?? 0, now) ?? Infinity);
    if (next !== Infinity) this.#reconciler.enqueueAfter(key, next - now);
  }

  async #manageReplicas(key: string, rs: ReplicaSet, pods: Pod[]): Promise<void> {
    const diff = pods.length - (rs.spec.replicas ?? 1);
    if (diff < 0) {
      const n = Math.min(-diff, this.#burst);
      this.expectations.expectCreations(key, n);
      const { successes, error } = await slowStartBatch(n, SLOW_START_INITIAL_BATCH, () => this.#createPod(key, rs));
      // Pods never asked for (or refused) will not be observed.
      for (let i = successes; i < n; i++) this.expectations.creationObserved(key);
      if (error) throw error;
    } else if (diff > 0) {
      const n = Math.min(diff, this.#burst);
      const victims = podsToDelete(pods, this.#relatedPods(rs), n, this.#cc.clock.now());
      this.expectations.expectDeletions(key, victims.map(podKey));
      const errors: unknown[] = [];
      await Promise.all(victims.map(async (pod) => {
        try {
          await this.#deletePod(rs, pod);
        } catch (err) {
          this.expectations.deletionObserved(key, podKey(pod));
          if (!isNotFound(err)) errors.push(err);
        }
      }));
      if (errors.length) throw errors[0];
    }
  }

  // Pods of every ReplicaSet controlled by the same owner (a Deployment's old and new sets), for spreading.
  #relatedPods(rs: ReplicaSet): Pod[] {
    const owner = controllerRefOf(rs as KubeObject);
    const sets = owner ? this.#sets.byIndex(CONTROLLER_UID_INDEX, owner.uid) : [rs];
    if (!sets.some((s) => s.metadata.uid === rs.metadata.uid)) sets.push(rs);
    return sets.flatMap((s) => this.#pods.byIndex(CONTROLLER_UID_INDEX, s.metadata.uid!));
  }

  async #createPod(key: string, rs: ReplicaSet): Promise<void> {
    const pod = podFromTemplate(rs);
    if (Object.keys(pod.metadata.labels ?? {}).length === 0) throw new Error("unable to create pods, no labels");
    let created: Pod;
    try {
      created = await this.#client.create<Pod>("pods", pod, { namespace: rs.metadata.namespace });
    } catch (err) {
      // Every creation in a terminating namespace fails; nothing to report or retry.
      if (isNamespaceTerminating(err)) return this.expectations.creationObserved(key);
      void this.#events.record(rs as KubeObject, "Warning", "FailedCreate", `Error creating: ${(err as Error)?.message ?? String(err)}`);
      throw err;
    }
    this.counts.creates++;
    void this.#events.record(rs as KubeObject, "Normal", "SuccessfulCreate", `Created pod: ${created.metadata.name}`);
  }

  async #deletePod(rs: ReplicaSet, pod: Pod): Promise<void> {
    try {
      await this.#client.delete("pods", pod.metadata.name!, { namespace: pod.metadata.namespace, preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      if (!isNotFound(err)) void this.#events.record(rs as KubeObject, "Warning", "FailedDelete", `Error deleting: ${(err as Error)?.message ?? String(err)}`);
      throw err;
    }
    this.counts.deletes++;
    void this.#events.record(rs as KubeObject, "Normal", "SuccessfulDelete", `Deleted pod: ${pod.metadata.name}`);
  }
}

/** The `replicaset` entry of the controller-manager. */
export const replicaSetController = (cc: ControllerContext): Controller => new ReplicaSetController(cc);
