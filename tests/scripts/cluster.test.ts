import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";

const run = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "scripts/cluster.ts", ...args], { encoding: "utf8", timeout: 60_000, env: { ...process.env, ACTORKUBE_LOG: "error" } });

test("--once --json prints one summary line with every actor and its thread", () => {
  const r = run("--once", "--json");
  assert.is(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.is(lines.length, 1);
  const s = JSON.parse(lines[0]) as { actors: { address: string; threadId: number }[]; namespaces: string[]; nodes: unknown[] };
  const api = s.actors.find((a) => a.address === "apiserver")!;
  assert.ok(api.threadId > 0, "the apiserver runs in a worker thread");
  assert.equal(s.namespaces, ["default", "kube-node-lease", "kube-public", "kube-system"]);
  assert.ok(Array.isArray(s.nodes));
});

test("--once prints human-readable tables", () => {
  const r = run("--once");
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /ACTORS\nADDRESS\s+WORKER\s+THREAD\napiserver\s+apiserver\s+\d+/);
});

test("bad flags exit 2 with a message naming the flag", () => {
  const cases: [string[], RegExp][] = [
    [["--frobnicate"], /unknown flag --frobnicate/],
    [["--data-dir"], /--data-dir needs a value/],
    [["--log-level", "loud"], /--log-level must be/],
    [["extra"], /unexpected argument "extra"/],
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
});

test.run();
