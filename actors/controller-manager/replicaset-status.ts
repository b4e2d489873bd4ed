/**
 * A ReplicaSet's status as its controller computes it from the pods it
 * controls: replicas, fullyLabeledReplicas, readyReplicas,
 * availableReplicas (honouring minReadySeconds), observedGeneration and the
 * ReplicaFailure condition; and the write of that status, skipped when
 * nothing changed.
 */
import { isConflict, type ApiClient } from "../api/client.ts";
import { labelSelectorFromSet } from "../api/label-selector.ts";
import type { Condition } from "../api/meta.ts";
import type { ReplicaSet, ReplicaSetStatus } from "../api/types/apps.ts";
import type { Pod } from "../api/types/core-pod.ts";
import { timestamp } from "../apiserver/objects.ts";
import { isPodAvailable, isPodReady } from "./pod-ranking.ts";

/** Kubernetes' `calculateStatus`: counts over the active pods the ReplicaSet controls. */
export function calculateReplicaSetStatus(rs: ReplicaSet, pods: Pod[], manageError: unknown, now: number): ReplicaSetStatus {
  const template = labelSelectorFromSet(rs.spec.template?.metadata?.labels);
  const minReady = rs.spec.minReadySeconds ?? 0;
  let fullyLabeled = 0, ready = 0, available = 0;
  for (const p of pods) {
    if (template.matches(p.metadata.labels)) fullyLabeled++;
    if (isPodReady(p)) ready++;
    if (isPodAvailable(p, minReady, now)) available++;
  }
  let conditions: Condition[] = [...(rs.status?.conditions ?? [])];
  const failing = conditions.find((c) => c.type === "ReplicaFailure");
  if (manageError && !failing) {
    const diff = pods.length - (rs.spec.replicas ?? 1);
    const reason = diff < 0 ? "FailedCreate" : diff > 0 ? "FailedDelete" : "";
    const message = (manageError as { message?: string }).message ?? String(manageError);
    conditions.push({ type: "ReplicaFailure", status: "True", lastTransitionTime: timestamp(now), reason, message });
  } else if (!manageError && failing) {
    conditions = conditions.filter((c) => c !== failing);
  }
  // Zero counts are left out, as the API's `omitempty` fields are (replicas is always written).
  const status: ReplicaSetStatus = { replicas: pods.length };
  if (fullyLabeled) status.fullyLabeledReplicas = fullyLabeled;
  if (ready) status.readyReplicas = ready;
  if (available) status.availableReplicas = available;
  if (rs.status?.observedGeneration) status.observedGeneration = rs.status.observedGeneration;
  if (conditions.length) status.conditions = conditions;
  return status;
}

function sameStatus(a: ReplicaSetStatus | undefined, b: ReplicaSetStatus): boolean {
  return (a?.replicas ?? 0) === (b.replicas ?? 0) &&
    (a?.fullyLabeledReplicas ?? 0) === (b.fullyLabeledReplicas ?? 0) &&
    (a?.readyReplicas ?? 0) === (b.readyReplicas ?? 0) &&
    (a?.availableReplicas ?? 0) === (b.availableReplicas ?? 0) &&
    JSON.stringify(a?.conditions ?? []) === JSON.stringify(b.conditions ?? []);
}

/**
 * Writes `status` with `observedGeneration` = the ReplicaSet's generation,
 * unless nothing changed; on a conflict reads the ReplicaSet once more and
 * retries once, as Kubernetes does. Resolves with the ReplicaSet as stored.
 */
export async function updateReplicaSetStatus(client: ApiClient, rs: ReplicaSet, status: ReplicaSetStatus): Promise<ReplicaSet> {
  const generation = rs.metadata.generation ?? 0;
  if (sameStatus(rs.status, status) && (rs.status?.observedGeneration ?? 0) === generation) return rs;
  const next: ReplicaSetStatus = { ...status };
  if (generation) next.observedGeneration = generation;
  else delete next.observedGeneration;
  let current = rs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await client.updateStatus<ReplicaSet>("replicasets.apps", { ...current, status: next });
    } catch (err) {
      if (attempt >= 1 || !isConflict(err)) throw err;
      current = await client.get<ReplicaSet>("replicasets.apps", rs.metadata.name!, { namespace: rs.metadata.namespace });
    }
  }
}
