/**
 * The container runtime interface the kubelet drives, shaped like the CRI
 * (k8s.io/cri-api RuntimeService and ImageService), plus what a simulated
 * runtime adds: probe answers, logs, stats and container events (PLEG).
 * Times are epoch milliseconds; every value is structured-cloneable.
 */
import type { Probe } from "../../api/types/index.ts";
import type { ProbeKind } from "./behavior.ts";
import type { LogLine } from "./script.ts";

export type { ProbeKind } from "./behavior.ts";
export type { LogLine } from "./script.ts";

/** Error codes the runtime rejects with (checked by `code`, as everywhere). */
export const CriCodes = {
  NotFound: "NotFound",
  ErrImagePull: "ErrImagePull",
  CreateContainerConfigError: "CreateContainerConfigError",
  ContainerNotRunning: "ContainerNotRunning",
  FailedPrecondition: "FailedPrecondition",
} as const;

/** Identifies a pod sandbox: the pod and which attempt at its sandbox this is. */
export interface PodSandboxMetadata {
  name: string;
  namespace: string;
  uid: string;
  attempt: number;
}

/** CRI DNSConfig: what the runtime writes into the sandbox's /etc/resolv.conf. */
export interface DNSConfig {
  servers: string[];
  searches: string[];
  /** `name` or `name:value`, e.g. `ndots:5`. */
  options: string[];
}

/** RunPodSandbox's input; `annotations` are the pod's, where behaviour scripts live. */
export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Written to the sandbox's /etc/resolv.conf, shared by its containers. */
  dnsConfig?: DNSConfig;
  /** The pod shares the node's network namespace: no CNI ADD, the node's address. */
  hostNetwork?: boolean;
}

/** SANDBOX_READY until stopped. */
export type PodSandboxState = "SANDBOX_READY" | "SANDBOX_NOTREADY";

/** PodSandboxStatus's answer. */
export interface PodSandboxStatus {
  id: string;
  metadata: PodSandboxMetadata;
  state: PodSandboxState;
  createdAt: number;
  /** The pod IP, when a network plugin gave one. */
  network?: { ip: string };
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** ListPodSandbox's filter; every field set must match. */
export interface PodSandboxFilter {
  id?: string;
  state?: PodSandboxState;
  labelSelector?: Record<string, string>;
}

/** Identifies a container within its sandbox; `attempt` counts restarts. */
export interface ContainerMetadata {
  name: string;
  attempt: number;
}

/** CRI KeyValue: one environment variable. */
export interface KeyValue {
  key: string;
  value: string;
}

/** CRI Mount: a node path seen at `containerPath` inside the container. */
export interface Mount {
  containerPath: string;
  hostPath: string;
  readonly?: boolean;
}

/** CreateContainer's input: the Kubernetes container spec as the kubelet resolved it. */
export interface ContainerConfig {
  metadata: ContainerMetadata;
  image: string;
  command?: string[];
  args?: string[];
  /** The resolved environment (env, envFrom, downward API), in order. */
  envs?: KeyValue[];
  /** Volume mounts, resolved to paths on the node's file system. */
  mounts?: Mount[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** resources.limits.memory in bytes; using more gets the container OOMKilled. */
  memoryLimitBytes?: number;
  /** The spec's probes, so ExecSync can tell which probe an exec command belongs to. */
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
}

/** CRI container states. */
export type ContainerState = "CONTAINER_CREATED" | "CONTAINER_RUNNING" | "CONTAINER_EXITED" | "CONTAINER_UNKNOWN";

/** ContainerStatus's answer; the kubelet turns it into a Kubernetes ContainerStatus. */
export interface ContainerStatus {
  id: string;
  podSandboxId: string;
  metadata: ContainerMetadata;
  state: ContainerState;
  image: string;
  /** The image id (`sha256:...`) the container runs. */
  imageRef: string;
  createdAt: number;
  /** 0 until started. */
  startedAt: number;
  /** 0 until exited. */
  finishedAt: number;
  exitCode: number;
  /** `Completed`, `Error` or `OOMKilled` once exited. */
  reason: string;
  message: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** ListContainers' filter; every field set must match. */
export interface ContainerFilter {
  id?: string;
  podSandboxId?: string;
  state?: ContainerState;
  labelSelector?: Record<string, string>;
}

/** ExecSync's answer. */
export interface ExecSyncResponse {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** A probe's outcome, as the kubelet's prober reports it. */
export interface ProbeResult {
  result: "Success" | "Failure";
  /** Why it failed, in the words the kubelet uses in events. */
  message: string;
}

/** Options for {@link RuntimeService.logs}. */
export interface LogOptions {
  /** Only the last N lines. */
  tailLines?: number;
  /** The previous instance of this container (same pod, same name). */
  previous?: boolean;
}

/** Resource use at this moment. */
export interface ContainerStats {
  containerId: string;
  timestamp: number;
  cpuMillicores: number;
  memoryBytes: number;
}

/** What PLEG would relist: a container changed state. */
export interface ContainerEvent {
  type: "ContainerCreated" | "ContainerStarted" | "ContainerDied" | "ContainerRemoved";
  containerId: string;
  podSandboxId: string;
  /** The pod's uid, so the kubelet can find its pod worker without a lookup. */
  podUid: string;
  containerName: string;
  at: number;
  /** Set on ContainerDied. */
  exitCode?: number;
  reason?: string;
}

/** Registry credentials for PullImage. */
export interface AuthConfig {
  username?: string;
  password?: string;
  auth?: string;
  registryToken?: string;
}

/** An image held by the runtime. */
export interface Image {
  /** `sha256:<64 hex>`, stable for a given reference. */
  id: string;
  repoTags: string[];
  size: number;
}

/** The CRI RuntimeService, plus the simulator's probes, logs, stats and events. */
export interface RuntimeService {
  RunPodSandbox(config: PodSandboxConfig): Promise<string>;
  StopPodSandbox(podSandboxId: string): Promise<void>;
  RemovePodSandbox(podSandboxId: string): Promise<void>;
  PodSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus>;
  ListPodSandbox(filter?: PodSandboxFilter): Promise<PodSandboxStatus[]>;
  CreateContainer(podSandboxId: string, config: ContainerConfig): Promise<string>;
  StartContainer(containerId: string): Promise<void>;
  StopContainer(containerId: string, timeoutSeconds: number): Promise<void>;
  RemoveContainer(containerId: string): Promise<void>;
  ContainerStatus(containerId: string): Promise<ContainerStatus>;
  ListContainers(filter?: ContainerFilter): Promise<ContainerStatus[]>;
  ExecSync(containerId: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResponse>;
  /** Runs a liveness/readiness/startup probe (exec, httpGet, tcpSocket or grpc) against the container's script. */
  probe(containerId: string, kind: ProbeKind, probe: Probe): Promise<ProbeResult>;
  logs(containerId: string, options?: LogOptions): Promise<LogLine[]>;
  stats(containerId: string): Promise<ContainerStats>;
  /** Calls `listener` on every container state change; returns the unsubscribe function. */
  onContainerEvent(listener: (event: ContainerEvent) => void): () => void;
}

/** The CRI ImageService. */
export interface ImageService {
  /** Pulls an image and returns its id; rejects with code ErrImagePull. */
  PullImage(image: string, auth?: AuthConfig): Promise<string>;
  /** The image if present, else null (what imagePullPolicy IfNotPresent / Never look at). */
  ImageStatus(image: string): Promise<Image | null>;
  ListImages(): Promise<Image[]>;
  RemoveImage(image: string): Promise<void>;
}
