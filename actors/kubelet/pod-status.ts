/**
 * Pod status as the kubelet reports it, computed from what the runtime says
 * of each container: phase, conditions, container statuses.
 */
import { timestamp } from "../api/meta.ts";
import type { Pod } from "../api/types/core-pod.ts";
import type { ContainerStatus as KubeContainerStatus, ContainerState, PodCondition, PodStatus } from "../api/types/core-pod-status.ts";
import type { ContainerStatus as CriStatus } from "./cri/types.ts";

/** What the kubelet knows of one container of a pod. */
export interface ContainerRecord {
  name: string;
  id?: string;
  restartCount: number;
  /** The runtime's view of the current instance. */
  cri?: CriStatus;
  /** The last finished instance (lastState). */
  last?: CriStatus;
  /** Why it is not running (ContainerCreating, CrashLoopBackOff, ErrImagePull, …). */
  waiting?: { reason: string; message?: string };
  ready: boolean;
  /** The startup probe passed (unset: running is enough). */
  started?: boolean;
  imageID?: string;
}

/** RFC 3339 with seconds (the shared metav1.Time format). */
export const ts = timestamp;

function stateOf(c: CriStatus | undefined, waiting?: { reason: string; message?: string }): ContainerState {
  if (c?.state === "CONTAINER_RUNNING") return { running: { startedAt: ts(c.startedAt) } };
  if (c?.state === "CONTAINER_EXITED" && !waiting) {
    return { terminated: { exitCode: c.exitCode, reason: c.reason || (c.exitCode === 0 ? "Completed" : "Error"), startedAt: ts(c.startedAt), finishedAt: ts(c.finishedAt), containerID: `actorkube://${c.id}`, ...(c.message ? { message: c.message } : {}) } };
  }
  return { waiting: waiting ?? { reason: "ContainerCreating" } };
}

/** One Kubernetes ContainerStatus. */
export function containerStatus(image: string, r: ContainerRecord): KubeContainerStatus {
  const s: KubeContainerStatus = {
    name: r.name,
    state: stateOf(r.cri, r.waiting),
    lastState: r.last ? stateOf(r.last) : {},
    ready: r.ready,
    restartCount: r.restartCount,
    image,
    imageID: r.imageID ?? "",
    started: r.cri?.state === "CONTAINER_RUNNING" && r.started !== false,
  };
  if (r.cri?.id) s.containerID = `actorkube://${r.cri.id}`;
  return s;
}

/**
 * The pod phase from its containers, as the kubelet decides it: Pending
 * until every container started once; Succeeded/Failed when all ended and
 * none will restart; Running otherwise.
 */
export function podPhase(pod: Pod, records: ContainerRecord[], initDone: boolean): "Pending" | "Running" | "Succeeded" | "Failed" {
  if (!initDone) return "Pending";
  const policy = pod.spec.restartPolicy ?? "Always";
  let running = 0;
  let waiting = 0;
  let succeeded = 0;
  let failed = 0;
  for (const r of records) {
    const st = r.cri?.state;
    if (st === "CONTAINER_RUNNING") running++;
    else if (st === "CONTAINER_EXITED") {
      if (r.cri!.exitCode === 0) succeeded++;
      else failed++;
    } else if (r.last) {
      // Restarting after an exit counts as running, as the kubelet does.
      running++;
    } else waiting++;
  }
  if (waiting > 0) return "Pending";
  if (running > 0) return "Running";
  if (policy === "Always") return "Running";
  if (failed > 0 && policy === "Never") return "Failed";
  if (failed > 0) return "Running";
  return succeeded === records.length ? "Succeeded" : "Running";
}

/** What the kubelet knows of a pod when it reports its status. */
export interface PodStatusInput {
  pod: Pod;
  records: ContainerRecord[];
  initRecords: ContainerRecord[];
  initDone: boolean;
  sandboxReady: boolean;
  hostIP: string;
  podIP?: string;
  startTime: number;
  now: number;
  /** Set when admission refused the pod. */
  rejected?: { reason: string; message: string };
}

/** The pod's status as the kubelet writes it; transition times move only when a condition's status changes. */
export function buildPodStatus(x: PodStatusInput): PodStatus {
  const { pod } = x;
  const prev = pod.status?.conditions ?? [];
  const now = ts(x.now);
  if (x.rejected) {
    return { ...pod.status, phase: "Failed", reason: x.rejected.reason, message: `Pod was rejected: ${x.rejected.message}`, startTime: ts(x.startTime) };
  }
  // An init container that failed under restartPolicy Never fails the pod.
  const initFailed = !x.initDone && pod.spec.restartPolicy === "Never" && x.initRecords.some((r) => r.cri?.state === "CONTAINER_EXITED" && r.cri.exitCode !== 0);
  const phase = initFailed ? "Failed" : podPhase(pod, x.records, x.initDone);
  const allReady = x.records.length > 0 && x.records.every((r) => r.ready);
  const cond = (type: string, ok: boolean, reason?: string): PodCondition => {
    const status = ok ? "True" : "False";
    const old = prev.find((c) => c.type === type);
    return { type, status, lastProbeTime: null, lastTransitionTime: old?.status === status ? old.lastTransitionTime : now, ...(reason && !ok ? { reason } : {}) } as PodCondition;
  };
  const image = (name: string, list: Pod["spec"]["containers"] | undefined) => list?.find((c) => c.name === name)?.image ?? "";
  const status: PodStatus = {
    ...pod.status,
    phase,
    conditions: [
      cond("PodReadyToStartContainers", x.sandboxReady),
      cond("Initialized", x.initDone, "ContainersNotInitialized"),
      cond("Ready", allReady && phase === "Running", "ContainersNotReady"),
      cond("ContainersReady", allReady && phase === "Running", "ContainersNotReady"),
      cond("PodScheduled", true),
    ],
    hostIP: x.hostIP,
    hostIPs: [{ ip: x.hostIP }],
    ...(x.podIP ? { podIP: x.podIP, podIPs: [{ ip: x.podIP }] } : {}),
    startTime: ts(x.startTime),
    containerStatuses: x.records.map((r) => containerStatus(image(r.name, pod.spec.containers), r)),
  };
  delete status.reason;
  delete status.message;
  if (x.initRecords.length) status.initContainerStatuses = x.initRecords.map((r) => containerStatus(image(r.name, pod.spec.initContainers), r));
  return status;
}
