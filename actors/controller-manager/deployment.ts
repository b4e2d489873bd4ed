/**
 * The Deployment controller, as kube-controller-manager's: a Deployment owns
 * ReplicaSets named by the hash of its pod template and rolls pods from the
 * old ones to the new one (RollingUpdate or Recreate), keeping revisions,
 * history, pause, progress deadline and status. Watch handlers only enqueue
 * Deployment keys; `sync` claims ReplicaSets, then scales, rolls or just
 * reports status, as the Deployment's state asks. A rollback is a template
 * set back to an earlier one (what `kubectl rollout undo` sends): the old
 * ReplicaSet is found again and becomes the newest revision.
 *
 * Setting read from the manager's options: `deploymentWorkers` (concurrent
 * syncs, default `workers`, 5).
 */
import type { Informer } from "../api/informer.ts";
import { labelSelectorFromObject, type ParsedLabelSelector } from "../api/label-selector.ts";
import type { EventRecorder } from "../api/events.ts";
import type { KubeObject, OwnerReference } from "../api/meta.ts";
import type { Deployment, ReplicaSet } from "../api/types/apps.ts";
import type { Pod } from "../api/types/core-pod.ts";
import { Reconciler, type Controller, type ControllerContext } from "./controller.ts";
import { CONTROLLER_UID_INDEX, ORPHAN_INDEX, claimObjects, controllerIndexers, controllerRefOf, recheckDeletion } from "./controller-ref.ts";
import { DeploymentSync } from "./deployment-sync.ts";
import { rolloutRecreate, rolloutRolling } from "./deployment-rollout.ts";
import { Reasons, getCondition, hasProgressDeadline, newCondition, setCondition } from "./deployment-status.ts";
import { DESIRED_REPLICAS, active, replicasOf } from "./deployment-util.ts";

/** The Deployment controller. */
export class DeploymentController implements Controller {
  readonly name = "deployment";
  readonly #cc: ControllerContext;
  readonly #events: EventRecorder;
  readonly #deployments: Informer<Deployment>;
  readonly #sets: Informer<ReplicaSet>;
  readonly #pods: Informer<Pod>;
  readonly #reconciler: Reconciler;
  readonly #selectors = new WeakMap<Deployment, ParsedLabelSelector | null>();

  constructor(cc: ControllerContext) {
    this.#cc = cc;
    this.#events = cc.recorder("deployment-controller");
    this.#deployments = cc.informers.informer<Deployment>({ resource: "deployments.apps" });
    this.#sets = cc.informers.informer<ReplicaSet>({ resource: "replicasets.apps", indexers: controllerIndexers });
    this.#pods = cc.informers.informer<Pod>({ resource: "pods", indexers: controllerIndexers });
    this.#reconciler = new Reconciler(cc, "deployment", (key) => this.sync(key), { workers: typeof cc.options.deploymentWorkers === "number" ? cc.options.deploymentWorkers : undefined });
    this.#deployments.addEventHandler({
      onAdd: (d) => this.#reconciler.enqueue(d),
      onUpdate: (_old, d) => this.#reconciler.enqueue(d),
      onDelete: (d) => this.#reconciler.enqueue(d),
    });
    this.#sets.addEventHandler({
      onAdd: (rs) => (rs.metadata.deletionTimestamp ? this.#onSetDeleted(rs) : this.#onSetChanged(rs)),
      onUpdate: (old, cur) => {
        if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
        const oldRef = controllerRefOf(old as KubeObject), curRef = controllerRefOf(cur as KubeObject);
        if (oldRef && oldRef.uid !== curRef?.uid) this.#enqueueOwner(old.metadata.namespace, oldRef);
        if (curRef) return this.#enqueueOwner(cur.metadata.namespace, curRef);
        const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
        if (labelsChanged || oldRef) this.#enqueueMatching(cur);
      },
      onDelete: (rs) => this.#onSetDeleted(rs),
    });
    // Only Recreate waits on pods: it creates the new ReplicaSet once the old pods are gone.
    this.#pods.addEventHandler({
      onDelete: (pod) => {
        const rsRef = controllerRefOf(pod as KubeObject);
        const rs = rsRef && this.#sets.get(`${pod.metadata.namespace}/${rsRef.name}`);
        if (!rs || rs.metadata.uid !== rsRef.uid) return;
        const d = this.#owner(rs.metadata.namespace, controllerRefOf(rs as KubeObject));
        if (d?.spec.strategy?.type === "Recreate") this.#reconciler.enqueue(d);
      },
    });
  }

  start(): void {
    this.#reconciler.start();
  }

  stop(): Promise<void> {
    return this.#reconciler.stop();
  }

  stats(): Record<string, unknown> {
    return this.#reconciler.stats();
  }

  // ---- handlers -------------------------------------------------------------

  #owner(namespace: string | undefined, ref: OwnerReference | undefined): Deployment | undefined {
    if (!ref || ref.kind !== "Deployment" || !ref.apiVersion.startsWith("apps/")) return undefined;
    const d = this.#deployments.get(`${namespace}/${ref.name}`);
    return d && d.metadata.uid === ref.uid ? d : undefined;
  }

  #enqueueOwner(namespace: string | undefined, ref: OwnerReference): void {
    const d = this.#owner(namespace, ref);
    if (d) this.#reconciler.enqueue(d);
  }

  #selector(d: Deployment): ParsedLabelSelector | null {
    let s = this.#selectors.get(d);
    if (s === undefined) {
      try {
        s = labelSelectorFromObject(d.spec.selector);
      } catch {
        s = null;
      }
      this.#selectors.set(d, s);
    }
    return s;
  }

  #enqueueMatching(rs: ReplicaSet): void {
    for (const d of this.#deployments.byIndex("namespace", rs.metadata.namespace ?? "")) {
      const s = this.#selector(d);
      if (s && !s.isEverything && s.matches(rs.metadata.labels)) this.#reconciler.enqueue(d);
    }
  }

  #onSetChanged(rs: ReplicaSet): void {
    const ref = controllerRefOf(rs as KubeObject);
    if (ref) this.#enqueueOwner(rs.metadata.namespace, ref);
    else this.#enqueueMatching(rs);
  }

  #onSetDeleted(rs: ReplicaSet): void {
    const ref = controllerRefOf(rs as KubeObject);
    if (ref) this.#enqueueOwner(rs.metadata.namespace, ref);
  }

  // ---- sync -----------------------------------------------------------------

  /** Reconciles one Deployment by key; throws to be retried with back-off. */
  async sync(key: string): Promise<void> {
    const cached = this.#deployments.get(key);
    if (!cached) return;
    const s = new DeploymentSync({
      client: this.#cc.client,
      events: this.#events,
      now: () => this.#cc.clock.now(),
      cachedReplicaSet: (k) => this.#sets.get(k),
      recheck: (ms) => (ms > 0 ? this.#reconciler.enqueueAfter(key, ms) : this.#reconciler.queue.addRateLimited(key)),
    }, cached);
    const d = s.d;
    const selector = this.#selector(cached);
    if (!selector) {
      this.#cc.log("warn", `deployment ${key} has an invalid selector; not syncing`);
      return;
    }
    if (selector.isEverything) {
      void this.#events.record(d as KubeObject, "Warning", "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required.");
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) await s.writeStatus({ ...d.status, observedGeneration: d.metadata.generation });
      return;
    }
    const sets = await this.#claimReplicaSets(d, selector);
    if (d.metadata.deletionTimestamp) {
      const { newRS, olds } = await s.replicaSets(sets, false);
      return s.syncStatus([...olds, ...(newRS ? [newRS] : [])], newRS);
    }
    await this.#checkPaused(s);
    if (s.d.spec.paused) return this.#syncScaleOnly(s, sets);
    if (await this.#isScalingEvent(s, sets)) return this.#syncScaleOnly(s, sets);
    if (s.d.spec.strategy?.type === "Recreate") {
      return rolloutRecreate(s, sets, (rs) => this.#pods.byIndex(CONTROLLER_UID_INDEX, rs.metadata.uid!));
    }
    return rolloutRolling(s, sets);
  }

  async #claimReplicaSets(d: Deployment, selector: ParsedLabelSelector): Promise<ReplicaSet[]> {
    const ns = d.metadata.namespace ?? "";
    return claimObjects<ReplicaSet>({
      client: this.#cc.client,
      resource: "replicasets.apps",
      owner: d as KubeObject,
      match: (rs) => selector.matches(rs.metadata.labels),
      candidates: [...this.#sets.byIndex(CONTROLLER_UID_INDEX, d.metadata.uid!), ...this.#sets.byIndex(ORPHAN_INDEX, ns)],
      canAdopt: recheckDeletion(this.#cc.client, "deployments.apps", d as KubeObject),
    });
  }

  // `checkPausedConditions`: Progressing becomes Unknown/DeploymentPaused while paused, DeploymentResumed after.
  async #checkPaused(s: DeploymentSync): Promise<void> {
    const d = s.d;
    if (!hasProgressDeadline(d)) return;
    const cond = getCondition(d.status, "Progressing");
    if (cond?.reason === Reasons.ProgressDeadlineExceeded) return;
    const pausedShown = cond?.reason === Reasons.DeploymentPaused;
    const now = this.#cc.clock.now();
    const status = structuredClone(d.status ?? {});
    if (d.spec.paused && !pausedShown) setCondition(status, newCondition("Progressing", "Unknown", Reasons.DeploymentPaused, "Deployment is paused", now));
    else if (!d.spec.paused && pausedShown) setCondition(status, newCondition("Progressing", "Unknown", Reasons.DeploymentResumed, "Deployment is resumed", now));
    else return;
    await s.writeStatus(status);
  }

  // `isScalingEvent`: an active ReplicaSet was sized for a different spec.replicas than the Deployment's now.
  async #isScalingEvent(s: DeploymentSync, sets: ReplicaSet[]): Promise<boolean> {
    const { newRS, olds } = await s.replicaSets(sets, false);
    const want = String(replicasOf(s.d));
    return active([...olds, newRS]).some((rs) => {
      const desired = rs.metadata.annotations?.[DESIRED_REPLICAS];
      return desired !== undefined && desired !== want;
    });
  }

  // `sync`: scale (proportionally mid-rollout), prune history when paused, write status.
  async #syncScaleOnly(s: DeploymentSync, sets: ReplicaSet[]): Promise<void> {
    const { newRS, olds } = await s.replicaSets(sets, false);
    await s.scale(newRS, olds);
    if (s.d.spec.paused) await s.cleanup(olds);
    return s.syncStatus([...olds, ...(newRS ? [newRS] : [])], newRS);
  }
}

/** The `deployment` entry of the controller-manager. */
export const deploymentController = (cc: ControllerContext): Controller => new DeploymentController(cc);
