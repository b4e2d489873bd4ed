/**
 * The two rollout strategies, after Kubernetes' `rolling.go` and
 * `recreate.go`. RollingUpdate grows the new ReplicaSet while the total stays
 * within spec.replicas + maxSurge and shrinks old ones while at least
 * spec.replicas - maxUnavailable pods stay available (unhealthy old pods go
 * first). Recreate scales every old ReplicaSet to zero, waits for their pods
 * to be gone, then creates the new one at full size.
 */
import type { ReplicaSet } from "../api/types/apps.ts";
import type { Pod } from "../api/types/core-pod.ts";
import type { DeploymentSync } from "./deployment-sync.ts";
import { deploymentComplete } from "./deployment-status.ts";
import { active, byCreation, maxUnavailable, newRSNewReplicas, replicasOf, specReplicas, sumActual, sumAvailable, sumSpec } from "./deployment-util.ts";

/** `rolloutRolling`: one step of a rolling update. */
export async function rolloutRolling(s: DeploymentSync, sets: ReplicaSet[]): Promise<void> {
  const { newRS, olds } = await s.replicaSets(sets, true);
  const all = [...olds, newRS!];
  if (await reconcileNewReplicaSet(s, all, newRS!)) return s.syncRolloutStatus(all, newRS);
  if (await reconcileOldReplicaSets(s, all, active(olds), newRS!)) return s.syncRolloutStatus(all, newRS);
  if (deploymentComplete(s.d, s.d.status ?? {})) await s.cleanup(olds);
  return s.syncRolloutStatus(all, newRS);
}

async function reconcileNewReplicaSet(s: DeploymentSync, all: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  const replicas = replicasOf(s.d);
  if (specReplicas(newRS) === replicas) return false;
  if (specReplicas(newRS) > replicas) return (await s.scaleAndRecord(newRS, replicas)).scaled;
  return (await s.scaleAndRecord(newRS, newRSNewReplicas(s.d, all, newRS))).scaled;
}

async function reconcileOldReplicaSets(s: DeploymentSync, all: ReplicaSet[], olds: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  if (sumSpec(olds) === 0) return false;
  const minAvailable = replicasOf(s.d) - maxUnavailable(s.d);
  const newUnavailable = specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = sumSpec(all) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  // Unhealthy old pods can go first: removing them costs no availability.
  const { sets: cleaned, scaledDown: cleanedCount } = await cleanupUnhealthyReplicas(s, olds, maxScaledDown);
  const scaledDown = await scaleDownOldReplicaSets(s, [...cleaned, newRS], cleaned);
  return cleanedCount + scaledDown > 0;
}

async function cleanupUnhealthyReplicas(s: DeploymentSync, olds: ReplicaSet[], max: number): Promise<{ sets: ReplicaSet[]; scaledDown: number }> {
  const sets = [...olds].sort(byCreation);
  let total = 0;
  for (let i = 0; i < sets.length && total < max; i++) {
    const rs = sets[i];
    const unhealthy = specReplicas(rs) - (rs.status?.availableReplicas ?? 0);
    if (specReplicas(rs) === 0 || unhealthy <= 0) continue;
    const n = Math.min(max - total, unhealthy);
    sets[i] = (await s.scaleAndRecord(rs, specReplicas(rs) - n)).rs;
    total += n;
  }
  return { sets, scaledDown: total };
}

async function scaleDownOldReplicaSets(s: DeploymentSync, all: ReplicaSet[], olds: ReplicaSet[]): Promise<number> {
  const minAvailable = replicasOf(s.d) - maxUnavailable(s.d);
  const available = sumAvailable(all);
  if (available <= minAvailable) return 0;
  const wanted = available - minAvailable;
  let total = 0;
  for (const rs of [...olds].sort(byCreation)) {
    if (total >= wanted) break;
    if (specReplicas(rs) === 0) continue;
    const n = Math.min(specReplicas(rs), wanted - total);
    await s.scaleAndRecord(rs, specReplicas(rs) - n);
    total += n;
  }
  return total;
}

/** `rolloutRecreate`: old pods all gone before any new pod is created. */
export async function rolloutRecreate(s: DeploymentSync, sets: ReplicaSet[], podsOf: (rs: ReplicaSet) => Pod[]): Promise<void> {
  let { newRS, olds } = await s.replicaSets(sets, false);
  let all = [...olds, ...(newRS ? [newRS] : [])];
  let scaledDown = false;
  for (const rs of active(olds)) if ((await s.scaleAndRecord(rs, 0)).scaled) scaledDown = true;
  if (scaledDown) return s.syncRolloutStatus(all, newRS);
  if (oldPodsRunning(newRS, olds, podsOf)) return s.syncRolloutStatus(all, newRS);
  if (!newRS) {
    ({ newRS, olds } = await s.replicaSets(sets, true));
    all = [...olds, newRS!];
  }
  await s.scaleAndRecord(newRS!, replicasOf(s.d));
  if (deploymentComplete(s.d, s.d.status ?? {})) await s.cleanup(olds);
  return s.syncRolloutStatus(all, newRS);
}

function oldPodsRunning(newRS: ReplicaSet | undefined, olds: ReplicaSet[], podsOf: (rs: ReplicaSet) => Pod[]): boolean {
  if (sumActual(olds) > 0) return true;
  for (const rs of olds) {
    if (rs.metadata.uid === newRS?.metadata.uid) continue;
    for (const p of podsOf(rs)) {
      const phase = p.status?.phase;
      if (phase !== "Failed" && phase !== "Succeeded") return true;
    }
  }
  return false;
}
