/**
 * The simulated runtime's records and the pure helpers that read them:
 * status snapshots, label filters, probe failure messages, resolv.conf and
 * the environment's effect on commands and log lines.
 */
import type { TimerId } from "../../../runtime/clock.ts";
import type { Probe } from "../../api/types/index.ts";
import type { Behavior } from "./behavior.ts";
import type { ContainerConfig, ContainerState, ContainerStatus, DNSConfig, PodSandboxConfig, PodSandboxState } from "./types.ts";
import type { CommandLine } from "./infer.ts";
import { expandShell } from "./exec.ts";
import { expandKubeVars } from "./expand.ts";

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
  /** The resolved environment, by name. */
  env: Record<string, string>;
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

/** The sandbox's /etc/resolv.conf, as container runtimes write it from the CRI DNSConfig. */
export function resolvConf(dns: DNSConfig): string {
  const lines: string[] = [];
  if (dns.searches.length) lines.push(`search ${dns.searches.join(" ")}`);
  for (const s of dns.servers) lines.push(`nameserver ${s}`);
  if (dns.options.length) lines.push(`options ${dns.options.join(" ")}`);
  return lines.map((l) => `${l}\n`).join("");
}

/** A `sh -c` script with its `$VAR`s expanded from the environment, as the shell would before running it. */
export function shellWithEnv(c: CommandLine, env: Readonly<Record<string, string>>): CommandLine {
  const argv = [...(c.command ?? []), ...(c.args ?? [])];
  const shell = /^(sh|bash|ash|dash|zsh)$/.test(argv[0]?.slice(argv[0].lastIndexOf("/") + 1) ?? "");
  if (!shell || argv[1] !== "-c" || argv.length < 3 || !argv[2].includes("$")) return c;
  // Single-quoted text stays literal, as in sh.
  const script = argv[2].split(/('[^']*')/).map((part) => (part.startsWith("'") ? part : expandShell(part, env))).join("");
  return { name: c.name, command: [argv[0], "-c", script, ...argv.slice(3)] };
}

/** A behaviour whose log text has `$(VAR)` references replaced from the environment (`$$` escapes). */
export function logsWithEnv(b: Behavior, env: Readonly<Record<string, string>>): Behavior {
  if (!b.logs.some((l) => l.text.includes("$"))) return b;
  return Object.freeze({ ...b, logs: b.logs.map((l) => ({ ...l, text: expandKubeVars(l.text, env) })) });
}
