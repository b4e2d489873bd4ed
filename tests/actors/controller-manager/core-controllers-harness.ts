// An in-process control plane for the node lifecycle, garbage collector,
// namespace and service account controller tests: the real apiserver actor
// and the controller-manager actor running the controllers asked for, on a
// SimulatedClock; nodes are plain Node + Lease objects the test drives.
import { ActorSystem } from "../../../runtime/system.ts";
import { SimulatedClock } from "../../../runtime/clock.ts";
import type { ActorFactory } from "../../../runtime/actor.ts";
import { apiserverActor } from "../../../actors/apiserver/actor.ts";
import { controllerManagerActor } from "../../../actors/controller-manager/actor.ts";
import { ApiClient, retryOnConflict } from "../../../actors/api/client.ts";
import type { KubeObject } from "../../../actors/api/meta.ts";
import type { Node, NodeCondition } from "../../../actors/api/types/core-node.ts";
import type { Lease } from "../../../actors/api/types/coordination.ts";
import type { Pod } from "../../../actors/api/types/core-pod.ts";

const untyped = <C>(f: unknown) => f as ActorFactory<C>;

/** An Event as tests read it. */
export type EventObj = KubeObject & { reason: string; message: string; type: string; count: number; involvedObject: { kind: string; name: string; namespace?: string }; source?: { component?: string } };

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
const micro = (ms: number) => new Date(ms).toISOString().replace("Z", "000Z");

/** Starts the apiserver and a controller-manager running `controllers` with `options` (none at all for `null`). */
export async function setup(controllers: string[] | null, options: Record<string, unknown> = {}) {
  const clock = new SimulatedClock();
  const sys = new ActorSystem({ id: 0, name: "t", clock });
  await sys.spawn("apiserver", untyped(apiserverActor), { bookmarkIntervalMs: 3_600_000 });
  if (controllers) await sys.spawn("controller-manager", untyped(controllerManagerActor), { controllers, ...options });
  const client = new ApiClient(sys);

  /** Lets queued work run without moving time. */
  const settle = async (turns = 20) => {
    for (let i = 0; i < turns; i++) {
      await clock.advance(0);
      await new Promise((r) => setImmediate(r));
    }
  };
  /** Moves simulated time forward in `step` increments, letting the actors work after each. */
  const tick = async (ms: number, step = 500) => {
    for (let left = ms; left > 0; left -= step) {
      await clock.advance(Math.min(step, left));
      await settle(6);
    }
  };
  /** Polls `probe` (letting actors run, no time passing) until it returns a value. */
  const until = async <T>(what: string, probe: () => Promise<T | undefined | false>, turns = 400): Promise<T> => {
    let last: unknown;
    for (let i = 0; i < turns; i++) {
      const v = await probe().catch((e: unknown) => ((last = e), undefined));
      if (v !== undefined && v !== false) return v as T;
      await settle(1);
    }
    throw new Error(`timed out waiting for ${what}${last ? `: ${String((last as Error).message ?? last)}` : ""}`);
  };

  const node = (name: string) => client.get<Node>("nodes", name);
  const conditions = (now: number, ready: "True" | "False" = "True"): NodeCondition[] => [
    { type: "MemoryPressure", status: "False", reason: "KubeletHasSufficientMemory", message: "kubelet has sufficient memory available", lastHeartbeatTime: iso(now), lastTransitionTime: iso(now) },
    { type: "DiskPressure", status: "False", reason: "KubeletHasNoDiskPressure", message: "kubelet has no disk pressure", lastHeartbeatTime: iso(now), lastTransitionTime: iso(now) },
    { type: "PIDPressure", status: "False", reason: "KubeletHasSufficientPID", message: "kubelet has sufficient PID available", lastHeartbeatTime: iso(now), lastTransitionTime: iso(now) },
    ready === "True"
      ? { type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status", lastHeartbeatTime: iso(now), lastTransitionTime: iso(now) }
      : { type: "Ready", status: "False", reason: "KubeletNotReady", message: "container runtime is down", lastHeartbeatTime: iso(now), lastTransitionTime: iso(now) },
  ];

  return {
    clock,
    sys,
    client,
    settle,
    tick,
    until,
    node,
    /** Registers a Ready node and its Lease, as a kubelet does. */
    async addNode(name: string, labels: Record<string, string> = {}) {
      await client.create<Node>("nodes", { apiVersion: "v1", kind: "Node", metadata: { name, labels: { "kubernetes.io/hostname": name, ...labels } }, spec: {} });
      await this.postStatus(name, "True");
      await client.create<Lease>("leases.coordination.k8s.io", {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name, namespace: "kube-node-lease" },
        spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: micro(clock.now()) },
      });
    },
    /** Renews the node's Lease (the kubelet's heartbeat). */
    async heartbeat(...names: string[]) {
      for (const name of names) {
        await retryOnConflict(async () => {
          const l = await client.get<Lease>("leases.coordination.k8s.io", name, { namespace: "kube-node-lease" });
          await client.update("leases.coordination.k8s.io", { ...l, spec: { ...l.spec, renewTime: micro(clock.now()) } });
        });
      }
    },
    /** Posts node conditions as the kubelet does (Ready True or False). */
    async postStatus(name: string, ready: "True" | "False") {
      await retryOnConflict(async () => {
        const n = await node(name);
        await client.updateStatus("nodes", { ...n, status: { ...n.status, conditions: conditions(clock.now(), ready) } });
      });
    },
    /** A Running, Ready pod bound to `nodeName` (grace 0, so deleting it removes it at once). */
    async runPodOn(name: string, nodeName: string, extra: Partial<Pod["spec"]> = {}, namespace = "default") {
      const p = await client.create<Pod>("pods", { apiVersion: "v1", kind: "Pod", metadata: { name, namespace }, spec: { nodeName, terminationGracePeriodSeconds: 0, containers: [{ name: "c", image: "nginx:1.27" }], ...extra } });
      const at = iso(clock.now());
      return client.updateStatus<Pod>("pods", {
        ...p,
        status: { phase: "Running", conditions: [{ type: "Ready", status: "True", lastProbeTime: null, lastTransitionTime: at }, { type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: at }] },
      });
    },
    pod: (name: string, namespace = "default") => client.get<Pod>("pods", name, { namespace }).catch(() => undefined),
    events: async (namespace = "default") => (await client.list<EventObj>("events", { namespace })).items,
    stop: () => sys.stopAll(),
  };
}

/** What {@link setup} returns. */
export type Harness = Awaited<ReturnType<typeof setup>>;

/** The node's condition of `type`. */
export const cond = (n: { status?: { conditions?: NodeCondition[] } } | undefined, type: string) => n?.status?.conditions?.find((c) => c.type === type);
/** The node's taints as `key:effect` strings, sorted. */
export const taintsOf = (n: Node) => (n.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).sort();

/**
 * Wraps a test body so an API error fails the test readably: uvu's reporter
 * cannot print errors whose `details` is an object (a Status), and stops.
 */
export function readable(fn: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await fn();
    } catch (err) {
      const e = err as Error & { details?: unknown; code?: unknown };
      if (e && typeof e === "object" && e.details !== undefined && typeof e.details !== "string") throw new Error(`${String(e.code ?? e.name)}: ${e.message}`);
      throw err;
    }
  };
}
