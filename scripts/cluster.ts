/**
 * `npm start` — launches an actorkube cluster: every component an actor in a
 * worker thread of its own, until Ctrl-C. `--once` starts, reports and exits.
 * The same file runs under Deno: `deno run -A scripts/cluster.ts`.
 */
import { FlagError, helpText, parseFlags, type FlagSpec } from "./lib/flags.ts";
import { startCluster, waitForNodes, type Cluster } from "./lib/cluster.ts";
import { progressBar } from "./lib/progress.ts";
import { parseCIDR } from "../cni/cidr.ts";
import { platform } from "../runtime/platform/index.ts";
import { clusterSummary, printSummary } from "./lib/summary.ts";

const specs: FlagSpec[] = [
  { name: "nodes", type: "number", arg: "N", min: 0, default: 3, help: "simulated nodes (kubelets)" },
  { name: "node-workers", type: "number", arg: "K", min: 1, default: 2, help: "worker threads the kubelets are sharded over" },
  { name: "cluster-cidr", type: "string", arg: "CIDR", default: "10.244.0.0/16", help: "the pod network; each node gets a slice of it" },
  { name: "node-cidr-mask-size", type: "number", arg: "BITS", min: 8, default: 24, help: "prefix length of each node's podCIDR" },
  { name: "timeout", type: "number", arg: "SECONDS", min: 1, default: 120, help: "how long --once waits for the cluster to be ready" },
  { name: "data-dir", type: "string", arg: "DIR", help: "keep cluster state in a write-ahead log in DIR (in memory when absent)" },
  { name: "once", type: "boolean", help: "start, print the summary and exit" },
  { name: "json", type: "boolean", help: "print the summary as one JSON line" },
  { name: "log-level", type: "string", arg: "LEVEL", help: "debug, info, warn or error", default: "warn" },
  { name: "help", type: "boolean", help: "show this help" },
];

const proc = (globalThis as { process?: { argv: string[]; exit(code: number): never; stdout: { isTTY?: boolean } } }).process;
const deno = (globalThis as { Deno?: { args: string[]; exit(code: number): never } }).Deno;
const argv = deno ? deno.args : proc!.argv.slice(2);
const exit = (code: number): never => (deno ? deno.exit(code) : proc!.exit(code));

let flags;
try {
  flags = parseFlags(argv, specs);
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
} catch (err) {
  if (err instanceof FlagError) {
    console.error(`actorkube: ${err.message}`);
    exit(2);
  }
  throw err;
}
if (flags.help) {
  console.log(helpText("Usage: npm start -- [flags]   (or: deno run -A scripts/cluster.ts [flags])", specs));
  exit(0);
}

const json = Boolean(flags.json);
const say = (m: string) => {
  if (!json) console.error(m);
};
let cluster: Cluster;
try {
  cluster = await startCluster({
    dataDir: flags["data-dir"] as string | undefined,
    nodes: flags.nodes as number,
    clusterCIDR: flags["cluster-cidr"] as string,
    nodeCIDRMaskSize: flags["node-cidr-mask-size"] as number,
    nodeWorkers: flags["node-workers"] as number,
    logLevel: flags["log-level"] as "warn",
    onProgress: (m) => say(`actorkube: ${m}`),
  });
} catch (err) {
  console.error(`actorkube: the cluster did not start: ${(err as Error).message}`);
  exit(1);
}

const wanted = flags.nodes as number;
const bar = progressBar("nodes ready", (globalThis as { process?: { stderr: { write(s: string): unknown; isTTY?: boolean } } }).process?.stderr ?? { write: () => 0 });
try {
  await waitForNodes(cluster!, wanted, (flags.timeout as number) * 1000, (ready) => {
    if (!json && wanted > 0) bar.update(ready / wanted, `${ready}/${wanted}`);
  });
  bar.done();
} catch (err) {
  bar.done();
  console.error(`actorkube: ${(err as Error).message}`);
  await cluster!.stop();
  exit(1);
}

const summary = await clusterSummary(cluster!);
if (json) console.log(JSON.stringify(summary));
else printSummary(summary, (l) => console.log(l));

if (flags.once) {
  await cluster!.stop();
  exit(0);
}

say("actorkube: running; Ctrl-C stops the cluster");
let stopping = false;
platform.onShutdownSignal(async (signal) => {
  if (stopping) return;
  stopping = true;
  say(`actorkube: ${signal}: stopping`);
  await cluster.stop();
  exit(0);
});
// Keep the main thread alive while the workers run.
setInterval(() => {}, 1 << 30);
