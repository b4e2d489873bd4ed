// A real cluster on worker threads for the Services end-to-end tests: the
// workers `startCluster` starts for the apiserver, scheduler, controller-manager
// (endpoint and endpointslice controllers only), CNI, kube-proxy and the node
// pools, assembled by the same `controlPlane`/`nodePools` functions, so the
// test exercises what `npm start` runs without the addons it does not need.
import { Supervisor } from "../../../runtime/supervisor.ts";
import { controlPlane, nodePools, waitForNodes, type Cluster, type ClusterOptions } from "../../../scripts/lib/cluster.ts";
import { ApiClient } from "../../../actors/api/client.ts";
import type { KubeList, KubeObject } from "../../../actors/api/meta.ts";
import type { Pod } from "../../../actors/api/types/core-pod.ts";
import { until as poll } from "../../poll.ts";

const NEEDED = new Set(["apiserver", "scheduler", "controller-manager", "cni", "kube-proxy"]);

/** Starts the cluster and waits for `nodes` Ready nodes. */
export async function servicesCluster(nodes: number) {
  const opts: ClusterOptions = { nodes, nodeWorkers: 1, logLevel: "error", controllerManager: { controllers: ["endpoint", "endpointslice"] } };
  const workers = [...controlPlane(opts).filter((w) => NEEDED.has(w.name)), ...nodePools(opts)];
  const supervisor = new Supervisor({ logLevel: "error" });
  const cluster: Cluster = {
    supervisor,
    list: async <T extends KubeObject>(resource: string, namespace?: string) =>
      (await supervisor.ask<KubeList<T>>("apiserver", { type: "api.list", resource, namespace })).items,
    stop: () => supervisor.shutdown(),
  };
  try {
    for (const w of workers) await supervisor.start(w);
    await waitForNodes(cluster, nodes, 20_000);
  } catch (err) {
    await supervisor.shutdown();
    throw err;
  }
  return { cluster, supervisor, client: new ApiClient(supervisor), workers: workers.map((w) => w.name) };
}

/** Polls `fn` every 50 ms until it returns a value; throws after `ms`. */
export const until = <T>(what: string, fn: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> => poll(what, fn, ms, 50);

/** A pod labelled app=web serving "http" on 8080 with an HTTP readiness probe every second. */
export function webPod(name: string, opts: { behavior?: string; node?: string } = {}): Pod {
  const pod: Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", labels: { app: "web" }, ...(opts.behavior ? { annotations: { "actorkube.io/behavior.web": opts.behavior } } : {}) },
    spec: {
      containers: [
        {
          name: "web",
          image: "nginx:1.27",
          ports: [{ name: "http", containerPort: 8080 }],
          readinessProbe: { httpGet: { path: "/ready", port: 8080 }, periodSeconds: 1 },
        },
      ],
    },
  };
  if (opts.node) pod.spec.nodeName = opts.node;
  return pod;
}
