// An in-process control plane for controller tests: the real apiserver actor,
// a proxy in front of it that can delay watch events (a lagging informer
// cache) and refuse pod creations, and the controller-manager actor running
// the controllers asked for, all on a SimulatedClock.
import { ActorSystem } from "../../../runtime/system.ts";
import { SimulatedClock } from "../../../runtime/clock.ts";
import type { ActorFactory, Handlers } from "../../../runtime/actor.ts";
import { apiserverActor } from "../../../actors/apiserver/actor.ts";
import { controllerManagerActor } from "../../../actors/controller-manager/actor.ts";
import { ApiClient } from "../../../actors/api/client.ts";
import { forbidden } from "../../../actors/api/status.ts";
import type { KubeObject } from "../../../actors/api/meta.ts";
import type { ApiRequest, WatchMessage, WatchStarted } from "../../../actors/api/protocol.ts";
import type { Pod } from "../../../actors/api/types/core-pod.ts";
import type { ReplicaSet, Deployment } from "../../../actors/api/types/apps.ts";

export const untyped = <C>(f: unknown) => f as ActorFactory<C>;

/** What the proxy does and what it saw; the test mutates and reads it. */
export interface ProxyState {
  /** Watch events reach watchers this much (simulated) time late. */
  watchDelayMs: number;
  /** While set, pod creations are refused with this message (403 Forbidden). */
  refusePodCreates?: string;
  /** Every pod creation that reached the proxy (actors take one message at a time, so these are serial). */
  creates: { at: number; generateName?: string }[];
}

const proxyActor: ActorFactory<ProxyState, ApiRequest | WatchMessage> = (ctx, state) => {
  const routes = new Map<string, string>();
  const early = new Map<string, WatchMessage[]>();
  const deliver = (to: string, m: WatchMessage) => {
    if (state.watchDelayMs > 0) ctx.clock.setTimeout(() => ctx.tell(to, m), state.watchDelayMs);
    else ctx.tell(to, m);
  };
  const route = (m: WatchMessage) => {
    const to = routes.get(m.watchId);
    if (!to) early.set(m.watchId, [...(early.get(m.watchId) ?? []), m]);
    else deliver(to, m);
  };
  const forward = (m: ApiRequest) => ctx.ask("apiserver", m, { timeoutMs: 30_000 });
  const handlers: Record<string, (m: never) => unknown> = {
    "api.get": forward,
    "api.list": forward,
    "api.update": forward,
    "api.patch": forward,
    "api.delete": forward,
    "api.deletecollection": forward,
    "api.unwatch": forward,
    "api.discovery": forward,
    "api.create": async (m: ApiRequest & { type: "api.create" }) => {
      if (m.resource !== "pods" || m.subresource) return forward(m);
      const obj = m.object as KubeObject;
      state.creates.push({ at: ctx.clock.now(), generateName: obj.metadata?.generateName });
      if (state.refusePodCreates) throw forbidden("pods", obj.metadata?.generateName ?? "", state.refusePodCreates);
      return forward(m);
    },
    "api.watch": async (m: ApiRequest & { type: "api.watch" }) => {
      const started = await ctx.ask<WatchStarted>("apiserver", { ...m, watcher: ctx.self });
      routes.set(started.watchId, m.watcher);
      for (const held of early.get(started.watchId) ?? []) deliver(m.watcher, held);
      early.delete(started.watchId);
      return started;
    },
    "api.watch.events": route,
    "api.watch.closed": route,
  };
  return { handlers: handlers as unknown as Handlers<ApiRequest | WatchMessage> };
};

/** Options of {@link setup}. */
export interface SetupOptions {
  controllers: string[];
  /** Start the controller-manager at once (default true); else call `startManager`. */
  start?: boolean;
  watchDelayMs?: number;
}

/** Starts the apiserver, the proxy and (unless told otherwise) the controller-manager. */
export async function setup(opts: SetupOptions) {
  const clock = new SimulatedClock();
  const sys = new ActorSystem({ id: 0, name: "t", clock });
  await sys.spawn("apiserver", untyped(apiserverActor), {});
  const proxy: ProxyState = { watchDelayMs: opts.watchDelayMs ?? 0, creates: [] };
  await sys.spawn("proxy", untyped(proxyActor), proxy);
  const client = new ApiClient(sys);
  const startManager = async () => {
    await sys.spawn("controller-manager", untyped(controllerManagerActor), { controllers: opts.controllers, apiserver: "proxy" });
  };
  if (opts.start !== false) await startManager();
  const until = <T>(what: string, probe: () => Promise<T | undefined | false>, turns = 3000) => settleUntil(clock, probe, turns, what);
  const list = async <T extends KubeObject>(resource: string): Promise<T[]> => (await client.list<T>(resource, { namespace: "default" })).items;
  return {
    clock,
    sys,
    client,
    proxy,
    until,
    list,
    startManager,
    pods: () => list<Pod>("pods"),
    activePods: async () => (await list<Pod>("pods")).filter((p) => !p.metadata.deletionTimestamp),
    replicaSets: () => list<ReplicaSet>("replicasets.apps"),
    rs: (name: string) => client.get<ReplicaSet>("replicasets.apps", name, { namespace: "default" }),
    deployment: (name: string) => client.get<Deployment>("deployments.apps", name, { namespace: "default" }),
    events: async () => (await list<KubeObject & { reason: string; message: string; type: string; involvedObject: { kind: string; name: string }; count: number }>("events")),
    settle: (turns = 30) => settleUntil(clock, async () => false, turns).catch(() => undefined),
    // Stopping waits for in-flight syncs, which may wait on simulated time: keep it moving.
    async stop() {
      let done = false;
      const stopped = sys.stopAll().finally(() => (done = true));
      for (let i = 0; i < 300 && !done; i++) {
        await clock.advance(1_000);
        await new Promise((r) => setImmediate(r));
      }
      await stopped;
    },
  };
}

/** Lets the actors run (timers due now, then I/O turns) until `probe` returns a value; throws after `turns`. */
export async function settleUntil<T>(clock: SimulatedClock, probe: () => Promise<T | undefined | false>, turns: number, what = "condition"): Promise<T> {
  let last: unknown;
  for (let i = 0; i < turns; i++) {
    await clock.advance(0);
    await new Promise((r) => setImmediate(r));
    const v = await probe().catch((e: unknown) => ((last = e), undefined));
    if (v !== undefined && v !== false) return v as T;
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String((last as Error).message ?? last)}` : ""}`);
}

/** A pod template labelled `labels` with one container. */
export function template(labels: Record<string, string>, image = "nginx:1.27", annotations?: Record<string, string>) {
  return { metadata: { labels, ...(annotations ? { annotations } : {}) }, spec: { containers: [{ name: "web", image }] } };
}

/** A ReplicaSet object to create. */
export function replicaSet(name: string, replicas: number, labels: Record<string, string> = { app: name }, extra: Partial<ReplicaSet["spec"]> = {}): ReplicaSet {
  return { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name, namespace: "default" }, spec: { replicas, selector: { matchLabels: labels }, template: template(labels), ...extra } };
}

/** Marks a pod Running (and Ready unless told otherwise) on `node`, as a kubelet would report it. */
export async function runPod(client: ApiClient, pod: Pod, opts: { ready?: boolean; at?: number; restarts?: number } = {}): Promise<Pod> {
  const at = new Date(opts.at ?? Date.now()).toISOString().replace(/\.\d+Z$/, "Z");
  const ready = opts.ready ?? true;
  const fresh = await client.get<Pod>("pods", pod.metadata.name!, { namespace: pod.metadata.namespace });
  const status = {
    ...fresh.status,
    phase: "Running" as const,
    conditions: [
      { type: "Initialized", status: "True" as const, lastProbeTime: null, lastTransitionTime: at },
      { type: "Ready", status: ready ? ("True" as const) : ("False" as const), lastProbeTime: null, lastTransitionTime: at },
      { type: "ContainersReady", status: ready ? ("True" as const) : ("False" as const), lastProbeTime: null, lastTransitionTime: at },
      { type: "PodScheduled", status: "True" as const, lastProbeTime: null, lastTransitionTime: at },
    ],
    containerStatuses: [{ name: "web", ready, restartCount: opts.restarts ?? 0, image: "nginx:1.27", imageID: "sim://nginx", started: true, state: { running: { startedAt: at } } }],
  };
  return client.updateStatus<Pod>("pods", { ...fresh, status });
}
