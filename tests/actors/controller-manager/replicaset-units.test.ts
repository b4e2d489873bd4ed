// The pure parts of the ReplicaSet controller: deletion ranking, slow-start batches, expectations.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SimulatedClock } from "../../../runtime/clock.ts";
import type { Pod } from "../../../actors/api/types/core-pod.ts";
import { compareForDeletion, isPodAvailable, podsToDelete } from "../../../actors/controller-manager/pod-ranking.ts";
import { slowStartBatch, podFromTemplate } from "../../../actors/controller-manager/replicaset.ts";
import { Expectations, EXPECTATIONS_TIMEOUT_MS } from "../../../actors/controller-manager/expectations.ts";
import { replicaSet } from "./replicaset-harness.ts";

const NOW = Date.parse("2026-01-01T12:00:00Z");
const iso = (msAgo: number) => new Date(NOW - msAgo).toISOString().replace(/\.\d+Z$/, "Z");

interface PodShape {
  node?: string;
  phase?: "Pending" | "Running" | "Unknown";
  readyFor?: number;
  notReady?: boolean;
  restarts?: number;
  age?: number;
  cost?: number;
  uid?: string;
}

function pod(name: string, s: PodShape): Pod {
  const ready = s.readyFor !== undefined && !s.notReady;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      uid: s.uid ?? name,
      creationTimestamp: iso(s.age ?? 60_000),
      ...(s.cost !== undefined ? { annotations: { "controller.kubernetes.io/pod-deletion-cost": String(s.cost) } } : {}),
    },
    spec: { containers: [{ name: "c", image: "x" }], ...(s.node ? { nodeName: s.node } : {}) },
    status: {
      phase: s.phase ?? "Running",
      conditions: s.readyFor !== undefined || s.notReady ? [{ type: "Ready", status: ready ? "True" : "False", lastTransitionTime: iso(s.readyFor ?? 0) }] : [],
      containerStatuses: [{ name: "c", ready, restartCount: s.restarts ?? 0, image: "x", imageID: "x" }],
    },
  };
}

// Each case: two pods, and which one Kubernetes deletes first.
const rankCases: { why: string; first: PodShape; second: PodShape }[] = [
  { why: "unassigned before assigned", first: { phase: "Pending" }, second: { node: "n1", phase: "Pending" } },
  { why: "Pending before Unknown", first: { node: "n1", phase: "Pending" }, second: { node: "n1", phase: "Unknown" } },
  { why: "Unknown before Running", first: { node: "n1", phase: "Unknown" }, second: { node: "n1", phase: "Running" } },
  { why: "not ready before ready", first: { node: "n1", notReady: true }, second: { node: "n1", readyFor: 1_000 } },
  { why: "lower pod-deletion-cost first", first: { node: "n1", readyFor: 10_000, cost: -5 }, second: { node: "n1", readyFor: 1_000, cost: 0 } },
  { why: "ready for less time first", first: { node: "n1", readyFor: 1_000 }, second: { node: "n1", readyFor: 3_600_000 } },
  { why: "more restarts first", first: { node: "n1", readyFor: 60_000, restarts: 5, uid: "b" }, second: { node: "n1", readyFor: 60_000, restarts: 1, uid: "a" } },
  { why: "newer first", first: { node: "n1", readyFor: 60_000, age: 1_000 }, second: { node: "n1", readyFor: 60_000, age: 86_400_000 } },
  { why: "similar ages (same power of two) fall back to uid", first: { node: "n1", readyFor: 60_000, age: 70_000, uid: "a" }, second: { node: "n1", readyFor: 60_000, age: 71_000, uid: "b" } },
];

for (const c of rankCases) {
  test(`deletion ranking: ${c.why}`, () => {
    const a = { pod: pod("a", c.first), rank: 0 }, b = { pod: pod("b", c.second), rank: 0 };
    assert.ok(compareForDeletion(a, b, NOW) < 0, "first sorts first");
    assert.ok(compareForDeletion(b, a, NOW) > 0, "and not the other way");
  });
}

test("deletion ranking: pods doubled up on a node with related pods go before lone ones", () => {
  const lone = pod("lone", { node: "n1", readyFor: 60_000 });
  const crowded = pod("crowded", { node: "n2", readyFor: 60_000 });
  const sibling = pod("sibling", { node: "n2", readyFor: 60_000 }); // another ReplicaSet's pod of the same Deployment
  assert.equal(podsToDelete([lone, crowded], [lone, crowded, sibling], 1, NOW).map((p) => p.metadata.name), ["crowded"]);
});

test("availability: ready for strictly more than minReadySeconds", () => {
  const p = pod("p", { node: "n1", readyFor: 30_000 });
  assert.ok(isPodAvailable(p, 0, NOW));
  assert.ok(isPodAvailable(p, 29, NOW));
  assert.not.ok(isPodAvailable(p, 30, NOW));
  assert.not.ok(isPodAvailable(pod("q", { node: "n1", notReady: true }), 0, NOW));
});

const batchCases: { count: number; failAt?: number; batches: number[]; successes: number }[] = [
  { count: 20, batches: [1, 2, 4, 8, 5], successes: 20 },
  { count: 1, batches: [1], successes: 1 },
  { count: 0, batches: [], successes: 0 },
  { count: 20, failAt: 1, batches: [1], successes: 0 },
  { count: 20, failAt: 5, batches: [1, 2, 4], successes: 6 },
];

for (const c of batchCases) {
  test(`slow start: ${c.count} calls${c.failAt ? `, call ${c.failAt} failing` : ""} → batches ${JSON.stringify(c.batches)}`, async () => {
    const batches: number[] = [];
    let inFlight = 0, calls = 0;
    const r = await slowStartBatch(c.count, 1, async () => {
      const n = ++calls;
      if (inFlight++ === 0) batches.push(0);
      batches[batches.length - 1]++;
      await new Promise((res) => setTimeout(res, 1));
      inFlight--;
      if (n === c.failAt) throw new Error("refused");
    });
    assert.equal(batches, c.batches);
    assert.is(r.successes, c.successes);
    assert.is(r.error !== undefined, c.failAt !== undefined);
  });
}

test("expectations: satisfied when fulfilled, when never set, or after five minutes; deletions count once per pod", async () => {
  const clock = new SimulatedClock();
  const e = new Expectations(clock);
  assert.ok(e.satisfied("ns/a"), "never set");
  e.expectCreations("ns/a", 2);
  assert.not.ok(e.satisfied("ns/a"));
  e.creationObserved("ns/a");
  assert.not.ok(e.satisfied("ns/a"));
  e.creationObserved("ns/a");
  assert.ok(e.satisfied("ns/a"));
  e.expectDeletions("ns/a", ["ns/p1", "ns/p2"]);
  e.deletionObserved("ns/a", "ns/p1");
  e.deletionObserved("ns/a", "ns/p1");
  e.deletionObserved("ns/a", "ns/unrelated");
  assert.equal(e.get("ns/a"), { add: 0, del: 1 }, "a second sighting of the same deletion is not counted");
  assert.not.ok(e.satisfied("ns/a"));
  await clock.advance(EXPECTATIONS_TIMEOUT_MS + 1);
  assert.ok(e.satisfied("ns/a"), "expired");
  e.delete("ns/a");
  assert.is(e.get("ns/a"), undefined);
});

test("a pod from the template: generateName, template labels and annotations, controller reference", () => {
  const rs = replicaSet("web", 1, { app: "web" });
  rs.metadata.uid = "u1";
  rs.spec.template.metadata!.annotations = { note: "x" };
  const p = podFromTemplate(rs);
  assert.equal(p.metadata, {
    generateName: "web-",
    namespace: "default",
    labels: { app: "web" },
    ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: "u1", controller: true, blockOwnerDeletion: true }],
    annotations: { note: "x" },
  });
  assert.equal(p.spec, rs.spec.template.spec);
  assert.is.not(p.spec, rs.spec.template.spec, "a copy");
});

test.run();
