/**
 * A Deployment's status and conditions as Kubernetes computes them: the
 * replica counters summed over its ReplicaSets, the Available condition
 * (MinimumReplicasAvailable / MinimumReplicasUnavailable), and the
 * Progressing condition with its reasons, including ProgressDeadlineExceeded
 * once no progress was made for progressDeadlineSeconds.
 */
import type { Deployment, DeploymentCondition, DeploymentConditionType, DeploymentStatus, ReplicaSet } from "../api/types/apps.ts";
import { maxUnavailable, replicasOf, sumActual, sumAvailable, sumReady, sumSpec } from "./deployment-util.ts";
import { timestamp } from "../apiserver/objects.ts";

/** Progressing / Available condition reasons, as Kubernetes spells them. */
export const Reasons = {
  NewReplicaSetCreated: "NewReplicaSetCreated",
  FoundNewReplicaSet: "FoundNewReplicaSet",
  ReplicaSetUpdated: "ReplicaSetUpdated",
  NewReplicaSetAvailable: "NewReplicaSetAvailable",
  ProgressDeadlineExceeded: "ProgressDeadlineExceeded",
  ReplicaSetCreateError: "ReplicaSetCreateError",
  DeploymentPaused: "DeploymentPaused",
  DeploymentResumed: "DeploymentResumed",
  MinimumReplicasAvailable: "MinimumReplicasAvailable",
  MinimumReplicasUnavailable: "MinimumReplicasUnavailable",
} as const;

/** `NewDeploymentCondition`. */
export function newCondition(type: DeploymentConditionType, status: DeploymentCondition["status"], reason: string, message: string, now: number): DeploymentCondition {
  const t = timestamp(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

/** The condition of `type`, if present. */
export function getCondition(status: DeploymentStatus | undefined, type: DeploymentConditionType): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/**
 * `SetDeploymentCondition`: a condition with the same status and reason is
 * left alone; the same status keeps its lastTransitionTime.
 */
export function setCondition(status: DeploymentStatus, c: DeploymentCondition): void {
  const cur = getCondition(status, c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return;
  const next = cur && cur.status === c.status ? { ...c, lastTransitionTime: cur.lastTransitionTime } : c;
  status.conditions = [...(status.conditions ?? []).filter((x) => x.type !== c.type), next];
}

/** Drops the condition of `type`. */
export function removeCondition(status: DeploymentStatus, type: DeploymentConditionType): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
  if (status.conditions.length === 0) delete status.conditions;
}

/** Whether a progress deadline applies (unset or MaxInt32 means none). */
export function hasProgressDeadline(d: Deployment): boolean {
  const s = d.spec.progressDeadlineSeconds;
  return s !== undefined && s !== 2147483647;
}

/** `calculateStatus`: counters over every ReplicaSet, plus the Available condition. */
export function calculateStatus(all: ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment, now: number): DeploymentStatus {
  const available = sumAvailable(all);
  const unavailable = Math.max(0, sumSpec(all) - available);
  const status: DeploymentStatus = {};
  // Zero counters are omitted, as the API's omitempty fields are.
  const put = (k: keyof DeploymentStatus, v: number | undefined) => {
    if (v) (status as Record<string, unknown>)[k] = v;
  };
  put("observedGeneration", d.metadata.generation);
  put("replicas", sumActual(all));
  put("updatedReplicas", sumActual(newRS ? [newRS] : []));
  put("readyReplicas", sumReady(all));
  put("availableReplicas", available);
  put("unavailableReplicas", unavailable);
  if (d.status?.conditions?.length) status.conditions = d.status.conditions.map((c) => ({ ...c }));
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setCondition(status, newCondition("Available", "True", Reasons.MinimumReplicasAvailable, "Deployment has minimum availability.", now));
  } else {
    setCondition(status, newCondition("Available", "False", Reasons.MinimumReplicasUnavailable, "Deployment does not have minimum availability.", now));
  }
  return status;
}

/** `DeploymentComplete`: every wanted pod is updated and available, and the spec was observed. */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const n = replicasOf(d);
  return (s.updatedReplicas ?? 0) === n && (s.replicas ?? 0) === n && (s.availableReplicas ?? 0) === n && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** `DeploymentProgressing`: more updated, ready or available pods, or fewer old ones, than last time. */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld ||
    (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

/** `DeploymentTimedOut`: Progressing was last updated more than progressDeadlineSeconds ago. */
export function timedOut(d: Deployment, s: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, "Progressing");
  if (!c || c.reason === Reasons.NewReplicaSetAvailable) return false;
  if (c.reason === Reasons.ProgressDeadlineExceeded) return true;
  const from = Date.parse(c.lastUpdateTime ?? "");
  return Number.isFinite(from) && from + d.spec.progressDeadlineSeconds! * 1000 < now;
}

/**
 * `syncRolloutStatus`'s condition logic: the new status with Progressing
 * (and ReplicaFailure) brought up to date.
 */
export function rolloutStatus(all: ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment, now: number): DeploymentStatus {
  const s = calculateStatus(all, newRS, d, now);
  if (!hasProgressDeadline(d)) removeCondition(s, "Progressing");
  const cur = getCondition(d.status, "Progressing");
  const complete = (s.replicas ?? 0) === (s.updatedReplicas ?? 0) && cur?.reason === Reasons.NewReplicaSetAvailable;
  if (hasProgressDeadline(d) && !complete) {
    const name = d.metadata.name;
    if (deploymentComplete(d, s)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" has successfully progressed.` : `Deployment "${name}" has successfully progressed.`;
      setCondition(s, newCondition("Progressing", "True", Reasons.NewReplicaSetAvailable, msg, now));
    } else if (deploymentProgressing(d, s)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" is progressing.` : `Deployment "${name}" is progressing.`;
      const c = newCondition("Progressing", "True", Reasons.ReplicaSetUpdated, msg, now);
      // Progress refreshes lastUpdateTime (the deadline's start) but a True condition keeps its transition time.
      if (cur?.status === "True") c.lastTransitionTime = cur.lastTransitionTime;
      removeCondition(s, "Progressing");
      setCondition(s, c);
    } else if (timedOut(d, s, now)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" has timed out progressing.` : `Deployment "${name}" has timed out progressing.`;
      setCondition(s, newCondition("Progressing", "False", Reasons.ProgressDeadlineExceeded, msg, now));
    }
  }
  const failures = replicaFailures(all, newRS);
  if (failures.length > 0) setCondition(s, failures[0]);
  else removeCondition(s, "ReplicaFailure");
  return s;
}

// The new ReplicaSet's ReplicaFailure conditions first, else any old one's.
function replicaFailures(all: ReplicaSet[], newRS: ReplicaSet | undefined): DeploymentCondition[] {
  const of = (rs: ReplicaSet): DeploymentCondition[] =>
    (rs.status?.conditions ?? []).filter((c) => c.type === "ReplicaFailure").map((c) => ({
      type: "ReplicaFailure",
      status: c.status,
      lastUpdateTime: c.lastTransitionTime,
      lastTransitionTime: c.lastTransitionTime,
      reason: c.reason,
      message: c.message,
    }));
  const fromNew = newRS ? of(newRS) : [];
  return fromNew.length > 0 ? fromNew : all.flatMap(of);
}

/**
 * `requeueStuckDeployment`: when a rollout shows no progress, the time
 * (ms from now) at which to check it against its deadline; undefined when
 * there is nothing to wait for.
 */
export function stuckRecheckMs(d: Deployment, s: DeploymentStatus, now: number): number | undefined {
  const c = getCondition(d.status, "Progressing");
  if (!hasProgressDeadline(d) || !c) return undefined;
  if (deploymentComplete(d, s) || c.reason === Reasons.ProgressDeadlineExceeded) return undefined;
  const after = Date.parse(c.lastUpdateTime ?? "") + d.spec.progressDeadlineSeconds! * 1000 - now;
  if (!Number.isFinite(after)) return undefined;
  return after < 1000 ? 0 : after + 1000;
}

/** Whether two statuses are the same (what `reflect.DeepEqual` decides before a write). */
export function sameStatus(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  return JSON.stringify(normal(a ?? {})) === JSON.stringify(normal(b));
}

function normal(s: DeploymentStatus): unknown {
  const keys = ["observedGeneration", "replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas", "terminatingReplicas", "collisionCount"] as const;
  return { ...Object.fromEntries(keys.map((k) => [k, s[k] ?? 0])), conditions: s.conditions ?? [] };
}
