import { test } from "uvu";
import * as assert from "uvu/assert";
import { computePodLimits, computePodRequests, containerRequests, DEFAULT_MEMORY_REQUEST } from "../../../actors/api/pod-resources.ts";
import type { Container, PodSpec } from "../../../actors/api/types/index.ts";

const Mi = 1024 * 1024;

function c(requests: Record<string, string> = {}, extra: Partial<Container> = {}): Container {
  return { name: "c", image: "x", resources: { requests }, ...extra };
}

const cases: Array<{ name: string; spec: PodSpec; want: Record<string, number> }> = [
  { name: "empty", spec: { containers: [{ name: "c" }] }, want: {} },
  {
    name: "sum of containers",
    spec: { containers: [c({ cpu: "100m", memory: "64Mi" }), c({ cpu: "1", memory: "64Mi" })] },
    want: { cpu: 1100, memory: 128 * Mi },
  },
  {
    name: "a big init container wins",
    spec: { initContainers: [c({ cpu: "2" })], containers: [c({ cpu: "500m", memory: "1Gi" })] },
    want: { cpu: 2000, memory: 1024 * Mi },
  },
  {
    name: "init containers take the max, not the sum",
    spec: { initContainers: [c({ cpu: "300m" }), c({ cpu: "400m" })], containers: [c({ cpu: "100m" })] },
    want: { cpu: 400 },
  },
  {
    name: "sidecars add to app containers and to later init containers",
    spec: {
      initContainers: [c({ cpu: "200m" }, { restartPolicy: "Always" }), c({ cpu: "1" })],
      containers: [c({ cpu: "100m" })],
    },
    want: { cpu: 1200 },
  },
  {
    name: "sidecar plus app containers beat a small init container",
    spec: {
      initContainers: [c({ cpu: "50m" }), c({ cpu: "500m" }, { restartPolicy: "Always" })],
      containers: [c({ cpu: "600m" })],
    },
    want: { cpu: 1100 },
  },
  {
    name: "limits stand in for missing requests",
    spec: { containers: [{ name: "c", resources: { limits: { cpu: "2", memory: "1Gi" } } }] },
    want: { cpu: 2000, memory: 1024 * Mi },
  },
  {
    name: "overhead is added",
    spec: { containers: [c({ cpu: "100m" })], overhead: { cpu: "10m", memory: "1Mi" } },
    want: { cpu: 110, memory: Mi },
  },
  {
    name: "pod-level requests replace the sum for cpu and memory",
    spec: { resources: { requests: { cpu: "3" } }, containers: [c({ cpu: "1", "example.com/gpu": "1" })] },
    want: { cpu: 3000, "example.com/gpu": 1 },
  },
];

test("computePodRequests counts as the scheduler does", () => {
  for (const { name, spec, want } of cases) assert.equal(computePodRequests({ spec }), want, name);
  assert.equal(computePodRequests({}), {});
  assert.equal(computePodRequests({ spec: { containers: [c({ cpu: "lots", memory: "1Mi" })] } }), { memory: Mi }, "malformed entries are skipped");
});

test("nonZero counts missing cpu/memory requests as 100m/200Mi", () => {
  assert.equal(containerRequests({ name: "c" }, { nonZero: true }), { cpu: 100, memory: DEFAULT_MEMORY_REQUEST });
  assert.equal(computePodRequests({ spec: { containers: [c({ cpu: "1" }), { name: "d" }] } }, { nonZero: true }), {
    cpu: 1100,
    memory: 2 * DEFAULT_MEMORY_REQUEST,
  });
});

test("computePodLimits aggregates limits; overhead only bounds what is bounded", () => {
  const spec: PodSpec = {
    containers: [
      { name: "a", resources: { limits: { cpu: "1", memory: "1Gi" } } },
      { name: "b", resources: { limits: { cpu: "500m" } } },
    ],
    initContainers: [{ name: "i", resources: { limits: { cpu: "4" } } }],
    overhead: { cpu: "100m", "ephemeral-storage": "1Gi" },
  };
  assert.equal(computePodLimits({ spec }), { cpu: 4100, memory: 1024 * Mi });
});

test.run();
