import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { podsChart } from "../../scripts/lib/loadtest/chart.ts";
import { PodTracker } from "../../scripts/lib/loadtest/pods.ts";
import { summarize } from "../../scripts/lib/loadtest/profiler.ts";
import { resultTable, type LoadtestResult } from "../../scripts/lib/loadtest/report.ts";

// The load test in a tiny configuration: the figures must be there and sane, not fast.
const dir = mkdtempSync(join(tmpdir(), "ak-load-"));
const run = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "scripts/loadtest.ts", "--quick", ...args], { encoding: "utf8", timeout: 60_000, env: { ...process.env, ACTORKUBE_LOG: "error" } });

test("one run measures the raw limits, the runtime and the cluster; --json and --out", () => {
  const svg = join(dir, "pods.svg");
  const r = run("--nodes", "2", "--pods", "12", "--per-set", "5", "--json", "--out", svg);
  assert.is(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.is(lines.length, 1, "one JSON line");
  const j = JSON.parse(lines[0]) as Record<string, number | string>;
  const positive = ["raw_msgs_per_s", "raw_batched_msgs_per_s", "raw_rtt_us_p50", "actor_msgs_per_s", "ask_per_s", "ask_rtt_us_p50", "comlink_calls_per_s", "pods_per_s", "startup_ms_p50", "startup_ms_p99", "rss_mb", "apiserver_ops_per_s", "scheduler_pods_per_s"];
  positive.push("cpu_ms_per_pod");
  for (const k of positive) assert.ok(typeof j[k] === "number" && (j[k] as number) > 0, `${k} = ${j[k]}`);
  if (process.platform === "linux") assert.ok((j.cpu_s as unknown as Record<string, number>).apiserver > 0, "the apiserver's CPU time is measured");
  assert.is(j.nodes, 2);
  assert.is(j.pods, 12);
  assert.is(j.pods_running, 12);
  assert.is(j.mode, "replicasets");
  assert.ok((j.startup_ms_p50 as number) <= (j.startup_ms_p99 as number), "p50 ≤ p99");
  assert.ok((j.startup_ms_p99 as number) < 60_000, "latencies are in milliseconds");
  assert.ok((j.raw_batched_msgs_per_s as number) > (j.raw_msgs_per_s as number) / 2, "batching does not make messages slower");
  assert.ok((j.rss_mb as number) > 20 && (j.rss_mb as number) < 16_000, `rss_mb ${j.rss_mb}`);
  assert.ok((j.pods_per_s as number) < 1e6, "pods/s is a rate, not a count");
  const chart = readFileSync(svg, "utf8");
  assert.match(chart, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(chart, /12 pods on 2 nodes/);
  assert.is((chart.match(/<polyline /g) ?? []).length, 3);
});

test("the results table puts each figure beside its raw limit; bad flags exit 2", () => {
  const r: LoadtestResult = {
    raw_msgs_per_s: 400_000, raw_batched_msgs_per_s: 1_000_000, raw_rtt_us_p50: 20, actor_msgs_per_s: 600_000, ask_per_s: 250_000, ask_rtt_us_p50: 40, ask_rtt_us_p99: 90, comlink_calls_per_s: 50_000,
    nodes: 100, pods: 3000, mode: "bare", pods_running: 3000, pods_per_s: 600, startup_ms_p50: 900, startup_ms_p90: 2000, startup_ms_p99: 3100, scheduler_pods_per_s: 1200, apiserver_ops_per_s: 5000, nodes_ready_s: 4.2, run_s: 5.1, rss_mb: 700, cpu_s: { apiserver: 4.8, scheduler: 1.2 }, cpu_ms_per_pod: 2, cores: 2,
  };
  const text = resultTable(r).join("\n");
  assert.match(text, /actor tell across workers\s+600,000 msg\/s\s+1,000,000 raw batched\s+0\.60×/);
  assert.match(text, /actor ask, pipelined\s+250,000 asks\/s\s+200,000 raw round trips\/s\s+1\.25×/);
  assert.match(text, /pods created → Running \(bare\)\s+600 pods\/s\s+250,000 asks\/s\s+0\.0024×/);
  assert.match(text, /pod startup p50 \/ p90 \/ p99\s+900 \/ 2,000 \/ 3,100 ms/);
  assert.match(text, /3,000 of 3,000 pods Running on 100 nodes in 5\.1 s/);
  assert.match(text, /CPU during the pod phase \(5\.1 s of wall time\): apiserver 4\.8 s \(94%\), scheduler 1\.2 s \(24%\)/);
  assert.match(text, /CPU per pod: 2\.00 ms in the whole process, 1\.60 ms in the busiest thread \(apiserver\); CPU-bound ceiling on 2 cores: 625 pods\/s/);
  const bad = run("--pods", "0");
  assert.is(bad.status, 2);
  assert.match(bad.stderr, /--pods must be at least 1/);
});

test("the tracker times each pod from ADDED to bound to Running; the chart scales to the data", () => {
  const t = new PodTracker(performance.now());
  const pod = (uid: string, nodeName?: string, phase?: string) => ({ metadata: { uid, name: uid }, spec: { nodeName }, status: { phase } });
  t.observe([{ type: "ADDED", object: pod("a") as never }, { type: "ADDED", object: pod("b") as never }]);
  t.observe([{ type: "MODIFIED", object: pod("a", "n1") as never }]);
  t.observe([{ type: "MODIFIED", object: pod("a", "n1", "Running") as never }, { type: "MODIFIED", object: pod("a", "n1", "Running") as never }]);
  assert.equal([t.created, t.bound, t.running], [2, 1, 1]);
  assert.is(t.startupMs().length, 1);
  t.sample();
  assert.match(podsChart(t.series, "t"), /<text[^>]*>t<\/text>/);
});

test("a profile summary ranks functions by self time and leaves idle out", () => {
  const frame = (functionName: string) => ({ functionName, url: "file:///work/main/actors/x.ts", lineNumber: 9 });
  const s = summarize({
    startTime: 0,
    endTime: 1_000_000,
    nodes: [
      { id: 1, callFrame: frame("(idle)"), hitCount: 50 },
      { id: 2, callFrame: frame("hot"), hitCount: 40 },
      { id: 3, callFrame: frame("warm"), hitCount: 10 },
    ],
  });
  assert.is(s.idlePercent, 50);
  assert.equal(s.hot.map((h) => [h.fn, h.where, h.percent]), [["hot", "actors/x.ts:10", 40], ["warm", "actors/x.ts:10", 10]]);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
