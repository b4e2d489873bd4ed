/**
 * The flags that describe a cluster, shared by everything that starts one
 * (`npm start`, `npm run repl`, `npm run loadtest`): declared once, checked
 * once, turned into {@link ClusterOptions} once.
 */
import { FlagError, type FlagSpec, type FlagValues } from "./flags.ts";
import { parseCIDR } from "../../cni/cidr.ts";
import type { ClusterOptions } from "./cluster.ts";

/** Flags of the cluster itself: nodes, network, store, API, manifests, logging. */
export const clusterFlags: FlagSpec[] = [
  { name: "nodes", type: "number", arg: "N", min: 0, default: 3, help: "simulated nodes (kubelets)" },
  { name: "node-workers", type: "number", arg: "K", min: 1, default: 2, help: "worker threads the kubelets are sharded over" },
  { name: "cluster-cidr", type: "string", arg: "CIDR", default: "10.244.0.0/16", help: "the pod network; each node gets a slice of it" },
  { name: "node-cidr-mask-size", type: "number", arg: "BITS", min: 8, default: 24, help: "prefix length of each node's podCIDR" },
  { name: "timeout", type: "number", arg: "SECONDS", min: 1, default: 120, help: "how long to wait for the nodes, then (--once) for the applied workloads to be ready" },
  { name: "data-dir", type: "string", arg: "DIR", help: "keep cluster state in a write-ahead log in DIR (in memory when absent); kubeconfig, tokens and certificates go there too" },
  { name: "port", type: "number", arg: "PORT", min: 0, max: 65535, default: 6443, help: "serve the Kubernetes API (HTTPS) on PORT; 0 = any free port" },
  { name: "address", type: "string", arg: "IP", default: "127.0.0.1", help: "the address the API listens on" },
  { name: "token-auth-file", type: "string", arg: "FILE", help: "static token file (token,user,uid,\"group1,group2\"); default: an admin token made at first start" },
  { name: "static-pods", type: "string", arg: "DIR", help: "static pod manifests (YAML/JSON) every kubelet runs as <name>-<node> and mirrors to the apiserver" },
  { name: "apply", type: "string", arg: "FILE", repeatable: true, help: "create or update the objects in FILE (YAML, JSON or a folder of them) once the nodes are ready" },
  { name: "log-level", type: "string", arg: "LEVEL", help: "debug, info, warn or error", default: "warn" },
];

/** Checks what parsing alone cannot: log level, and that the pod network has a range for every node. Throws {@link FlagError}. */
export function checkClusterFlags(flags: FlagValues): void {
  if (!["debug", "info", "warn", "error"].includes(String(flags["log-level"]))) throw new FlagError(`--log-level must be debug, info, warn or error, got "${flags["log-level"]}"`);
  try {
    const cidr = parseCIDR(String(flags["cluster-cidr"]));
    const mask = flags["node-cidr-mask-size"] as number;
    if (mask < cidr.prefix || mask > 30) throw new Error(`--node-cidr-mask-size must be between ${cidr.prefix} and 30 for ${flags["cluster-cidr"]}, got ${mask}`);
    const room = 2 ** (mask - cidr.prefix);
    if ((flags.nodes as number) > room) throw new Error(`--cluster-cidr ${flags["cluster-cidr"]} holds ${room} node ranges of /${mask}, fewer than --nodes ${flags.nodes}; use a larger --cluster-cidr (e.g. 10.0.0.0/8) or a larger --node-cidr-mask-size`);
  } catch (err) {
    throw new FlagError(String((err as Error).message).replace(/^(?!--)/, "--cluster-cidr: "));
  }
}

/** The {@link ClusterOptions} the flags ask for. */
export function clusterOptionsFrom(flags: FlagValues): ClusterOptions {
  return {
    dataDir: flags["data-dir"] as string | undefined,
    nodes: flags.nodes as number,
    clusterCIDR: flags["cluster-cidr"] as string,
    nodeCIDRMaskSize: flags["node-cidr-mask-size"] as number,
    nodeWorkers: flags["node-workers"] as number,
    logLevel: flags["log-level"] as ClusterOptions["logLevel"],
    port: flags.port as number | undefined,
    address: flags.address as string | undefined,
    tokenAuthFile: flags["token-auth-file"] as string | undefined,
    ...(flags["static-pods"] ? { kubelet: { staticPodPath: flags["static-pods"] as string } } : {}),
  };
}
