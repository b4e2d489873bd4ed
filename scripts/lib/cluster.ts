/**
 * Assembles a cluster: the supervisor and a worker per component, each
 * component an actor. `npm start`, the REPL, the load test and the
 * end-to-end tests all start clusters through here.
 */
import { Supervisor, type WorkerSpec } from "../../runtime/supervisor.ts";
import type { ActorSpec } from "../../runtime/actor.ts";
import type { KubeList, KubeObject } from "../../actors/api/meta.ts";
import type { ApiserverConfig } from "../../actors/apiserver/actor.ts";
import type { HttpFrontConfig } from "../../actors/apiserver/http/server.ts";
import type { ControllerManagerConfig } from "../../actors/controller-manager/actor.ts";
import type { KubeletConfig } from "../../actors/kubelet/actor.ts";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensurePki, ensureTokenFile, probePort, serverUrl, writeKubeconfig } from "./access.ts";

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
  /** Serve the Kubernetes API over HTTPS on this port (0 = any free port); absent = no API front. */
  port?: number;
  /** Interface the API listens on (default 127.0.0.1). */
  address?: string;
  /** Static token file (`token,user,uid,"group1,group2"`); default `<config dir>/tokens.csv` with an admin token made at first start. */
  tokenAuthFile?: string;
  /** Where kubeconfig, tokens and certificates go: default `dataDir`, else a new folder under the OS temp dir, removed at stop. */
  configDir?: string;
  /** Extra apiserver settings (watch window, bookmark interval, …). */
  apiserver?: Omit<ApiserverConfig, "dataDir">;
  /** Extra controller-manager settings (node monitor grace period, eviction rate, controllers, …). */
  controllerManager?: Omit<ControllerManagerConfig, "apiserver">;
  /** Extra settings of every kubelet (heartbeat period, lease duration, …). */
  kubelet?: Pick<KubeletConfig, "heartbeatMs" | "leaseDurationSeconds" | "statusEveryMs" | "staticPodPath" | "staticPodPollMs" | "clusterDNS" | "clusterDomain">;
  /** Extra settings of the API front (ask timeout, body limit, log poll period). */
  front?: Pick<HttpFrontConfig, "askTimeoutMs" | "maxBodyBytes" | "followPollMs" | "minRequestTimeoutSeconds">;
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
  /** How to reach the API, when it is served. */
  api?: ApiAccess;
}

/** Where the API is and what a client needs to use it. */
export interface ApiAccess {
  /** `https://127.0.0.1:6443` */
  url: string;
  address: string;
  port: number;
  /** The kubeconfig written for the admin user. */
  kubeconfig: string;
  /** The folder holding kubeconfig, tokens.csv and pki/. */
  dir: string;
  /** The admin's bearer token. */
  token: string;
  /** The CA certificate (PEM) the server's certificate chains to. */
  caCert: string;
  /** The static token file in use. */
  tokenFile: string;
}

/** The control-plane workers, in start order. */
export function controlPlane(options: ClusterOptions, front?: HttpFrontConfig): WorkerSpec[] {
  const apiserver: ApiserverConfig = { ...options.apiserver, dataDir: options.dataDir };
  if (front?.tokenAuthFile) apiserver.tokenAuthFile = front.tokenAuthFile;
  // The `kubernetes` Service targets the secure port when it is fixed (0 means any: 6443 is assumed).
  if (front?.port) apiserver.securePort ??= front.port;
  // The API front shares the apiserver's worker: every request is one local ask (no copy of the
  // object, no thread hop) and watch events reach it uncopied; a worker of its own would trade
  // that for two structured clones per request, which on a small machine costs more than the
  // JSON work it would move off the apiserver's thread. It restarts with the apiserver.
  const apiActors: ActorSpec[] = [{ address: "apiserver", module: "actors/apiserver/actor.ts", export: "apiserverActor", config: apiserver }];
  if (front) apiActors.push({ address: "http", module: "actors/apiserver/http/server.ts", export: "httpFrontActor", config: front });
  return [
    { name: "apiserver", actors: apiActors },
    { name: "scheduler", actors: [{ address: "scheduler", module: "actors/scheduler/actor.ts", export: "schedulerActor", config: {} }] },
    { name: "controller-manager", actors: [{ address: "controller-manager", module: "actors/controller-manager/actor.ts", export: "controllerManagerActor", config: { ...options.controllerManager } }] },
    { name: "cni", actors: [{ address: "cni", module: "cni/actor.ts", export: "cniActor", config: { clusterCIDR: options.clusterCIDR, nodeMaskSize: options.nodeCIDRMaskSize } }] },
    { name: "kube-proxy", actors: [{ address: "kube-proxy", module: "actors/kube-proxy/actor.ts", export: "kubeProxyActor", config: { clusterCIDR: options.clusterCIDR } }] },
    { name: "dns", actors: [{ address: "dns", module: "actors/dns/actor.ts", export: "dnsActor", config: { udpPort: 0 } }] },
    { name: "cloud-controller-manager", actors: [{ address: "cloud-controller-manager", module: "actors/cloud-controller-manager/actor.ts", export: "cloudControllerManagerActor", config: {} }] },
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
      config: { ...options.kubelet, node: { name, internalIP: `172.18.${Math.floor(i / 250)}.${(i % 250) + 2}` } },
    });
  }
  return pools;
}

/** Starts every component and returns once the apiserver answers. */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const access = options.port === undefined ? undefined : await prepareAccess(options);
  const supervisor = new Supervisor({ logLevel: options.logLevel });
  const cleanup = () => {
    if (access?.temporary) rmSync(access.api.dir, { recursive: true, force: true });
  };
  try {
    // Pods find the cluster CA in each namespace's kube-root-ca.crt, which the controller-manager publishes.
    const withCA: ClusterOptions = access ? { ...options, controllerManager: { rootCA: access.api.caCert, ...options.controllerManager } } : options;
    for (const spec of [...controlPlane(withCA, access?.front), ...nodePools(options)]) {
      options.onProgress?.(`starting ${spec.name}${spec.name.startsWith("node-pool") ? ` (${spec.actors.length} kubelets)` : ""}`);
      await supervisor.start(spec);
    }
  } catch (err) {
    await supervisor.shutdown();
    cleanup();
    throw err;
  }
  return {
    supervisor,
    api: access?.api,
    async list<T extends KubeObject>(resource: string, namespace?: string) {
      const l = await supervisor.ask<KubeList<T>>("apiserver", { type: "api.list", resource, namespace });
      return l.items;
    },
    stop: async () => {
      await supervisor.shutdown();
      cleanup();
    },
  };
}

/** Token file, certificates, a checked port and the kubeconfig, before any worker starts. */
async function prepareAccess(options: ClusterOptions): Promise<{ api: ApiAccess; front: HttpFrontConfig; temporary: boolean }> {
  const address = options.address ?? "127.0.0.1";
  const port = await probePort(address, options.port!);
  const temporary = !options.configDir && !options.dataDir;
  const dir = options.configDir ?? options.dataDir ?? mkdtempSync(join(tmpdir(), "actorkube-"));
  try {
    mkdirSync(dir, { recursive: true });
    const tokens = ensureTokenFile(dir, options.tokenAuthFile);
    const pki = ensurePki(dir, [address]);
    const url = serverUrl(address, port);
    const kubeconfig = writeKubeconfig(dir, url, pki.caCert, tokens.user.username, tokens.token);
    const front: HttpFrontConfig = { ...options.front, host: address, port, tokenAuthFile: tokens.path, tls: { cert: pki.cert, key: pki.key } };
    return { api: { url, address, port, kubeconfig, dir, token: tokens.token, caCert: pki.caCert, tokenFile: tokens.path }, front, temporary };
  } catch (err) {
    if (temporary) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
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
