import { test } from "uvu";
import * as assert from "uvu/assert";
import { ActorSystem } from "../../../runtime/system.ts";
import { apiserverActor } from "../../../actors/apiserver/actor.ts";
import { schedulerActor } from "../../../actors/scheduler/actor.ts";
import type { ActorFactory } from "../../../runtime/actor.ts";
import type { KubeObject } from "../../../actors/api/meta.ts";
import type { Pod } from "../../../actors/api/types/core-pod.ts";

const untyped = <C>(f: unknown) => f as ActorFactory<C>;

const node = (name: string, cpu: string, taints?: unknown[]) => ({
  metadata: { name, labels: { "kubernetes.io/hostname": name } },
  spec: taints ? { taints } : {},
  status: { capacity: { cpu, memory: "8Gi", pods: "110" }, allocatable: { cpu, memory: "8Gi", pods: "110" }, conditions: [{ type: "Ready", status: "True" }] },
});
const pod = (name: string, cpu: string, extra: Record<string, unknown> = {}) => ({
  metadata: { name },
  spec: { containers: [{ name: "c", image: "x", resources: { requests: { cpu, memory: "100Mi" } } }], ...extra },
});

async function setup(nodes: ReturnType<typeof node>[]) {
  const sys = new ActorSystem({ id: 0, name: "t" });
  await sys.spawn("apiserver", untyped(apiserverActor), {});
  for (const n of nodes) {
    const created = await sys.ask<KubeObject>("apiserver", { type: "api.create", resource: "nodes", object: n });
    await sys.ask("apiserver", { type: "api.update", resource: "nodes", subresource: "status", object: { ...created, status: n.status } });
  }
  return sys;
}

const get = (sys: ActorSystem, name: string) => sys.ask<Pod>("apiserver", { type: "api.get", resource: "pods", namespace: "default", name });
async function until<T>(fn: () => Promise<T | undefined>, ms = 8000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - start > ms) throw new Error("condition not met");
    await new Promise((r) => setTimeout(r, 20));
  }
}

test("a new pod goes to the least used node (80%, 20%, 40% used)", async () => {
  const sys = await setup([node("busy", "10"), node("idle", "10"), node("half", "10")]);
  for (const [n, cpu] of [["busy", "8"], ["idle", "2"], ["half", "4"]] as const) {
    await sys.ask("apiserver", { type: "api.create", resource: "pods", namespace: "default", object: pod(`load-${n}`, cpu, { nodeName: n }) });
  }
  await sys.spawn("scheduler", untyped(schedulerActor), {});
  await sys.ask("apiserver", { type: "api.create", resource: "pods", namespace: "default", object: pod("new", "1") });
  const p = await until(async () => ((await get(sys, "new")).spec!.nodeName ? get(sys, "new") : undefined));
  assert.is(p.spec!.nodeName, "idle");
  assert.is(p.status!.conditions!.find((c) => c.type === "PodScheduled")!.status, "True");
  const events = await sys.ask<{ items: KubeObject[] }>("apiserver", { type: "api.list", resource: "events", namespace: "default", fieldSelector: "involvedObject.name=new" });
  assert.is((events.items[0] as { reason?: string }).reason, "Scheduled");
  assert.is((events.items[0] as { message?: string }).message, "Successfully assigned default/new to idle");
  await sys.stopAll();
});

test("an unschedulable pod gets PodScheduled=False and a Kubernetes-worded event, then runs when a node fits", async () => {
  const sys = await setup([node("a", "1"), node("b", "1"), node("t", "16", [{ key: "key", value: "value", effect: "NoSchedule" }])]);
  await sys.spawn("scheduler", untyped(schedulerActor), {});
  await sys.ask("apiserver", { type: "api.create", resource: "pods", namespace: "default", object: pod("big", "4") });
  const want = "0/3 nodes are available: 1 node(s) had untolerated taint {key: value}, 2 Insufficient cpu.";
  const p = await until(async () => {
    const cur = await get(sys, "big");
    return cur.status?.conditions?.some((c) => c.type === "PodScheduled" && c.status === "False") ? cur : undefined;
  });
  const cond = p.status!.conditions!.find((c) => c.type === "PodScheduled")!;
  assert.is(cond.reason, "Unschedulable");
  assert.is(cond.message, want);
  const ev = await until(async () => (await sys.ask<{ items: { reason: string; message: string; type: string }[] }>("apiserver", { type: "api.list", resource: "events", namespace: "default" })).items.find((e) => e.reason === "FailedScheduling"));
  assert.is(ev.message, want);
  assert.is(ev.type, "Warning");
  const big = node("roomy", "8");
  const created = await sys.ask<KubeObject>("apiserver", { type: "api.create", resource: "nodes", object: big });
  await sys.ask("apiserver", { type: "api.update", resource: "nodes", subresource: "status", object: { ...created, status: big.status } });
  const placed = await until(async () => ((await get(sys, "big")).spec!.nodeName ? get(sys, "big") : undefined));
  assert.is(placed.spec!.nodeName, "roomy");
  await sys.stopAll();
});

test("pods for another scheduler are left alone; not-Ready nodes are not candidates", async () => {
  const notReady = node("sick", "32");
  notReady.status.conditions = [{ type: "Ready", status: "False" }];
  const sys = await setup([notReady, node("ok", "2")]);
  await sys.spawn("scheduler", untyped(schedulerActor), {});
  await sys.ask("apiserver", { type: "api.create", resource: "pods", namespace: "default", object: pod("mine", "1") });
  await sys.ask("apiserver", { type: "api.create", resource: "pods", namespace: "default", object: pod("theirs", "1", { schedulerName: "other" }) });
  const mine = await until(async () => ((await get(sys, "mine")).spec!.nodeName ? get(sys, "mine") : undefined));
  assert.is(mine.spec!.nodeName, "ok");
  await new Promise((r) => setTimeout(r, 200));
  assert.is((await get(sys, "theirs")).spec!.nodeName, undefined);
  await sys.stopAll();
});

test.run();
