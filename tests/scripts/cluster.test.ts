import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";

const run = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "scripts/cluster.ts", ...args], { encoding: "utf8", timeout: 60_000, env: { ...process.env, ACTORKUBE_LOG: "error" } });

test("--once --json prints one summary line with every actor and its thread", () => {
  const dir = mkdtempSync(join(tmpdir(), "cluster-test-"));
  const r = run("--once", "--json", "--port", "0", "--nodes", "0", "--data-dir", dir);
  try {
    checkAccess(r.stdout, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.is(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.is(lines.length, 1);
  const s = JSON.parse(lines[0]) as { actors: { address: string; threadId: number }[]; namespaces: string[]; nodes: unknown[] };
  const api = s.actors.find((a) => a.address === "apiserver")!;
  assert.ok(api.threadId > 0, "the apiserver runs in a worker thread");
  assert.equal(s.namespaces, ["default", "kube-node-lease", "kube-public", "kube-system"]);
  assert.ok(Array.isArray(s.nodes));
});

// The kubeconfig, the admin token and the certificates in the data dir, and the API in the summary.
function checkAccess(stdout: string, dir: string): void {
  const s = JSON.parse(stdout.trim().split("\n")[0]!) as { api?: { url: string; kubeconfig: string }; actors: { address: string; worker: string }[] };
  assert.match(s.api?.url ?? "", /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.is(s.api!.kubeconfig, join(dir, "kubeconfig"));
  assert.equal(s.actors.find((a) => a.address === "http")?.worker, "apiserver", "the API front runs in the apiserver's worker");
  const [token, user, , groups] = readFileSync(join(dir, "tokens.csv"), "utf8").trim().split(",");
  assert.ok(token!.length >= 32, "a long admin token");
  assert.equal([user, groups], ["kubernetes-admin", "system:masters"]);
  const kc = parse(readFileSync(s.api!.kubeconfig, "utf8")) as { "current-context": string; clusters: { cluster: { server: string; "certificate-authority-data": string } }[]; users: { name: string; user: { token: string } }[] };
  assert.is(kc["current-context"], "actorkube");
  assert.is(kc.clusters[0]!.cluster.server, s.api!.url);
  assert.is(Buffer.from(kc.clusters[0]!.cluster["certificate-authority-data"], "base64").toString(), readFileSync(join(dir, "pki", "ca.crt"), "utf8"));
  assert.equal(kc.users[0], { name: "kubernetes-admin", user: { token } });
}

test("--once prints human-readable tables, the API and the export line; the per-run folder goes at exit", () => {
  const r = run("--once", "--port", "0", "--nodes", "0");
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /ACTORS\nADDRESS\s+WORKER\s+THREAD\napiserver\s+apiserver\s+\d+/);
  assert.match(r.stdout, /API\nSERVER\s+KUBECONFIG\nhttps:\/\/127\.0\.0\.1:\d+\s+\S+kubeconfig/);
  const kubeconfig = /^export KUBECONFIG=(.+)$/m.exec(r.stdout)?.[1];
  assert.ok(kubeconfig, r.stdout);
  assert.match(r.stderr, new RegExp(`kubeconfig, admin token and certificates are in ${kubeconfig!.replace(/\/kubeconfig$/, "")}`));
  assert.not.ok(existsSync(kubeconfig!), "the per-run folder is removed when the cluster stops");
});

test("a port in use exits 2 with a clear message", async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
  const port = (blocker.address() as { port: number }).port;
  try {
    const r = run("--once", "--port", String(port));
    assert.is(r.status, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`127\\.0\\.0\\.1:${port} is already in use`));
  } finally {
    blocker.close();
  }
});

test("bad flags exit 2 with a message naming the flag", () => {
  const cases: [string[], RegExp][] = [
    [["--frobnicate"], /unknown flag --frobnicate/],
    [["--data-dir"], /--data-dir needs a value/],
    [["--log-level", "loud"], /--log-level must be/],
    [["extra"], /unexpected argument "extra"/],
    [["--port", "65536"], /--port must be at most 65535/],
    [["--port", "-1"], /--port must be at least 0/],
  ];
  for (const [args, msg] of cases) {
    const r = run(...args);
    assert.is(r.status, 2, args.join(" "));
    assert.match(r.stderr, msg);
  }
});

test("--help lists the flags", () => {
  const r = run("--help");
  assert.is(r.status, 0);
  assert.match(r.stdout, /--data-dir DIR/);
  assert.match(r.stdout, /--once/);
  assert.match(r.stdout, /--port PORT\s+serve the Kubernetes API \(HTTPS\) on PORT; 0 = any free port \(default 6443\)/);
  assert.match(r.stdout, /--address IP/);
  assert.match(r.stdout, /--token-auth-file FILE/);
});

test.run();
