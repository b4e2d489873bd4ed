/** The load test's results: the figures, and the table that shows each beside its raw limit. */
import type { RuntimeBenchResult } from "../../bench/runtime-bench.ts";
import { fmt } from "../../bench/stats.ts";
import type { HotSpot } from "./profiler.ts";

/** Everything one run measures (the `--json` line). */
export interface LoadtestResult extends RuntimeBenchResult {
  nodes: number;
  pods: number;
  mode: "bare" | "replicasets";
  pods_running: number;
  pods_per_s: number;
  startup_ms_p50: number;
  startup_ms_p90: number;
  startup_ms_p99: number;
  scheduler_pods_per_s: number;
  apiserver_ops_per_s: number;
  nodes_ready_s: number;
  run_s: number;
  rss_mb: number;
  /** CPU seconds each JavaScript thread used while the pods were created and started, and `other` (GC helpers, I/O); Linux only. */
  cpu_s: Record<string, number>;
  /** CPU milliseconds of the whole process per pod. */
  cpu_ms_per_pod: number;
  /** Cores of this machine. */
  cores: number;
}

/**
 * The results table. Raw limits: a tell against raw batched postMessage; an
 * ask (two messages) and a comlink call against half the raw one-message
 * rate; every request-driven figure against the runtime's own ask rate.
 */
export function resultTable(r: LoadtestResult): string[] {
  const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(a / b < 0.01 ? 4 : 2)}×` : "");
  const askLimit = Math.round(r.raw_msgs_per_s / 2);
  const rows: string[][] = [
    ["raw postMessage, one message each", `${fmt(r.raw_msgs_per_s)} msg/s`, "", ""],
    ["raw postMessage, batches of 1,000", `${fmt(r.raw_batched_msgs_per_s)} msg/s`, "", ""],
    ["raw round trip p50", `${r.raw_rtt_us_p50} µs`, "", ""],
    ["actor tell across workers", `${fmt(r.actor_msgs_per_s)} msg/s`, `${fmt(r.raw_batched_msgs_per_s)} raw batched`, ratio(r.actor_msgs_per_s, r.raw_batched_msgs_per_s)],
    ["actor ask, pipelined", `${fmt(r.ask_per_s)} asks/s`, `${fmt(askLimit)} raw round trips/s`, ratio(r.ask_per_s, askLimit)],
    ["actor ask round trip p50 / p99", `${r.ask_rtt_us_p50} / ${r.ask_rtt_us_p99} µs`, `${r.raw_rtt_us_p50} µs raw`, ratio(r.ask_rtt_us_p50, r.raw_rtt_us_p50)],
    ["comlink calls, pipelined", `${fmt(r.comlink_calls_per_s)} calls/s`, `${fmt(askLimit)} raw round trips/s`, ratio(r.comlink_calls_per_s, askLimit)],
    ["apiserver requests", `${fmt(r.apiserver_ops_per_s)} ops/s`, `${fmt(r.ask_per_s)} asks/s`, ratio(r.apiserver_ops_per_s, r.ask_per_s)],
    ["scheduler", `${fmt(r.scheduler_pods_per_s)} pods/s`, `${fmt(r.ask_per_s)} asks/s`, ratio(r.scheduler_pods_per_s, r.ask_per_s)],
    [`pods created → Running (${r.mode})`, `${fmt(r.pods_per_s)} pods/s`, `${fmt(r.ask_per_s)} asks/s`, ratio(r.pods_per_s, r.ask_per_s)],
    ["pod startup p50 / p90 / p99", `${fmt(r.startup_ms_p50)} / ${fmt(r.startup_ms_p90)} / ${fmt(r.startup_ms_p99)} ms`, "", ""],
    [`nodes Ready (${fmt(r.nodes)})`, `${r.nodes_ready_s} s`, "", ""],
    ["peak memory (all threads)", `${fmt(r.rss_mb)} MB RSS`, "", ""],
  ];
  const head = ["measure", "figure", "raw limit", "ratio"];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 1 || i === 3 ? c.padStart(w[i]) : c.padEnd(w[i]))).join("  ").trimEnd();
  const cpu = Object.entries(r.cpu_s).sort((a, b) => b[1] - a[1]);
  const perPod = (s: number) => (s * 1000) / Math.max(1, r.pods_running);
  const busiest = cpu.find(([t]) => t !== "other");
  const ceiling = Math.min((r.cores * 1000) / Math.max(0.001, r.cpu_ms_per_pod), busiest ? 1000 / Math.max(0.001, perPod(busiest[1])) : Infinity);
  const cpuLines = [
    "",
    ...(cpu.length ? [`CPU during the pod phase (${r.run_s} s of wall time): ${cpu.map(([t, v]) => `${t} ${v} s (${Math.round((v / Math.max(0.001, r.run_s)) * 100)}%)`).join(", ")}`] : []),
    `CPU per pod: ${r.cpu_ms_per_pod.toFixed(2)} ms in the whole process${busiest ? `, ${perPod(busiest[1]).toFixed(2)} ms in the busiest thread (${busiest[0]})` : ""}; ` +
      `CPU-bound ceiling on ${r.cores} cores: ${fmt(ceiling)} pods/s`,
  ];
  return [
    line(head),
    w.map((n) => "-".repeat(n)).join("  "),
    ...rows.map(line),
    ...cpuLines,
    "",
    `${fmt(r.pods_running)} of ${fmt(r.pods)} pods Running on ${fmt(r.nodes)} nodes in ${r.run_s} s; targets: ≥ 1,000 pods/s and p99 < 5,000 ms at 1,000 nodes / 30,000 pods`,
  ];
}

/** Where each thread spent its time, busiest functions first. */
export function profileText(dir: string, threads: { thread: string; totalMs: number; idlePercent: number; hot: HotSpot[] }[]): string[] {
  const out = [`CPU profiles (written to ${dir}): self time of the busiest functions, per thread`];
  for (const t of threads) {
    out.push("", `${t.thread}: ${t.totalMs} ms profiled, ${t.idlePercent}% idle`);
    for (const h of t.hot.slice(0, 8)) out.push(`  ${String(h.percent).padStart(5)}%  ${h.fn}  ${h.where}`);
  }
  return out;
}
