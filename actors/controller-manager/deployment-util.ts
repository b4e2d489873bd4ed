/**
 * Pure pieces of the Deployment controller, after Kubernetes'
 * `deployment/util`: rollout fenceposts (maxSurge rounds up,
 * maxUnavailable down), the pod-template hash, revisions and the annotations
 * a Deployment keeps on its ReplicaSets, and which ReplicaSet is new.
 */
import type { IntOrString } from "../api/types/core-common.ts";
import type { Deployment, ReplicaSet } from "../api/types/apps.ts";
import type { PodTemplateSpec } from "../api/types/core-pod.ts";

/** The label that tells a Deployment's ReplicaSets (and their pods) apart. */
export const POD_TEMPLATE_HASH = "pod-template-hash";
/** The revision of a ReplicaSet, copied to its Deployment. */
export const REVISION = "deployment.kubernetes.io/revision";
/** Earlier revisions a reused ReplicaSet had, comma-separated. */
export const REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
/** spec.replicas of the Deployment when it last sized this ReplicaSet. */
export const DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas";
/** spec.replicas + maxSurge of the Deployment when it last sized this ReplicaSet. */
export const MAX_REPLICAS = "deployment.kubernetes.io/max-replicas";

// Deployment annotations never copied to its ReplicaSets.
const notCopied = new Set([
  "kubectl.kubernetes.io/last-applied-configuration",
  REVISION,
  REVISION_HISTORY,
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  "deprecated.deployment.rollback.to",
]);

/** `GetScaledValueFromIntOrPercent`: a count, or a percentage of `total` rounded up or down. */
export function scaledValue(v: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (v === undefined) return 0;
  if (typeof v === "number") return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/**
 * `ResolveFenceposts`: maxSurge rounded up and maxUnavailable rounded down
 * against `desired`; when both come to zero, one pod may be unavailable so
 * the rollout can progress.
 */
export function resolveFenceposts(maxSurge: IntOrString | undefined, maxUnavailable: IntOrString | undefined, desired: number): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge, desired, true);
  let unavailable = scaledValue(maxUnavailable, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

/** Desired replicas of a Deployment. */
export const replicasOf = (d: Deployment): number => d.spec.replicas ?? 1;
const isRolling = (d: Deployment) => (d.spec.strategy?.type ?? "RollingUpdate") === "RollingUpdate";

/** How many pods above spec.replicas a rolling update may run (0 for Recreate). */
export function maxSurge(d: Deployment): number {
  if (!isRolling(d)) return 0;
  const ru = d.spec.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge ?? "25%", ru?.maxUnavailable ?? "25%", replicasOf(d)).surge;
}

/** How many pods below spec.replicas may be unavailable during a rolling update (0 for Recreate). */
export function maxUnavailable(d: Deployment): number {
  const replicas = replicasOf(d);
  if (!isRolling(d) || replicas === 0) return 0;
  const ru = d.spec.strategy?.rollingUpdate;
  return Math.min(replicas, resolveFenceposts(ru?.maxSurge ?? "25%", ru?.maxUnavailable ?? "25%", replicas).unavailable);
}

// Go's encoding of a number into the characters Kubernetes allows in generated names.
const SAFE = "bcdfghjklmnpqrstvwxz2456789";

/** `rand.SafeEncodeString`: each character mapped into consonants and digits, so no words appear. */
export function safeEncode(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) out += SAFE[s.charCodeAt(i) % SAFE.length];
  return out;
}

/** JSON with keys sorted and empty values left out, so equal templates hash and compare equal. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(normalise(v)) ?? "null";
}

function normalise(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? undefined : v.map((x) => normalise(x) ?? null);
  if (v === null || v === undefined || v === "" || v === false || v === 0) return undefined;
  if (typeof v !== "object") return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) {
    const x = normalise((v as Record<string, unknown>)[k]);
    if (x !== undefined) out[k] = x;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/** `ComputeHash`: FNV-1a (32 bit) of the template, and of the collision count if any, safely encoded. */
export function computeHash(t: PodTemplateSpec, collisionCount?: number): string {
  let h = 0x811c9dc5;
  const feed = (byte: number) => {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  };
  for (const byte of new TextEncoder().encode(canonicalJson(t))) feed(byte);
  if (collisionCount !== undefined) {
    const c = collisionCount >>> 0;
    for (let i = 0; i < 8; i++) feed(i < 4 ? (c >>> (8 * i)) & 0xff : 0);
  }
  return safeEncode(String(h >>> 0));
}

function withoutHash(t: PodTemplateSpec | undefined): unknown {
  if (!t) return t;
  const labels = { ...(t.metadata?.labels ?? {}) };
  delete labels[POD_TEMPLATE_HASH];
  return { ...t, metadata: { ...t.metadata, labels } };
}

/** `EqualIgnoreHash`: the two templates are the same but for the pod-template-hash label. */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return canonicalJson(withoutHash(a)) === canonicalJson(withoutHash(b));
}

/** The ReplicaSet's revision (0 when unset or unreadable). */
export function revisionOf(rs: ReplicaSet): number {
  const v = rs.metadata.annotations?.[REVISION];
  return v && /^\d+$/.test(v) ? Number(v) : 0;
}

/** The highest revision among `sets`. */
export function maxRevision(sets: ReplicaSet[]): number {
  return sets.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

const created = (rs: ReplicaSet) => Date.parse(rs.metadata.creationTimestamp ?? "") || 0;

/** `ReplicaSetsByCreationTimestamp`: oldest first, name breaking ties. */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const d = created(a) - created(b);
  if (d !== 0) return d;
  const na = a.metadata.name ?? "", nb = b.metadata.name ?? "";
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** `ReplicaSetsByRevision`: lowest revision first, then oldest. */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  return revisionOf(a) - revisionOf(b) || byCreation(a, b);
}

/** `ReplicaSetsBySizeNewer` (`newer`) or `ReplicaSetsBySizeOlder`: largest first, ties by age. */
export function bySize(newer: boolean): (a: ReplicaSet, b: ReplicaSet) => number {
  return (a, b) => specReplicas(b) - specReplicas(a) || (newer ? byCreation(b, a) : byCreation(a, b));
}

/** spec.replicas of a ReplicaSet. */
export const specReplicas = (rs: ReplicaSet | undefined): number => rs?.spec.replicas ?? 0;

/** Sum of spec.replicas. */
export const sumSpec = (sets: (ReplicaSet | undefined)[]): number => sets.reduce((n, rs) => n + specReplicas(rs), 0);
/** Sum of status.replicas. */
export const sumActual = (sets: (ReplicaSet | undefined)[]): number => sets.reduce((n, rs) => n + (rs?.status?.replicas ?? 0), 0);
/** Sum of status.readyReplicas. */
export const sumReady = (sets: (ReplicaSet | undefined)[]): number => sets.reduce((n, rs) => n + (rs?.status?.readyReplicas ?? 0), 0);
/** Sum of status.availableReplicas. */
export const sumAvailable = (sets: (ReplicaSet | undefined)[]): number => sets.reduce((n, rs) => n + (rs?.status?.availableReplicas ?? 0), 0);

/** ReplicaSets with pods wanted. */
export const active = (sets: (ReplicaSet | undefined)[]): ReplicaSet[] => sets.filter((rs): rs is ReplicaSet => !!rs && specReplicas(rs) > 0);

/** `FindNewReplicaSet`: the oldest ReplicaSet whose template is the Deployment's. */
export function findNewReplicaSet(d: Deployment, sets: ReplicaSet[]): ReplicaSet | undefined {
  return [...sets].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec.template, d.spec.template));
}

/** Every ReplicaSet but the new one. */
export function oldReplicaSets(sets: ReplicaSet[], newRS: ReplicaSet | undefined): ReplicaSet[] {
  return sets.filter((rs) => rs.metadata.uid !== newRS?.metadata.uid);
}

/** `FindActiveOrLatest`: the one ReplicaSet with pods wanted, the newest if none; undefined if several. */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, olds: ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && olds.length === 0) return undefined;
  const newestFirst = [...olds].sort((a, b) => byCreation(b, a));
  const live = active([...newestFirst, newRS]);
  if (live.length === 0) return newRS ?? newestFirst[0];
  return live.length === 1 ? live[0] : undefined;
}

/** `NewRSNewReplicas`: how big the new ReplicaSet may be now. */
export function newRSNewReplicas(d: Deployment, all: (ReplicaSet | undefined)[], newRS: ReplicaSet): number {
  const replicas = replicasOf(d);
  if (!isRolling(d)) return replicas;
  const current = sumSpec(all);
  const maxTotal = replicas + maxSurge(d);
  if (current >= maxTotal) return specReplicas(newRS);
  const up = Math.min(maxTotal - current, replicas - specReplicas(newRS));
  return specReplicas(newRS) + up;
}

/** `IsSaturated`: the new ReplicaSet has every pod the Deployment wants, all available. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = rs.metadata.annotations?.[DESIRED_REPLICAS];
  return desired === String(replicasOf(d)) && specReplicas(rs) === replicasOf(d) && (rs.status?.availableReplicas ?? 0) === replicasOf(d);
}

/** Whether the replica annotations of `rs` differ from these values. */
export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata.annotations ?? {};
  return a[DESIRED_REPLICAS] !== String(desired) || a[MAX_REPLICAS] !== String(max);
}

/** Sets the replica annotations; returns whether anything changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  if (!replicasAnnotationsNeedUpdate(rs, desired, max)) return false;
  rs.metadata.annotations = { ...rs.metadata.annotations, [DESIRED_REPLICAS]: String(desired), [MAX_REPLICAS]: String(max) };
  return true;
}

/**
 * `SetNewReplicaSetAnnotations`: copies the Deployment's own annotations,
 * raises the revision to `revision` (remembering the old one in the
 * history), and on creation sets the replica annotations.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, revision: number, exists: boolean): boolean {
  const a = { ...(rs.metadata.annotations ?? {}) };
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (notCopied.has(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  const old = a[REVISION];
  const oldRevision = old ? (/^\d+$/.test(old) ? Number(old) : NaN) : 0;
  if (Number.isNaN(oldRevision)) {
    rs.metadata.annotations = a;
    return false;
  }
  if (oldRevision < revision) {
    a[REVISION] = String(revision);
    changed = true;
    if (old) a[REVISION_HISTORY] = appendHistory(a[REVISION_HISTORY], old);
  }
  rs.metadata.annotations = a;
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}

// The history is kept under 2,000 characters, dropping the oldest revisions first.
function appendHistory(history: string | undefined, revision: string): string {
  const list = history ? history.split(",") : [];
  list.push(revision);
  while (list.length > 1 && list.join(",").length > MAX_HISTORY_CHARS) list.shift();
  return list.join(",");
}

const MAX_HISTORY_CHARS = 2000;

/** `getReplicaSetFraction`: this ReplicaSet's share of a proportional scale. */
function fraction(rs: ReplicaSet, d: Deployment): number {
  if (replicasOf(d) === 0) return -specReplicas(rs);
  const deploymentReplicas = replicasOf(d) + maxSurge(d);
  const annotated = rs.metadata.annotations?.[MAX_REPLICAS];
  const was = annotated && /^\d+$/.test(annotated) ? Number(annotated) : (d.status?.replicas ?? 0);
  if (was === 0) return 0;
  // Go's RoundToInt32 rounds half away from zero.
  const x = (specReplicas(rs) * deploymentReplicas) / was;
  return Math.sign(x) * Math.round(Math.abs(x)) - specReplicas(rs);
}

/** `GetProportion`: how many replicas to add to (or remove from) `rs` in a proportional scale. */
export function proportion(rs: ReplicaSet | undefined, d: Deployment, toAdd: number, added: number): number {
  if (!rs || specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const f = fraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(f, allowed) : Math.max(f, allowed);
}
