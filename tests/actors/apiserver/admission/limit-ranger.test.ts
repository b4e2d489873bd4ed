import { test } from "uvu";
import * as assert from "uvu/assert";
import { apiserver, failure } from "../auth/helpers.ts";
import type { Pod } from "../../../../actors/api/types/core-pod.ts";
import type { LimitRange } from "../../../../actors/api/types/index.ts";
import { limitRangeResource } from "../../../../actors/apiserver/registry/limitranges.ts";
import { createErrors } from "../registry/helpers.ts";

const limits = (items: unknown[]) => ({ type: "api.create", resource: "limitranges", namespace: "default", object: { metadata: { name: "lr" }, spec: { limits: items } } });
const pod = (name: string, containers: unknown[], extra: Record<string, unknown> = {}) => ({ type: "api.create", resource: "pods", namespace: "default", object: { metadata: { name }, spec: { containers, ...extra } } });

test("a LimitRange is defaulted (max → default limit → default request, min → default request) and checked for consistency", async () => {
  const c = await apiserver();
  const lr = await c.ask<LimitRange>(limits([{ type: "Container", max: { cpu: "2", memory: "1Gi" }, min: { cpu: "100m" } }]));
  assert.equal(lr.spec!.limits![0], { type: "Container", max: { cpu: "2", memory: "1Gi" }, min: { cpu: "100m" }, default: { cpu: "2", memory: "1Gi" }, defaultRequest: { cpu: "2", memory: "1Gi" } });
  await c.stop();
  const base: LimitRange = { apiVersion: "v1", kind: "LimitRange", metadata: { name: "x", namespace: "default" }, spec: { limits: [] } };
  const cases: [unknown[], string[]][] = [
    // Defaulting runs first (max → default → defaultRequest), so the inconsistency shows three times, as in Kubernetes.
    [[{ type: "Container", min: { cpu: "2" }, max: { cpu: "1" } }], [
      'spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1',
      'spec.limits[0].defaultRequest[cpu]: Invalid value: "1": min value 2 is greater than default request value 1',
      'spec.limits[0].default[cpu]: Invalid value: "2": min value 2 is greater than default value 1',
    ]],
    [[{ type: "Container", defaultRequest: { cpu: "2" }, default: { cpu: "1" } }], ['spec.limits[0].defaultRequest[cpu]: Invalid value: "2": default request value 2 is greater than default limit value 1']],
    [[{ type: "Pod", default: { cpu: "1" } }], ["spec.limits[0].default: Forbidden: may not be specified when `type` is 'Pod'"]],
    [[{ type: "Container", maxLimitRequestRatio: { cpu: "500m" } }], ['spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: "500m": ratio 500m is less than 1']],
    [[{ type: "PersistentVolumeClaim", max: { cpu: "1" } }], ['spec.limits[0].max[cpu]: Invalid value: "cpu": must be a standard limit type or fully qualified', "spec.limits[0].limits: Required value: either minimum or maximum storage value is required, but neither was provided"]],
    [[{ type: "Container", max: { cpu: "1" } }, { type: "Container" }], ['spec.limits[1].type: Duplicate value: "Container"']],
  ];
  for (const [items, want] of cases) assert.equal(createErrors(limitRangeResource, { ...base, spec: { limits: items as LimitRange["spec"] extends { limits?: infer L } ? L : never } }), want, JSON.stringify(items));
});

test("containers without requests or limits get the namespace's defaults, noted in the limit-ranger annotation", async () => {
  const c = await apiserver();
  await c.ask(limits([{ type: "Container", default: { cpu: "500m", memory: "256Mi" }, defaultRequest: { cpu: "100m" } }]));
  const p = await c.ask<Pod>(pod("p", [{ name: "app", image: "x", resources: { limits: { memory: "128Mi" } } }], { initContainers: [{ name: "setup", image: "x" }] }));
  assert.equal(p.spec.containers[0].resources, { limits: { memory: "128Mi", cpu: "500m" }, requests: { memory: "128Mi", cpu: "100m" } });
  assert.equal(p.spec.initContainers![0].resources, { limits: { cpu: "500m", memory: "256Mi" }, requests: { cpu: "100m", memory: "256Mi" } });
  assert.is(
    p.metadata.annotations?.["kubernetes.io/limit-ranger"],
    "LimitRanger plugin set: cpu request for container app; cpu limit for container app; cpu, memory request for init container setup; cpu, memory limit for init container setup",
  );
  assert.is(p.status?.qosClass, "Burstable", "QoS reflects the defaults");
  await c.stop();
});

test("min, max and the limit/request ratio bound each container and the pod, in Kubernetes' words", async () => {
  const c = await apiserver();
  await c.ask(limits([
    { type: "Container", min: { cpu: "100m" }, max: { cpu: "1", memory: "1Gi" }, maxLimitRequestRatio: { cpu: "4" } },
    { type: "Pod", max: { memory: "1500Mi" } },
  ]));
  const ctr = (name: string, requests: Record<string, string>, lim: Record<string, string>) => ({ name, image: "x", resources: { requests, limits: lim } });
  const cases: [unknown[], string][] = [
    [[ctr("a", { cpu: "50m", memory: "1Gi" }, { cpu: "200m", memory: "1Gi" })], 'pods "p" is forbidden: minimum cpu usage per Container is 100m, but request is 50m'],
    [[ctr("a", { cpu: "500m", memory: "1Gi" }, { cpu: "2", memory: "1Gi" })], 'pods "p" is forbidden: maximum cpu usage per Container is 1, but limit is 2'],
    [[ctr("a", { cpu: "100m", memory: "1Gi" }, { cpu: "1", memory: "1Gi" })], 'pods "p" is forbidden: cpu max limit to request ratio per Container is 4, but provided ratio is 10.000000'],
    [[ctr("a", { cpu: "500m", memory: "2Gi" }, { cpu: "1", memory: "2Gi" })], 'pods "p" is forbidden: [maximum memory usage per Container is 1Gi, but limit is 2Gi, maximum memory usage per Pod is 1500Mi, but limit is 2Gi]'],
    [[ctr("a", { cpu: "500m", memory: "1Gi" }, { cpu: "1", memory: "1Gi" }), ctr("b", { cpu: "500m", memory: "1Gi" }, { cpu: "1", memory: "1Gi" })], 'pods "p" is forbidden: maximum memory usage per Pod is 1500Mi, but limit is 2Gi'],
  ];
  for (const [containers, want] of cases) {
    const f = await failure(c.ask(pod("p", containers)));
    assert.equal([f.code, f.message], ["Forbidden", want]);
  }
  assert.ok(await c.ask(pod("ok", [ctr("a", { cpu: "500m", memory: "512Mi" }, { cpu: "1", memory: "512Mi" })])));
  await c.stop();
});

test("a PersistentVolumeClaim's storage request is bounded", async () => {
  const c = await apiserver();
  await c.ask(limits([{ type: "PersistentVolumeClaim", min: { storage: "1Gi" }, max: { storage: "10Gi" } }]));
  const claim = (storage: string) => ({ type: "api.create", resource: "persistentvolumeclaims", namespace: "default", object: { metadata: { name: "c" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage } } } } });
  assert.is((await failure(c.ask(claim("500Mi")))).message, 'persistentvolumeclaims "c" is forbidden: minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi');
  assert.is((await failure(c.ask(claim("20Gi")))).message, 'persistentvolumeclaims "c" is forbidden: maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi');
  assert.ok(await c.ask(claim("5Gi")));
  await c.stop();
});

test.run();
