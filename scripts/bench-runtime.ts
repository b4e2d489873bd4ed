/**
 * `npm run bench:runtime` — the actor runtime against the platform's raw
 * limits, measured in one run. `--json` prints one JSON line; `--quick` runs
 * a small configuration.
 */
import { measureRuntime } from "./bench/runtime-bench.ts";
import { fmt } from "./bench/stats.ts";
import { progressBar } from "./lib/progress.ts";

const json = process.argv.includes("--json");
const quick = process.argv.includes("--quick");
const bar = progressBar("runtime benchmark", process.stderr);
const r = await measureRuntime({
  ...(quick ? { messages: 100_000, asks: 20_000, roundTrips: 500, comlinkCalls: 5_000 } : {}),
  onProgress: (step, f) => bar.update(f, step),
});
bar.done();
if (json) {
  console.log(JSON.stringify(r));
} else {
  const rows: [string, string, string, string][] = [
    ["raw postMessage, one message each", fmt(r.raw_msgs_per_s) + " msg/s", "", ""],
    ["raw postMessage, batches of 1,000", fmt(r.raw_batched_msgs_per_s) + " msg/s", "", ""],
    ["raw round trip p50", r.raw_rtt_us_p50 + " µs", "", ""],
    ["actor tell across workers", fmt(r.actor_msgs_per_s) + " msg/s", (r.actor_msgs_per_s / r.raw_batched_msgs_per_s).toFixed(2) + "× raw batched", "≥ 0.50×"],
    ["actor ask, pipelined", fmt(r.ask_per_s) + " asks/s", (r.ask_per_s / r.comlink_calls_per_s).toFixed(2) + "× comlink", "≥ 3×"],
    ["actor ask round trip p50 / p99", `${r.ask_rtt_us_p50} / ${r.ask_rtt_us_p99} µs`, (r.ask_rtt_us_p50 / Math.max(1, r.raw_rtt_us_p50)).toFixed(2) + "× raw", ""],
    ["comlink calls, pipelined", fmt(r.comlink_calls_per_s) + " calls/s", "", ""],
  ];
  const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i].length), ["measure", "figure", "ratio", "target"][i].length));
  const line = (cells: string[]) => cells.map((c, i) => (i === 1 ? c.padStart(w[i]) : c.padEnd(w[i]))).join("  ");
  console.log(line(["measure", "figure", "ratio", "target"]));
  console.log(w.map((n) => "-".repeat(n)).join("  "));
  for (const row of rows) console.log(line(row));
}
process.exit(0);
