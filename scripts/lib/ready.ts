/**
 * When applied workloads count as ready, and why they are not: Deployments
 * Available with every replica updated, ReplicaSets and StatefulSets with
 * every replica ready, DaemonSets ready on every node they want, Jobs
 * Complete, bare pods Running (or Succeeded) with their containers up. The
 * reasons read like `kubectl describe`: the scheduler's FailedScheduling
 * message, a container's CrashLoopBackOff, a Job's failure.
 */
import type { Messenger } from "../../runtime/actor.ts";
import { errorCode } from "../../runtime/errors.ts";
import type { KubeObject, LabelSelector } from "../../actors/api/meta.ts";
import { formatLabelSelector } from "../../actors/api/label-selector.ts";
import { clientOf, type Applied } from "./apply.ts";

type Obj = KubeObject & { spec?: Record<string, any>; status?: Record<string, any> };
type Cond = { type: string; status: string; reason?: string; message?: string };

/** One workload's state. `failed` means it will not become ready by waiting. */
export interface Readiness {
  ref: string;
  ready: boolean;
  failed?: boolean;
  reason?: string;
}

/** The kinds readiness is tracked for (others are ready once applied). */
export const WORKLOAD_KINDS = ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "Pod"] as const;

/** Workloads among applied objects. */
export function workloads(applied: readonly Applied[]): Applied[] {
  return applied.filter((a) => (WORKLOAD_KINDS as readonly string[]).includes(a.info.kind));
}

const conditions = (o: Obj): Cond[] => (Array.isArray(o.status?.conditions) ? o.status!.conditions : []);
const cond = (o: Obj, type: string) => conditions(o).find((c) => c.type === type);
const noStatus = (o: Obj) => !o.status || Object.keys(o.status).length === 0;
const refOf = (a: Applied) => `${a.info.singularRef}/${a.name}${a.namespace && a.namespace !== "default" ? ` -n ${a.namespace}` : ""}`;

/** The pods of a bare pod's state: Running with every container up, or Succeeded. */
export function podReady(pod: Obj): boolean {
  const phase = pod.status?.phase;
  if (phase === "Succeeded") return true;
  if (phase !== "Running") return false;
  const statuses: { state?: Record<string, unknown> }[] = pod.status?.containerStatuses ?? [];
  return statuses.length > 0 && statuses.every((s) => s.state?.running !== undefined || (s.state?.terminated as { exitCode?: number } | undefined)?.exitCode === 0);
}

/** Checks one workload now; reads its pods and events only when it is not ready. */
export async function checkWorkload(api: Pick<Messenger, "ask">, a: Applied): Promise<Readiness> {
  const ref = refOf(a);
  let o: Obj;
  try {
    o = await clientOf(api).get<Obj>(a.info.resource, a.name, { namespace: a.namespace });
  } catch (err) {
    if (errorCode(err) === "NotFound") return { ref, ready: false, failed: true, reason: "it was deleted" };
    throw err;
  }
  const spec = o.spec ?? {};
  const st = o.status ?? {};
  const gen = o.metadata.generation ?? 0;
  const observed = (st.observedGeneration as number | undefined) ?? 0;
  const pods = async () => podReasons(api, a.namespace, spec.selector as LabelSelector | undefined);
  switch (a.info.kind) {
    case "Pod": {
      if (podReady(o)) return { ref, ready: true };
      const reason = await podReason(api, o);
      return { ref, ready: false, failed: o.status?.phase === "Failed", reason };
    }
    case "Deployment": {
      const want = (spec.replicas as number | undefined) ?? 1;
      const progressing = cond(o, "Progressing");
      if (progressing?.status === "False" && progressing.reason === "ProgressDeadlineExceeded") return { ref, ready: false, failed: true, reason: progressing.message ?? "progress deadline exceeded" };
      if (observed < gen) return { ref, ready: false, reason: noStatus(o) ? "no status yet: is the deployment controller running?" : `waiting for the deployment controller to observe generation ${gen}` };
      const updated = st.updatedReplicas ?? 0;
      const available = st.availableReplicas ?? 0;
      const total = st.replicas ?? 0;
      if (cond(o, "Available")?.status === "True" && updated >= want && available >= want && total === updated) return { ref, ready: true };
      return { ref, ready: false, reason: `${available}/${want} replicas available, ${updated} updated${await pods()}` };
    }
    case "ReplicaSet":
    case "StatefulSet": {
      const want = (spec.replicas as number | undefined) ?? 1;
      const ready = st.readyReplicas ?? 0;
      if (observed < gen) return { ref, ready: false, reason: noStatus(o) ? `no status yet: is the ${a.info.kind.toLowerCase()} controller running?` : `waiting for the controller to observe generation ${gen}` };
      if (ready >= want && (st.replicas ?? 0) === want) return { ref, ready: true };
      return { ref, ready: false, reason: `${ready}/${want} replicas ready${await pods()}` };
    }
    case "DaemonSet": {
      const want = st.desiredNumberScheduled ?? 0;
      const ready = st.numberReady ?? 0;
      if (observed >= gen && o.status && ready >= want) return { ref, ready: true };
      return { ref, ready: false, reason: noStatus(o) ? "no status yet: is the daemonset controller running?" : `${ready}/${want} pods ready${await pods()}` };
    }
    case "Job": {
      const failed = cond(o, "Failed");
      if (failed?.status === "True") return { ref, ready: false, failed: true, reason: `${failed.reason ?? "Failed"}: ${failed.message ?? "the job failed"}` };
      if (cond(o, "Complete")?.status === "True") return { ref, ready: true };
      if (noStatus(o)) return { ref, ready: false, reason: "no status yet: is the job controller running?" };
      return { ref, ready: false, reason: `${st.succeeded ?? 0}/${spec.completions ?? 1} completions${await pods()}` };
    }
    default:
      return { ref, ready: true };
  }
}

/** Why a pod is not running (or not ready), in the words its conditions, statuses and events use. */
export async function podReason(api: Pick<Messenger, "ask">, pod: Obj): Promise<string> {
  const name = `pod ${pod.metadata.name}`;
  if (pod.metadata.deletionTimestamp) return `${name} is being deleted`;
  if (!pod.spec?.nodeName) {
    const scheduled = cond(pod, "PodScheduled");
    if (scheduled?.status === "False" && scheduled.message) return `${name} is unschedulable: ${scheduled.message}`;
    const ev = await latestEvent(api, pod, "FailedScheduling");
    if (ev) return `${name} is unschedulable: ${ev}`;
    return `${name} is waiting to be scheduled`;
  }
  const statuses: { name: string; ready?: boolean; restartCount?: number; state?: Record<string, any>; lastState?: Record<string, any> }[] = [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ];
  for (const s of statuses) {
    const w = s.state?.waiting;
    const t = s.state?.terminated;
    const last = s.lastState?.terminated;
    const lastExit = last ? `; last exit code ${last.exitCode} (${last.reason ?? "Error"})` : "";
    const restarts = s.restartCount ? `, ${s.restartCount} restart${s.restartCount === 1 ? "" : "s"}` : "";
    if (w && w.reason && w.reason !== "ContainerCreating" && w.reason !== "PodInitializing") return `${name}: container ${s.name} is waiting: ${w.reason}${w.message ? `: ${w.message}` : ""}${lastExit}${restarts}`;
    if (t && t.exitCode !== 0) return `${name}: container ${s.name} terminated with exit code ${t.exitCode} (${t.reason ?? "Error"})${restarts}`;
  }
  const phase = pod.status?.phase ?? "Pending";
  if (phase === "Failed") return `${name} failed${pod.status?.reason ? `: ${pod.status.reason}` : ""}${pod.status?.message ? `: ${pod.status.message}` : ""}`;
  if (phase === "Running") {
    const unready = statuses.filter((s) => !s.ready).map((s) => s.name);
    const probed = (pod.spec?.containers ?? []).filter((c: { name: string; readinessProbe?: unknown }) => c.readinessProbe && unready.includes(c.name)).map((c: { name: string }) => c.name);
    if (probed.length) return `${name} is running but not ready: the readiness probe of container ${probed.join(", ")} fails`;
    if (unready.length) return `${name} is running but container ${unready.join(", ")} is not ready`;
    return `${name} is running`;
  }
  const sandbox = await latestEvent(api, pod, "FailedCreatePodSandBox");
  if (sandbox) return `${name} is pending: ${sandbox}`;
  return `${name} is ${phase} on node ${pod.spec.nodeName} (containers being created)`;
}

/** Summaries of a controller's pods that are not ready: `; pod web-1: container web is waiting: CrashLoopBackOff…`. */
async function podReasons(api: Pick<Messenger, "ask">, namespace: string | undefined, selector: LabelSelector | undefined): Promise<string> {
  if (!selector) return "";
  const list = await clientOf(api).list<Obj>("pods", { namespace, labelSelector: formatLabelSelector(selector) });
  // A Deployment's pods belong to its ReplicaSets: the selector is what ties them to it.
  const mine = list.items.filter((p) => !p.metadata.deletionTimestamp);
  const bad = mine.filter((p) => !(podReady(p) && cond(p, "Ready")?.status === "True"));
  if (mine.length === 0) return "; no pods yet";
  if (bad.length === 0) return "";
  const first = await podReason(api, bad[0]);
  return `; ${first}${bad.length > 1 ? ` (and ${bad.length - 1} more pod${bad.length > 2 ? "s" : ""} not ready)` : ""}`;
}

async function latestEvent(api: Pick<Messenger, "ask">, obj: Obj, reason: string): Promise<string | undefined> {
  try {
    // The apiserver filters: only this object's events with this reason cross, not the namespace's.
    const fieldSelector = `involvedObject.uid=${obj.metadata.uid},reason=${reason}`;
    const list = await clientOf(api).list<Obj & { message?: string; lastTimestamp?: string }>("events", { namespace: obj.metadata.namespace, fieldSelector });
    const mine = list.items;
    mine.sort((x, y) => String(x.lastTimestamp ?? "").localeCompare(String(y.lastTimestamp ?? "")) || Number(x.metadata.resourceVersion) - Number(y.metadata.resourceVersion));
    return mine.at(-1)?.message;
  } catch {
    return undefined;
  }
}

/** Options of {@link waitForWorkloads}. */
export interface WaitOptions {
  /** Absolute deadline (ms since the epoch). */
  deadline: number;
  /** Poll period (default 250 ms). */
  intervalMs?: number;
  /** Called after each poll. */
  onProgress?: (ready: number, total: number, states: Readiness[]) => void | Promise<void>;
}

/** Why the wait ended without every workload ready. */
export class NotReadyError extends Error {
  override name = "NotReadyError";
  readonly code = "NotReady";
  readonly states: Readiness[];
  constructor(message: string, states: Readiness[]) {
    super(message);
    this.states = states;
  }
}

/** Waits until every workload is ready; rejects with {@link NotReadyError} at the deadline or when one fails for good. */
export async function waitForWorkloads(api: Pick<Messenger, "ask">, list: readonly Applied[], options: WaitOptions): Promise<Readiness[]> {
  const interval = options.intervalMs ?? 250;
  for (;;) {
    const states: Readiness[] = [];
    for (const a of list) states.push(await checkWorkload(api, a));
    const ready = states.filter((s) => s.ready).length;
    await options.onProgress?.(ready, list.length, states);
    if (ready === list.length) return states;
    const failed = states.filter((s) => s.failed);
    if (failed.length) throw new NotReadyError(failed.map((s) => `${s.ref} will not become ready: ${s.reason}`).join("\n"), states);
    if (Date.now() >= options.deadline) {
      throw new NotReadyError(states.filter((s) => !s.ready).map((s) => `${s.ref} is not ready: ${s.reason}`).join("\n"), states);
    }
    await new Promise((r) => setTimeout(r, Math.min(interval, Math.max(0, options.deadline - Date.now()))));
  }
}
