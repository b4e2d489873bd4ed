import { test } from "uvu";
import * as assert from "uvu/assert";
import { ActorSystem } from "../../../runtime/system.ts";
import { SimulatedClock } from "../../../runtime/clock.ts";
import { apiserverActor } from "../../../actors/apiserver/actor.ts";
import { kubeletActor } from "../../../actors/kubelet/actor.ts";
import type { ActorFactory } from "../../../runtime/actor.ts";
import type { Node } from "../../../actors/api/types/core-node.ts";
import type { Lease } from "../../../actors/api/types/coordination.ts";

const untyped = <C>(f: unknown) => f as ActorFactory<C>;

async function setup() {
  const clock = new SimulatedClock(Date.parse("2026-05-01T00:00:00Z"));
  const sys = new ActorSystem({ id: 0, name: "t", clock });
  await sys.spawn("apiserver", untyped(apiserverActor), { bookmarkIntervalMs: 3_600_000 });
  await sys.spawn("kubelet/n1", untyped(kubeletActor), { node: { name: "n1", capacity: { cpu: "8", memory: "32Gi" }, reserved: { cpu: "500m", memory: "1Gi" }, labels: { zone: "a" }, taints: [{ key: "dedicated", value: "db", effect: "NoSchedule" }] } });
  const node = () => sys.ask<Node>("apiserver", { type: "api.get", resource: "nodes", name: "n1" });
  const lease = () => sys.ask<Lease>("apiserver", { type: "api.get", resource: "leases", namespace: "kube-node-lease", name: "n1" });
  await registered(sys);
  return { clock, sys, node, lease };
}

// Registration is the kubelet's first message, handled just after it starts.
async function registered(sys: ActorSystem, name = "n1"): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const s = await sys.ask<{ registered: boolean }>(`kubelet/${name}`, { type: "kubelet.status" });
    if (s.registered) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`kubelet ${name} did not register`);
}

test("a kubelet registers a Ready node with capacity, allocatable, labels and taints", async () => {
  const { node, sys } = await setup();
  const n = await node();
  assert.is(n.status!.capacity!.cpu, "8");
  assert.is(n.status!.allocatable!.cpu, "7500m");
  assert.is(n.status!.allocatable!.memory, "31Gi");
  assert.is(n.status!.capacity!.pods, "110");
  assert.is(n.metadata.labels!["kubernetes.io/hostname"], "n1");
  assert.is(n.metadata.labels!.zone, "a");
  assert.equal(n.spec!.taints, [{ key: "dedicated", value: "db", effect: "NoSchedule" }]);
  const ready = n.status!.conditions!.find((c) => c.type === "Ready")!;
  assert.is(ready.status, "True");
  assert.is(ready.reason, "KubeletReady");
  assert.equal(n.status!.conditions!.map((c) => c.type).sort(), ["DiskPressure", "MemoryPressure", "PIDPressure", "Ready"]);
  await sys.stopAll();
});

test("the lease is renewed every 10 s; a silenced kubelet stops renewing; resume renews at once", async () => {
  const { clock, sys, lease } = await setup();
  const t0 = (await lease()).spec!.renewTime!;
  assert.is((await lease()).spec!.holderIdentity, "n1");
  assert.is((await lease()).spec!.leaseDurationSeconds, 40);
  await clock.advance(10_000);
  await new Promise((r) => setTimeout(r, 5));
  const t1 = (await lease()).spec!.renewTime!;
  assert.is(Date.parse(t1) - Date.parse(t0), 10_000);
  await sys.ask("kubelet/n1", { type: "kubelet.silence" });
  await clock.advance(60_000);
  await new Promise((r) => setTimeout(r, 5));
  assert.is((await lease()).spec!.renewTime, t1);
  await sys.ask("kubelet/n1", { type: "kubelet.resume" });
  assert.is(Date.parse((await lease()).spec!.renewTime!), clock.now());
  await sys.stopAll();
});

test("a restarted kubelet re-registers the existing node without losing it", async () => {
  const { sys, node } = await setup();
  const before = await node();
  await sys.stop("kubelet/n1");
  await sys.spawn("kubelet/n1", untyped(kubeletActor), { node: { name: "n1" } });
  await registered(sys);
  const after = await node();
  assert.is(after.metadata.uid, before.metadata.uid);
  assert.is(after.status!.conditions!.find((c) => c.type === "Ready")!.status, "True");
  await sys.stopAll();
});

test.run();
