/**
 * `npm run bench:deployments` — many Deployments on many simulated nodes
 * (100 × 100 replicas on 500 nodes by default): the time until every
 * Deployment is Available and rolled out, and the number of pod creations,
 * counted from ADDED events of a pod watch, which must equal
 * deployments × replicas exactly. Shows progress while running; prints a
 * table (or one JSON line with --json) and exits 1 if the count is off or
 * the run timed out. A benchmark, not a test: it asserts only the count.
 */
import { startCluster, waitForNodes } from "./lib/cluster.ts";
import { parseCommandLine, type FlagSpec } from "./lib/flags.ts";
import { progressBar } from "./lib/progress.ts";
import { table } from "./lib/summary.ts";
import { ApiClient } from "../actors/api/client.ts";
import type { ActorFactory } from "../runtime/actor.ts";
import type { KubeList } from "../actors/api/meta.ts";
import type { WatchMessage } from "../actors/api/protocol.ts";
import type { Deployment } from "../actors/api/types/apps.ts";
import type { Pod } from "../actors/api/types/core-pod.ts";

const specs: FlagSpec[] = [
  { name: "deployments", type: "number", arg: "N", default: 100, min: 1, help: "Deployments to create" },
  { name: "replicas", type: "number", arg: "N", default: 100, min: 1, help: "replicas of each Deployment" },
  { name: "nodes", type: "number", arg: "N", default: 500, min: 1, help: "simulated nodes" },
  { name: "node-workers", type: "number", arg: "N", default: 2, min: 1, help: "worker threads the kubelets are sharded over" },
  { name: "cluster-cidr", type: "string", arg: "CIDR", help: "the pod network (default 10.244.0.0/16, or 10.128.0.0/9 above 256 nodes: one /24 per node)" },
  { name: "namespaces", type: "number", arg: "N", default: 1, min: 1, help: "spread the Deployments over this many namespaces" },
  { name: "timeout", type: "number", arg: "SECONDS", default: 900, min: 1, help: "give up after this long" },
  { name: "stall-report", type: "number", arg: "SECONDS", default: 60, min: 1, help: "when nothing progresses for this long, print where things stand" },
  { name: "json", type: "boolean", help: "print one JSON line instead of the table" },
  { name: "help", type: "boolean", help: "show this help" },
];

const flags = parseCommandLine({ name: "bench-deployments", usage: "Usage: npm run bench:deployments -- [flags]", specs });
const deployments = flags.deployments as number;
const replicas = flags.replicas as number;
const nodes = flags.nodes as number;
const namespaces = flags.namespaces as number;
const timeoutMs = (flags.timeout as number) * 1000;
const want = deployments * replicas;
const json = Boolean(flags.json);

/** Pod creations as the watch reports them (ADDED events of benchmark pods). */
const seen = { added: 0, names: new Set<string>(), firstAt: 0, allAt: 0 };
const podCounter: ActorFactory<unknown, WatchMessage> = async (ctx) => {
  await new ApiClient(ctx).watch("pods", { watcher: ctx.self, labelSelector: "bench=deployments" });
  return {
    handlers: {
      "api.watch.events": (m) => {
        for (const e of m.events) {
          if (e.type !== "ADDED") continue;
          seen.added++;
          seen.names.add(`${e.object.metadata.namespace}/${e.object.metadata.name}`);
          if (seen.added === 1) seen.firstAt = performance.now();
          if (seen.added === want) seen.allAt = performance.now();
        }
      },
      "api.watch.closed": () => undefined,
    },
  };
};

const bar = progressBar("deployments", process.stderr);
const started = performance.now();
bar.update(0, `starting ${nodes} nodes`);
const clusterCIDR = (flags["cluster-cidr"] as string | undefined) ?? (nodes > 256 ? "10.128.0.0/9" : "10.244.0.0/16");
const cluster = await startCluster({ nodes, nodeWorkers: flags["node-workers"] as number, clusterCIDR, logLevel: "error" });
const api = new ApiClient(cluster.supervisor, { timeoutMs: 120_000 });
let exitCode = 0;
try {
  await waitForNodes(cluster, nodes, Math.min(timeoutMs, 600_000), (ready) => bar.update(ready / nodes / 10, `${ready}/${nodes} nodes Ready`));
  const nodesReadyMs = performance.now() - started;
  const nsNames = Array.from({ length: namespaces }, (_, i) => (namespaces === 1 ? "default" : `bench-${i}`));
  for (const ns of nsNames) if (ns !== "default") await api.create("namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }).catch(() => undefined);
  await cluster.supervisor.spawnLocal("bench-pod-counter", podCounter as unknown as ActorFactory<unknown>, undefined);

  const t0 = performance.now();
  await Promise.all(Array.from({ length: deployments }, (_, i) =>
    api.create<Deployment>("deployments.apps", {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: `bench-${i}`, namespace: nsNames[i % namespaces] },
      spec: {
        replicas,
        selector: { matchLabels: { app: `bench-${i}` } },
        template: { metadata: { labels: { app: `bench-${i}`, bench: "deployments" } }, spec: { containers: [{ name: "app", image: "registry.k8s.io/pause:3.9" }] } },
      },
    })));
  const createdMs = performance.now() - t0;

  // Done = what `kubectl rollout status` waits for, plus the Available condition.
  const available = (d: Deployment) => {
    const s = d.status ?? {};
    return (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 1) && s.updatedReplicas === replicas && s.replicas === replicas &&
      s.availableReplicas === replicas && (s.conditions ?? []).some((c) => c.type === "Available" && c.status === "True");
  };
  let done = 0;
  let allAvailableMs = 0;
  let lastProgress = { at: performance.now(), key: "" };
  for (;;) {
    const lists = await Promise.all(nsNames.map((ns) => api.list<Deployment>("deployments.apps", { namespace: ns }) as Promise<KubeList<Deployment>>));
    const all = lists.flatMap((l) => l.items).filter((d) => d.metadata.name?.startsWith("bench-"));
    done = all.filter(available).length;
    const pods = all.reduce((n, d) => n + (d.status?.availableReplicas ?? 0), 0);
    const elapsed = (performance.now() - t0) / 1000;
    bar.update(0.1 + 0.9 * (done / deployments), `${elapsed.toFixed(0)} s: ${done}/${deployments} Available, ${seen.added}/${want} pods created, ${pods} available`);
    if (done === deployments) {
      allAvailableMs = performance.now() - t0;
      break;
    }
    if (performance.now() - t0 > timeoutMs) break;
    const key = `${done}/${seen.added}/${pods}`;
    if (key !== lastProgress.key) lastProgress = { at: performance.now(), key };
    else if (performance.now() - lastProgress.at > (flags["stall-report"] as number) * 1000) {
      await stallReport(nsNames);
      lastProgress.at = performance.now();
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  // Give a lagging controller the chance to overshoot before counting.
  await new Promise((r) => setTimeout(r, 3_000));
  bar.done();
  const cm = (await cluster.supervisor.inspect("controller-manager").catch(() => undefined)) as { extra?: { controllers?: Record<string, Record<string, number>> } } | undefined;
  const rs = cm?.extra?.controllers?.replicaset ?? {};
  const dep = cm?.extra?.controllers?.deployment ?? {};
  const result = {
    deployments,
    replicas,
    nodes,
    namespaces,
    node_workers: flags["node-workers"],
    nodes_ready_s: +(nodesReadyMs / 1000).toFixed(2),
    create_deployments_s: +(createdMs / 1000).toFixed(2),
    all_pods_created_s: seen.allAt ? +((seen.allAt - t0) / 1000).toFixed(2) : null,
    all_available_s: allAvailableMs ? +(allAvailableMs / 1000).toFixed(2) : null,
    available_deployments: done,
    pod_creations: seen.added,
    distinct_pods: seen.names.size,
    expected_pod_creations: want,
    pods_per_s: allAvailableMs ? Math.round(want / (allAvailableMs / 1000)) : null,
    replicaset_syncs: rs.syncs ?? null,
    replicaset_sync_errors: rs.errors ?? null,
    deployment_syncs: dep.syncs ?? null,
    deployment_sync_errors: dep.errors ?? null,
  };
  if (!allAvailableMs || seen.added !== want) exitCode = 1;
  if (json) console.log(JSON.stringify(result));
  else {
    const rows: [string, string][] = [
      ["nodes Ready (cluster start)", `${result.nodes_ready_s} s`],
      ["deployments created", `${deployments} × ${replicas} replicas in ${result.create_deployments_s} s`],
      ["all pods created", result.all_pods_created_s === null ? "not reached" : `${result.all_pods_created_s} s`],
      ["all Deployments Available", result.all_available_s === null ? `timed out (${done}/${deployments})` : `${result.all_available_s} s`],
      ["pods per second (to Available)", result.pods_per_s === null ? "-" : String(result.pods_per_s)],
      ["pod creations (ADDED events)", `${seen.added} of ${want} expected${seen.added === want ? "" : "  MISMATCH"}`],
      ["replicaset syncs / errors", `${result.replicaset_syncs} / ${result.replicaset_sync_errors}`],
      ["deployment syncs / errors", `${result.deployment_syncs} / ${result.deployment_sync_errors}`],
    ];
    for (const line of table(["measure", "figure"], rows)) console.log(line);
  }
} finally {
  await cluster.stop();
}
process.exit(exitCode);

// Where a stalled run stands: pods by phase and readiness, statuses versus pods, informer lag.
async function stallReport(nsNames: string[]): Promise<void> {
  const byState: Record<string, number> = {};
  let storeRV = "";
  for (const ns of nsNames) {
    const pods = await api.list<Pod>("pods", { namespace: ns, labelSelector: "bench=deployments" });
    storeRV = pods.metadata.resourceVersion ?? storeRV;
    for (const p of pods.items) {
      const ready = p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ? "ready" : "not ready";
      const k = `${p.status?.phase ?? "?"}, ${p.spec.nodeName ? "bound" : "unscheduled"}, ${ready}${p.metadata.deletionTimestamp ? ", terminating" : ""}`;
      byState[k] = (byState[k] ?? 0) + 1;
    }
  }
  const cm = (await cluster.supervisor.inspect("controller-manager").catch(() => undefined)) as { extra?: { informers?: { resource: string; resourceVersion: string }[]; controllers?: Record<string, unknown> } } | undefined;
  const lag = (cm?.extra?.informers ?? []).filter((i) => ["pods", "replicasets.apps", "deployments.apps"].includes(i.resource)).map((i) => `${i.resource}@${i.resourceVersion}`);
  const dead = (await cluster.supervisor.stats()).filter((s) => s.deadLetters > 0).map((s) => `${s.name}:${s.deadLetters}`);
  console.error(`stalled: pods ${JSON.stringify(byState)}; store at ${storeRV}, controller-manager caches ${lag.join(" ")}; dead letters ${dead.join(" ") || "none"}`);
  console.error(`  controllers: ${JSON.stringify({ replicaset: cm?.extra?.controllers?.replicaset, deployment: cm?.extra?.controllers?.deployment })}`);
}
