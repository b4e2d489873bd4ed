/**
 * Pod facts the workload controllers decide on (active, ready, available),
 * and the order in which a ReplicaSet deletes pods when it scales down:
 * Kubernetes' `ActivePodsWithRanks` with pod-deletion-cost and logarithmic
 * scale-down, so the least valuable pods go first.
 */
import type { Pod } from "../api/types/core-pod.ts";

/** The annotation that lets users rank pods for deletion (lower goes first). */
export const POD_DELETION_COST = "controller.kubernetes.io/pod-deletion-cost";

/** Kubernetes' `IsPodActive`: not finished and not being deleted. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed" && !pod.metadata.deletionTimestamp;
}

/** Whether the pod's Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

/** When the pod last became ready (ms since the epoch); undefined if not ready or unknown. */
export function podReadyTime(pod: Pod): number | undefined {
  const c = pod.status?.conditions?.find((x) => x.type === "Ready" && x.status === "True");
  const t = c?.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return Number.isFinite(t) ? t : undefined;
}

/** Kubernetes' `IsPodAvailable`: ready, and for longer than `minReadySeconds`. */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const since = podReadyTime(pod);
  return since !== undefined && since + minReadySeconds * 1000 < now;
}

/** When a ready pod that is not yet available becomes available; undefined if it is available or not ready. */
export function availableAt(pod: Pod, minReadySeconds: number, now: number): number | undefined {
  if (!minReadySeconds || !isPodReady(pod) || isPodAvailable(pod, minReadySeconds, now)) return undefined;
  const since = podReadyTime(pod);
  return since === undefined ? undefined : since + minReadySeconds * 1000 + 1;
}

const phaseOrdinal: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function deletionCost(pod: Pod): number {
  const v = pod.metadata.annotations?.[POD_DELETION_COST];
  if (v === undefined || !/^-?\d+$/.test(v)) return 0;
  const n = Number(v);
  return n >= -2147483648 && n <= 2147483647 ? n : 0;
}

function maxRestarts(pod: Pod): number {
  let max = 0;
  for (const s of pod.status?.containerStatuses ?? []) max = Math.max(max, s.restartCount ?? 0);
  return max;
}

function created(pod: Pod): number | undefined {
  const t = pod.metadata.creationTimestamp ? Date.parse(pod.metadata.creationTimestamp) : NaN;
  return Number.isFinite(t) ? t : undefined;
}

// Ages compared on a log2 scale, so pods of similar age are treated alike (LogarithmicScaleDown).
function logRank(t: number, now: number): number {
  const d = (now - t) * 1e6; // Go compares durations in nanoseconds
  return d > 0 ? Math.floor(Math.log2(d)) : -1;
}

// Zero (unknown) times first, then later times first.
function compareTimes(a: number | undefined, b: number | undefined, now: number, uidA: string, uidB: string): number {
  if (a === b) return 0;
  if (a === undefined || b === undefined) return a === undefined ? -1 : 1;
  const diff = logRank(a, now) - logRank(b, now);
  if (diff !== 0) return diff;
  return uidA < uidB ? -1 : uidA > uidB ? 1 : 0;
}

/** A pod with its rank: how many related pods share its node (doubled-up pods go first). */
export interface RankedPod {
  pod: Pod;
  rank: number;
}

/**
 * Negative when `a` should be deleted before `b`: unassigned first; Pending,
 * Unknown, Running; not ready first; lower deletion cost; more related pods
 * on the same node; ready for less time; more restarts; newer first.
 */
export function compareForDeletion(a: RankedPod, b: RankedPod, now: number): number {
  const pa = a.pod, pb = b.pod;
  const na = pa.spec?.nodeName ?? "", nb = pb.spec?.nodeName ?? "";
  if (na !== nb && (na === "" || nb === "")) return na === "" ? -1 : 1;
  const oa = phaseOrdinal[pa.status?.phase ?? ""] ?? 0, ob = phaseOrdinal[pb.status?.phase ?? ""] ?? 0;
  if (oa !== ob) return oa - ob;
  const ra = isPodReady(pa), rb = isPodReady(pb);
  if (ra !== rb) return ra ? 1 : -1;
  const ca = deletionCost(pa), cb = deletionCost(pb);
  if (ca !== cb) return ca - cb;
  if (a.rank !== b.rank) return b.rank - a.rank;
  const uidA = pa.metadata.uid ?? "", uidB = pb.metadata.uid ?? "";
  if (ra && rb) {
    const c = compareTimes(podReadyTime(pa), podReadyTime(pb), now, uidA, uidB);
    if (c !== 0) return c;
  }
  const xa = maxRestarts(pa), xb = maxRestarts(pb);
  if (xa !== xb) return xb - xa;
  return compareTimes(created(pa), created(pb), now, uidA, uidB);
}

/**
 * The `n` pods of `pods` to delete first. `related` are the pods of every
 * ReplicaSet of the same owner (the ReplicaSet's own included): a pod
 * sharing its node with more of them is deleted sooner, spreading the rest.
 */
export function podsToDelete(pods: Pod[], related: Pod[], n: number, now: number): Pod[] {
  if (n >= pods.length) return [...pods];
  const onNode = new Map<string, number>();
  for (const p of related) {
    if (!isPodActive(p)) continue;
    const node = p.spec?.nodeName ?? "";
    onNode.set(node, (onNode.get(node) ?? 0) + 1);
  }
  const ranked: RankedPod[] = pods.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? "") ?? 0 }));
  ranked.sort((a, b) => compareForDeletion(a, b, now));
  return ranked.slice(0, n).map((r) => r.pod);
}
