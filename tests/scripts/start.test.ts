import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// `npm start` with --apply and --once: exit codes, messages and the summary a user relies on.
const home = mkdtempSync(join(tmpdir(), "ak-start-"));
const env = { ...process.env, ACTORKUBE_LOG: "error", ACTORKUBE_HOME: home };
const run = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "scripts/cluster.ts", "--port", "0", "--nodes", "1", ...args], { encoding: "utf8", timeout: 60_000, env });

const file = (name: string, text: string) => {
  const p = join(home, name);
  writeFileSync(p, text);
  return p;
};

test("a manifest that does not parse exits 2 before anything starts, naming file, document and line", () => {
  const bad = file("bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nmetadata: {name: b}\n");
  const cases: [string, RegExp][] = [
    [bad, /bad\.yaml, document 2 \(line 5\): kind: Required value/],
    [join(home, "missing.yaml"), /missing\.yaml: no such file or directory/],
  ];
  for (const [path, msg] of cases) {
    const t = Date.now();
    const r = run("--apply", path, "--once");
    assert.is(r.status, 2, r.stderr);
    assert.match(r.stderr, msg);
    assert.not.match(r.stderr, /starting apiserver/, "nothing was started");
    assert.ok(Date.now() - t < 15_000);
  }
});

test("an object the apiserver rejects exits 2 and nothing of the file is applied", () => {
  const bad = file("invalid.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fine}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: broken}\nspec:\n  containers:\n    - name: c\n");
  const r = run("--apply", bad, "--once", "--json");
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stderr, /invalid\.yaml, document 2 \(line 5\): pod "broken": .*spec\.containers\[0\]\.image: Required value/);
  assert.match(r.stderr, /nothing was applied/);
  assert.is(r.stdout, "", "no summary");
});

test("--once --json on the web example: every replica Running with an IP, the Service with its ready endpoints", () => {
  const r = run("--apply", "examples/web.yaml", "--once", "--json");
  assert.is(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.is(lines.length, 1, "one JSON line");
  const s = JSON.parse(lines[0]) as { pods: { name: string; phase: string; node?: string; podIP?: string }[]; services: { name: string; type: string; clusterIP?: string; readyEndpoints: number }[] };
  const web = s.pods.filter((p) => p.name.startsWith("web-"));
  assert.is(web.length, 3);
  for (const p of web) {
    assert.is(p.phase, "Running");
    assert.is(p.node, "node-1");
    assert.match(p.podIP ?? "", /^10\.244\.\d+\.\d+$/);
  }
  const svc = s.services.find((x) => x.name === "web")!;
  assert.is(svc.type, "ClusterIP");
  assert.is(svc.readyEndpoints, 3);
});

test("--once gives up at --timeout, exits 1 and says why: the scheduler's message, the container's back-off", () => {
  const t = Date.now();
  const r = run("--apply", "examples/unschedulable.yaml", "--apply", "examples/crashloop.yaml", "--once", "--timeout", "3");
  assert.is(r.status, 1, r.stderr);
  assert.match(r.stderr, /not ready after 3 s/);
  assert.match(r.stderr, /pod\/too-big is not ready: pod too-big is unschedulable: 0\/1 nodes are available: 1 Insufficient cpu/);
  assert.match(r.stderr, /pod\/crasher is not ready: pod crasher: container app is waiting: CrashLoopBackOff/);
  assert.match(r.stdout, /PODS\n(.*\n)*?default\s+too-big\s+Pending/, "the summary is still printed");
  assert.ok(Date.now() - t < 30_000);
});

test("a running cluster advertises the REPL's attach socket and Ctrl-C stops it cleanly", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/cluster.ts", "--port", "0", "--nodes", "1", "--node-workers", "1"], { env });
  let err = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (d) => (err += d));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  const start = Date.now();
  while (!/attach a REPL with: npm run repl -- --attach/.test(err)) {
    if (Date.now() - start > 20_000) throw new Error(`no ready line: ${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(readdirSync(join(home, "run")), [`${child.pid}.json`]);
  child.kill("SIGINT");
  assert.is(await exited, 0, err);
  assert.match(err, /SIGINT: stopping/);
  assert.equal(readdirSync(join(home, "run")), [], "the attach file is removed");
});

test.after(() => rmSync(home, { recursive: true, force: true }));
test.run();
