import { test } from "uvu";
import * as assert from "uvu/assert";
import type { KubeObject } from "../../../../actors/api/meta.ts";
import { summarizePod } from "../../../../actors/apiserver/http/table/pods.ts";
import { humanDuration } from "../../../../actors/apiserver/http/table/format.ts";

const NOW = Date.parse("2026-01-01T00:10:00Z");

function pod(status: Record<string, unknown>, extra: { deletionTimestamp?: string; initContainers?: unknown[] } = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default", creationTimestamp: "2026-01-01T00:00:00Z", deletionTimestamp: extra.deletionTimestamp },
    spec: { containers: [{ name: "a", image: "x" }], initContainers: extra.initContainers },
    status,
  };
}

const cs = (state: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ name: "a", image: "x", imageID: "", ready: false, restartCount: 0, state, ...extra });

const cases: { name: string; pod: KubeObject; status: string; ready: string; restarts: number }[] = [
  { name: "pending, unscheduled", pod: pod({ phase: "Pending" }), status: "Pending", ready: "0/1", restarts: 0 },
  {
    name: "container creating",
    pod: pod({ phase: "Pending", containerStatuses: [cs({ waiting: { reason: "ContainerCreating" } })] }),
    status: "ContainerCreating",
    ready: "0/1",
    restarts: 0,
  },
  { name: "running and ready", pod: pod({ phase: "Running", containerStatuses: [cs({ running: { startedAt: "2026-01-01T00:01:00Z" } }, { ready: true })] }), status: "Running", ready: "1/1", restarts: 0 },
  {
    name: "crash loop",
    pod: pod({
      phase: "Running",
      containerStatuses: [cs({ waiting: { reason: "CrashLoopBackOff" } }, { restartCount: 4, lastState: { terminated: { exitCode: 1, finishedAt: "2026-01-01T00:09:00Z" } } })],
    }),
    status: "CrashLoopBackOff",
    ready: "0/1",
    restarts: 4,
  },
  { name: "completed", pod: pod({ phase: "Succeeded", containerStatuses: [cs({ terminated: { exitCode: 0, reason: "Completed" } })] }), status: "Completed", ready: "0/1", restarts: 0 },
  { name: "exit code without reason", pod: pod({ phase: "Failed", containerStatuses: [cs({ terminated: { exitCode: 2 } })] }), status: "ExitCode:2", ready: "0/1", restarts: 0 },
  {
    name: "terminating",
    pod: pod({ phase: "Running", containerStatuses: [cs({ running: {} }, { ready: true })] }, { deletionTimestamp: "2026-01-01T00:09:30Z" }),
    status: "Terminating",
    ready: "1/1",
    restarts: 0,
  },
  {
    name: "init container running",
    pod: pod({ phase: "Pending", initContainerStatuses: [{ ...cs({ running: {} }), name: "init" }] }, { initContainers: [{ name: "init", image: "x" }] }),
    status: "Init:0/1",
    ready: "0/1",
    restarts: 0,
  },
  {
    name: "init container crashing",
    pod: pod({ phase: "Pending", initContainerStatuses: [{ ...cs({ waiting: { reason: "CrashLoopBackOff" } }), name: "init", restartCount: 2 }] }, { initContainers: [{ name: "init", image: "x" }] }),
    status: "Init:CrashLoopBackOff",
    ready: "0/1",
    restarts: 2,
  },
  { name: "evicted", pod: pod({ phase: "Failed", reason: "Evicted" }), status: "Evicted", ready: "0/1", restarts: 0 },
];

for (const k of cases) {
  test(`pod STATUS: ${k.name} → ${k.status}`, () => {
    const s = summarizePod(k.pod, NOW);
    assert.equal([s.status, s.ready, s.restarts], [k.status, k.ready, k.restarts]);
  });
}

test("the last restart is reported for the RESTARTS column", () => {
  const s = summarizePod(cases[3]!.pod, NOW);
  assert.is(humanDuration(s.lastRestartAgo!), "60s");
});

test("humanDuration writes ages as kubectl does", () => {
  const table: [number, string][] = [
    [5_000, "5s"],
    [119_000, "119s"],
    [200_000, "3m20s"],
    [600_000, "10m"],
    [3 * 3600_000 + 5 * 60_000, "3h5m"],
    [30 * 3600_000, "30h"],
    [50 * 3600_000, "2d2h"],
    [400 * 24 * 3600_000, "400d"],
    [3 * 365 * 24 * 3600_000 + 24 * 3600_000, "3y1d"],
  ];
  for (const [ms, text] of table) assert.is(humanDuration(ms), text, text);
});

test.run();
