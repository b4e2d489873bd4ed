import { test } from "uvu";
import * as assert from "uvu/assert";
import { computeQOSClass } from "../../../actors/api/pod-qos.ts";
import type { Container, PodSpec, ResourceRequirements } from "../../../actors/api/types/index.ts";

function c(resources?: ResourceRequirements, name = "c"): Container {
  return { name, image: "x", resources };
}

const cases: Array<{ name: string; spec: PodSpec; want: string }> = [
  { name: "no resources", spec: { containers: [c()] }, want: "BestEffort" },
  { name: "zero quantities are ignored", spec: { containers: [c({ requests: { cpu: "0" } })] }, want: "BestEffort" },
  { name: "only non-qos resources", spec: { containers: [c({ requests: { "ephemeral-storage": "1Gi" } })] }, want: "BestEffort" },
  {
    name: "requests equal limits for cpu and memory",
    spec: { containers: [c({ requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1000m", memory: "1Gi" } })] },
    want: "Guaranteed",
  },
  {
    name: "every container guaranteed",
    spec: {
      initContainers: [c({ requests: { cpu: "100m", memory: "10Mi" }, limits: { cpu: "100m", memory: "10Mi" } }, "i")],
      containers: [c({ requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } })],
    },
    want: "Guaranteed",
  },
  { name: "only a cpu limit", spec: { containers: [c({ requests: { cpu: "1" }, limits: { cpu: "1" } })] }, want: "Burstable" },
  {
    name: "request below limit",
    spec: { containers: [c({ requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } })] },
    want: "Burstable",
  },
  {
    name: "one container without limits",
    spec: { containers: [c({ requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } }), c(undefined, "d")] },
    want: "Burstable",
  },
  { name: "requests only", spec: { containers: [c({ requests: { memory: "64Mi" } })] }, want: "Burstable" },
  {
    name: "pod-level resources win",
    spec: { resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } }, containers: [c()] },
    want: "Guaranteed",
  },
];

test("computeQOSClass follows GetPodQOS", () => {
  for (const { name, spec, want } of cases) assert.is(computeQOSClass({ spec }), want, name);
  assert.is(computeQOSClass({}), "BestEffort");
  // Runs before validation, so malformed quantities must not throw.
  assert.is(computeQOSClass({ spec: { containers: [c({ requests: { cpu: "lots", memory: "1Gi" } })] } }), "Burstable");
});

test.run();
