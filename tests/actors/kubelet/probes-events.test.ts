import { test } from "uvu";
import * as assert from "uvu/assert";
import { simCluster } from "./sim-cluster.ts";
import { ContainerProber } from "../../../actors/kubelet/probes.ts";
import type { ProbeKind } from "../../../actors/kubelet/cri/types.ts";

test("starting a pod records Pulling, Pulled, Created and Started; a cached image is 'already present'", async () => {
  const c = await simCluster({ kubelet: { runtime: { pullDelayMs: 1500, pullJitter: 0 } } });
  await c.pod("a", { containers: [{ name: "web", image: "nginx:1.27" }] });
  await c.until("running", async () => c.running(await c.getPod("a")));
  const seen = (await c.events("a")).map((e) => `${e.type} ${e.reason} ${e.message}`);
  assert.equal(seen, [
    'Normal Pulling Pulling image "nginx:1.27"',
    'Normal Pulled Successfully pulled image "nginx:1.27" in 1.5s (1.5s including waiting). Image size: ' + seen[1].split("Image size: ")[1],
    "Normal Created Created container: web",
    "Normal Started Started container web",
  ]);
  assert.match(seen[1], /Image size: \d+ bytes\.$/);
  await c.pod("b", { containers: [{ name: "web", image: "nginx:1.27" }] });
  await c.until("b running", async () => c.running(await c.getPod("b")));
  assert.ok((await c.events("b")).some((e) => e.reason === "Pulled" && e.message === 'Container image "nginx:1.27" already present on machine'));
  await c.sys.stopAll();
});

test("a failing readiness probe keeps the pod unready with Unhealthy events; it becomes Ready when the probe passes", async () => {
  const c = await simCluster();
  await c.pod("web", { containers: [{ name: "web", image: "nginx:1.27", readinessProbe: { httpGet: { path: "/ready", port: 8080 }, periodSeconds: 5 } }] }, { annotations: { "actorkube.io/behavior": "ready-after:30s" } });
  await c.until("unhealthy", async () => (await c.events("web")).some((e) => e.type === "Warning" && e.reason === "Unhealthy" && e.message === "Readiness probe failed: HTTP probe failed with statuscode: 503"));
  let p = await c.getPod("web");
  assert.is(p.status!.phase, "Running");
  assert.is(p.status!.conditions!.find((x) => x.type === "Ready")!.status, "False");
  assert.is(p.status!.containerStatuses![0].ready, false);
  p = await c.until("ready", async () => (await c.getPod("web")).status?.conditions?.find((x) => x.type === "Ready")?.status === "True" && c.getPod("web"));
  assert.ok(c.clock.now() - Date.parse(p.status!.containerStatuses![0].state!.running!.startedAt!) >= 30_000, "not before the script says so");
  await c.sys.stopAll();
});

test("failing liveness restarts the container with Unhealthy and Killing events; crashes back off with BackOff events", async () => {
  const c = await simCluster();
  await c.pod("live", { containers: [{ name: "web", image: "nginx:1.27", livenessProbe: { tcpSocket: { port: 5432 }, periodSeconds: 10, failureThreshold: 3 } }] }, { annotations: { "actorkube.io/behavior": "liveness:fail-after:20s" } });
  const p = await c.until("restarted", async () => ((await c.getPod("live")).status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && c.getPod("live"));
  const ev = await c.events("live");
  const unhealthy = ev.find((e) => e.reason === "Unhealthy");
  assert.match(unhealthy!.message, /^Liveness probe failed: dial tcp 10\.244\.\d+\.\d+:5432: connect: connection refused$/);
  assert.ok(unhealthy!.count >= 3, "one event per failure, counted");
  assert.ok(ev.some((e) => e.reason === "Killing" && e.message === "Container web failed liveness probe, will be restarted"));
  assert.is(p.status!.containerStatuses![0].lastState!.terminated!.exitCode, 143);

  await c.pod("crash", { containers: [{ name: "c", image: "busybox:1" }] }, { annotations: { "actorkube.io/behavior": "crash" } });
  const crash = await c.until("backoff", async () => c.waiting(await c.getPod("crash"))?.reason === "CrashLoopBackOff" && c.getPod("crash"));
  const ref = `crash_default(${crash.metadata.uid})`;
  assert.is(crash.status!.containerStatuses![0].restartCount, 1, "the first restart is immediate");
  assert.is(c.waiting(crash)!.message, `back-off 10s restarting failed container=c pod=${ref}`);
  assert.ok((await c.events("crash")).some((e) => e.type === "Warning" && e.reason === "BackOff" && e.message === `Back-off restarting failed container c in pod ${ref}`));
  await c.until("second backoff", async () => c.waiting(await c.getPod("crash"))?.message === `back-off 20s restarting failed container=c pod=${ref}`);
  await c.sys.stopAll();
});

test("liveness and readiness wait for the startup probe; a startup probe that keeps failing restarts the container", async () => {
  const c = await simCluster();
  const startupProbe = { exec: { command: ["cat", "/tmp/started"] }, periodSeconds: 10, failureThreshold: 6 };
  const livenessProbe = { httpGet: { path: "/healthz", port: 80 }, periodSeconds: 5, failureThreshold: 1 };
  await c.pod("slow", { containers: [{ name: "app", image: "nginx:1.27", startupProbe, livenessProbe }] }, { annotations: { "actorkube.io/behavior": "startup:succeed-after:25s" } });
  await c.until("running", async () => c.running(await c.getPod("slow")));
  await c.advance(20_000);
  let p = await c.getPod("slow");
  assert.is(p.status!.containerStatuses![0].started, false);
  assert.is(p.status!.containerStatuses![0].ready, false);
  const events = await c.events("slow");
  assert.ok(events.some((e) => e.message === 'Startup probe failed: command "cat /tmp/started" exited with 1'));
  assert.not.ok(events.some((e) => e.message.startsWith("Liveness")), "no liveness probe before startup passes");
  p = await c.until("started", async () => (await c.getPod("slow")).status?.containerStatuses?.[0]?.started === true && c.getPod("slow"));
  assert.is(p.status!.containerStatuses![0].ready, true);
  assert.is(p.status!.containerStatuses![0].restartCount, 0);

  await c.pod("never", { containers: [{ name: "app", image: "nginx:1.27", startupProbe: { ...startupProbe, failureThreshold: 3 } }] }, { annotations: { "actorkube.io/behavior": "startup:fail" } });
  await c.until("killed", async () => (await c.events("never")).some((e) => e.reason === "Killing" && e.message === "Container app failed startup probe, will be restarted"));
  await c.until("restarted", async () => ((await c.getPod("never")).status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1);
  await c.sys.stopAll();
});

test("the prober honours initial delay, period, success and failure thresholds", async () => {
  const answers: Record<ProbeKind, boolean[]> = { startup: [], liveness: [], readiness: [false, true, true, false, false, true] };
  const calls: Array<[ProbeKind, number]> = [];
  let now = 0;
  const p = new ContainerProber("id", { name: "c", readinessProbe: { exec: { command: ["x"] }, initialDelaySeconds: 5, periodSeconds: 2, successThreshold: 2, failureThreshold: 2 } }, 0);
  const probe = async (kind: ProbeKind) => {
    calls.push([kind, now]);
    return answers[kind].shift() ? { result: "Success" as const, message: "" } : { result: "Failure" as const, message: "no" };
  };
  const readyAt: boolean[] = [];
  for (now = 0; now <= 16_000; now += 1000) {
    const r = await p.run(now, probe);
    readyAt.push(p.ready);
    assert.ok(r.nextAt > now);
  }
  assert.equal(calls.map(([, t]) => t), [5000, 7000, 9000, 11000, 13000, 15000]);
  // false, true (1 of 2), true → ready at 9 s; one failure keeps it ready; a second makes it unready at 13 s.
  assert.is(readyAt[8], false);
  assert.is(readyAt[9], true);
  assert.is(readyAt[11], true);
  assert.is(readyAt[13], false);
});

test.run();
