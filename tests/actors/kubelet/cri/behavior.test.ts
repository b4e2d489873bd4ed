import { test } from "uvu";
import * as assert from "uvu/assert";
import { BehaviorError, parseBehavior, parseDuration, type Behavior } from "../../../../actors/kubelet/cri/behavior.ts";
import { hasCode } from "../../../../runtime/errors.ts";
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { Pod } from "../../../../actors/api/types/index.ts";

const ALWAYS = { okFromMs: 0, okUntilMs: Infinity };
const NEVER = { okFromMs: Infinity, okUntilMs: Infinity };

const valid: Array<[string, Partial<Behavior>]> = [
  ["", {}],
  ["run", { exit: undefined }],
  [" ; run ; ", { exit: undefined }],
  ["exit:0", { exit: { code: 0, afterMs: 0 } }],
  ["exit:3@5s", { exit: { code: 3, afterMs: 5000 } }],
  ["exit:255@1.5m", { exit: { code: 255, afterMs: 90_000 } }],
  ["crash", { exit: { code: 1, afterMs: 0 } }],
  ["crash@250ms", { exit: { code: 1, afterMs: 250 } }],
  ["start-delay:2s", { startDelayMs: 2000 }],
  ["ignore-sigterm", { sigterm: "ignore" }],
  ["sigterm:0@3s", { sigterm: { code: 0, afterMs: 3000 } }],
  ["ready-after:10s", { readiness: { okFromMs: 10_000, okUntilMs: Infinity } }],
  ["readiness:fail", { readiness: NEVER }],
  ["liveness:fail-after:30s", { liveness: { okFromMs: 0, okUntilMs: 30_000 } }],
  ["startup:succeed-after:5s", { startup: { okFromMs: 5000, okUntilMs: Infinity } }],
  ["readiness:succeed-after:5s; readiness:fail-after:1m", { readiness: { okFromMs: 5000, okUntilMs: 60_000 } }],
  ["liveness:ok", { liveness: ALWAYS }],
  ['log:"hello; world"@1s', { logs: [{ text: "hello; world", atMs: 1000 }] }],
  ['log:"say \\"hi\\""', { logs: [{ text: 'say "hi"', atMs: 0 }] }],
  ['log-every:1s:"tick"', { logs: [{ text: "tick", atMs: 0, everyMs: 1000 }] }],
  ['log-every:500ms:"tock"@2s', { logs: [{ text: "tock", atMs: 2000, everyMs: 500 }] }],
  ["cpu:250m", { cpu: [{ atMs: 0, value: 250 }] }],
  ["memory:128Mi@1h; memory:64Mi", { memory: [{ atMs: 0, value: 64 * 2 ** 20 }, { atMs: 3_600_000, value: 128 * 2 ** 20 }] }],
  ["cpu:1; exit:0@2s; ready-after:1s", { cpu: [{ atMs: 0, value: 1000 }], exit: { code: 0, afterMs: 2000 }, readiness: { okFromMs: 1000, okUntilMs: Infinity } }],
];

test("valid behaviours parse", () => {
  for (const [text, want] of valid) {
    const got = parseBehavior(text);
    for (const [key, value] of Object.entries(want)) {
      assert.equal(got[key as keyof Behavior], value, `${JSON.stringify(text)} → ${key}`);
    }
  }
});

test("unset parts keep the defaults: runs forever, healthy, 143 on SIGTERM", () => {
  const b = parseBehavior("cpu:100m");
  assert.is(b.exit, undefined);
  assert.is(b.startDelayMs, undefined);
  assert.equal(b.sigterm, { code: 143, afterMs: 0 });
  assert.equal([b.liveness, b.readiness, b.startup], [ALWAYS, ALWAYS, ALWAYS]);
});

const CLAUSES = "run, exit, crash, start-delay, ignore-sigterm, sigterm, ready-after, readiness, liveness, startup, log, log-every, cpu, memory";
const ANSWERS = "ok, fail, fail-after:<duration>, succeed-after:<duration>";

const invalid: Array<[string, string, number]> = [
  ["xyz", `unknown behavior "xyz" at position 1; expected one of: ${CLAUSES}`, 1],
  ["run; xyz", `unknown behavior "xyz" at position 6; expected one of: ${CLAUSES}`, 6],
  ["exit:300", 'invalid exit code "300" at position 6 in "exit"; expected 0-255', 6],
  ["exit:-1", 'invalid exit code "-1" at position 6 in "exit"; expected 0-255', 6],
  ["exit", 'missing argument at position 1 in "exit"; usage: exit:<code>[@<time>]', 1],
  ["exit:1@5x", 'invalid duration "5x" at position 8 in "exit"; expected e.g. 500ms, 5s, 2m, 1h', 8],
  ["start-delay:2", 'invalid duration "2" at position 13 in "start-delay"; expected e.g. 500ms, 5s, 2m, 1h', 13],
  ["start-delay:2s@3s", 'unexpected @time at position 16 in "start-delay"; usage: start-delay:<duration>', 16],
  ["run:1", 'unexpected argument at position 5 in "run"; usage: run', 5],
  ["run; exit:1", 'behavior "exit" at position 6 conflicts with "run" at position 1; use one of run, exit, crash', 6],
  ["run extra", 'unexpected "e" at position 5; separate behaviors with ";"', 5],
  ['log:"abc', 'unterminated string at position 5; close it with "', 5],
  ["log:abc", 'unquoted log text at position 5 in "log"; write it in double quotes, e.g. "abc"', 5],
  ['log-every:0s:"x"', 'period "0s" at position 11 in "log-every"; it must be more than 0s', 11],
  ["readiness", `missing answer at position 1 in "readiness"; expected one of: ${ANSWERS}`, 1],
  ["readiness:maybe", `unknown answer "maybe" at position 11 in "readiness"; expected one of: ${ANSWERS}`, 11],
  ["liveness:fail-after", 'missing duration after "fail-after" at position 10 in "liveness"; e.g. liveness:fail-after:30s', 10],
  ["liveness:fail:1s", 'unexpected argument at position 15 in "liveness"; "fail" takes none', 15],
  ["cpu:abc", 'invalid quantity "abc" at position 5 in "cpu"; expected e.g. 250m, 1', 5],
  ["memory:lots", 'invalid quantity "lots" at position 8 in "memory"; expected e.g. 64Mi, 1Gi', 8],
  ['"run"', 'expected a behavior name at position 1, got "\\""', 1],
];

test("invalid behaviours fail with exact, positioned errors", () => {
  for (const [text, message, position] of invalid) {
    try {
      parseBehavior(text);
      assert.unreachable(`${JSON.stringify(text)} parsed`);
    } catch (err) {
      assert.instance(err, BehaviorError, text);
      assert.is((err as BehaviorError).message, message, text);
      assert.is((err as BehaviorError).position, position, text);
      assert.ok(hasCode(err, "InvalidBehavior"));
    }
  }
});

test("durations", () => {
  const cases: Array<[string, number | undefined]> = [["500ms", 500], ["5s", 5000], ["1.5m", 90_000], ["2h", 7_200_000], ["5", undefined], ["-1s", undefined], ["1d", undefined]];
  for (const [text, ms] of cases) assert.is(parseDuration(text), ms, text);
});

test("parsed behaviours are shared and frozen", () => {
  const a = parseBehavior("exit:1@5s");
  assert.is(parseBehavior("exit:1@5s"), a);
  assert.ok(Object.isFrozen(a));
});

test("the example manifest in BEHAVIOR.md parses", () => {
  const md = readFileSync(new URL("../../../../actors/kubelet/cri/BEHAVIOR.md", import.meta.url), "utf8");
  const yaml = /```yaml\n([\s\S]*?)```/.exec(md)?.[1] ?? "";
  const pod = parseYaml(yaml) as Pod;
  const scripts = Object.entries(pod.metadata.annotations ?? {});
  assert.is(scripts.length, 2);
  const web = parseBehavior(scripts[0][1]);
  assert.equal([web.startDelayMs, web.readiness.okFromMs, web.memory.at(-1)], [2000, 10_000, { atMs: 300_000, value: 300 * 2 ** 20 }]);
  assert.is(parseBehavior(scripts[1][1]).sigterm, "ignore");
});

test.run();
