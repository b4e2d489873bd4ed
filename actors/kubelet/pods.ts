/**
 * The kubelet's pod workers: for each pod bound to the node, drive the
 * runtime toward the spec (sandbox with its IP, images, init containers,
 * containers, restarts with CrashLoopBackOff, probes) and report the truth
 * in the pod's status. Deletion stops containers within the grace period,
 * releases the IP, then removes the pod.
 */
import type { Clock, TimerId } from "../../runtime/clock.ts";
import type { ApiClient } from "../api/client.ts";
import { isConflict, isNotFound, retryOnConflict } from "../api/client.ts";
import type { EventRecorder } from "../api/events.ts";
import type { Pod, Container } from "../api/types/index.ts";
import type { ImageService, RuntimeService } from "./cri/types.ts";
import { containerConfig, sandboxConfig } from "./cri/config.ts";
import { resolveBehavior } from "./cri/infer.ts";
import { containerStatus, podPhase, ts, type ContainerRecord } from "./pod-status.ts";
import { sameJson } from "../apiserver/objects.ts";

/** Restart back-off: 10 s doubling to 5 min, as the kubelet. */
export function crashBackoffMs(restarts: number): number {
  return Math.min(300_000, 10_000 * 2 ** Math.max(0, restarts - 1));
}

interface PodWork {
  key: string;
  uid: string;
  pod: Pod;
  sandboxId?: string;
  ip?: string;
  records: Map<string, ContainerRecord>;
  initDone: boolean;
  startTime?: number;
  backoffUntil: Map<string, number>;
  probeFailures: Map<string, number>;
  timer?: TimerId;
  terminating: boolean;
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
  /** Asks the kubelet actor to sync a pod later (through its mailbox). */
  requestSync(uid: string, delayMs: number): TimerId;
  log(level: "info" | "warn", message: string): void;
}

/** All pods of one node. */
export class PodWorkers {
  readonly #d: PodWorkersDeps;
  readonly #pods = new Map<string, PodWork>();

  constructor(deps: PodWorkersDeps) {
    this.#d = deps;
  }

  /** Pods being worked on. */
  get size(): number {
    return this.#pods.size;
  }

  /** The runtime id of a pod's container's current instance. */
  containerId(uid: string, container: string): string | undefined {
    return this.#pods.get(uid)?.records.get(container)?.id;
  }

  /** The informer saw the pod (added or changed). */
  observe(pod: Pod): string {
    const uid = pod.metadata.uid!;
    let w = this.#pods.get(uid);
    if (!w) {
      w = { key: `${pod.metadata.namespace}/${pod.metadata.name}`, uid, pod, records: new Map(), initDone: false, backoffUntil: new Map(), probeFailures: new Map(), terminating: false };
      this.#pods.set(uid, w);
    } else w.pod = pod;
    return uid;
  }

  /** The pod is gone from the apiserver: stop and clean up whatever still runs. */
  async forget(pod: Pod): Promise<void> {
    const w = this.#pods.get(pod.metadata.uid!);
    if (!w) return;
    await this.#teardown(w, 0);
    this.#pods.delete(w.uid);
  }

  /** Drives one pod a step toward its spec and reports its status. */
  async sync(uid: string): Promise<void> {
    const w = this.#pods.get(uid);
    if (!w) return;
    if (w.timer) this.#d.clock.clearTimeout(w.timer);
    w.timer = undefined;
    const pod = w.pod;
    if (pod.metadata.deletionTimestamp) return this.#terminate(w);
    const phase = pod.status?.phase;
    if (phase === "Succeeded" || phase === "Failed") return;
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
    const containers = pod.spec.containers ?? [];
    // Behaviour scripts are checked first: a bad one is the pod's error, never the kubelet's.
    for (const c of [...(pod.spec.initContainers ?? []), ...containers]) {
      const b = resolveBehavior(pod.metadata.annotations, c);
      if (!b.ok) {
        this.#record(w, c.name).waiting = { reason: b.reason, message: b.message };
        return;
      }
    }
    if (!w.sandboxId) {
      try {
        w.sandboxId = await runtime.RunPodSandbox(sandboxConfig(pod));
        const st = await runtime.PodSandboxStatus(w.sandboxId);
        w.ip = st.network?.ip;
      } catch (err) {
        w.sandboxId = undefined;
        void this.#d.events.record(pod as never, "Warning", "FailedCreatePodSandBox", `Failed to create pod sandbox: ${(err as Error).message}`);
        for (const c of containers) this.#record(w, c.name).waiting = { reason: "ContainerCreating" };
        this.#later(w, 2000);
        return;
      }
    }
    if (!w.initDone) {
      for (const c of pod.spec.initContainers ?? []) {
        const r = this.#record(w, c.name);
        if (r.cri?.state === "CONTAINER_EXITED" && r.cri.exitCode === 0) continue;
        if (!(await this.#ensure(w, c, true))) return;
        return; // an init container is running: wait for it to finish
      }
      w.initDone = true;
    }
    for (const c of containers) await this.#ensure(w, c, false);
    await this.#probe(w);
  }

  /** Makes sure one container runs (or ran to completion); true when it is done with (init containers). */
  async #ensure(w: PodWork, c: Container, init: boolean): Promise<boolean> {
    const { runtime, clock } = this.#d;
    const r = this.#record(w, c.name);
    if (r.id) r.cri = await runtime.ContainerStatus(r.id);
    if (r.cri?.state === "CONTAINER_RUNNING" || r.cri?.state === "CONTAINER_CREATED") return false;
    const policy = init ? "OnFailure" : (w.pod.spec.restartPolicy ?? "Always");
    if (r.cri?.state === "CONTAINER_EXITED") {
      const code = r.cri.exitCode;
      if (init && code === 0) return true;
      const restart = policy === "Always" || (policy === "OnFailure" && code !== 0);
      if (!restart) return true;
      const until = w.backoffUntil.get(c.name);
      if (until === undefined) {
        const wait = crashBackoffMs(r.restartCount + 1);
        w.backoffUntil.set(c.name, clock.now() + wait);
        r.waiting = { reason: "CrashLoopBackOff", message: `back-off ${Math.round(wait / 1000)}s restarting failed container=${c.name} pod=${w.pod.metadata.name}_${w.pod.metadata.namespace}(${w.uid})` };
        if (r.restartCount > 0) void this.#d.events.record(w.pod as never, "Warning", "BackOff", "Back-off restarting failed container");
        this.#later(w, wait);
        return false;
      }
      if (clock.now() < until) {
        this.#later(w, until - clock.now());
        return false;
      }
      w.backoffUntil.delete(c.name);
      r.last = r.cri;
      r.restartCount++;
    }
    // Image first, per imagePullPolicy.
    const image = c.image ?? "";
    const policyPull = c.imagePullPolicy ?? (image.endsWith(":latest") || !image.split("/").pop()!.includes(":") ? "Always" : "IfNotPresent");
    try {
      const present = await runtime.ImageStatus(image);
      if (policyPull === "Never" && !present) {
        r.waiting = { reason: "ErrImageNeverPull", message: `Container image "${image}" is not present with pull policy of Never` };
        return false;
      }
      if (policyPull === "Always" || !present) {
        r.waiting = { reason: "ContainerCreating" };
        r.imageID = await runtime.PullImage(image);
        void this.#d.events.record(w.pod as never, "Normal", "Pulled", `Container image "${image}" pulled`);
      } else r.imageID = present!.id;
    } catch (err) {
      const backoff = r.waiting?.reason === "ErrImagePull" || r.waiting?.reason === "ImagePullBackOff";
      r.waiting = { reason: backoff ? "ImagePullBackOff" : "ErrImagePull", message: backoff ? `Back-off pulling image "${image}"` : (err as Error).message };
      void this.#d.events.record(w.pod as never, "Warning", "Failed", `Failed to pull image "${image}": ${(err as Error).message}`);
      this.#later(w, backoff ? 20_000 : 5_000);
      return false;
    }
    const id = await runtime.CreateContainer(w.sandboxId!, containerConfig(c, r.restartCount));
    r.id = id;
    await runtime.StartContainer(id);
    r.waiting = undefined;
    r.cri = await runtime.ContainerStatus(id);
    w.probeFailures.delete(c.name);
    void this.#d.events.record(w.pod as never, "Normal", "Started", `Started container ${c.name}`);
    if (r.cri.state === "CONTAINER_EXITED") this.#later(w, 0);
    return false;
  }

  // Readiness sets Ready; liveness failing failureThreshold times restarts the container.
  async #probe(w: PodWork): Promise<void> {
    const { runtime, clock } = this.#d;
    let next = Infinity;
    for (const c of w.pod.spec.containers ?? []) {
      const r = this.#record(w, c.name);
      if (r.cri?.state !== "CONTAINER_RUNNING" || !r.id) {
        r.ready = false;
        continue;
      }
      const age = (clock.now() - r.cri.startedAt) / 1000;
      if (c.livenessProbe && age >= (c.livenessProbe.initialDelaySeconds ?? 0)) {
        const res = await runtime.probe(r.id, "liveness", c.livenessProbe);
        const fails = res.result === "Success" ? 0 : (w.probeFailures.get(c.name) ?? 0) + 1;
        w.probeFailures.set(c.name, fails);
        if (fails >= (c.livenessProbe.failureThreshold ?? 3)) {
          void this.#d.events.record(w.pod as never, "Normal", "Killing", `Container ${c.name} failed liveness probe, will be restarted`);
          await runtime.StopContainer(r.id, w.pod.spec.terminationGracePeriodSeconds ?? 30);
          r.cri = await runtime.ContainerStatus(r.id);
          w.probeFailures.delete(c.name);
          r.ready = false;
          this.#later(w, 0);
          continue;
        }
        next = Math.min(next, (c.livenessProbe.periodSeconds ?? 10) * 1000);
      }
      if (c.readinessProbe) {
        if (age < (c.readinessProbe.initialDelaySeconds ?? 0)) r.ready = false;
        else r.ready = (await runtime.probe(r.id, "readiness", c.readinessProbe)).result === "Success";
        next = Math.min(next, (c.readinessProbe.periodSeconds ?? 10) * 1000);
      } else r.ready = true;
    }
    if (next < Infinity) this.#later(w, next);
  }

  async #terminate(w: PodWork): Promise<void> {
    if (w.terminating) return;
    w.terminating = true;
    const grace = w.pod.metadata.deletionGracePeriodSeconds ?? w.pod.spec.terminationGracePeriodSeconds ?? 30;
    await this.#teardown(w, grace);
    try {
      await this.#d.client.delete("pods", w.pod.metadata.name!, { namespace: w.pod.metadata.namespace, gracePeriodSeconds: 0, preconditions: { uid: w.uid } });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) {
        w.terminating = false;
        this.#later(w, 1000);
        return;
      }
    }
    this.#pods.delete(w.uid);
  }

  async #teardown(w: PodWork, graceSeconds: number): Promise<void> {
    const { runtime, clock } = this.#d;
    if (w.timer) clock.clearTimeout(w.timer);
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
  }

  #record(w: PodWork, name: string): ContainerRecord {
    let r = w.records.get(name);
    if (!r) w.records.set(name, (r = { name, restartCount: 0, ready: false }));
    return r;
  }

  #later(w: PodWork, ms: number): void {
    if (w.timer) this.#d.clock.clearTimeout(w.timer);
    w.timer = this.#d.requestSync(w.uid, Math.max(0, ms));
  }

  async #report(w: PodWork): Promise<void> {
    const pod = w.pod;
    const records = (pod.spec.containers ?? []).map((c) => this.#record(w, c.name));
    const phase = podPhase(pod, records, w.initDone);
    const now = ts(this.#d.clock.now());
    const allReady = records.length > 0 && records.every((r) => r.ready);
    const prev = pod.status?.conditions ?? [];
    const cond = (type: string, ok: boolean, reason?: string) => {
      const status = ok ? "True" : "False";
      const old = prev.find((c) => c.type === type);
      return { type, status, lastProbeTime: null, lastTransitionTime: old?.status === status ? old.lastTransitionTime : now, ...(reason && !ok ? { reason } : {}) } as never;
    };
    const images = new Map((pod.spec.containers ?? []).map((c) => [c.name, c.image ?? ""]));
    const initImages = new Map((pod.spec.initContainers ?? []).map((c) => [c.name, c.image ?? ""]));
    const status = {
      ...pod.status,
      phase,
      conditions: [
        cond("PodReadyToStartContainers", Boolean(w.sandboxId)),
        cond("Initialized", w.initDone, "ContainersNotInitialized"),
        cond("Ready", allReady && phase === "Running", "ContainersNotReady"),
        cond("ContainersReady", allReady && phase === "Running", "ContainersNotReady"),
        cond("PodScheduled", true),
      ],
      hostIP: this.#d.hostIP,
      hostIPs: [{ ip: this.#d.hostIP }],
      ...(w.ip ? { podIP: w.ip, podIPs: [{ ip: w.ip }] } : {}),
      startTime: ts(w.startTime ?? this.#d.clock.now()),
      containerStatuses: records.map((r) => containerStatus(images.get(r.name) ?? "", r)),
      ...(initImages.size ? { initContainerStatuses: [...initImages.keys()].map((n) => containerStatus(initImages.get(n)!, this.#record(w, n))) } : {}),
    };
    if (sameJson(status, w.lastStatus)) return;
    try {
      await retryOnConflict(async () => {
        const cur = await this.#d.client.get<Pod>("pods", pod.metadata.name!, { namespace: pod.metadata.namespace });
        if (cur.metadata.uid !== w.uid) return;
        await this.#d.client.updateStatus("pods", { ...cur, status: { ...status, conditions: status.conditions } } as never);
      });
      w.lastStatus = status;
    } catch (err) {
      if (!isNotFound(err)) {
        this.#d.log("warn", `status of ${w.key} not written: ${(err as Error).message}`);
        this.#later(w, 1000);
      }
    }
  }
}
