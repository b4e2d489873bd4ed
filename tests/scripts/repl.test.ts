import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// The REPL driven through piped standard input, as scripts (and users) drive it.
const home = mkdtempSync(join(tmpdir(), "ak-repl-"));
const env = { ...process.env, ACTORKUBE_LOG: "error", ACTORKUBE_HOME: home, HOME: home, NO_COLOR: "1" };

function repl(script: string, args: string[] = []): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/repl.ts", ...(args.includes("--attach") ? [] : ["--nodes", "2"]), ...args], { env });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (err += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the REPL did not exit; stdout:\n${out}\nstderr:\n${err}`));
    }, 40_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
    child.stdin.end(script);
  });
}

/** Asserts that `patterns` match `text` in this order. */
function inOrder(text: string, patterns: RegExp[]): void {
  let at = 0;
  for (const p of patterns) {
    const m = new RegExp(p.source, p.flags.replace("g", "") + "g");
    m.lastIndex = at;
    const found = m.exec(text);
    assert.ok(found, `expected ${p} after position ${at} in:\n${text.slice(at)}`);
    at = found!.index + found![0].length;
  }
}

test("piped statements run in order, each settled before the next; every helper; errors print typed and the REPL goes on", async () => {
  const script = [
    `await get("nodes")`,
    `(await get("nodes")).length`,
    `await apply("examples/job-pod.yaml")`,
    `await apply({ apiVersion: "v1", kind: "Pod", metadata: { name: "hello" }, spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox:1.36", command: ["sh", "-c", "echo hello; echo world"] }] } })`,
    `const seen = []`,
    `const w = await watch("pods", (e) => seen.push(e.type + " " + e.object.metadata.name))`,
    `await apply({ apiVersion: "v1", kind: "Pod", metadata: { name: "a", labels: { app: "a" } }, spec: { containers: [{ name: "c", image: "nginx:1.27" }] } })`,
    `for (let i = 0; i < 200 && (await get("pod", "a")).status.phase !== "Running"; i++) await sleep(25)`,
    `await w.stop()`,
    `"watched: " + seen.includes("ADDED a") + " " + seen.some((s) => s === "MODIFIED a")`,
    `await get("pods", { labelSelector: "app=a" })`,
    `for (let i = 0; i < 200 && (await get("pod", "hello")).status.phase !== "Succeeded"; i++) await sleep(25)`,
    `(await logs("hello")).join("|")`,
    `await apply("apiVersion: apps/v1\\nkind: Deployment\\nmetadata: {name: d}\\nspec:\\n  replicas: 1\\n  selector: {matchLabels: {app: d}}\\n  template:\\n    metadata: {labels: {app: d}}\\n    spec: {containers: [{name: c, image: nginx:1.27}]}\\n")`,
    `await scale("deploy", "d", 4)`,
    `"replicas " + (await get("deployments", "d")).spec.replicas`,
    `await del("pod", "a")`,
    `(await events()).some((e) => e.reason === "Scheduled")`,
    `await ask("nobody", { type: "x" })`,
    `await ask("apiserver", { type: "bogus" })`,
    `await ask("apiserver", { type: "api.get", resource: 7 })`,
    `await get("widgets")`,
    `await send("nobody", { type: "x" })`,
    `"still " +`,
    `  "going"`,
    `let o = {`,
    `  n: 41,`,
    `}`,
    `o.n + 1`,
    `await kill("scheduler")`,
    `(await actors()).find((a) => a.address === "scheduler").worker`,
    `await stopNode("node-1")`,
    `(await ask("kubelet/node-1", { type: "kubelet.status" })).heartbeating`,
    `await startNode("kubelet/node-1")`,
    `const added = await addNode({ name: "big", cpu: "16", labels: { pool: "big" } })`,
    `added.ready + " " + added.worker.startsWith("node-pool-")`,
    `(await get("node", "big")).status.capacity.cpu`,
    `(await get("nodes", { labelSelector: "pool=big" })).map((n) => n.metadata.name)`,
    `for await (const e of watch("nodes")) { if (e.object.metadata.name === "big") { console.log("iterated", e.type, e.object.metadata.name); break } }`,
    `await actors()`,
    `.actors`,
    `.help`,
  ].join("\n");
  const r = await repl(script);
  assert.is(r.code, 1, `a failed statement makes the exit code 1\n${r.err}`);
  inOrder(r.out, [
    /NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\nnode-1\s+Ready/,
    /^2$/m,
    /^pod\/report created$/m,
    /^pod\/hello created$/m,
    /^pod\/a created$/m,
    /'watched: true true'/,
    /NAMESPACE\s+NAME\s+READY\s+STATUS.*\ndefault\s+a\s+1\/1\s+Running/,
    /'hello\|world'/,
    /^deployment\.apps\/d created$/m,
    /^deployment\.apps\/d scaled$/m,
    /'replicas 4'/,
    /^pod "a" deleted$/m,
    /^true$/m,
    /Uncaught ActorError \[UnknownActor\]: no actor at address "nobody"/,
    /ActorError \[UnknownMessage\]: apiserver has no handler for message type "bogus"/,
    /ActorError \[BadMessage\]: bad "api\.get" message for apiserver: resource: expected string/,
    /Uncaught Error: the server doesn't have a resource type "widgets"/,
    /Uncaught ActorError \[UnknownActor\]: no actor at address "nobody"/,
    /'still going'/,
    /^42$/m,
    /supervisor: worker scheduler exited: Error: crash requested/,
    /supervisor: worker scheduler restarting in \d+ ms/,
    /supervisor: worker scheduler started again \(thread \d+, restart 1\)/,
    /'scheduler'/,
    /\{ node: 'node-1', heartbeating: false \}/,
    /^false$/m,
    /\{ node: 'node-1', heartbeating: true \}/,
    /'true true'/,
    /'16'/,
    /\[ 'big' \]/,
    /iterated ADDED big/,
    /ADDRESS\s+WORKER\s+THREAD\s+MAILBOX\s+HANDLED\s+ERRORS\napiserver\s+apiserver\s+\d+\s+\d+\s+\d+/,
    /kubelet\/big\s+node-pool-\d/,
    /ADDRESS\s+WORKER/,
    /Helpers \(all async: use await\):/,
    /kill\(address\)/,
    /\.actors/,
  ]);
});

test("--attach works with a running cluster through its socket and leaves it running", async () => {
  process.env.ACTORKUBE_HOME = home;
  const { startCluster } = await import("../../scripts/lib/cluster.ts");
  const { LocalPort } = await import("../../scripts/lib/repl/port.ts");
  const { serveAttach } = await import("../../scripts/lib/repl/server.ts");
  const cluster = await startCluster({ nodes: 1, logLevel: "error" });
  const attach = await serveAttach(new LocalPort(cluster, { nodes: 1 }, false));
  try {
    const script = [
      `(await get("nodes")).map((n) => n.metadata.name)`,
      `await kill("cni")`,
      `const got = []`,
      `const w = await watch("configmaps", (e) => got.push(e.object.metadata.name), { namespace: "default" })`,
      `await apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "over-the-wire" }, data: { when: "now" } })`,
      `await sleep(200); await w.stop(); got`,
      `await ask("nobody", { type: "x" })`,
    ].join("\n");
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/repl.ts", "--attach"], { env });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (out += d));
    let err = "";
    child.stderr.setEncoding("utf8").on("data", (d) => (err += d));
    child.stdin.end(script);
    const code = await new Promise<number | null>((r) => child.on("exit", r));
    assert.is(code, 1, err);
    inOrder(out, [/\[ 'node-1' \]/, /supervisor: worker cni started again/, /configmap\/over-the-wire created/, /\[ 'over-the-wire' \]/, /Uncaught ActorError \[UnknownActor\]/]);
    const cm = await cluster.supervisor.ask<{ data: Record<string, string> }>("apiserver", { type: "api.get", resource: "configmaps", namespace: "default", name: "over-the-wire" });
    assert.equal(cm.data, { when: "now" }, "the cluster kept running after the REPL left");
    const ok = await repl(`await get("nodes")\n`, ["--attach"]);
    assert.is(ok.code, 0, ok.err);
    assert.match(ok.out, /node-1\s+Ready/);
    const cut = await repl(`const x = {\n  a: 1,\n`, ["--attach"]);
    assert.is(cut.code, 1);
    assert.match(cut.out, /the input ended inside a statement/);
  } finally {
    await attach.close();
    await cluster.stop();
  }
});

test("a wrong flag exits 2; --attach with no running cluster says so", async () => {
  const bad = await repl("", ["--frobnicate"]);
  assert.is(bad.code, 2);
  assert.match(bad.err, /unknown flag --frobnicate/);
  const none = await new Promise<{ code: number | null; err: string }>((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/repl.ts", "--attach", "--data-dir", join(home, "nowhere")], { env });
    let err = "";
    child.stderr.setEncoding("utf8").on("data", (d) => (err += d));
    child.stdin.end("");
    child.on("exit", (code) => resolve({ code, err }));
  });
  assert.is(none.code, 1);
  assert.match(none.err, /no running cluster uses --data-dir/);
});

test.after(() => rmSync(home, { recursive: true, force: true }));
test.run();
