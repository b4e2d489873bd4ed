/**
 * `npm start` — launches an actorkube cluster: every component an actor in a
 * worker thread of its own, until Ctrl-C. `--once` starts, reports and exits.
 * The same file runs under Deno: `deno run -A scripts/cluster.ts`.
 */
import { parseCommandLine, type FlagSpec } from "./lib/flags.ts";
import { startCluster, waitForNodes, type Cluster } from "./lib/cluster.ts";
import { PortError } from "./lib/access.ts";
import { progressBar } from "./lib/progress.ts";
import { checkClusterFlags, clusterFlags, clusterOptionsFrom } from "./lib/cluster-flags.ts";
import { platform } from "../runtime/platform/index.ts";
import { clusterSummary, printSummary } from "./lib/summary.ts";
import { loadManifests, type Manifest } from "./lib/apply.ts";
import { applyAndWait } from "./lib/startup.ts";
import { serveAttach, type AttachServer } from "./lib/repl/server.ts";
import { LocalPort } from "./lib/repl/port.ts";

const specs: FlagSpec[] = [
  ...clusterFlags,
  { name: "once", type: "boolean", help: "start, apply, wait until the applied workloads are ready, print the summary and exit (1 with the reason if not ready within --timeout)" },
  { name: "json", type: "boolean", help: "print the summary as one JSON line" },
  { name: "help", type: "boolean", help: "show this help" },
];

const exit = platform.exit;

const flags = parseCommandLine({ name: "actorkube", usage: "Usage: npm start -- [flags]   (or: deno run -A scripts/cluster.ts [flags])", specs, check: checkClusterFlags });

// Manifests are read and parsed before anything starts: a bad one costs nothing.
let manifests: Manifest[] = [];
try {
  manifests = await loadManifests(flags.apply as string[]);
} catch (err) {
  console.error(`actorkube: ${(err as Error).message}`);
  exit(2);
}

const json = Boolean(flags.json);
const say = (m: string) => {
  if (!json) console.error(m);
};
let cluster: Cluster;
try {
  cluster = await startCluster({ ...clusterOptionsFrom(flags), onProgress: (m) => say(`actorkube: ${m}`) });
} catch (err) {
  // A port in use or an address that cannot be bound is the user's to fix, like a bad flag.
  if (err instanceof PortError) {
    console.error(`actorkube: --port/--address: ${err.message}`);
    exit(2);
  }
  console.error(`actorkube: the cluster did not start: ${(err as Error).message}`);
  exit(1);
}
if (cluster!.api && !flags["data-dir"]) say(`actorkube: kubeconfig, admin token and certificates are in ${cluster!.api.dir} (removed when the cluster stops)`);

// Ctrl-C from here on stops every worker cleanly (the store's log is flushed) before exiting.
let attach: AttachServer | undefined;
let stopping = false;
platform.onShutdownSignal(async (signal) => {
  if (stopping) return;
  stopping = true;
  say(`actorkube: ${signal}: stopping`);
  await attach?.close();
  await cluster.stop();
  exit(0);
});

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

const started = await applyAndWait(cluster!.supervisor, manifests, {
  waitReady: Boolean(flags.once),
  deadline: Date.now() + (flags.timeout as number) * 1000,
  out: { say, progress: bar.sink, quiet: json },
});
if (started.code === 2) {
  console.error(`actorkube: ${started.message}`);
  await cluster!.stop();
  exit(2);
}

const summary = await clusterSummary(cluster!);
if (json) console.log(JSON.stringify(summary));
else printSummary(summary, (l) => console.log(l));
if (!json && cluster!.api) console.log(`\nexport KUBECONFIG=${cluster!.api.kubeconfig}`);

if (started.code !== 0) console.error(`actorkube: ${started.timedOut ? `not ready after ${flags.timeout} s:\n` : ""}${started.message}`);
if (flags.once) {
  await cluster!.stop();
  exit(started.code);
}

// A REPL attaches through this socket (npm run repl -- --attach).
attach = await serveAttach(new LocalPort(cluster!, clusterOptionsFrom(flags), false)).catch((err) => {
  say(`actorkube: no REPL attach socket: ${(err as Error).message}`);
  return undefined;
});
say(`actorkube: running; Ctrl-C stops the cluster${attach ? `; attach a REPL with: npm run repl -- --attach${flags["data-dir"] ? ` --data-dir ${flags["data-dir"]}` : ""}` : ""}`);
// Keep the main thread alive while the workers run.
setInterval(() => {}, 1 << 30);
