/**
 * The pod garbage collector (kube-controller-manager's `podgc`). Every
 * `podGCPeriodMs` (default 20 s, as `gcCheckPeriod`) it:
 * - deletes pods bound to a Node that no longer exists — after checking with
 *   a live GET that the node is really gone, as Kubernetes does — first
 *   marking them Failed with the `DisruptionTarget` condition
 *   (reason DeletionByPodGC), so their ReplicaSet replaces them elsewhere;
 * - force-deletes pods that are terminating but were never scheduled (no
 *   kubelet will ever finish them);
 * - deletes the oldest terminated (Succeeded/Failed) pods beyond
 *   `terminatedPodGCThreshold` (default 12,500, `--terminated-pod-gc-threshold`).
 * A deleted Node also triggers a pass at once.
 */
import { timestamp } from "../api/meta.ts";
import { isConflict, isNotFound } from "../api/client.ts";
import type { Informer } from "../api/informer.ts";
import type { Node } from "../api/types/core-node.ts";
import type { Pod } from "../api/types/core-pod.ts";
import type { TimerId } from "../../runtime/clock.ts";
import type { Controller, ControllerContext, ControllerFactory } from "./controller.ts";

const DEFAULT_PERIOD_MS = 20_000;
const DEFAULT_THRESHOLD = 12_500;

const terminated = (p: Pod) => p.status?.phase === "Succeeded" || p.status?.phase === "Failed";

/** Reads a positive number option, or the default; throws on a bad value so the manager refuses to start. */
function positive(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) throw new TypeError(`controller-manager option ${name} must be a positive number, got ${JSON.stringify(value)}`);
  return value;
}

/** The pod garbage collector. */
export class PodGC implements Controller {
  readonly name = "podgc";
  readonly #cc: ControllerContext;
  readonly #pods: Informer<Pod>;
  readonly #nodes: Informer<Node>;
  readonly #periodMs: number;
  readonly #threshold: number;
  #timer: TimerId | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;
  readonly counts = { passes: 0, orphaned: 0, unscheduledTerminating: 0, terminated: 0, errors: 0 };

  constructor(cc: ControllerContext) {
    this.#cc = cc;
    this.#periodMs = positive(cc.options.podGCPeriodMs, "podGCPeriodMs", DEFAULT_PERIOD_MS);
    this.#threshold = positive(cc.options.terminatedPodGCThreshold, "terminatedPodGCThreshold", DEFAULT_THRESHOLD);
    this.#pods = cc.informers.informer<Pod>({ resource: "pods" });
    this.#nodes = cc.informers.informer<Node>({ resource: "nodes" });
    this.#nodes.addEventHandler({ onDelete: () => this.#kick() });
  }

  start(): void {
    this.#stopped = false;
    this.#kick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#cc.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  stats(): Record<string, unknown> {
    return { ...this.counts };
  }

  /** Runs a pass now (or right after the one running), then every period. */
  #kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    if (this.#timer !== undefined) this.#cc.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#running = this.#pass()
      .catch((err) => {
        this.counts.errors++;
        this.#cc.log("warn", "podgc: pass failed", { error: (err as Error)?.message ?? String(err) });
      })
      .finally(() => {
        this.#running = undefined;
        if (this.#stopped) return;
        if (this.#again) {
          this.#again = false;
          this.#kick();
        } else this.#timer = this.#cc.clock.setTimeout(() => this.#kick(), this.#periodMs);
      });
  }

  async #pass(): Promise<void> {
    this.counts.passes++;
    const pods = this.#pods.list();
    await this.#gcTerminated(pods);
    await this.#gcOrphaned(pods);
    await this.#gcUnscheduledTerminating(pods);
  }

  async #gcTerminated(pods: Pod[]): Promise<void> {
    const done = pods.filter(terminated);
    const excess = done.length - this.#threshold;
    if (excess <= 0) return;
    done.sort((a, b) => (a.metadata.creationTimestamp ?? "").localeCompare(b.metadata.creationTimestamp ?? ""));
    for (const pod of done.slice(0, excess)) {
      if (await this.#delete(pod, 0)) this.counts.terminated++;
    }
  }

  async #gcOrphaned(pods: Pod[]): Promise<void> {
    const missing = new Map<string, boolean>();
    for (const pod of pods) {
      const node = pod.spec?.nodeName;
      if (!node || this.#nodes.get(node)) continue;
      if (!missing.has(node)) missing.set(node, await this.#nodeGone(node));
      if (!missing.get(node)) continue;
      await this.#markFailed(pod, `PodGC: node no longer exists`);
      if (await this.#delete(pod, 0)) {
        this.counts.orphaned++;
        this.#cc.log("info", "podgc: deleted a pod whose node is gone", { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, node });
      }
    }
  }

  async #gcUnscheduledTerminating(pods: Pod[]): Promise<void> {
    for (const pod of pods) {
      if (!pod.metadata.deletionTimestamp || pod.spec?.nodeName) continue;
      if (await this.#delete(pod, 0)) this.counts.unscheduledTerminating++;
    }
  }

  /** The cache can lag: confirm with the apiserver that the node is gone. */
  async #nodeGone(name: string): Promise<boolean> {
    try {
      await this.#cc.client.get("nodes", name);
      return false;
    } catch (err) {
      if (isNotFound(err)) return true;
      throw err;
    }
  }

  /** Kubernetes marks the pod Failed with a DisruptionTarget condition before deleting it. */
  async #markFailed(pod: Pod, message: string): Promise<void> {
    if (terminated(pod)) return;
    const now = timestamp(this.#cc.clock.now());
    const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== "DisruptionTarget");
    conditions.push({ type: "DisruptionTarget", status: "True", reason: "DeletionByPodGC", message, lastTransitionTime: now });
    try {
      await this.#cc.client.updateStatus("pods", { ...pod, status: { ...pod.status, phase: "Failed", conditions } }, { namespace: pod.metadata.namespace });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  async #delete(pod: Pod, gracePeriodSeconds: number): Promise<boolean> {
    try {
      await this.#cc.client.delete("pods", pod.metadata.name!, { namespace: pod.metadata.namespace, gracePeriodSeconds, preconditions: { uid: pod.metadata.uid } });
      return true;
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return false;
      throw err;
    }
  }
}

/** Builds the pod garbage collector. */
export const podGCController: ControllerFactory = (cc) => new PodGC(cc);
