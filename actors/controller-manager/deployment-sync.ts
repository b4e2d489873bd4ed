/**
 * One sync of one Deployment, after Kubernetes' `deployment/sync.go`: find
 * or create the new ReplicaSet (named `<deployment>-<pod-template-hash>`)
 * and keep revisions in step, resize ReplicaSets with the
 * ScalingReplicaSet event, scale proportionally when the Deployment is
 * resized mid-rollout, prune old ReplicaSets beyond revisionHistoryLimit,
 * and write status. Holds the working copy of the Deployment so each write
 * builds on the last one's resourceVersion.
 */
import { isAlreadyExists, type ApiClient } from "../api/client.ts";
import type { EventRecorder } from "../api/events.ts";
import type { KubeObject } from "../api/meta.ts";
import type { Deployment, DeploymentStatus, ReplicaSet } from "../api/types/apps.ts";
import { controllerRefOf, newControllerRef } from "./controller-ref.ts";
import {
  POD_TEMPLATE_HASH, REVISION, active, bySize, byRevision, computeHash, equalIgnoreHash, findActiveOrLatest, findNewReplicaSet, isSaturated,
  maxRevision, maxSurge, newRSNewReplicas, oldReplicaSets, proportion, replicasAnnotationsNeedUpdate, replicasOf, setNewReplicaSetAnnotations,
  setReplicasAnnotations, specReplicas, sumSpec,
} from "./deployment-util.ts";
import { Reasons, calculateStatus, getCondition, hasProgressDeadline, newCondition, rolloutStatus, sameStatus, setCondition, stuckRecheckMs } from "./deployment-status.ts";

/** What a sync needs from its controller. */
export interface DeploymentSyncDeps {
  client: ApiClient;
  events: EventRecorder;
  now(): number;
  /** The cached ReplicaSet at `namespace/name`. */
  cachedReplicaSet(key: string): ReplicaSet | undefined;
  /** Checks the Deployment again in `ms` (0: soon, rate-limited). */
  recheck(ms: number): void;
}

/** A sync in progress: the working copy of the Deployment and the operations on its ReplicaSets. */
export class DeploymentSync {
  d: Deployment;
  readonly #deps: DeploymentSyncDeps;

  constructor(deps: DeploymentSyncDeps, d: Deployment) {
    this.#deps = deps;
    this.d = structuredClone(d);
  }

  #event(type: "Normal" | "Warning", reason: string, message: string): void {
    void this.#deps.events.record(this.d as KubeObject, type, reason, message);
  }

  /** Writes `status` (default the working copy's) through the status subresource. */
  async writeStatus(status: DeploymentStatus = this.d.status ?? {}): Promise<void> {
    const out = await this.#deps.client.updateStatus<Deployment>("deployments.apps", { ...this.d, status });
    this.d = { ...this.d, metadata: out.metadata, status: out.status };
  }

  // The Deployment's revision annotation follows its new ReplicaSet's; written with the object's resourceVersion.
  async #setRevision(revision: string): Promise<boolean> {
    if (this.d.metadata.annotations?.[REVISION] === revision) return false;
    const next = { ...this.d, metadata: { ...this.d.metadata, annotations: { ...this.d.metadata.annotations, [REVISION]: revision } } };
    const out = await this.#deps.client.update<Deployment>("deployments.apps", next);
    this.d = { ...this.d, metadata: out.metadata };
    return true;
  }

  /** `getAllReplicaSetsAndSyncRevision`: the new ReplicaSet (created if asked) and all the others. */
  async replicaSets(sets: ReplicaSet[], create: boolean): Promise<{ newRS?: ReplicaSet; olds: ReplicaSet[] }> {
    const existing = findNewReplicaSet(this.d, sets);
    const olds = oldReplicaSets(sets, existing);
    const newRS = await this.#newReplicaSet(existing, olds, create);
    return { newRS, olds };
  }

  async #newReplicaSet(existing: ReplicaSet | undefined, olds: ReplicaSet[], create: boolean): Promise<ReplicaSet | undefined> {
    const d = this.d;
    const now = this.#deps.now();
    const revision = maxRevision(olds) + 1;
    if (existing) {
      const rs = structuredClone(existing);
      const annotated = setNewReplicaSetAnnotations(d, rs, revision, true);
      if (annotated || (rs.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0)) {
        rs.spec.minReadySeconds = d.spec.minReadySeconds ?? 0;
        return this.#deps.client.update<ReplicaSet>("replicasets.apps", rs);
      }
      await this.#setRevision(rs.metadata.annotations?.[REVISION] ?? String(revision));
      if (hasProgressDeadline(d) && !getCondition(d.status, "Progressing")) {
        const status = structuredClone(d.status ?? {});
        setCondition(status, newCondition("Progressing", "True", Reasons.FoundNewReplicaSet, `Found new replica set "${rs.metadata.name}"`, now));
        await this.writeStatus(status);
      }
      return rs;
    }
    if (!create) return undefined;

    const hash = computeHash(d.spec.template, d.status?.collisionCount);
    const template = structuredClone(d.spec.template);
    template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [POD_TEMPLATE_HASH]: hash } };
    const selector = structuredClone(d.spec.selector);
    selector.matchLabels = { ...selector.matchLabels, [POD_TEMPLATE_HASH]: hash };
    const rs: ReplicaSet = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name: `${d.metadata.name}-${hash}`, namespace: d.metadata.namespace, labels: { ...template.metadata.labels }, ownerReferences: [newControllerRef(d as KubeObject)] },
      spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
    };
    rs.spec.replicas = newRSNewReplicas(d, [...olds, rs], rs);
    setNewReplicaSetAnnotations(d, rs, revision, false);
    let created: ReplicaSet;
    let alreadyExisted = false;
    try {
      created = await this.#deps.client.create<ReplicaSet>("replicasets.apps", rs);
    } catch (err) {
      if (isAlreadyExists(err)) {
        const found = this.#deps.cachedReplicaSet(`${d.metadata.namespace}/${rs.metadata.name}`);
        if (!found) throw err; // not in the cache yet: look again on the retry
        if (controllerRefOf(found as KubeObject)?.uid === d.metadata.uid && equalIgnoreHash(d.spec.template, found.spec.template)) {
          // Our own ReplicaSet, created by a sync whose result the cache has not shown yet.
          created = found;
          alreadyExisted = true;
        } else {
          // A different ReplicaSet holds the name: hash again with a higher collision count.
          const status = structuredClone(d.status ?? {});
          status.collisionCount = (status.collisionCount ?? 0) + 1;
          await this.writeStatus(status);
          throw err;
        }
      } else {
        const msg = `Failed to create new replica set "${rs.metadata.name}": ${(err as Error)?.message ?? String(err)}`;
        if (hasProgressDeadline(d)) {
          const status = structuredClone(d.status ?? {});
          setCondition(status, newCondition("Progressing", "False", Reasons.ReplicaSetCreateError, msg, now));
          await this.writeStatus(status).catch(() => undefined);
        }
        this.#event("Warning", Reasons.ReplicaSetCreateError, msg);
        throw err;
      }
    }
    if (!alreadyExisted && specReplicas(created) > 0) {
      this.#event("Normal", "ScalingReplicaSet", `Scaled up replica set ${created.metadata.name} from 0 to ${specReplicas(created)}`);
    }
    await this.#setRevision(String(revision));
    if (!alreadyExisted && hasProgressDeadline(d)) {
      const status = structuredClone(this.d.status ?? {});
      setCondition(status, newCondition("Progressing", "True", Reasons.NewReplicaSetCreated, `Created new replica set "${created.metadata.name}"`, now));
      await this.writeStatus(status);
    }
    return created;
  }

  /** `scaleReplicaSetAndRecordEvent`: resizes `rs` unless it already has `replicas`. */
  async scaleAndRecord(rs: ReplicaSet, replicas: number): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    if (specReplicas(rs) === replicas) return { scaled: false, rs };
    return this.scaleReplicaSet(rs, replicas, specReplicas(rs) < replicas ? "up" : "down");
  }

  /** `scaleReplicaSet`: writes size and replica annotations; records ScalingReplicaSet when the size changed. */
  async scaleReplicaSet(rs: ReplicaSet, replicas: number, operation: "up" | "down"): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    const d = this.d;
    const desired = replicasOf(d), max = desired + maxSurge(d);
    const resize = specReplicas(rs) !== replicas;
    if (!resize && !replicasAnnotationsNeedUpdate(rs, desired, max)) return { scaled: false, rs };
    const from = specReplicas(rs);
    const next = structuredClone(rs);
    next.spec.replicas = replicas;
    setReplicasAnnotations(next, desired, max);
    const out = await this.#deps.client.update<ReplicaSet>("replicasets.apps", next);
    if (resize) this.#event("Normal", "ScalingReplicaSet", `Scaled ${operation} replica set ${rs.metadata.name} from ${from} to ${replicas}`);
    return { scaled: resize, rs: out };
  }

  /**
   * `scale`: when the Deployment itself was resized, give the difference to
   * the one active ReplicaSet, or (mid-rollout) spread it over the active
   * ones in proportion to their size, within maxSurge.
   */
  async scale(newRS: ReplicaSet | undefined, olds: ReplicaSet[]): Promise<void> {
    const d = this.d;
    const replicas = replicasOf(d);
    const one = findActiveOrLatest(newRS, olds);
    if (one) {
      if (specReplicas(one) !== replicas) await this.scaleAndRecord(one, replicas);
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const old of active(olds)) await this.scaleAndRecord(old, 0);
      return;
    }
    if ((d.spec.strategy?.type ?? "RollingUpdate") !== "RollingUpdate") return;
    const all = active([...olds, newRS]);
    const allowed = replicas > 0 ? replicas + maxSurge(d) : 0;
    const toAdd = allowed - sumSpec(all);
    let operation: "up" | "down" = "up";
    if (toAdd > 0) all.sort(bySize(true));
    else if (toAdd < 0) {
      all.sort(bySize(false));
      operation = "down";
    }
    const sizes = new Map<ReplicaSet, number>();
    let added = 0;
    for (const rs of all) {
      const p = toAdd !== 0 ? proportion(rs, d, toAdd, added) : 0;
      sizes.set(rs, specReplicas(rs) + p);
      added += p;
    }
    for (const [i, rs] of all.entries()) {
      let size = sizes.get(rs)!;
      // The first (largest) ReplicaSet takes what rounding left over.
      if (i === 0 && toAdd !== 0) size = Math.max(0, size + toAdd - added);
      await this.scaleReplicaSet(rs, size, operation);
    }
  }

  /** `cleanupDeployment`: deletes the oldest idle ReplicaSets beyond revisionHistoryLimit. */
  async cleanup(olds: ReplicaSet[]): Promise<void> {
    const limit = this.d.spec.revisionHistoryLimit;
    if (limit === undefined) return;
    const alive = olds.filter((rs) => !rs.metadata.deletionTimestamp).sort(byRevision);
    const excess = alive.length - limit;
    for (let i = 0; i < excess; i++) {
      const rs = alive[i];
      if ((rs.status?.replicas ?? 0) !== 0 || specReplicas(rs) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      await this.#deps.client.delete("replicasets.apps", rs.metadata.name!, { namespace: rs.metadata.namespace, preconditions: { uid: rs.metadata.uid } }).catch((err: unknown) => {
        if ((err as { code?: string })?.code !== "NotFound") throw err;
      });
    }
  }

  /** `syncDeploymentStatus`: counters and Available only (paused, scaling, deletion). */
  async syncStatus(all: ReplicaSet[], newRS: ReplicaSet | undefined): Promise<void> {
    const s = calculateStatus(all, newRS, this.d, this.#deps.now());
    if (!sameStatus(this.d.status, s)) await this.writeStatus(s);
  }

  /** `syncRolloutStatus`: counters and every condition; arranges a deadline check when stuck. */
  async syncRolloutStatus(all: ReplicaSet[], newRS: ReplicaSet | undefined): Promise<void> {
    const now = this.#deps.now();
    const s = rolloutStatus(all, newRS, this.d, now);
    if (sameStatus(this.d.status, s)) {
      const ms = stuckRecheckMs(this.d, s, now);
      if (ms !== undefined) this.#deps.recheck(ms);
      return;
    }
    await this.writeStatus(s);
  }
}
