/**
 * The simulated runtime's records and the pure helpers that read them:
 * status snapshots, label filters, probe failure messages, exec answers.
 */
import type { TimerId } from "../../../runtime/clock.ts";
import type { Probe } from "../../api/types/index.ts";
import type { Behavior } from "./behavior.ts";
import type { ContainerConfig, ContainerState, ContainerStatus, ExecSyncResponse, PodSandboxConfig, PodSandboxState } from "./types.ts";

/** A pod sandbox and the containers created in it. */
export interface Sandbox {
  id: string;
  config: PodSandboxConfig;
  state: PodSandboxState;
  createdAt: number;
  ip?: string;
  containers: Set<string>;
  /** Per container name, the current instance and the one before it (for `logs --previous`). */
  history: Map<string, Container[]>;
}

/** One container instance; holds a timer only while a transition is due. */
export interface Container {
  id: string;
  sandbox: Sandbox;
  config: ContainerConfig;
  behavior: Behavior;
  imageRef: string;
  state: ContainerState;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  reason: string;
  message: string;
  timer?: TimerId;
  /** When the planned exit falls, in ms since start. */
  plannedAtMs?: number;
  /** The pending StartContainer while the start delay runs. */
  starting?: { resolve: () => void; reject: (err: Error) => void };
  /** Pending StopContainer calls, settled on exit. */
  waiters?: Array<() => void>;
}

/** A snapshot safe to hand out (copies, so callers cannot change the record). */
export function containerStatus(c: Container): ContainerStatus {
  return {
    id: c.id, podSandboxId: c.sandbox.id, metadata: { ...c.config.metadata }, state: c.state,
    image: c.config.image, imageRef: c.imageRef, createdAt: c.createdAt, startedAt: c.startedAt,
    finishedAt: c.finishedAt, exitCode: c.exitCode, reason: c.reason, message: c.message,
    labels: { ...c.config.labels }, annotations: { ...c.config.annotations },
  };
}

/** True when every key of `selector` has the same value in `labels`. */
export function matchesLabels(labels: Record<string, string> | undefined, selector: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector)) if (labels?.[k] !== v) return false;
  return true;
}

/** The message a failed probe gets, worded as the kubelet's prober words it per handler. */
export function probeFailure(probe: Probe, ip: string | undefined): string {
  const host = (h: string | undefined) => h ?? ip ?? "127.0.0.1";
  if (probe.exec) return `command ${JSON.stringify((probe.exec.command ?? []).join(" "))} exited with 1`;
  if (probe.httpGet) return "HTTP probe failed with statuscode: 503";
  if (probe.tcpSocket) return `dial tcp ${host(probe.tcpSocket.host)}:${probe.tcpSocket.port}: connect: connection refused`;
  if (probe.grpc) return `service unhealthy (responded with "NOT_SERVING")`;
  return "probe has no handler";
}

/** A command that is no probe's: `echo`, `true`, `false` and `exit N` act as in a shell; anything else succeeds silently. */
export function execAnswer(cmd: readonly string[]): ExecSyncResponse {
  const prog = (cmd[0] ?? "").slice((cmd[0] ?? "").lastIndexOf("/") + 1);
  switch (prog) {
    case "echo": return { stdout: `${cmd.slice(1).join(" ")}\n`, stderr: "", exitCode: 0 };
    case "false": return { stdout: "", stderr: "", exitCode: 1 };
    case "exit": return { stdout: "", stderr: "", exitCode: (Number(cmd[1]) || 0) & 255 };
  }
  return { stdout: "", stderr: "", exitCode: 0 };
}
