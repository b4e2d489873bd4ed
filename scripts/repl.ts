/**
 * `npm run repl` — a REPL to send messages to any actor and work with
 * objects. It starts a cluster in this process (the flags of `npm start`) or
 * attaches to a running one (`--attach`; `--data-dir` picks which). With
 * piped input it runs the statements in order, each settled before the next,
 * then exits: `echo 'await get("nodes")' | npm run repl`.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { FlagError, parseCommandLine, type FlagSpec } from "./lib/flags.ts";
import { checkClusterFlags, clusterFlags, clusterOptionsFrom } from "./lib/cluster-flags.ts";
import { startCluster, waitForNodes, type Cluster } from "./lib/cluster.ts";
import { loadManifests, type Manifest } from "./lib/apply.ts";
import { applyAndWait } from "./lib/startup.ts";
import { progressBar } from "./lib/progress.ts";
import { LocalPort, type ClusterPort } from "./lib/repl/port.ts";
import { RemotePort } from "./lib/repl/remote.ts";
import { findCluster } from "./lib/repl/server.ts";
import { runSession } from "./lib/repl/session.ts";
import { platform } from "../runtime/platform/index.ts";

const specs: FlagSpec[] = [
  // An in-process cluster serves its API on any free port, and keeps quiet below errors so the REPL stays readable.
  ...clusterFlags.map((f) => (f.name === "port" ? { ...f, default: 0, help: "serve the Kubernetes API (HTTPS) on PORT; 0 = any free port" } : f.name === "log-level" ? { ...f, default: "error" } : f)),
  { name: "attach", type: "boolean", help: "attach to a running cluster (the newest, or the one using --data-dir) instead of starting one" },
  { name: "help", type: "boolean", help: "show this help" },
];

const say = (m: string) => console.error(`actorkube: ${m}`);
const flags = parseCommandLine({
  name: "actorkube",
  usage: "Usage: npm run repl -- [flags]     (piped: echo 'await get(\"nodes\")' | npm run repl)",
  specs,
  check(flags) {
    checkClusterFlags(flags);
    if (flags.attach) {
      const given = process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")[0]).filter((n) => n !== "attach" && n !== "data-dir" && n !== "log-level" && specs.some((s) => s.name === n));
      if (given.length) throw new FlagError(`--attach uses the running cluster as it is: --${given[0]} cannot be given with it`);
    }
  },
});

let manifests: Manifest[] = [];
try {
  manifests = await loadManifests(flags.apply as string[]);
} catch (err) {
  say((err as Error).message);
  process.exit(2);
}

const interactive = Boolean(process.stdin.isTTY);
let port: ClusterPort;
let cluster: Cluster | undefined;
const dataDir = flags["data-dir"] as string | undefined;

if (flags.attach) {
  try {
    const info = await findCluster(dataDir);
    port = await RemotePort.connect(info);
  } catch (err) {
    say((err as Error).message);
    process.exit(1);
  }
} else {
  const options = clusterOptionsFrom(flags);
  try {
    cluster = await startCluster({ ...options, onProgress: (m) => interactive && say(m) });
  } catch (err) {
    say(`the cluster did not start: ${(err as Error).message}`);
    process.exit((err as { name?: string }).name === "PortError" ? 2 : 1);
  }
  const wanted = flags.nodes as number;
  const bar = progressBar("nodes ready", process.stderr);
  try {
    await waitForNodes(cluster!, wanted, (flags.timeout as number) * 1000, (ready) => wanted > 0 && interactive && bar.update(ready / wanted, `${ready}/${wanted}`));
    bar.done();
  } catch (err) {
    bar.done();
    say((err as Error).message);
    await cluster!.stop();
    process.exit(1);
  }
  port = new LocalPort(cluster!, options);
}

let closing: Promise<void> | undefined;
const shutdown = (code: number) => {
  closing ??= (async () => {
    try {
      await port.close();
    } finally {
      process.exit(code);
    }
  })();
  return closing;
};
platform.onShutdownSignal(() => void shutdown(130));

if (manifests.length) {
  const r = await applyAndWait({ ask: (to, msg, o) => port.ask(to, msg, o?.timeoutMs) }, manifests, { waitReady: false, deadline: Date.now(), out: { say: (l) => console.error(l), progress: process.stderr } });
  if (r.code !== 0) {
    say(r.message ?? "apply failed");
    await shutdown(r.code);
  }
}

const historyFile = port.dataDir ? join(port.dataDir, "repl_history") : join(homedir(), ".actorkube_repl_history");
const code = await runSession(port, {
  input: process.stdin,
  output: process.stdout,
  interactive,
  historyFile,
  banner: `actorkube REPL on ${port.where}${cluster?.api ? `; kubectl: export KUBECONFIG=${cluster.api.kubeconfig}` : ""}\n.help lists the helpers; Ctrl-D or .exit leaves${cluster ? " (and stops the cluster)" : ""}.`,
});
await shutdown(code);
