import { test } from "uvu";
import * as assert from "uvu/assert";
import { SimulatedClock } from "../../../../runtime/clock.ts";
import { errorCode } from "../../../../runtime/errors.ts";
import type { Probe } from "../../../../actors/api/types/index.ts";
import { SimulatedRuntime, type SimulatedRuntimeOptions } from "../../../../actors/kubelet/cri/simulated.ts";
import type { ContainerConfig, ContainerEvent } from "../../../../actors/kubelet/cri/types.ts";

const MiB = 2 ** 20;

function setup(options: Partial<SimulatedRuntimeOptions> = {}) {
  const clock = new SimulatedClock();
  const rt = new SimulatedRuntime({ clock, preloaded: ["busybox"], ...options });
  let n = 0;
  const sandbox = (annotations: Record<string, string> = {}) =>
    rt.RunPodSandbox({ metadata: { name: `pod-${++n}`, namespace: "default", uid: `uid-${n}`, attempt: 0 }, annotations });
  /** A started container scripted by `behavior` (the pod annotation). */
  const container = async (behavior: string, extra: Partial<ContainerConfig> = {}) => {
    const sb = await sandbox({ "actorkube.io/behavior": behavior });
    const id = await rt.CreateContainer(sb, { metadata: { name: "app", attempt: 0 }, image: "busybox", ...extra });
    return { sb, id, started: rt.StartContainer(id) };
  };
  const status = (id: string) => rt.ContainerStatus(id);
  return { clock, rt, sandbox, container, status };
}

async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    return { code: errorCode(err), message: (err as Error).message };
  }
  throw new Error("expected a rejection");
}

type Expect = [afterMs: number, state: string, exitCode?: number, reason?: string];

const lifecycles: Array<{ behavior: string; limit?: number; steps: Expect[] }> = [
  { behavior: "run", steps: [[0, "CONTAINER_RUNNING"], [3_600_000, "CONTAINER_RUNNING"]] },
  { behavior: "exit:3@5s", steps: [[4999, "CONTAINER_RUNNING"], [1, "CONTAINER_EXITED", 3, "Error"]] },
  { behavior: "exit:0@1s", steps: [[1000, "CONTAINER_EXITED", 0, "Completed"]] },
  { behavior: "crash", steps: [[0, "CONTAINER_EXITED", 1, "Error"]] },
  { behavior: "start-delay:2s", steps: [[1999, "CONTAINER_CREATED"], [1, "CONTAINER_RUNNING"]] },
  { behavior: "start-delay:1s; exit:4@1s", steps: [[1000, "CONTAINER_RUNNING"], [1000, "CONTAINER_EXITED", 4, "Error"]] },
  { behavior: "memory:32Mi; memory:256Mi@10s", limit: 128 * MiB, steps: [[9999, "CONTAINER_RUNNING"], [1, "CONTAINER_EXITED", 137, "OOMKilled"]] },
  { behavior: "memory:256Mi@10s; exit:0@5s", limit: 128 * MiB, steps: [[5000, "CONTAINER_EXITED", 0, "Completed"]] },
  { behavior: "memory:256Mi", steps: [[60_000, "CONTAINER_RUNNING"]] },
];

test("each behaviour plays its lifecycle on simulated time", async () => {
  for (const { behavior, limit, steps } of lifecycles) {
    const { clock, container, status } = setup();
    const { id } = await container(behavior, { memoryLimitBytes: limit });
    const start = clock.now();
    for (const [afterMs, state, exitCode, reason] of steps) {
      await clock.advance(afterMs);
      const s = await status(id);
      const at = `${behavior} at ${clock.now() - start} ms`;
      assert.is(s.state, state, at);
      if (exitCode !== undefined) {
        assert.is(s.exitCode, exitCode, at);
        assert.is(s.reason, reason, at);
        assert.is(s.finishedAt, clock.now(), at);
      }
    }
  }
});

test("StartContainer resolves after the start delay; the runtime default applies when the script sets none", async () => {
  const { clock, container, status } = setup({ startDelayMs: 500 });
  const { id, started } = await container("run");
  let done = false;
  void started.then(() => (done = true));
  await clock.advance(499);
  assert.is(done, false);
  await clock.advance(1);
  assert.is(done, true);
  assert.is((await status(id)).startedAt, clock.now());
});

test("idle containers hold no timers", async () => {
  const { clock, container } = setup();
  for (let i = 0; i < 200; i++) await container("cpu:100m; ready-after:5s; log-every:1s:\"tick\"");
  assert.is(clock.pending, 0);
  await container("exit:0@1h");
  assert.is(clock.pending, 1);
});

const httpGet: Probe = { httpGet: { path: "/healthz", port: 8080 } };
const tcp: Probe = { tcpSocket: { port: 5432 } };

test("probes answer per script at the current time", async () => {
  const cases: Array<{ behavior: string; kind: "liveness" | "readiness" | "startup"; probe: Probe; answers: Array<[number, string]>; message: string }> = [
    { behavior: "readiness:fail", kind: "readiness", probe: httpGet, answers: [[0, "Failure"], [600_000, "Failure"]], message: "HTTP probe failed with statuscode: 503" },
    { behavior: "readiness:fail", kind: "liveness", probe: httpGet, answers: [[0, "Success"]], message: "" },
    { behavior: "liveness:fail-after:30s", kind: "liveness", probe: tcp, answers: [[29_999, "Success"], [1, "Failure"]], message: "dial tcp 127.0.0.1:5432: connect: connection refused" },
    { behavior: "ready-after:10s", kind: "readiness", probe: httpGet, answers: [[9999, "Failure"], [1, "Success"]], message: "" },
    { behavior: "startup:succeed-after:5s", kind: "startup", probe: { grpc: { port: 9000 } }, answers: [[0, "Failure"], [5000, "Success"]], message: "" },
  ];
  for (const { behavior, kind, probe, answers, message } of cases) {
    const { clock, rt, container } = setup();
    const { id } = await container(behavior);
    let last = "";
    for (const [afterMs, result] of answers) {
      await clock.advance(afterMs);
      const r = await rt.probe(id, kind, probe);
      assert.is(r.result, result, `${behavior} ${kind} at +${afterMs}`);
      last = r.message;
    }
    assert.is(last, message, behavior);
  }
});

test("ExecSync answers a probe's command as that probe, other commands as a shell would", async () => {
  const { clock, rt, container } = setup();
  const check = ["cat", "/tmp/healthy"];
  const { id } = await container("liveness:fail-after:10s", { livenessProbe: { exec: { command: check } } });
  assert.is((await rt.ExecSync(id, check, 1)).exitCode, 0);
  await clock.advance(10_000);
  assert.is((await rt.ExecSync(id, check, 1)).exitCode, 1);
  assert.equal(await rt.ExecSync(id, ["echo", "hi"], 1), { stdout: "hi\n", stderr: "", exitCode: 0 });
  assert.is((await rt.probe(id, "liveness", { exec: { command: check } })).message, 'command "cat /tmp/healthy" exited with 1');
  const { id: done } = await container("crash");
  assert.is((await rejection(rt.ExecSync(done, ["true"], 1))).code, "ContainerNotRunning");
  assert.equal(await rt.probe(done, "readiness", httpGet), { result: "Failure", message: `container ${done} is not running` });
});

test("logs accumulate with timestamps, tail, and survive for --previous", async () => {
  const { clock, rt, container } = setup();
  const { sb, id } = await container('log:"hello"; log-every:1s:"tick"@500ms; exit:1@3s');
  const t0 = clock.now();
  await clock.advance(1000);
  assert.equal(await rt.logs(id), [{ time: t0, text: "hello" }, { time: t0 + 500, text: "tick" }]);
  await clock.advance(60_000);
  const all = await rt.logs(id);
  assert.equal(all.map((l) => l.text), ["hello", "tick", "tick", "tick"]);
  assert.equal((await rt.logs(id, { tailLines: 2 })).map((l) => l.time - t0), [1500, 2500]);
  assert.equal(await rejection(rt.logs(id, { previous: true })), { code: "NotFound", message: 'previous terminated container "app" in pod "pod-1" not found' });
  await rt.RemoveContainer(id);
  const next = await rt.CreateContainer(sb, { metadata: { name: "app", attempt: 1 }, image: "busybox" });
  await rt.StartContainer(next);
  assert.equal(await rt.logs(next, { previous: true }), all);
  assert.equal((await rt.logs(next)).map((l) => l.text), ["hello"]);
});

test("a long-running log keeps only its newest lines", async () => {
  const { clock, rt, container } = setup({ maxLogLines: 5 });
  const { id } = await container('log-every:1s:"tick"');
  await clock.advance(1_000_000_000);
  const lines = await rt.logs(id);
  assert.is(lines.length, 5);
  assert.is(lines[4].time, clock.now());
});

const stops: Array<{ behavior: string; grace: number; exitAfterMs: number; code: number }> = [
  { behavior: "run", grace: 30, exitAfterMs: 0, code: 143 },
  { behavior: "ignore-sigterm", grace: 30, exitAfterMs: 30_000, code: 137 },
  { behavior: "ignore-sigterm", grace: 0, exitAfterMs: 0, code: 137 },
  { behavior: "sigterm:0@3s", grace: 10, exitAfterMs: 3000, code: 0 },
  { behavior: "sigterm:0@20s", grace: 10, exitAfterMs: 10_000, code: 137 },
  { behavior: "ignore-sigterm; exit:5@12s", grace: 30, exitAfterMs: 2000, code: 5 },
];

test("StopContainer: SIGTERM per script, SIGKILL (137) at the end of the grace period", async () => {
  for (const { behavior, grace, exitAfterMs, code } of stops) {
    const { clock, rt, container, status } = setup();
    const { id } = await container(behavior);
    await clock.advance(10_000);
    const t = clock.now();
    let stopped = false;
    void rt.StopContainer(id, grace).then(() => (stopped = true));
    await clock.advance(Math.max(0, exitAfterMs - 1));
    if (exitAfterMs > 0) assert.is(stopped, false, behavior);
    await clock.advance(1);
    assert.is(stopped, true, behavior);
    const s = await status(id);
    assert.is(s.exitCode, code, behavior);
    assert.is(s.finishedAt - t, exitAfterMs, behavior);
    assert.is(clock.pending, 0, behavior);
  }
});

test("stopping a container during its start delay fails the start", async () => {
  const { rt, container, status } = setup();
  const { id, started } = await container("start-delay:5s");
  const failed = rejection(started);
  await rt.StopContainer(id, 30);
  assert.is((await failed).code, "ContainerNotRunning");
  assert.is((await status(id)).exitCode, 137);
});

test("container events arrive as transitions happen", async () => {
  const { clock, rt, container } = setup();
  const events: ContainerEvent[] = [];
  const off = rt.onContainerEvent((e) => events.push(e));
  rt.onContainerEvent(() => {
    throw new Error("a bad subscriber");
  });
  const { id } = await container("exit:2@1s");
  await clock.advance(1000);
  assert.equal(events.map((e) => [e.type, e.at - events[0].at, e.exitCode]), [
    ["ContainerCreated", 0, undefined], ["ContainerStarted", 0, undefined], ["ContainerDied", 1000, 2],
  ]);
  assert.equal([events[2].containerId, events[2].podUid, events[2].containerName, events[2].reason], [id, "uid-1", "app", "Error"]);
  await rt.RemoveContainer(id);
  assert.is(events.at(-1)?.type, "ContainerRemoved");
  off();
  await container("crash");
  assert.is(events.length, 4);
});

test("a malformed script is a CreateContainerConfigError; a missing image is NotFound", async () => {
  const { rt, sandbox } = setup();
  const sb = await sandbox({ "actorkube.io/behavior.app": "exit:1@5x" });
  const bad = await rejection(rt.CreateContainer(sb, { metadata: { name: "app", attempt: 0 }, image: "busybox" }));
  assert.equal(bad, {
    code: "CreateContainerConfigError",
    message: 'annotation actorkube.io/behavior.app: invalid duration "5x" at position 8 in "exit"; expected e.g. 500ms, 5s, 2m, 1h',
  });
  const missing = await rejection(rt.CreateContainer(sb, { metadata: { name: "other", attempt: 0 }, image: "nginx" }));
  assert.equal(missing, { code: "NotFound", message: 'failed to create container: image "nginx" not found' });
});

test("stats follow the script's cpu and memory steps", async () => {
  const { clock, rt, container } = setup();
  const { id } = await container("cpu:250m; memory:64Mi; memory:96Mi@1m; exit:0@2m");
  assert.equal(await rt.stats(id), { containerId: id, timestamp: clock.now(), cpuMillicores: 250, memoryBytes: 64 * MiB });
  await clock.advance(60_000);
  assert.is((await rt.stats(id)).memoryBytes, 96 * MiB);
  await clock.advance(60_000);
  assert.is((await rt.stats(id)).cpuMillicores, 0);
});

test("sandboxes: network IP, listing, stop kills containers, remove is idempotent", async () => {
  const released: string[] = [];
  const { rt } = setup({ network: { add: async () => ({ ip: "10.244.0.7" }), del: async (id) => void released.push(id) } });
  const sb = await rt.RunPodSandbox({ metadata: { name: "web", namespace: "ns", uid: "u1", attempt: 0 }, labels: { app: "web" } });
  assert.equal((await rt.PodSandboxStatus(sb)).network, { ip: "10.244.0.7" });
  assert.is((await rt.ListPodSandbox({ labelSelector: { app: "web" } })).length, 1);
  assert.is((await rt.ListPodSandbox({ labelSelector: { app: "db" } })).length, 0);
  const c = await rt.CreateContainer(sb, { metadata: { name: "app", attempt: 0 }, image: "busybox", labels: { role: "main" } });
  await rt.StartContainer(c);
  assert.is((await rt.ListContainers({ podSandboxId: sb, state: "CONTAINER_RUNNING", labelSelector: { role: "main" } })).length, 1);
  await rt.StopPodSandbox(sb);
  assert.is((await rt.ContainerStatus(c)).state, "CONTAINER_EXITED");
  assert.is((await rt.PodSandboxStatus(sb)).state, "SANDBOX_NOTREADY");
  assert.equal(released, [sb]);
  assert.is((await rejection(rt.CreateContainer(sb, { metadata: { name: "x", attempt: 0 }, image: "busybox" }))).code, "FailedPrecondition");
  await rt.RemovePodSandbox(sb);
  await rt.RemovePodSandbox(sb);
  assert.equal(await rt.ListContainers(), []);
  assert.is((await rejection(rt.PodSandboxStatus(sb))).code, "NotFound");
});

test.run();
