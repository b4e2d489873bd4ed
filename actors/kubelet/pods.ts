/**
 * The kubelet's pod workers: for each pod bound to the node (and each
 * static pod), admit it, set up its volumes, create the sandbox with its IP
 * and DNS config, pull images, resolve each container's environment, run
 * init containers then containers, restart them with CrashLoopBackOff,
 * probe them, and report the truth in the pod's status. Deletion stops
 * containers within the grace period, releases the IP, then removes the pod.
 * Slow runtime steps (a start delay, a graceful stop) run beside the worker,
 * not inside it, so one pod never holds up the others.
 */
import type { Clock, TimerId } from "../../runtime/clock.ts";
import type { ApiClient } from "../api/client.ts";
import { isConflict, isNotFound, retryOnConflict } from "../api/client.ts";
import type { EventRecorder } from "../api/events.ts";
import type { Container, Node, Pod } from "../api/types/index.ts";
import type { ImageService, Mount, RuntimeService } from "./cri/types.ts";
import { containerConfig, sandboxConfig } from "./cri/config.ts";
import { resolveBehavior } from "./cri/infer.ts";
import type { NodeFiles } from "./cri/files.ts";
import { buildPodStatus, type ContainerRecord } from "./pod-status.ts";
import { sameJson } from "../apiserver/objects.ts";
import { admitPod } from "./admission.ts";
import { etcHosts, podDNSConfig, podRef, type DNSSettings } from "./dns.ts";
import { ConfigError, containerEnv, type PodRuntimeFacts } from "./env.ts";
import type { ObjectLookup } from "./config-objects.ts";
import { podDir, type VolumeManager } from "./volumes.ts";
import { ContainerProber } from "./probes.ts";
import { MIRROR_ANNOTATION } from "./static-pods.ts";
import { ImagePuller } from "./image-pull.ts";

/** Restart back-off: 10 s doubling to 5 min, as the kubelet. */
export function crashBackoffMs(restarts: number): number {
  return Math.min(300_000, 10_000 * 2 ** Math.max(0, restarts - 1));
}

// A container that ran this long before exiting starts over with no back-off.
const BACKOFF_RESET_MS = 600_000;
// The pod worker retries a sync that failed (e.g. CreateContainerConfigError) after this long.
const SYNC_ERROR_RETRY_MS = 10_000;

interface PodWork {
  key: string;
  uid: string;
  pod: Pod;
  /** From a manifest file; its status goes to its mirror pod. */
  static: boolean;
  admitted: boolean;
  rejected?: { reason: string; message: string };
  sandboxId?: string;
  ip?: string;
  records: Map<string, ContainerRecord>;
  initDone: boolean;
  startTime?: number;
  /** Per container, the exit (container id) a restart waits on and until when. */
  backoffUntil: Map<string, { exit: string; until: number }>;
  probers: Map<string, ContainerProber>;
  volumePaths?: Map<string, string>;
  timer?: TimerId;
  wakeAt?: number;
  /** Per container, when a configuration that failed (CreateContainerConfigError) is tried again. */
  configRetryAt: Map<string, number>;
  /** stopping: containers are being stopped; stopped: they are, the pod can go. */
  terminating?: "stopping" | "stopped";
  /** A static pod whose manifest is gone. */
  removed: boolean;
  lastStatus?: unknown;
}

/** What the pod workers need from their kubelet. */
export interface PodWorkersDeps {
  node: string;
  hostIP: string;
  client: ApiClient;
  clock: Clock;
  runtime: RuntimeService & ImageService;
  events: EventRecorder;
  files: NodeFiles;
  volumes: VolumeManager;
  dns: DNSSettings;
  /** A fresh lookup of ConfigMaps and Secrets (one per pod sync) for the pod `podUid`. */
  lookup(podUid: string): ObjectLookup;
  /** The node as last seen (labels, taints, allocatable). */
  getNode(): Promise<Node>;
  /** Asks the kubelet actor to sync a pod later (through its mailbox). */
  requestSync(uid: string, delayMs: number): TimerId;
  log(level: "info" | "warn", message: string): void;
}

/** A pod as `kubelet.pods` lists it: what this node runs, whatever the apiserver says. */
export interface LocalPod {
  namespace: string;
  name: string;
  uid: string;
  static: boolean;
  phase: string;
  podIP?: string;
  containers: Array<{ name: string; state: string; ready: boolean; restartCount: number }>;
}

/** All pods of one node. */
export class PodWorkers {
  readonly #d: PodWorkersDeps;
  readonly #pods = new Map<string, PodWork>();
  readonly #images: ImagePuller;

  constructor(deps: PodWorkersDeps) {
    this.#d = deps;
    this.#images = new ImagePuller(deps);
  }

  /** Pods being worked on. */
  get size(): number {
    return this.#pods.size;
  }

  /** The runtime id of a pod's container's current instance. */
  containerId(uid: string, container: string): string | undefined {
    return this.#pods.get(uid)?.records.get(container)?.id;
  }

  /** The uid of the pod this node runs as namespace/name (a live one before one being removed). */
  find(namespace: string, name: string): string | undefined {
    let found: PodWork | undefined;
    for (const w of this.#pods.values()) {
      if (w.pod.metadata.name !== name || (w.pod.metadata.namespace ?? "default") !== namespace) continue;
      if (!found || (found.terminating && !w.terminating)) found = w;
    }
    return found?.uid;
  }

  /** The pod worked on under this uid (static pods have the manifest's hash as uid). */
  pod(uid: string): Pod | undefined {
    return this.#pods.get(uid)?.pod;
  }

  /** Every pod this node runs, as the runtime sees it. */
  list(): LocalPod[] {
    return [...this.#pods.values()].map((w) => {
      const status = w.lastStatus as { phase?: string } | undefined;
      return {
        namespace: w.pod.metadata.namespace ?? "default",
        name: w.pod.metadata.name ?? "",
        uid: w.uid,
        static: w.static,
        phase: w.rejected ? "Failed" : (status?.phase ?? "Pending"),
        ...(w.ip ? { podIP: w.ip } : {}),
        containers: (w.pod.spec.containers ?? []).map((c) => {
          const r = w.records.get(c.name);
          const state = r?.cri?.state === "CONTAINER_RUNNING" ? "Running" : r?.cri?.state === "CONTAINER_EXITED" && !r.waiting ? "Terminated" : (r?.waiting?.reason ?? "Waiting");
          return { name: c.name, state, ready: r?.ready ?? false, restartCount: r?.restartCount ?? 0 };
        }),
      };
    });
  }

  /** The informer saw the pod (added or changed); or a static pod was read from its manifest. */
  observe(pod: Pod, isStatic = false): string {
    const uid = pod.metadata.uid!;
    let w = this.#pods.get(uid);
    if (!w) {
      w = {
        key: `${pod.metadata.namespace}/${pod.metadata.name}`, uid, pod, static: isStatic, admitted: false, records: new Map(), initDone: false,
        backoffUntil: new Map(), configRetryAt: new Map(), probers: new Map(), removed: false,
      };
      this.#pods.set(uid, w);
    } else w.pod = pod;
    return uid;
  }

  /** The pod's mirror was (re)created: its status must be written again. */
  invalidateStatus(uid: string): void {
    const w = this.#pods.get(uid);
    if (w) w.lastStatus = undefined;
  }

  /** The pod is gone from the apiserver: stop and clean up whatever still runs. */
  async forget(pod: Pod): Promise<void> {
    const w = this.#pods.get(pod.metadata.uid!);
    if (!w || w.static) return;
    this.#pods.delete(w.uid);
    await this.#teardown(w, 0);
  }

  /** A static pod's manifest is gone: stop it gracefully; it never touches the apiserver's pods. */
  removeStatic(uid: string): void {
    const w = this.#pods.get(uid);
    if (!w?.static) return;
    w.removed = true;
    this.#later(w, 0);
  }

  /** Drives one pod a step toward its spec and reports its status. */
  async sync(uid: string): Promise<void> {
    const w = this.#pods.get(uid);
    if (!w) return;
    if (w.timer) this.#d.clock.clearTimeout(w.timer);
    w.timer = undefined;
    if (w.pod.metadata.deletionTimestamp || w.removed) return this.#terminate(w);
    const phase = w.pod.status?.phase;
    if ((phase === "Succeeded" || phase === "Failed") && !w.sandboxId && !w.static) return;
    try {
      await this.#run(w);
    } catch (err) {
      this.#d.log("warn", `sync of ${w.key} failed: ${(err as Error).message}`);
      this.#later(w, 1000);
    }
    await this.#report(w);
  }

  async #run(w: PodWork): Promise<void> {
    const { runtime, clock } = this.#d;
    const pod = w.pod;
    w.startTime ??= clock.now();
    if (w.rejected) return;
    if (!w.admitted && !(await this.#admit(w))) return;
    // One lookup for the whole sync: volumes and every container's env read each object once.
    const lookup = this.#d.lookup(w.uid);
    const containers = pod.spec.containers ?? [];
    // Behaviour scripts are checked first: a bad one is the pod's error, never the kubelet's.
    for (const c of [...(pod.spec.initContainers ?? []), ...containers]) {
      const b = resolveBehavior(pod.metadata.annotations, c);
      if (!b.ok) {
        this.#record(w, c.name).waiting = { reason: b.reason, message: b.message };
        return;
      }
    }
    if (!w.volumePaths) {
      const m = await this.#d.volumes.mount(pod, await this.#facts(w), lookup);
      if (!m.ready) {
        for (const c of [...(pod.spec.initContainers ?? []), ...containers]) this.#record(w, c.name).waiting ??= { reason: "ContainerCreating" };
        this.#later(w, m.retryInMs);
        return;
      }
      w.volumePaths = m.paths;
    }
    if (!w.sandboxId) {
      const { config: dns, warnings } = podDNSConfig(pod, this.#d.dns);
      for (const warn of warnings) void this.#d.events.record(pod as never, "Warning", warn.reason, warn.message);
      try {
        w.sandboxId = await runtime.RunPodSandbox(sandboxConfig(pod, 0, dns));
        const st = await runtime.PodSandboxStatus(w.sandboxId);
        w.ip = pod.spec.hostNetwork ? this.#d.hostIP : st.network?.ip;
      } catch (err) {
        w.sandboxId = undefined;
        void this.#d.events.record(pod as never, "Warning", "FailedCreatePodSandBox", `Failed to create pod sandbox: ${(err as Error).message}`);
        for (const c of containers) this.#record(w, c.name).waiting = { reason: "ContainerCreating" };
        this.#later(w, 2000);
        return;
      }
      if (!pod.spec.hostNetwork) this.#d.files.write(`${podDir(w.uid)}/etc-hosts`, etcHosts(pod, w.ip ? [w.ip] : [], this.#d.dns.clusterDomain));
    }
    if (!w.initDone) {
      for (const c of pod.spec.initContainers ?? []) {
        const r = this.#record(w, c.name);
        if (r.cri?.state === "CONTAINER_EXITED" && r.cri.exitCode === 0 && !r.waiting) continue;
        await this.#ensure(w, c, true, lookup);
        return; // an init container is starting or running: wait for it to finish
      }
      w.initDone = true;
    }
    for (const c of containers) await this.#ensure(w, c, false, lookup);
    await this.#probe(w);
  }

  // Admission runs once, before anything starts; pods already running (a kubelet restart) were admitted before.
  async #admit(w: PodWork): Promise<boolean> {
    const started = (w.pod.status?.containerStatuses ?? []).some((s) => s.state?.running || s.state?.terminated || s.lastState?.terminated);
    if (started || w.static) {
      w.admitted = true;
      return true;
    }
    const node = await this.#d.getNode();
    const others = [...this.#pods.values()].filter((o) => o !== w && o.admitted && !o.rejected && !this.#finished(o)).map((o) => o.pod);
    const res = admitPod(w.pod, node, others, w.static);
    if (res.admit) {
      w.admitted = true;
      return true;
    }
    w.rejected = { reason: res.reason, message: res.message };
    void this.#d.events.record(w.pod as never, "Warning", res.reason, res.message);
    return false;
  }

  #finished(w: PodWork): boolean {
    const phase = (w.lastStatus as { phase?: string } | undefined)?.phase ?? w.pod.status?.phase;
    return phase === "Succeeded" || phase === "Failed";
  }

  async #facts(w: PodWork): Promise<PodRuntimeFacts> {
    const node = await this.#d.getNode();
    return { hostIPs: [this.#d.hostIP], podIPs: w.ip ? [w.ip] : [], allocatable: node.status?.allocatable ?? {} };
  }

  /** Makes sure one container runs (or ran to completion), restarting it under the pod's policy. */
  async #ensure(w: PodWork, c: Container, init: boolean, lookup: ObjectLookup): Promise<void> {
    const { runtime, clock } = this.#d;
    const r = this.#record(w, c.name);
    if (r.id) r.cri = await runtime.ContainerStatus(r.id);
    if (r.cri?.state === "CONTAINER_RUNNING" || r.cri?.state === "CONTAINER_CREATED") return;
    const podPolicy = w.pod.spec.restartPolicy ?? "Always";
    // Init containers rerun on failure unless the pod never restarts anything.
    const policy = init ? (podPolicy === "Never" ? "Never" : "OnFailure") : podPolicy;
    if (r.cri?.state === "CONTAINER_EXITED") {
      const code = r.cri.exitCode;
      if (init && code === 0) return;
      const restart = policy === "Always" || (policy === "OnFailure" && code !== 0);
      if (!restart) return;
      if (!this.#backoffOver(w, c, r)) return;
      r.last = r.cri;
      r.restartCount++;
      r.cri = undefined;
      r.id = undefined;
    }
    const pod = w.pod;
    const retryAt = w.configRetryAt.get(c.name);
    if (retryAt !== undefined && clock.now() < retryAt && r.waiting?.reason === "CreateContainerConfigError") {
      this.#later(w, retryAt - clock.now());
      return;
    }
    r.waiting ??= { reason: "ContainerCreating" };
    const pulled = await this.#images.ensure(pod, c);
    if (!pulled.ok) {
      r.waiting = pulled.waiting;
      if (pulled.retryInMs !== undefined) this.#later(w, pulled.retryInMs);
      return;
    }
    r.imageID = pulled.imageID;
    let envs;
    try {
      envs = await containerEnv(pod, c, lookup, await this.#facts(w));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      r.waiting = { reason: "CreateContainerConfigError", message: err.message };
      void this.#d.events.record(pod as never, "Warning", "Failed", `Error: ${err.message}`);
      w.configRetryAt.set(c.name, clock.now() + SYNC_ERROR_RETRY_MS);
      this.#later(w, SYNC_ERROR_RETRY_MS);
      return;
    }
    w.configRetryAt.delete(c.name);
    const id = await runtime.CreateContainer(w.sandboxId!, containerConfig(c, r.restartCount, { envs, mounts: this.#mounts(w, c) }));
    r.id = id;
    r.waiting = undefined;
    r.started = undefined;
    w.probers.delete(c.name);
    void this.#d.events.record(pod as never, "Normal", "Created", `Created container: ${c.name}`);
    // A start delay runs beside the worker; the container's start (or failure) brings it back.
    const uid = w.uid;
    const started = runtime.StartContainer(id).then(
      () => void this.#d.events.record(pod as never, "Normal", "Started", `Started container ${c.name}`),
      (err: Error) => void this.#d.events.record(pod as never, "Warning", "Failed", `Error: ${err.message}`),
    );
    r.cri = await runtime.ContainerStatus(id);
    if (r.cri.state === "CONTAINER_CREATED") void started.then(() => this.#d.requestSync(uid, 0));
    else if (r.cri.state === "CONTAINER_EXITED") this.#later(w, 0);
  }

  /** True when the container may restart now; else waits in CrashLoopBackOff (the first restart is immediate). */
  #backoffOver(w: PodWork, c: Container, r: ContainerRecord): boolean {
    const { clock } = this.#d;
    const exit = r.cri!;
    if (r.restartCount === 0 || exit.finishedAt - exit.startedAt >= BACKOFF_RESET_MS) return true;
    // One back-off per exit: its length grows with the restarts so far.
    let b = w.backoffUntil.get(c.name);
    if (!b || b.exit !== exit.id) {
      const wait = crashBackoffMs(r.restartCount);
      b = { exit: exit.id, until: exit.finishedAt + wait };
      w.backoffUntil.set(c.name, b);
      r.waiting = { reason: "CrashLoopBackOff", message: `back-off ${Math.round(wait / 1000)}s restarting failed container=${c.name} pod=${podRef(w.pod)}` };
    }
    if (clock.now() < b.until) {
      void this.#d.events.record(w.pod as never, "Warning", "BackOff", `Back-off restarting failed container ${c.name} in pod ${podRef(w.pod)}`);
      this.#later(w, b.until - clock.now());
      return false;
    }
    return true;
  }

  /** The container's mounts: its volumeMounts on their node paths, plus the pod's /etc/hosts. */
  #mounts(w: PodWork, c: Container): Mount[] {
    const out: Mount[] = [];
    for (const m of c.volumeMounts ?? []) {
      const base = w.volumePaths?.get(m.name);
      if (base === undefined) continue;
      out.push({ containerPath: m.mountPath, hostPath: m.subPath ? `${base}/${m.subPath}` : base, ...(m.readOnly ? { readonly: true } : {}) });
    }
    if (!w.pod.spec.hostNetwork && !out.some((m) => m.containerPath === "/etc/hosts")) out.push({ containerPath: "/etc/hosts", hostPath: `${podDir(w.uid)}/etc-hosts` });
    return out;
  }

  // Probes that are due run now; a container failing liveness or startup too often is killed and restarted.
  async #probe(w: PodWork): Promise<void> {
    const { runtime, clock } = this.#d;
    let next = Infinity;
    for (const c of w.pod.spec.containers ?? []) {
      const r = this.#record(w, c.name);
      if (r.cri?.state !== "CONTAINER_RUNNING" || !r.id) {
        r.ready = false;
        continue;
      }
      let prober = w.probers.get(c.name);
      if (!prober || prober.containerId !== r.id) w.probers.set(c.name, (prober = new ContainerProber(r.id, c, r.cri.startedAt)));
      const id = r.id;
      const round = await prober.run(clock.now(), (kind, probe) => runtime.probe(id, kind, probe));
      for (const message of round.failures) void this.#d.events.record(w.pod as never, "Warning", "Unhealthy", message);
      r.started = prober.started;
      r.ready = prober.ready;
      if (round.kill) {
        r.ready = false;
        void this.#d.events.record(w.pod as never, "Normal", "Killing", `Container ${c.name} failed ${round.kill} probe, will be restarted`);
        const grace = (round.kill === "liveness" ? c.livenessProbe : c.startupProbe)?.terminationGracePeriodSeconds ?? w.pod.spec.terminationGracePeriodSeconds ?? 30;
        // The exit (ContainerDied) brings the worker back to restart it.
        void runtime.StopContainer(id, grace).catch(() => {});
        continue;
      }
      next = Math.min(next, round.nextAt);
    }
    if (next < Infinity) this.#later(w, next - clock.now());
  }

  // Stops the containers beside the worker; once they are down the pod is removed from the apiserver.
  async #terminate(w: PodWork): Promise<void> {
    if (w.terminating === "stopping") return;
    if (w.terminating !== "stopped") {
      w.terminating = "stopping";
      const grace = w.pod.metadata.deletionGracePeriodSeconds ?? w.pod.spec.terminationGracePeriodSeconds ?? 30;
      for (const [name, r] of w.records) {
        if (r.cri?.state === "CONTAINER_RUNNING") void this.#d.events.record(w.pod as never, "Normal", "Killing", `Stopping container ${name}`);
      }
      void this.#teardown(w, grace).finally(() => {
        w.terminating = "stopped";
        this.#d.requestSync(w.uid, 0);
      });
      return;
    }
    if (w.static) {
      this.#pods.delete(w.uid);
      return;
    }
    try {
      await this.#d.client.delete("pods", w.pod.metadata.name!, { namespace: w.pod.metadata.namespace, gracePeriodSeconds: 0, preconditions: { uid: w.uid } });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) {
        this.#later(w, 1000);
        return;
      }
    }
    this.#pods.delete(w.uid);
  }

  async #teardown(w: PodWork, graceSeconds: number): Promise<void> {
    const { runtime, clock } = this.#d;
    if (w.timer) clock.clearTimeout(w.timer);
    w.timer = undefined;
    await Promise.all(
      [...w.records.values()].filter((r) => r.id).map(async (r) => {
        try {
          await runtime.StopContainer(r.id!, graceSeconds);
          await runtime.RemoveContainer(r.id!);
        } catch {
          // already gone
        }
      }),
    );
    if (w.sandboxId) {
      // Stopping the sandbox releases its IP (CNI DEL) through the runtime's network hook.
      await runtime.StopPodSandbox(w.sandboxId).catch(() => {});
      await runtime.RemovePodSandbox(w.sandboxId).catch(() => {});
      w.sandboxId = undefined;
    }
    this.#d.volumes.unmount(w.uid);
    this.#d.files.remove(podDir(w.uid));
    this.#images.forget(w.uid);
  }

  #record(w: PodWork, name: string): ContainerRecord {
    let r = w.records.get(name);
    if (!r) w.records.set(name, (r = { name, restartCount: 0, ready: false }));
    return r;
  }

  // The earliest wake-up asked for wins: a long back-off of one container must not delay another's retry.
  #later(w: PodWork, ms: number): void {
    const at = this.#d.clock.now() + Math.max(0, ms);
    if (w.timer && w.wakeAt !== undefined && w.wakeAt <= at) return;
    if (w.timer) this.#d.clock.clearTimeout(w.timer);
    w.wakeAt = at;
    w.timer = this.#d.requestSync(w.uid, Math.max(0, ms));
  }

  async #report(w: PodWork): Promise<void> {
    const pod = w.pod;
    const status = buildPodStatus({
      pod,
      records: (pod.spec.containers ?? []).map((c) => this.#record(w, c.name)),
      initRecords: (pod.spec.initContainers ?? []).map((c) => this.#record(w, c.name)),
      initDone: w.initDone,
      sandboxReady: Boolean(w.sandboxId),
      hostIP: this.#d.hostIP,
      podIP: w.ip,
      startTime: w.startTime ?? this.#d.clock.now(),
      now: this.#d.clock.now(),
      rejected: w.rejected,
    });
    if (sameJson(status, w.lastStatus)) return;
    try {
      let written = false;
      // The first try writes over the informer's copy: one request per status instead of a GET and a PUT.
      // A Conflict means that copy was stale; the retries read the pod first.
      let cached: Pod | undefined = w.static ? undefined : pod;
      await retryOnConflict(async () => {
        const cur = cached ?? (await this.#d.client.get<Pod>("pods", pod.metadata.name!, { namespace: pod.metadata.namespace }));
        cached = undefined;
        // A static pod's status lives on its mirror pod; the API pod must be the one this worker runs.
        const mine = w.static ? cur.metadata.annotations?.[MIRROR_ANNOTATION] === w.uid && !cur.metadata.deletionTimestamp : cur.metadata.uid === w.uid;
        if (!mine) return;
        await this.#d.client.updateStatus("pods", { ...cur, status: { ...status, conditions: status.conditions } } as never);
        written = true;
      });
      if (written || !w.static) w.lastStatus = status;
      else w.lastStatus = { ...status, unwritten: true };
    } catch (err) {
      if (isNotFound(err)) {
        if (w.static) w.lastStatus = { ...status, unwritten: true };
        return;
      }
      if (!w.static) this.#d.log("warn", `status of ${w.key} not written: ${(err as Error).message}`);
      w.lastStatus = { ...status, unwritten: true };
      this.#later(w, w.static ? 10_000 : 1000);
    }
  }
}
