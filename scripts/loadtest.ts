/**
 * `npm run loadtest` — in one run: the machine's raw messaging limits, what
 * the actor runtime makes of them, and the end-to-end cluster: `--nodes N`
 * simulated nodes, `--pods M` pods created (through ReplicaSets, or bare with
 * `--bare`), create→Running throughput and startup latency, scheduler and
 * apiserver throughput, peak memory. Each figure is shown beside its raw
 * limit; `--json` prints one JSON line, `--out FILE` draws pods over time.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { availableParallelism } from "node:os";
import { FlagError, parseCommandLine, type FlagSpec } from "./lib/flags.ts";
import { startCluster, waitForNodes, type Cluster } from "./lib/cluster.ts";
import { progressBar } from "./lib/progress.ts";
import { measureRuntime, type RuntimeBenchResult } from "./bench/runtime-bench.ts";
import { fmt, percentile } from "./bench/stats.ts";
import { checkReplicaSetController, createPods, PodTracker, trackPods } from "./lib/loadtest/pods.ts";
import { podsChart } from "./lib/loadtest/chart.ts";
import { ThreadProfiler, summarize, threadCpuSeconds } from "./lib/loadtest/profiler.ts";
import { profileText, resultTable, type LoadtestResult } from "./lib/loadtest/report.ts";
import { platform } from "../runtime/platform/index.ts";

const specs: FlagSpec[] = [
  { name: "nodes", type: "number", arg: "N", min: 1, default: 100, help: "simulated nodes" },
  { name: "pods", type: "number", arg: "M", min: 1, default: 3000, help: "pods to create" },
  { name: "bare", type: "boolean", help: "create bare pods (default: ReplicaSets, which need the replicaset controller)" },
  { name: "per-set", type: "number", arg: "R", min: 1, default: 100, help: "pods per ReplicaSet" },
  { name: "node-workers", type: "number", arg: "K", min: 1, default: 2, help: "worker threads the kubelets are sharded over" },
  { name: "window", type: "number", arg: "W", min: 1, default: 256, help: "creates in flight" },
  { name: "timeout", type: "number", arg: "SECONDS", min: 1, default: 600, help: "give up when the pods are not all Running by then" },
  { name: "quick", type: "boolean", help: "measure the raw limits with small sizes (a few seconds instead of ~10)" },
  { name: "json", type: "boolean", help: "print the results as one JSON line" },
  { name: "out", type: "string", arg: "FILE", help: "write an SVG chart of pods created, scheduled and running over time" },
  { name: "cpu-prof", type: "string", arg: "DIR", help: "profile every thread during the pod phase; profiles (.cpuprofile) and a summary go to DIR" },
  { name: "log-level", type: "string", arg: "LEVEL", default: "error", help: "debug, info, warn or error" },
  { name: "help", type: "boolean", help: "show this help" },
];

const flags = parseCommandLine({
  name: "loadtest",
  usage: "Usage: npm run loadtest -- [flags]",
  specs,
  check: (f) => {
    if (!["debug", "info", "warn", "error"].includes(String(f["log-level"]))) throw new FlagError(`--log-level must be debug, info, warn or error, got "${f["log-level"]}"`);
  },
});
const nodes = flags.nodes as number;
const pods = flags.pods as number;
const bare = Boolean(flags.bare);
const json = Boolean(flags.json);
const profDir = flags["cpu-prof"] as string | undefined;
const bar = progressBar("loadtest", process.stderr);
const note = (m: string) => {
  bar.done();
  console.error(`loadtest: ${m}`);
};

// Memory of the whole process (every worker shares it), sampled throughout.
let peakRss = 0;
const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, platform.rssBytes())), 200);

// 1. The raw limits and the runtime over them (40% of the bar).
const quick = Boolean(flags.quick);
const raw: RuntimeBenchResult = await measureRuntime({
  ...(quick ? { messages: 100_000, asks: 20_000, roundTrips: 500, comlinkCalls: 5_000 } : {}),
  onProgress: (step, f) => bar.update(0.4 * f, step),
});

// 2. The cluster. Big clusters get a pod network with room for a /24 per node.
let cluster: Cluster | undefined;
let stopping = false;
platform.onShutdownSignal(async () => {
  stopping = true;
  note("interrupted: stopping the cluster");
  await cluster?.stop();
  process.exit(130);
});
const fail = async (message: string, code = 1): Promise<never> => {
  note(message);
  await cluster?.stop();
  process.exit(code);
};
const deadline = Date.now() + (flags.timeout as number) * 1000;
const clusterStart = performance.now();
try {
  cluster = await startCluster({
    nodes,
    nodeWorkers: flags["node-workers"] as number,
    clusterCIDR: nodes > 250 ? "10.128.0.0/9" : "10.244.0.0/16",
    logLevel: flags["log-level"] as "error",
    onProgress: (m) => bar.update(0.4, m),
  });
  await waitForNodes(cluster, nodes, Math.max(1000, deadline - Date.now()), (ready) => bar.update(0.4 + 0.1 * (ready / nodes), `nodes ready ${ready}/${nodes}`));
} catch (err) {
  await fail(`the cluster did not start: ${(err as Error).message}`);
}
const sup = cluster!.supervisor;
const nodesReadyS = (performance.now() - clusterStart) / 1000;
if (!bare) {
  try {
    await checkReplicaSetController(sup);
  } catch (err) {
    await fail((err as Error).message, 2);
  }
}

// 3. The pods: watched from the main thread, created as fast as the apiserver takes them.
const namespace = "loadtest";
const probes = await probeThreads(cluster!);
if (profDir) await probes.startProfiles(profDir);
const apiBefore = await apiserverHandled();
const cpuBefore = await probes.cpu();
const processCpuBefore = process.cpuUsage();
const t0 = performance.now();
const tracker = new PodTracker(t0);
const stopWatch = await trackPods(sup, namespace, tracker);
tracker.sample();
const sampler = setInterval(() => {
  tracker.sample();
  bar.update(0.5 + 0.5 * (tracker.running / pods), `pods created ${tracker.created}, scheduled ${tracker.bound}, running ${tracker.running}/${pods}`);
}, 250);
let createError: unknown;
const created = createPods(sup, { namespace, pods, bare, perSet: flags["per-set"] as number, window: flags.window as number }).catch((err) => (createError = err));
while (tracker.running < pods && Date.now() < deadline && createError === undefined && !stopping) await new Promise((r) => setTimeout(r, 50));
await created;
const tEnd = performance.now();
clearInterval(sampler);
tracker.sample();
const apiAfter = await apiserverHandled();
const cpuAfter = await probes.cpu();
const processCpu = process.cpuUsage(processCpuBefore);
const processCpuS = (processCpu.user + processCpu.system) / 1e6;
const hot = profDir ? await probes.stopProfiles(profDir) : undefined;
await stopWatch();
bar.update(1, `pods running ${tracker.running}/${pods}`);
bar.done();
if (createError) await fail(`creating pods failed: ${(createError as Error).message}`);

// 4. Figures.
const startup = tracker.startupMs();
const runningSpan = tracker.span("running");
const boundSpan = tracker.span("bound");
const seconds = (tEnd - t0) / 1000;
const lastRunningS = runningSpan.last / 1000;
const result: LoadtestResult = {
  ...raw,
  nodes,
  pods,
  mode: bare ? "bare" : "replicasets",
  pods_running: tracker.running,
  pods_per_s: tracker.running === pods ? Math.round(pods / lastRunningS) : Math.round(tracker.running / seconds),
  startup_ms_p50: Math.round(percentile(startup, 50)),
  startup_ms_p90: Math.round(percentile(startup, 90)),
  startup_ms_p99: Math.round(percentile(startup, 99)),
  scheduler_pods_per_s: tracker.bound > 1 ? Math.round(tracker.bound / Math.max(0.001, (boundSpan.last - Math.min(boundSpan.first, tracker.span("added").first)) / 1000)) : 0,
  apiserver_ops_per_s: Math.round((apiAfter - apiBefore) / seconds),
  cpu_s: threadCpu(cpuBefore, cpuAfter, processCpuS),
  cpu_ms_per_pod: Math.round((processCpuS * 100_000) / Math.max(1, tracker.running)) / 100,
  cores: availableParallelism(),
  nodes_ready_s: Math.round(nodesReadyS * 10) / 10,
  run_s: Math.round(seconds * 10) / 10,
  rss_mb: Math.round(Math.max(peakRss, platform.rssBytes()) / 2 ** 20),
};
clearInterval(rssTimer);
if (flags.out) {
  const title = `${fmt(pods)} pods on ${fmt(nodes)} nodes (${result.mode}): ${fmt(result.pods_per_s)} pods/s, startup p99 ${fmt(result.startup_ms_p99)} ms`;
  await writeFile(flags.out as string, podsChart(tracker.series, title));
}
await cluster!.stop();

if (json) console.log(JSON.stringify(result));
else for (const l of resultTable(result)) console.log(l);
if (hot) for (const l of ["", ...profileText(profDir!, hot)]) console.error(l);
const complete = tracker.running === pods;
if (!complete) console.error(`loadtest: only ${tracker.running} of ${pods} pods were Running after ${flags.timeout} s`);
process.exit(complete ? 0 : 1);

// ---------------------------------------------------------------------------

async function apiserverHandled(): Promise<number> {
  const s = (await sup.inspect("apiserver")) as { processed?: number };
  return s.processed ?? 0;
}

/** CPU seconds per thread between two readings, and `other`: the process's threads that run no JavaScript (GC helpers, I/O). */
function threadCpu(before: Record<string, number>, after: Record<string, number>, processS: number): Record<string, number> {
  const round = (v: number) => Math.round(v * 100) / 100;
  const out = Object.fromEntries(Object.entries(after).map(([t, v]) => [t, round(v - (before[t] ?? 0))]));
  const js = Object.values(out).reduce((n, v) => n + v, 0);
  if (js > 0) out.other = round(Math.max(0, processS - js));
  return out;
}

/** A probe actor in every worker (and the main thread's own): CPU time per thread, and CPU profiles on demand. */
async function probeThreads(c: Cluster) {
  const workers = c.supervisor.workers().filter((w) => w.state === "running").map((w) => w.name);
  for (const w of workers) await c.supervisor.spawnActor(w, { address: `probe/${w}`, module: "scripts/lib/loadtest/profiler.ts", export: "profilerActor" });
  const main = new ThreadProfiler();
  return {
    /** CPU seconds used so far by each thread (empty where the platform cannot tell). */
    async cpu(): Promise<Record<string, number>> {
      const out: Record<string, number> = {};
      const own = threadCpuSeconds();
      if (own === undefined) return out;
      out.main = own;
      for (const w of workers) {
        const s = await c.supervisor.ask<number | undefined>(`probe/${w}`, { type: "thread.cpu" }).catch(() => undefined);
        if (s !== undefined) out[w] = s;
      }
      return out;
    },
    async startProfiles(dir: string) {
      await mkdir(dir, { recursive: true });
      for (const w of workers) await c.supervisor.ask(`probe/${w}`, { type: "profile.start" });
      await main.start();
    },
    async stopProfiles(dir: string) {
      const out = [{ thread: "main", ...summarize(await main.stop(join(dir, "main.cpuprofile"))) }];
      for (const w of workers) {
        const s = await c.supervisor.ask<ReturnType<typeof summarize>>(`probe/${w}`, { type: "profile.stop", file: join(dir, `${w}.cpuprofile`) }, { timeoutMs: 60_000 });
        out.push({ thread: w, ...s });
      }
      await writeFile(join(dir, "summary.json"), JSON.stringify(out, null, 2));
      return out;
    },
  };
}
