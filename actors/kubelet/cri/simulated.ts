/**
 * The simulated container runtime a kubelet drives: pod sandboxes and
 * containers as small state machines moved by timers on an injected clock.
 * A container holds one timer only while a transition is due (start delay,
 * scripted exit, OOM kill, stop); logs, probe answers and stats are computed
 * from its behaviour at the moment they are asked for, so thousands of idle
 * containers cost a few hundred bytes each.
 */
import { nanoid } from "nanoid";
import type { Clock } from "../../../runtime/clock.ts";
import { ActorError } from "../../../runtime/errors.ts";
import type { Probe } from "../../api/types/index.ts";
import type { ProbeKind } from "./behavior.ts";
import { SimulatedImages, type SimulatedImagesOptions } from "./images.ts";
import { resolveBehavior } from "./infer.ts";
import { exitReason, logLines, naturalEnd, probeOk, valueAt, type LogLine } from "./script.ts";
import {
  CriCodes, type AuthConfig, type ContainerConfig, type ContainerEvent, type ContainerFilter, type ContainerStats,
  type ContainerStatus, type ExecSyncResponse, type Image, type ImageService, type LogOptions, type PodSandboxConfig,
  type PodSandboxFilter, type PodSandboxStatus, type ProbeResult, type RuntimeService,
} from "./types.ts";
import { containerStatus, matchesLabels, probeFailure, resolvConf, shellWithEnv, logsWithEnv, type Container, type Sandbox } from "./state.ts";
import { runCommand, type ExecView } from "./exec.ts";
import { NodeFiles, normalizePath } from "./files.ts";

/** The pod network a sandbox joins (the CNI plugin's ADD and DEL). */
export interface SandboxNetwork {
  add(podSandboxId: string, config: PodSandboxConfig): Promise<{ ip: string }>;
  del(podSandboxId: string): Promise<void>;
}

/** Options for {@link SimulatedRuntime}; image options are documented on SimulatedImagesOptions. */
export interface SimulatedRuntimeOptions extends SimulatedImagesOptions {
  /** Start delay of containers whose behaviour sets none (default 0). */
  startDelayMs?: number;
  /** Lines a container's log keeps, as log rotation would (default 1000). */
  maxLogLines?: number;
  /** Gives sandboxes a pod IP; without it sandboxes have none. */
  network?: SandboxNetwork;
  /** The node's file system, where mounts point (default an empty one). */
  files?: NodeFiles;
}

/** A node's container runtime: CRI RuntimeService and ImageService over simulated containers. */
export class SimulatedRuntime implements RuntimeService, ImageService {
  readonly #clock: Clock;
  readonly #images: SimulatedImages;
  readonly #startDelayMs: number;
  readonly #maxLogLines: number;
  readonly #network?: SandboxNetwork;
  readonly #files: NodeFiles;
  readonly #sandboxes = new Map<string, Sandbox>();
  readonly #containers = new Map<string, Container>();
  readonly #listeners = new Set<(event: ContainerEvent) => void>();

  constructor(options: SimulatedRuntimeOptions) {
    this.#clock = options.clock;
    this.#images = new SimulatedImages(options);
    this.#startDelayMs = options.startDelayMs ?? 0;
    this.#maxLogLines = options.maxLogLines ?? 1000;
    this.#network = options.network;
    this.#files = options.files ?? new NodeFiles();
  }

  // --- sandboxes

  async RunPodSandbox(config: PodSandboxConfig): Promise<string> {
    const id = nanoid();
    const sandbox: Sandbox = { id, config, state: "SANDBOX_READY", createdAt: this.#clock.now(), containers: new Set(), history: new Map() };
    // A host-network pod shares the node's network namespace: the CNI plugin is not called.
    if (this.#network && !config.hostNetwork) sandbox.ip = (await this.#network.add(id, config)).ip;
    this.#sandboxes.set(id, sandbox);
    return id;
  }

  /** Kills every container of the sandbox at once (the kubelet stops them gracefully first) and leaves the network. */
  async StopPodSandbox(podSandboxId: string): Promise<void> {
    const sandbox = this.#sandbox(podSandboxId);
    for (const id of sandbox.containers) this.#kill(this.#containers.get(id), 0);
    if (sandbox.state === "SANDBOX_READY" && this.#network && sandbox.ip !== undefined) await this.#network.del(podSandboxId);
    sandbox.state = "SANDBOX_NOTREADY";
  }

  /** Removing a sandbox that is gone succeeds, as the CRI asks. */
  async RemovePodSandbox(podSandboxId: string): Promise<void> {
    if (!this.#sandboxes.has(podSandboxId)) return;
    await this.StopPodSandbox(podSandboxId);
    const sandbox = this.#sandbox(podSandboxId);
    for (const id of [...sandbox.containers]) await this.RemoveContainer(id);
    this.#sandboxes.delete(podSandboxId);
  }

  async PodSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus> {
    return sandboxStatus(this.#sandbox(podSandboxId));
  }

  async ListPodSandbox(filter: PodSandboxFilter = {}): Promise<PodSandboxStatus[]> {
    const out: PodSandboxStatus[] = [];
    for (const s of this.#sandboxes.values()) {
      if (filter.id !== undefined && s.id !== filter.id) continue;
      if (filter.state !== undefined && s.state !== filter.state) continue;
      if (!matchesLabels(s.config.labels, filter.labelSelector)) continue;
      out.push(sandboxStatus(s));
    }
    return out;
  }

  // --- containers

  /** Rejects with CreateContainerConfigError when the behaviour script is malformed, NotFound when the image is absent. */
  async CreateContainer(podSandboxId: string, config: ContainerConfig): Promise<string> {
    const sandbox = this.#sandbox(podSandboxId);
    if (sandbox.state !== "SANDBOX_READY") {
      throw new ActorError(CriCodes.FailedPrecondition, `pod sandbox ${podSandboxId} is not ready`);
    }
    const annotations = { ...sandbox.config.annotations, ...config.annotations };
    const env = Object.fromEntries((config.envs ?? []).map((e) => [e.key, e.value]));
    const resolved = resolveBehavior(annotations, shellWithEnv({ name: config.metadata.name, command: config.command, args: config.args }, env));
    if (!resolved.ok) throw new ActorError(CriCodes.CreateContainerConfigError, resolved.message);
    const image = this.#images.lookup(config.image);
    if (!image) throw new ActorError(CriCodes.NotFound, `failed to create container: image "${config.image}" not found`);
    const c: Container = {
      id: nanoid(), sandbox, config, env, behavior: resolved.source === "annotation" ? logsWithEnv(resolved.behavior, env) : resolved.behavior, imageRef: image.id, state: "CONTAINER_CREATED",
      createdAt: this.#clock.now(), startedAt: 0, finishedAt: 0, exitCode: 0, reason: "", message: "",
    };
    this.#containers.set(c.id, c);
    sandbox.containers.add(c.id);
    const instances = sandbox.history.get(config.metadata.name) ?? [];
    // Keep this instance and the one before it: enough for `logs --previous`.
    sandbox.history.set(config.metadata.name, [...instances.slice(-1), c]);
    this.#emit(c, "ContainerCreated");
    return c.id;
  }

  /** Resolves once the container runs (after its start delay). */
  StartContainer(containerId: string): Promise<void> {
    const c = this.#container(containerId);
    if (c.state !== "CONTAINER_CREATED" || c.starting) {
      return Promise.reject(new ActorError(CriCodes.FailedPrecondition, `container ${containerId} is ${c.starting ? "starting" : c.state}, not CONTAINER_CREATED`));
    }
    const delay = c.behavior.startDelayMs ?? this.#startDelayMs;
    if (delay <= 0) {
      this.#run(c);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      c.starting = { resolve, reject };
      c.timer = this.#clock.setTimeout(() => this.#run(c), delay);
    });
  }

  /** Sends SIGTERM and waits for the exit; the script decides how long that takes, and after `timeoutSeconds` it is SIGKILL (137). */
  StopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    const c = this.#container(containerId);
    if (c.state !== "CONTAINER_RUNNING" && !c.starting) return Promise.resolve();
    const done = new Promise<void>((resolve) => (c.waiters ??= []).push(resolve));
    this.#kill(c, Math.max(0, timeoutSeconds) * 1000);
    return done;
  }

  /** Force-removes, killing the container if it still runs. */
  async RemoveContainer(containerId: string): Promise<void> {
    const c = this.#containers.get(containerId);
    if (!c) return;
    this.#kill(c, 0);
    this.#containers.delete(containerId);
    c.sandbox.containers.delete(containerId);
    this.#emit(c, "ContainerRemoved");
  }

  async ContainerStatus(containerId: string): Promise<ContainerStatus> {
    return containerStatus(this.#container(containerId));
  }

  async ListContainers(filter: ContainerFilter = {}): Promise<ContainerStatus[]> {
    const out: ContainerStatus[] = [];
    for (const c of this.#containers.values()) {
      if (filter.id !== undefined && c.id !== filter.id) continue;
      if (filter.podSandboxId !== undefined && c.sandbox.id !== filter.podSandboxId) continue;
      if (filter.state !== undefined && c.state !== filter.state) continue;
      if (!matchesLabels(c.config.labels, filter.labelSelector)) continue;
      out.push(containerStatus(c));
    }
    return out;
  }

  /**
   * Runs a command in the container: a probe's command answers as that
   * probe's script says; others see the container's environment and files
   * (see exec.ts for the commands understood).
   */
  async ExecSync(containerId: string, cmd: string[], _timeoutSeconds: number): Promise<ExecSyncResponse> {
    const c = this.#running(containerId);
    const same = (p: Probe | undefined) => p?.exec?.command !== undefined && p.exec.command.join("\0") === cmd.join("\0");
    const { config } = c;
    const kind: ProbeKind | undefined = same(config.livenessProbe) ? "liveness" : same(config.readinessProbe) ? "readiness" : same(config.startupProbe) ? "startup" : undefined;
    if (kind) return { stdout: "", stderr: "", exitCode: this.#probeOk(c, kind) ? 0 : 1 };
    return runCommand(cmd, this.#view(c));
  }

  /** A file as the container sees it (sandbox files, then its mounts), or undefined. */
  async readFile(containerId: string, path: string): Promise<string | undefined> {
    return this.#view(this.#container(containerId)).read(path);
  }

  // The container's view of files: its mounts (longest containerPath first), then the sandbox's own files.
  #view(c: Container): ExecView {
    const mounts = [...(c.config.mounts ?? [])].sort((a, b) => b.containerPath.length - a.containerPath.length);
    const onNode = (path: string): string | undefined => {
      const p = normalizePath(path);
      for (const m of mounts) {
        const at = normalizePath(m.containerPath);
        if (p === at) return normalizePath(m.hostPath);
        if (p.startsWith(at === "/" ? "/" : `${at}/`)) return normalizePath(`${m.hostPath}/${p.slice(at.length)}`);
      }
      return undefined;
    };
    const own = sandboxFiles(c.sandbox);
    const files = this.#files;
    return {
      env: c.env,
      hostname: c.sandbox.config.hostname ?? c.sandbox.config.metadata.name,
      read: (path) => {
        const host = onNode(path);
        return host !== undefined ? files.read(host) : own[normalizePath(path)];
      },
      list: (path) => {
        const host = onNode(path);
        if (host !== undefined) return files.list(host);
        const dir = normalizePath(path);
        const names = Object.keys(own).filter((f) => f.startsWith(`${dir}/`)).map((f) => f.slice(dir.length + 1).split("/")[0]);
        return dir === "/etc" || names.length ? [...new Set(names)].sort() : undefined;
      },
    };
  }

  async probe(containerId: string, kind: ProbeKind, probe: Probe): Promise<ProbeResult> {
    const c = this.#container(containerId);
    if (c.state !== "CONTAINER_RUNNING") return { result: "Failure", message: `container ${containerId} is not running` };
    if (this.#probeOk(c, kind)) return { result: "Success", message: "" };
    return { result: "Failure", message: probeFailure(probe, c.sandbox.ip) };
  }

  /** The container's log lines (or its previous instance's), oldest first. */
  async logs(containerId: string, options: LogOptions = {}): Promise<LogLine[]> {
    const c = this.#container(containerId);
    let target = c;
    if (options.previous) {
      const instances = c.sandbox.history.get(c.config.metadata.name) ?? [];
      const prior = instances[instances.indexOf(c) - 1];
      if (!prior) {
        throw new ActorError(CriCodes.NotFound, `previous terminated container "${c.config.metadata.name}" in pod "${c.sandbox.config.metadata.name}" not found`);
      }
      target = prior;
    }
    if (target.startedAt === 0) return [];
    const max = Math.min(options.tailLines ?? this.#maxLogLines, this.#maxLogLines);
    return logLines(target.behavior, target.startedAt, target.finishedAt || this.#clock.now(), max);
  }

  async stats(containerId: string): Promise<ContainerStats> {
    const c = this.#container(containerId);
    const timestamp = this.#clock.now();
    if (c.state !== "CONTAINER_RUNNING") return { containerId, timestamp, cpuMillicores: 0, memoryBytes: 0 };
    const since = timestamp - c.startedAt;
    return { containerId, timestamp, cpuMillicores: valueAt(c.behavior.cpu, since), memoryBytes: valueAt(c.behavior.memory, since) };
  }

  onContainerEvent(listener: (event: ContainerEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // --- images

  PullImage(image: string, auth?: AuthConfig): Promise<string> {
    return this.#images.PullImage(image, auth);
  }

  ImageStatus(image: string): Promise<Image | null> {
    return this.#images.ImageStatus(image);
  }

  ListImages(): Promise<Image[]> {
    return this.#images.ListImages();
  }

  RemoveImage(image: string): Promise<void> {
    return this.#images.RemoveImage(image);
  }

  // --- the state machine

  #run(c: Container): void {
    c.timer = undefined;
    c.state = "CONTAINER_RUNNING";
    c.startedAt = this.#clock.now();
    const starting = c.starting;
    c.starting = undefined;
    this.#emit(c, "ContainerStarted");
    starting?.resolve();
    const end = naturalEnd(c.behavior, c.config.memoryLimitBytes);
    if (end) this.#plan(c, end.atMs, end.exitCode, end.reason);
  }

  /** SIGTERM now, SIGKILL after `graceMs`: plans whichever exit comes first. */
  #kill(c: Container | undefined, graceMs: number): void {
    if (!c) return;
    if (c.starting) {
      // Killed before its process ran: StartContainer fails, as a start racing a stop would.
      c.starting.reject(new ActorError(CriCodes.ContainerNotRunning, `container ${c.id} was stopped while starting`));
      c.starting = undefined;
      this.#exit(c, 137, "Error");
      return;
    }
    if (c.state !== "CONTAINER_RUNNING") return;
    const term = c.behavior.sigterm;
    if (term !== "ignore" && term.afterMs <= graceMs) this.#plan(c, this.#sinceStart(c) + term.afterMs, term.code, exitReason(term.code));
    else this.#plan(c, this.#sinceStart(c) + graceMs, 137, "Error");
  }

  /** Schedules the exit at `atMs` after start unless an earlier one is already due; a due exit happens now. */
  #plan(c: Container, atMs: number, exitCode: number, reason: string): void {
    if (c.plannedAtMs !== undefined && c.plannedAtMs <= atMs) return;
    if (c.timer) this.#clock.clearTimeout(c.timer);
    c.timer = undefined;
    const wait = atMs - this.#sinceStart(c);
    if (wait <= 0) {
      this.#exit(c, exitCode, reason);
      return;
    }
    c.plannedAtMs = atMs;
    c.timer = this.#clock.setTimeout(() => this.#exit(c, exitCode, reason), wait);
  }

  #exit(c: Container, exitCode: number, reason: string): void {
    if (c.timer) this.#clock.clearTimeout(c.timer);
    c.timer = undefined;
    c.plannedAtMs = undefined;
    c.state = "CONTAINER_EXITED";
    c.finishedAt = this.#clock.now();
    c.exitCode = exitCode;
    c.reason = reason;
    this.#emit(c, "ContainerDied");
    const waiters = c.waiters ?? [];
    c.waiters = undefined;
    for (const resolve of waiters) resolve();
  }

  #sinceStart(c: Container): number {
    return c.startedAt === 0 ? 0 : this.#clock.now() - c.startedAt;
  }

  #probeOk(c: Container, kind: ProbeKind): boolean {
    return probeOk(c.behavior[kind], this.#clock.now() - c.startedAt);
  }

  #emit(c: Container, type: ContainerEvent["type"]): void {
    if (this.#listeners.size === 0) return;
    const event: ContainerEvent = {
      type, containerId: c.id, podSandboxId: c.sandbox.id, podUid: c.sandbox.config.metadata.uid,
      containerName: c.config.metadata.name, at: this.#clock.now(),
    };
    if (type === "ContainerDied") {
      event.exitCode = c.exitCode;
      event.reason = c.reason;
    }
    for (const listener of this.#listeners) {
      // A failing subscriber must not leave a container half-way through a transition.
      try {
        listener(event);
      } catch {
        /* the subscriber's own problem */
      }
    }
  }

  #sandbox(id: string): Sandbox {
    const s = this.#sandboxes.get(id);
    if (!s) throw new ActorError(CriCodes.NotFound, `pod sandbox ${id} not found`);
    return s;
  }

  #container(id: string): Container {
    const c = this.#containers.get(id);
    if (!c) throw new ActorError(CriCodes.NotFound, `container ${id} not found`);
    return c;
  }

  #running(id: string): Container {
    const c = this.#container(id);
    if (c.state !== "CONTAINER_RUNNING") throw new ActorError(CriCodes.ContainerNotRunning, `container ${id} is not running`);
    return c;
  }
}

/** The files a sandbox provides to its containers (unless a mount covers them). */
function sandboxFiles(s: Sandbox): Record<string, string> {
  const files: Record<string, string> = { "/etc/hostname": `${s.config.hostname ?? s.config.metadata.name}\n` };
  if (s.config.dnsConfig) files["/etc/resolv.conf"] = resolvConf(s.config.dnsConfig);
  return files;
}

function sandboxStatus(s: Sandbox): PodSandboxStatus {
  const status: PodSandboxStatus = {
    id: s.id, metadata: { ...s.config.metadata }, state: s.state, createdAt: s.createdAt,
    labels: { ...s.config.labels }, annotations: { ...s.config.annotations },
  };
  if (s.ip !== undefined) status.network = { ip: s.ip };
  return status;
}
