/**
 * The end-to-end part of the load test: create pods (bare, or through
 * ReplicaSets), follow them with a watch from the main thread, and time each
 * one from its creation (the watch's ADDED) to bound and to Running, as
 * Kubernetes' pod-startup SLI measures it.
 */
import type { Supervisor } from "../../../runtime/supervisor.ts";
import { errorCode } from "../../../runtime/errors.ts";
import type { KubeObject, WatchEvent } from "../../../actors/api/meta.ts";

const now = () => performance.now();

/** What one pod went through, in ms since the run started. */
interface PodTimes {
  added: number;
  bound?: number;
  running?: number;
}

/** A point of the pods-over-time series. */
export interface Sample {
  t: number;
  created: number;
  bound: number;
  running: number;
}

/** What the watcher saw. */
export class PodTracker {
  readonly pods = new Map<string, PodTimes>();
  readonly series: Sample[] = [];
  created = 0;
  bound = 0;
  running = 0;
  readonly t0: number;

  constructor(t0: number) {
    this.t0 = t0;
  }

  /** Takes a batch of watch events. */
  observe(events: WatchEvent[]): void {
    const t = now() - this.t0;
    for (const e of events) {
      if (e.type === "BOOKMARK" || e.type === "DELETED") continue;
      const pod = e.object as KubeObject & { spec?: { nodeName?: string }; status?: { phase?: string } };
      const uid = pod.metadata.uid!;
      let p = this.pods.get(uid);
      if (!p) {
        p = { added: t };
        this.pods.set(uid, p);
        this.created++;
      }
      if (p.bound === undefined && pod.spec?.nodeName) {
        p.bound = t;
        this.bound++;
      }
      if (p.running === undefined && pod.status?.phase === "Running") {
        p.running = t;
        this.running++;
      }
    }
  }

  /** Records a point of the series. */
  sample(): void {
    this.series.push({ t: Math.round(now() - this.t0), created: this.created, bound: this.bound, running: this.running });
  }

  /** Startup latencies (ADDED → Running) in ms. */
  startupMs(): number[] {
    const out: number[] = [];
    for (const p of this.pods.values()) if (p.running !== undefined) out.push(p.running - p.added);
    return out;
  }

  /** The window from the first to the last time of `which`. */
  span(which: "added" | "bound" | "running"): { first: number; last: number } {
    let first = Infinity;
    let last = -Infinity;
    for (const p of this.pods.values()) {
      const t = p[which];
      if (t === undefined) continue;
      if (t < first) first = t;
      if (t > last) last = t;
    }
    return { first, last };
  }
}

/** Watches pods of `namespace` into `tracker` through an actor on the main thread. */
export async function trackPods(sup: Supervisor, namespace: string, tracker: PodTracker): Promise<() => Promise<void>> {
  const address = "loadtest/pods";
  await sup.spawnLocal(address, () => ({
    handlers: {
      "api.watch.events": (m: Record<string, unknown>) => tracker.observe(m.events as WatchEvent[]),
      "api.watch.closed": () => undefined,
    },
  }), {});
  const started = await sup.ask<{ watchId: string }>("apiserver", { type: "api.watch", resource: "pods", namespace, watcher: address, omitManagedFields: true });
  return async () => {
    await sup.ask("apiserver", { type: "api.unwatch", watchId: started.watchId }).catch(() => {});
    await sup.system.stop(address);
  };
}

/** A pod template: one simulated container that runs until stopped; no requests, so it fits anywhere. */
function podTemplate(labels: Record<string, string>) {
  return {
    metadata: { labels },
    spec: {
      containers: [{ name: "pause", image: "registry.k8s.io/pause:3.9", imagePullPolicy: "IfNotPresent" }],
      terminationGracePeriodSeconds: 0,
    },
  };
}

/** Runs `count` tasks with at most `window` in flight; rejects on the first failure. */
async function pipelined(count: number, window: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const lane = async () => {
    while (next < count && failed === undefined) {
      const i = next++;
      try {
        await task(i);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, count) }, lane));
  if (failed !== undefined) throw failed;
}

/** Options of {@link createPods}. */
export interface CreateOptions {
  namespace: string;
  pods: number;
  /** Bare pods; otherwise ReplicaSets of `perSet` replicas. */
  bare: boolean;
  perSet: number;
  /** Creates in flight (default 256). */
  window?: number;
}

/** The error when ReplicaSet mode cannot run. */
export class NoReplicaSetController extends Error {
  override name = "NoReplicaSetController";
  readonly code = "NoReplicaSetController";
}

/** Checks that the controller-manager runs the replicaset controller. */
export async function checkReplicaSetController(sup: Supervisor): Promise<void> {
  let controllers: Record<string, unknown>;
  try {
    controllers = await sup.ask<Record<string, unknown>>("controller-manager", { type: "controllers.stats" }, { timeoutMs: 10_000 });
  } catch (err) {
    throw new NoReplicaSetController(`the controller-manager did not answer (${errorCode(err)}: ${(err as Error).message}); ReplicaSet mode needs its replicaset controller. Use --bare for bare pods.`);
  }
  if (!("replicaset" in controllers)) {
    const running = Object.keys(controllers);
    throw new NoReplicaSetController(`ReplicaSet mode needs the replicaset controller, which the controller-manager does not run (it runs: ${running.length ? running.join(", ") : "none"}; see actors/controller-manager/index.ts). Use --bare to create bare pods instead.`);
  }
}

/** Creates the namespace and the pods (or ReplicaSets); resolves when every create was acknowledged. */
export async function createPods(sup: Supervisor, o: CreateOptions): Promise<void> {
  await sup.ask("apiserver", { type: "api.create", resource: "namespaces", object: { apiVersion: "v1", kind: "Namespace", metadata: { name: o.namespace } } }).catch((err) => {
    if (errorCode(err) !== "AlreadyExists") throw err;
  });
  const window = o.window ?? 256;
  if (o.bare) {
    await pipelined(o.pods, window, (i) =>
      sup.ask("apiserver", { type: "api.create", resource: "pods", namespace: o.namespace, omitManagedFields: true, object: { apiVersion: "v1", kind: "Pod", ...withName(podTemplate({ app: "load" }), `load-${i + 1}`) } }, { timeoutMs: 120_000 }),
    );
    return;
  }
  const sets = Math.ceil(o.pods / o.perSet);
  await pipelined(sets, window, (i) => {
    const replicas = i === sets - 1 ? o.pods - o.perSet * (sets - 1) : o.perSet;
    const labels = { app: "load", set: `load-${i + 1}` };
    return sup.ask("apiserver", {
      type: "api.create",
      resource: "replicasets",
      group: "apps",
      namespace: o.namespace,
      object: { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: `load-${i + 1}`, labels }, spec: { replicas, selector: { matchLabels: labels }, template: podTemplate(labels) } },
    }, { timeoutMs: 120_000 });
  });
}

function withName<T extends { metadata: Record<string, unknown> }>(t: T, name: string): T {
  return { ...t, metadata: { ...t.metadata, name } };
}
