import { test } from "uvu";
import * as assert from "uvu/assert";
import { DEFAULT_BEHAVIOR, type Behavior } from "../../../../actors/kubelet/cri/behavior.ts";
import { inferBehavior, resolveBehavior } from "../../../../actors/kubelet/cri/infer.ts";

type Want = Pick<Behavior, "exit"> & Partial<Pick<Behavior, "logs" | "sigterm">>;

const cases: Array<[string[] | undefined, string[] | undefined, Want]> = [
  [undefined, undefined, { exit: undefined }],
  [["nginx", "-g", "daemon off;"], undefined, { exit: undefined }],
  [["sleep", "infinity"], undefined, { exit: undefined }],
  [["sleep"], ["3600"], { exit: { code: 0, afterMs: 3_600_000 } }],
  [["/bin/sleep", "2m"], undefined, { exit: { code: 0, afterMs: 120_000 } }],
  [["sleep"], undefined, { exit: { code: 1, afterMs: 0 } }],
  [["true"], undefined, { exit: { code: 0, afterMs: 0 } }],
  [["/bin/false"], undefined, { exit: { code: 1, afterMs: 0 } }],
  [["echo", "hello", "world"], undefined, { exit: { code: 0, afterMs: 0 }, logs: [{ text: "hello world", atMs: 0 }] }],
  [["sh", "-c", "sleep 5; exit 1"], undefined, { exit: { code: 1, afterMs: 5000 } }],
  [["sh", "-c"], ["sleep 5 && exit 3"], { exit: { code: 3, afterMs: 5000 } }],
  [["/bin/bash", "-c", "echo 'starting up'; sleep 2; echo done"], undefined, {
    exit: { code: 0, afterMs: 2000 }, logs: [{ text: "starting up", atMs: 0 }, { text: "done", atMs: 2000 }],
  }],
  [["sh", "-c", "sleep 1; false"], undefined, { exit: { code: 1, afterMs: 1000 } }],
  [["sh", "-c", "exit 2; sleep 10"], undefined, { exit: { code: 2, afterMs: 0 } }],
  [["sh", "-c", "sleep infinity; exit 1"], undefined, { exit: undefined }],
  [["sh", "-c", "echo hi; while true; do echo tick; sleep 1; done"], undefined, {
    exit: undefined, logs: [{ text: "hi", atMs: 0 }, { text: "tick", atMs: 0, everyMs: 1000 }],
  }],
  [["sh", "-c", "trap '' TERM; sleep 3600"], undefined, { exit: { code: 0, afterMs: 3_600_000 }, sigterm: "ignore" }],
  [["sh", "-c", "exec sleep 30"], undefined, { exit: { code: 0, afterMs: 30_000 } }],
  [["sh", "-c", "python app.py"], undefined, { exit: undefined }],
];

test("commands infer behaviours", () => {
  for (const [command, args, want] of cases) {
    const got = inferBehavior({ command, args });
    const label = JSON.stringify([command, args]);
    assert.equal(got.exit, want.exit, label);
    assert.equal(got.logs, want.logs ?? [], label);
    assert.equal(got.sigterm, want.sigterm ?? DEFAULT_BEHAVIOR.sigterm, label);
  }
});

test("inferred behaviours are shared per command line", () => {
  const a = inferBehavior({ command: ["sh", "-c"], args: ["sleep 5; exit 1"] });
  assert.is(inferBehavior({ command: ["sh", "-c", "sleep 5; exit 1"] }), a);
  assert.equal(inferBehavior({ command: ["sh", "-c", "exit 4", "exit 9"] }).exit, { code: 4, afterMs: 0 });
});

test("the container's own annotation wins over the pod-wide one, which wins over the command", () => {
  const annotations = { "actorkube.io/behavior": "exit:2", "actorkube.io/behavior.web": "exit:3" };
  const cases: Array<[string, Record<string, string> | undefined, number | undefined, string]> = [
    ["web", annotations, 3, "annotation"],
    ["sidecar", annotations, 2, "annotation"],
    ["sidecar", undefined, 1, "command"],
    ["sidecar", { "actorkube.io/behavior.web": "run" }, 1, "command"],
  ];
  for (const [name, ann, code, source] of cases) {
    const r = resolveBehavior(ann, { name, command: ["false"] });
    if (!r.ok) throw new Error(r.message);
    assert.is(r.behavior.exit?.code, code, name);
    assert.is(r.source, source, name);
  }
});

test("a bad script resolves to CreateContainerConfigError, never a throw", () => {
  const r = resolveBehavior({ "actorkube.io/behavior.web": "run; xyz" }, { name: "web" });
  assert.equal(r, {
    ok: false,
    reason: "CreateContainerConfigError",
    message: 'annotation actorkube.io/behavior.web: unknown behavior "xyz" at position 6; expected one of: run, exit, crash, start-delay, ignore-sigterm, sigterm, ready-after, readiness, liveness, startup, log, log-every, cpu, memory',
  });
});

test.run();
