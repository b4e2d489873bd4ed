/**
 * Assembles a cluster: the supervisor and a worker per component, each
 * component an actor. `npm start`, the REPL, the load test and the
 * end-to-end tests all start clusters through here.
 */
import { Supervisor, type WorkerSpec } from "../../runtime/supervisor.ts";
import type { KubeList, KubeObject } from "../../actors/api/meta.ts";
import type { ApiserverConfig } from "../../actors/apiserver/actor.ts";

/** How to start a cluster. */
export interface ClusterOptions {
  /** Write-ahead log folder for the store; in memory when absent. */
  dataDir?: string;
  /** Simulated nodes, each a kubelet actor (default 3). */
  nodes?: number;
  /** Worker threads the kubelets are sharded over (default 2, never more than nodes). */
  nodeWorkers?: number;
  /** The pod network (default 10.244.0.0/16). */
  clusterCIDR?: string;
  /** Prefix length of each node's podCIDR (default 24). */
  nodeCIDRMaskSize?: number;
  logLevel?: "debug" | "info" | "warn" | "error";
  /** Called as components come up. */
  onProgress?: (message: string) => void;
}

/** A running cluster. */
export interface Cluster {
  supervisor: Supervisor;
  /** Lists objects through the apiserver (all namespaces unless given). */
  list<T extends KubeObject = KubeObject>(resource: string, namespace?: string): Promise<T[]>;
  /** Stops every worker; resolves when all are gone. */
  stop(): Promise<void>;
}

/** The control-plane workers, in start order. */
export function controlPlane(options: ClusterOptions): WorkerSpec[] {
  const apiserver: ApiserverConfig = { dataDir: options.dataDir };
  return [
    { name: "apiserver", actors: [{ address: "apiserver", module: "actors/apiserver/actor.ts", export: "apiserverActor", config: apiserver }] },
    { name: "scheduler", actors: [{ address: "scheduler", module: "actors/scheduler/actor.ts", export: "schedulerActor", config: {} }] },
    { name: "controller-manager", actors: [{ address: "controller-manager", module: "actors/controller-manager/actor.ts", export: "controllerManagerActor", config: {} }] },
    { name: "cni", actors: [{ address: "cni", module: "cni/actor.ts", export: "cniActor", config: { clusterCIDR: options.clusterCIDR, nodeMaskSize: options.nodeCIDRMaskSize } }] },
  ];
}

/** The node-pool workers: kubelets sharded round-robin, like kubemark's hollow nodes. */
export function nodePools(options: ClusterOptions): WorkerSpec[] {
  const n = options.nodes ?? 3;
  const k = Math.max(1, Math.min(options.nodeWorkers ?? 2, n));
  const pools: WorkerSpec[] = Array.from({ length: n === 0 ? 0 : k }, (_, i) => ({ name: `node-pool-${i + 1}`, actors: [] }));
  for (let i = 0; i < n; i++) {
    const name = `node-${i + 1}`;
    pools[i % k].actors.push({
      address: `kubelet/${name}`,
      module: "actors/kubelet/actor.ts",
      export: "kubeletActor",
      config: { node: { name, internalIP: `172.18.${Math.floor(i / 250)}.${(i % 250) + 2}` } },
    });
  }
  return pools;
}

/** Starts every component and returns once the apiserver answers. */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const supervisor = new Supervisor({ logLevel: options.logLevel });
  try {
    for (const spec of [...controlPlane(options), ...nodePools(options)]) {
      options.onProgress?.(`starting ${spec.name}${spec.name.startsWith("node-pool") ? ` (${spec.actors.length} kubelets)` : ""}`);
      await supervisor.start(spec);
    }
  } catch (err) {
    await supervisor.shutdown();
    throw err;
  }
  return {
    supervisor,
    async list<T extends KubeObject>(resource: string, namespace?: string) {
      const l = await supervisor.ask<KubeList<T>>("apiserver", { type: "api.list", resource, namespace });
      return l.items;
    },
    stop: () => supervisor.shutdown(),
  };
}

/** Waits until `count` nodes are registered, Ready and have a podCIDR; reports progress; rejects after `timeoutMs`. */
export async function waitForNodes(c: Cluster, count: number, timeoutMs: number, onProgress?: (ready: number) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const nodes = await c.list<KubeObject & { spec?: { podCIDR?: string }; status?: { conditions?: { type: string; status: string }[] } }>("nodes");
    const ready = nodes.filter((n) => n.spec?.podCIDR && n.status?.conditions?.some((x) => x.type === "Ready" && x.status === "True")).length;
    onProgress?.(ready);
    if (ready >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${ready} of ${count} nodes are Ready with a podCIDR after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
