// The node lifecycle controller and the taint manager against the real apiserver actor, on simulated time.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Node } from "../../../actors/api/types/core-node.ts";
import type { Toleration } from "../../../actors/api/types/core-pod.ts";
import type { Taint } from "../../../actors/api/types/core-node.ts";
import { matchingTolerations, minTolerationMs } from "../../../actors/controller-manager/taint-manager.ts";
import { computeZoneState, zoneKey, zoneRate } from "../../../actors/controller-manager/node-lifecycle-zones.ts";
import { cond, readable, setup, taintsOf, type Harness } from "./core-controllers-harness.ts";
import { retryOnConflict } from "../../../actors/api/client.ts";

const UNREACHABLE = "node.kubernetes.io/unreachable";
const NOT_READY = "node.kubernetes.io/not-ready";
const opts = { nodeMonitorGracePeriodMs: 40_000, nodeMonitorPeriodMs: 5_000 };

/** Lets `seconds` pass in 5 s steps; the `alive` nodes renew their leases at each step. */
async function live(h: Harness, seconds: number, alive: string[]) {
  for (let t = 0; t < seconds; t += 5) {
    await h.tick(5_000);
    await h.heartbeat(...alive);
  }
}

async function cluster(names: string[], labels: (name: string) => Record<string, string> = () => ({})) {
  const h = await setup(["nodelifecycle"], opts);
  for (const n of names) await h.addNode(n, labels(n));
  await h.settle();
  return h;
}

const noExecute = (n: Node) => (n.spec?.taints ?? []).filter((t) => t.effect === "NoExecute");

test("a node whose lease stops is marked Unknown after the grace period, tainted unreachable, its pods not ready", readable(async () => {
  const h = await cluster(["n1", "n2", "n3"]);
  const patient: Toleration[] = [{ key: UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }];
  await h.runPodOn("web", "n2", { tolerations: patient });
  const heartbeatBefore = cond(await h.node("n2"), "Ready")!.lastHeartbeatTime;

  await live(h, 35, ["n1", "n3"]);
  assert.is(cond(await h.node("n2"), "Ready")!.status, "True", "still Ready within the 40 s grace period");
  assert.equal(taintsOf(await h.node("n2")), []);

  await live(h, 15, ["n1", "n3"]);
  const n2 = await h.node("n2");
  const ready = cond(n2, "Ready")!;
  assert.is(ready.status, "Unknown");
  assert.is(ready.reason, "NodeStatusUnknown");
  assert.is(ready.message, "Kubelet stopped posting node status.");
  assert.is(ready.lastHeartbeatTime, heartbeatBefore, "the last heartbeat is kept");
  for (const type of ["MemoryPressure", "DiskPressure", "PIDPressure"]) assert.is(cond(n2, type)!.status, "Unknown", type);
  assert.equal(taintsOf(n2), [`${UNREACHABLE}:NoExecute`, `${UNREACHABLE}:NoSchedule`]);
  assert.ok(noExecute(n2)[0].timeAdded, "NoExecute taints carry timeAdded");
  for (const n of ["n1", "n3"]) {
    assert.is(cond(await h.node(n), "Ready")!.status, "True", `${n} stays Ready`);
    assert.equal(taintsOf(await h.node(n)), []);
  }

  const pod = await h.until("pod marked not ready", async () => {
    const p = await h.pod("web");
    return cond(p, "Ready")?.status === "False" && p;
  });
  assert.ok(!pod.metadata.deletionTimestamp, "a pod tolerating unreachable for 300 s is not evicted yet");
  const events = await h.events();
  const nodeEvent = events.find((e) => e.reason === "NodeNotReady" && e.involvedObject.kind === "Node");
  assert.ok(nodeEvent, "NodeNotReady event on the node");
  assert.is(nodeEvent!.message, "Node n2 status is now: NodeNotReady");
  assert.is(nodeEvent!.involvedObject.name, "n2");
  const podEvent = events.find((e) => e.reason === "NodeNotReady" && e.involvedObject.kind === "Pod");
  assert.ok(podEvent, "NodeNotReady event on the pod");
  assert.is(podEvent!.type, "Warning");
  assert.is(podEvent!.message, "Node is not ready");
  assert.ok(events.some((e) => e.reason === "RegisteredNode" && e.message === "Node n1 event: Registered Node n1 in Controller"));
  await h.stop();
}));

test("tolerations: the first matching one per taint counts; the smallest tolerationSeconds wins; none bounded = forever", () => {
  const unreachable = { key: UNREACHABLE, effect: "NoExecute" as const };
  const notReady = { key: NOT_READY, effect: "NoExecute" as const };
  const cases: { name: string; taints: Taint[]; tolerations?: Toleration[]; all: boolean; ms?: number }[] = [
    { name: "no tolerations", taints: [unreachable], all: false },
    { name: "another key", taints: [unreachable], tolerations: [{ key: NOT_READY, operator: "Exists" }], all: false },
    { name: "one taint of two", taints: [unreachable, notReady], tolerations: [{ key: UNREACHABLE, operator: "Exists" }], all: false },
    { name: "wrong effect", taints: [unreachable], tolerations: [{ key: UNREACHABLE, operator: "Exists", effect: "NoSchedule" }], all: false },
    { name: "Equal needs the value", taints: [{ ...unreachable, value: "x" }], tolerations: [{ key: UNREACHABLE, value: "y" }], all: false },
    { name: "unbounded", taints: [unreachable], tolerations: [{ key: UNREACHABLE, operator: "Exists" }], all: true, ms: -1 },
    { name: "bounded", taints: [unreachable], tolerations: [{ key: UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }], all: true, ms: 300_000 },
    { name: "smallest across taints", taints: [unreachable, notReady], tolerations: [{ key: UNREACHABLE, operator: "Exists", tolerationSeconds: 30 }, { key: NOT_READY, operator: "Exists", tolerationSeconds: 20 }], all: true, ms: 20_000 },
    { name: "first match only", taints: [unreachable], tolerations: [{ operator: "Exists" }, { key: UNREACHABLE, operator: "Exists", tolerationSeconds: 5 }], all: true, ms: -1 },
    { name: "negative = now", taints: [unreachable], tolerations: [{ key: UNREACHABLE, operator: "Exists", tolerationSeconds: -5 }], all: true, ms: 0 },
  ];
  for (const c of cases) {
    const m = matchingTolerations(c.taints, c.tolerations);
    assert.is(m.all, c.all, c.name);
    if (c.ms !== undefined) assert.is(minTolerationMs(m.used), c.ms, c.name);
  }
});

test("zone states and their tainting rates follow Kubernetes' thresholds", () => {
  const ready = { type: "Ready", status: "True" as const };
  const down = { type: "Ready", status: "Unknown" as const };
  const s = { evictionRate: 0.1, secondaryEvictionRate: 0.01, largeClusterSizeThreshold: 50, unhealthyZoneThreshold: 0.55 };
  const cases: { name: string; conds: ({ type: string; status: "True" | "Unknown" } | undefined)[]; state: string; rate: number }[] = [
    { name: "all ready", conds: [ready, ready, ready], state: "Normal", rate: 0.1 },
    { name: "two of three down (not more than 2)", conds: [down, down, ready], state: "Normal", rate: 0.1 },
    { name: "three of four down", conds: [down, down, down, ready], state: "PartialDisruption", rate: 0 },
    { name: "half of eight down (< 55 %)", conds: [down, down, down, down, ready, ready, ready, ready], state: "Normal", rate: 0.1 },
    { name: "none ready", conds: [down, undefined], state: "FullDisruption", rate: 0.1 },
    { name: "large zone, partial", conds: [...Array(30).fill(down), ...Array(21).fill(ready)], state: "PartialDisruption", rate: 0.01 },
  ];
  for (const c of cases) {
    const state = computeZoneState(c.conds as never, s.unhealthyZoneThreshold);
    assert.is(state, c.state, c.name);
    assert.is(zoneRate(state, c.conds.length, s), c.rate, c.name);
  }
  assert.is(zoneKey({ metadata: { labels: { "topology.kubernetes.io/region": "r", "topology.kubernetes.io/zone": "z" } } } as never), "r:\u0000:z");
  assert.is(zoneKey({ metadata: {} } as never), "");
});

test("the taint manager evicts each pod when its tolerations run out", readable(async () => {
  const h = await cluster(["n1", "n2", "n3"]);
  const cases: { name: string; tolerations?: Toleration[]; goneBy?: number; stillAt?: number }[] = [
    // Explicit tolerations throughout, so DefaultTolerationSeconds admission (300 s) changes nothing.
    { name: "zero", tolerations: [{ key: UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds: 0 }, { key: NOT_READY, operator: "Exists", effect: "NoExecute" }], goneBy: 1 },
    { name: "twenty", tolerations: [{ key: UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds: 20 }], stillAt: 15, goneBy: 25 },
    // The first toleration matching a taint is the one that counts.
    { name: "first-match", tolerations: [{ operator: "Exists", effect: "NoExecute", tolerationSeconds: 10 }, { key: UNREACHABLE, operator: "Exists", effect: "NoExecute" }], stillAt: 5, goneBy: 15 },
    { name: "forever", tolerations: [{ key: UNREACHABLE, operator: "Exists", effect: "NoExecute" }], stillAt: 120 },
    { name: "everything", tolerations: [{ operator: "Exists" }], stillAt: 120 },
  ];
  for (const c of cases) await h.runPodOn(c.name, "n2", c.tolerations ? { tolerations: c.tolerations } : {});
  await h.runPodOn("elsewhere", "n1");
  await live(h, 50, ["n1", "n3"]);
  const tainted = await h.until("NoExecute taint", async () => noExecute(await h.node("n2")).length > 0);
  assert.ok(tainted);
  const t0 = h.clock.now();
  const gone = new Map<string, number>();
  while (h.clock.now() - t0 <= 125_000) {
    for (const c of cases) if (!gone.has(c.name) && !(await h.pod(c.name))) gone.set(c.name, (h.clock.now() - t0) / 1000);
    await h.tick(1_000, 1_000);
    await h.heartbeat("n1", "n3");
  }
  for (const c of cases) {
    const at = gone.get(c.name);
    if (c.goneBy !== undefined) assert.ok(at !== undefined && at <= c.goneBy, `${c.name} evicted by ${c.goneBy} s (was ${at})`);
    if (c.stillAt !== undefined) assert.ok(at === undefined || at > c.stillAt, `${c.name} still there at ${c.stillAt} s (gone at ${at})`);
  }
  assert.ok(await h.pod("elsewhere"), "pods on healthy nodes stay");
  const evictions = (await h.events()).filter((e) => e.reason === "TaintManagerEviction").map((e) => e.message).sort();
  assert.equal(evictions, ["Marking for deletion Pod default/first-match", "Marking for deletion Pod default/twenty", "Marking for deletion Pod default/zero"]);
  await h.stop();
}));

test("a node that reports again loses its taints and pending evictions are cancelled", readable(async () => {
  const h = await cluster(["n1", "n2", "n3"]);
  await h.runPodOn("patient", "n2", { tolerations: [{ key: UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }] });
  await live(h, 50, ["n1", "n3"]);
  await h.until("n2 tainted", async () => noExecute(await h.node("n2")).length === 1);
  await h.heartbeat("n2");
  await h.postStatus("n2", "True");
  await live(h, 10, ["n1", "n2", "n3"]);
  const n2 = await h.node("n2");
  assert.is(cond(n2, "Ready")!.status, "True");
  assert.equal(taintsOf(n2), [], "NoExecute and NoSchedule taints removed");
  await live(h, 300, ["n1", "n2", "n3"]);
  assert.ok(await h.pod("patient"), "the cancelled eviction never happens");
  const cancel = (await h.events()).find((e) => e.reason === "TaintManagerEviction");
  assert.is(cancel?.message, "Cancelling deletion of Pod default/patient");
  await h.stop();
}));

test("Ready=False from the kubelet taints not-ready; silence then swaps it for unreachable", readable(async () => {
  const h = await cluster(["n1", "n2", "n3"]);
  await h.postStatus("n2", "False");
  await live(h, 10, ["n1", "n2", "n3"]);
  assert.equal(taintsOf(await h.node("n2")), [`${NOT_READY}:NoExecute`, `${NOT_READY}:NoSchedule`]);
  assert.is(cond(await h.node("n2"), "Ready")!.reason, "KubeletNotReady", "the kubelet's own condition is kept");
  await live(h, 50, ["n1", "n3"]);
  assert.is(cond(await h.node("n2"), "Ready")!.status, "Unknown");
  assert.equal(taintsOf(await h.node("n2")), [`${UNREACHABLE}:NoExecute`, `${UNREACHABLE}:NoSchedule`]);
  await h.stop();
}));

test("nodes are tainted for eviction at --node-eviction-rate (0.1/s by default), one at a time", readable(async () => {
  const names = Array.from({ length: 10 }, (_, i) => `n${i + 1}`);
  const h = await cluster(names);
  const dead = ["n2", "n4", "n6", "n8"];
  const alive = names.filter((n) => !dead.includes(n));
  await live(h, 45, alive);
  const firstTaint = new Map<string, number>();
  const t0 = h.clock.now();
  while (h.clock.now() - t0 < 50_000) {
    for (const n of dead) if (!firstTaint.has(n) && noExecute(await h.node(n)).length > 0) firstTaint.set(n, h.clock.now());
    await h.tick(1_000, 1_000);
    await h.heartbeat(...alive);
  }
  const times = [...firstTaint.values()].sort((a, b) => a - b);
  assert.is(times.length, 4, `every dead node tainted within 50 s (got ${times.length})`);
  for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] >= 9_000, `taints ${i - 1} and ${i} ${times[i] - times[i - 1]} ms apart, want ~10 s`);
  for (const n of alive) assert.equal(noExecute(await h.node(n)), []);
  await h.stop();
}));

test("disruption: evictions stop when a small zone or the whole cluster goes dark, slow down in a large zone", readable(async () => {
  const cases = [
    { name: "whole cluster dark", nodes: ["a1", "a2", "b1"], zones: { a1: "a", a2: "a", b1: "b" }, dead: ["a1", "a2", "b1"], options: {}, maxTainted: 0 },
    { name: "small zone mostly dark", nodes: ["a1", "a2", "a3", "a4", "b1"], zones: { a1: "a", a2: "a", a3: "a", a4: "a", b1: "b" }, dead: ["a1", "a2", "a3"], options: {}, maxTainted: 0 },
    { name: "large zone mostly dark (secondary rate 0.01/s)", nodes: ["a1", "a2", "a3", "a4", "b1"], zones: { a1: "a", a2: "a", a3: "a", a4: "a", b1: "b" }, dead: ["a1", "a2", "a3"], options: { largeClusterSizeThreshold: 3 }, maxTainted: 1 },
    { name: "other zone fully dark, the rest fine", nodes: ["a1", "a2", "b1"], zones: { a1: "a", a2: "a", b1: "b" }, dead: ["b1"], options: {}, maxTainted: 1, minTainted: 1 },
  ];
  for (const c of cases) {
    const h = await setup(["nodelifecycle"], { ...opts, ...c.options });
    for (const n of c.nodes) await h.addNode(n, { "topology.kubernetes.io/zone": (c.zones as Record<string, string>)[n] });
    await h.runPodOn("victim", c.dead[0]);
    await live(h, 110, c.nodes.filter((n) => !c.dead.includes(n)));
    let tainted = 0;
    for (const n of c.dead) {
      const node = await h.node(n);
      assert.is(cond(node, "Ready")!.status, "Unknown", `${c.name}: ${n} Unknown`);
      assert.ok(taintsOf(node).includes(`${UNREACHABLE}:NoSchedule`), `${c.name}: ${n} NoSchedule`);
      if (noExecute(node).length > 0) tainted++;
    }
    assert.ok(tainted <= c.maxTainted && tainted >= (c.minTainted ?? 0), `${c.name}: ${tainted} nodes tainted NoExecute`);
    if (c.maxTainted === 0) assert.ok(await h.pod("victim"), `${c.name}: nothing evicted`);
    await h.stop();
  }
}));

test("node conditions and cordoning are mirrored as NoSchedule taints", readable(async () => {
  const h = await cluster(["n1", "n2"]);
  await retryOnConflict(async () => {
    const n1 = await h.node("n1");
    const conditions = n1.status!.conditions!.map((c) => (c.type === "MemoryPressure" ? { ...c, status: "True" as const } : c));
    await h.client.updateStatus("nodes", { ...n1, status: { ...n1.status, conditions } });
  });
  await retryOnConflict(async () => {
    const fresh = await h.node("n1");
    await h.client.update("nodes", { ...fresh, spec: { ...fresh.spec, unschedulable: true } });
  });
  const want = ["node.kubernetes.io/memory-pressure:NoSchedule", "node.kubernetes.io/unschedulable:NoSchedule"];
  await h.until("pressure and cordon taints", async () => JSON.stringify(taintsOf(await h.node("n1"))) === JSON.stringify(want));
  await h.postStatus("n1", "True");
  await retryOnConflict(async () => {
    const again = await h.node("n1");
    await h.client.update("nodes", { ...again, spec: { ...again.spec, unschedulable: false } });
  });
  await h.until("taints cleared", async () => taintsOf(await h.node("n1")).length === 0);
  await h.stop();
}));

test("a bad node lifecycle option stops the controller-manager from starting, with the reason", readable(async () => {
  const err = await setup(["nodelifecycle"], { nodeEvictionRate: "fast" }).then(() => undefined, (e: Error) => e);
  assert.ok(err, "spawn fails");
  assert.match(String(err!.message), /nodeEvictionRate must be a number/);
}));

test.run();
