import { test } from "uvu";
import * as assert from "uvu/assert";
import { Snapshot } from "../../../actors/scheduler/snapshot.ts";
import { node, pod } from "./fixtures.ts";

test("nodes and pods are tracked incrementally", () => {
  const s = new Snapshot();
  s.upsertNode(node("n1"));
  s.upsertNode(node("n2"));
  s.upsertPod(pod("a", { nodeName: "n1", cpu: "1", memory: "1Gi", ports: [{ containerPort: 80, hostPort: 80 }] }));
  s.upsertPod(pod("b", { cpu: "1" })); // pending: not counted anywhere
  assert.equal(s.nodeInfos().map((n) => n.name), ["n1", "n2"]);
  const n1 = s.get("n1")!;
  assert.is(n1.pods.size, 1);
  assert.is(n1.requested.cpu, 1000);
  assert.ok(n1.portConflicts({ ip: "0.0.0.0", protocol: "TCP", port: 80 }));

  // Moving a pod (update with another nodeName) moves its requests.
  s.upsertPod(pod("a", { nodeName: "n2", cpu: "1" }));
  assert.is(n1.pods.size, 0);
  assert.is(n1.requested.cpu, undefined);
  assert.not.ok(n1.portConflicts({ ip: "0.0.0.0", protocol: "TCP", port: 80 }));
  assert.is(s.get("n2")!.requested.cpu, 1000);

  // Finished pods free their room.
  s.upsertPod({ ...pod("a", { nodeName: "n2", cpu: "1" }), status: { phase: "Succeeded" } });
  assert.is(s.get("n2")!.pods.size, 0);
});

test("node updates keep pods; node delete keeps pods until they go", () => {
  const s = new Snapshot();
  s.upsertNode(node("n1", { cpu: "2" }));
  s.upsertPod(pod("a", { nodeName: "n1", cpu: "1" }));
  s.upsertNode(node("n1", { cpu: "8" }));
  assert.is(s.get("n1")!.allocatable.cpu, 8000);
  assert.is(s.get("n1")!.pods.size, 1);
  s.deleteNode("n1");
  assert.equal(s.nodeInfos(), []);
  assert.is(s.get("n1")!.pods.size, 1);
  s.deletePod(pod("a"));
  assert.is(s.get("n1"), undefined);
});

test("pods seen before their node are counted once the node arrives", () => {
  const s = new Snapshot();
  s.upsertPod(pod("a", { nodeName: "late", cpu: "1" }));
  assert.is(s.size, 0);
  s.upsertNode(node("late"));
  assert.is(s.size, 1);
  assert.is(s.get("late")!.requested.cpu, 1000);
});

test("assume, confirm and forget", () => {
  const s = new Snapshot();
  s.upsertNode(node("n1"));
  const p = pod("a", { cpu: "1" });
  s.assume(p, "n1");
  assert.ok(s.isAssumed(p));
  assert.is(s.get("n1")!.requested.cpu, 1000);
  s.forget(p);
  assert.is(s.get("n1")!.pods.size, 0);

  s.assume(p, "n1");
  s.upsertPod(pod("a", { cpu: "1", nodeName: "n1" })); // the watch confirms the binding
  assert.not.ok(s.isAssumed(p));
  s.forget(p); // too late to forget a confirmed pod
  assert.is(s.get("n1")!.pods.size, 1);
  assert.is(s.get("n1")!.requested.cpu, 1000);
});

test.run();
