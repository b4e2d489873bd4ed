/**
 * The pods table: NAME READY STATUS RESTARTS AGE (+ IP NODE NOMINATED NODE
 * READINESS GATES), with STATUS worked out as kubectl's pod printer does.
 */
import type { KubeObject } from "../../../api/meta.ts";
import { ageColumn, age, arr, col, humanDuration, nameColumn, num, rec, str, type Printer } from "./format.ts";

/** What the STATUS column and the READY/RESTARTS counts say about a pod. */
export interface PodSummary {
  ready: string;
  status: string;
  restarts: number;
  /** Milliseconds since the last container termination that caused a restart, if any. */
  lastRestartAgo?: number;
}

function restartable(spec: Record<string, unknown>, name: string): boolean {
  return arr(spec.initContainers).map(rec).some((c) => c.name === name && c.restartPolicy === "Always");
}

function conditionTrue(status: Record<string, unknown>, type: string): boolean {
  return arr(status.conditions).map(rec).some((c) => c.type === type && c.status === "True");
}

/** kubectl's pod STATUS, READY and RESTARTS, from spec and status. */
export function summarizePod(pod: KubeObject, now: number): PodSummary {
  const spec = rec(pod.spec);
  const status = rec(pod.status);
  const initSpecs = arr(spec.initContainers).map(rec);
  let total = arr(spec.containers).length + initSpecs.filter((c) => c.restartPolicy === "Always").length;
  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart = 0;
  const noteRestart = (cs: Record<string, unknown>) => {
    const t = Date.parse(str(rec(rec(cs.lastState).terminated).finishedAt));
    if (!Number.isNaN(t) && t > lastRestart) lastRestart = t;
  };
  let reason = str(status.reason) || str(status.phase);
  for (const c of arr(status.conditions).map(rec)) if (c.type === "PodScheduled" && c.reason === "SchedulingGated") reason = "SchedulingGated";

  let initializing = false;
  const inits = arr(status.initContainerStatuses).map(rec);
  for (let i = 0; i < inits.length; i++) {
    const cs = inits[i]!;
    const state = rec(cs.state);
    const terminated = state.terminated === undefined ? undefined : rec(state.terminated);
    const waiting = state.waiting === undefined ? undefined : rec(state.waiting);
    restarts += num(cs.restartCount);
    noteRestart(cs);
    const sidecar = restartable(spec, str(cs.name));
    if (sidecar) sidecarRestarts += num(cs.restartCount);
    if (terminated && num(terminated.exitCode) === 0) continue;
    if (sidecar && cs.started === true) {
      if (cs.ready === true) ready++;
      continue;
    }
    if (terminated) {
      const r = str(terminated.reason);
      reason = r ? `Init:${r}` : num(terminated.signal) ? `Init:Signal:${num(terminated.signal)}` : `Init:ExitCode:${num(terminated.exitCode)}`;
    } else if (waiting && str(waiting.reason) && waiting.reason !== "PodInitializing") {
      reason = `Init:${str(waiting.reason)}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(status, "Initialized")) {
    restarts = sidecarRestarts;
    let hasRunning = false;
    const containers = arr(status.containerStatuses).map(rec);
    for (let i = containers.length - 1; i >= 0; i--) {
      const cs = containers[i]!;
      const state = rec(cs.state);
      restarts += num(cs.restartCount);
      noteRestart(cs);
      const waiting = state.waiting === undefined ? undefined : rec(state.waiting);
      const terminated = state.terminated === undefined ? undefined : rec(state.terminated);
      if (waiting && str(waiting.reason)) reason = str(waiting.reason);
      else if (terminated && str(terminated.reason)) reason = str(terminated.reason);
      else if (terminated) reason = num(terminated.signal) ? `Signal:${num(terminated.signal)}` : `ExitCode:${num(terminated.exitCode)}`;
      else if (cs.ready === true && state.running !== undefined) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === "Completed" && hasRunning) reason = conditionTrue(status, "Ready") ? "Running" : "NotReady";
  }

  if (pod.metadata.deletionTimestamp && status.reason === "NodeLost") reason = "Unknown";
  else if (pod.metadata.deletionTimestamp && status.phase !== "Succeeded" && status.phase !== "Failed") reason = "Terminating";
  total = Math.max(total, 0);
  const out: PodSummary = { ready: `${ready}/${total}`, status: reason, restarts };
  if (lastRestart > 0) out.lastRestartAgo = now - lastRestart;
  return out;
}

/** pods */
export const podPrinter: Printer = {
  columns: [
    nameColumn,
    col("Ready", "The aggregate readiness state of this pod for accepting traffic."),
    col("Status", "The aggregate status of the containers in this pod."),
    col("Restarts", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
    ageColumn,
    col("IP", "IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", { wide: true }),
    col("Node", "NodeName is a request to schedule this pod onto a specific node.", { wide: true }),
    col("Nominated Node", "nominatedNodeName is set when this pod preempts other pods on the node.", { wide: true }),
    col("Readiness Gates", "If specified, all readiness gates will be evaluated for pod readiness.", { wide: true }),
  ],
  cells(pod, now) {
    const s = summarizePod(pod, now);
    const spec = rec(pod.spec);
    const status = rec(pod.status);
    const restarts = s.lastRestartAgo === undefined ? s.restarts : `${s.restarts} (${humanDuration(s.lastRestartAgo)} ago)`;
    const gates = arr(spec.readinessGates).map(rec);
    const gatesCell = gates.length
      ? `${gates.filter((g) => conditionTrue(status, str(g.conditionType))).length}/${gates.length}`
      : "<none>";
    return [
      pod.metadata.name,
      s.ready,
      s.status,
      restarts,
      age(pod, now),
      str(status.podIP) || "<none>",
      str(spec.nodeName) || "<none>",
      str(status.nominatedNodeName) || "<none>",
      gatesCell,
    ];
  },
};
