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
    { name: "cni", actors: [{ address: "cni", module: "cni/actor.ts", export: "cniActor", config: {} }] },
  ];
}

/** Starts every component and returns once the apiserver answers. */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const supervisor = new Supervisor({ logLevel: options.logLevel });
  try {
    for (const spec of controlPlane(options)) {
      options.onProgress?.(`starting ${spec.name}`);
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
