// The pod garbage collector against the real apiserver actor on a simulated clock.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Pod } from "../../../actors/api/types/core-pod.ts";
import { readable, setup } from "./core-controllers-harness.ts";

const NS = "default";
const pod = (name: string, spec: Record<string, unknown> = {}, status?: Record<string, unknown>): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: NS },
  spec: { containers: [{ name: "c", image: "nginx:1.27" }], ...spec },
  ...(status ? { status } : {}),
});
const exists = (h: Awaited<ReturnType<typeof setup>>, name: string) => h.client.get<Pod>("pods", name, { namespace: NS }).then((p) => p, () => undefined);

test("pods bound to a node that no longer exists are deleted; pods of live nodes stay", readable(async () => {
  const h = await setup(["podgc"], { podGCPeriodMs: 1000 });
  await h.client.create("nodes", { apiVersion: "v1", kind: "Node", metadata: { name: "alive" } });
  await h.client.create("pods", pod("on-ghost", { nodeName: "ghost" }));
  await h.client.create("pods", pod("on-alive", { nodeName: "alive" }));
  await h.client.create("pods", pod("pending"));
  await h.tick(3000);
  await h.until("the ghost node's pod to go", async () => !(await exists(h, "on-ghost")));
  assert.ok(await exists(h, "on-alive"), "a pod on a live node stays");
  assert.ok(await exists(h, "pending"), "an unscheduled pod stays");
}));

test("deleting a node removes its pods at once, without waiting for the period", readable(async () => {
  const h = await setup(["podgc"], { podGCPeriodMs: 3_600_000 });
  await h.client.create("nodes", { apiVersion: "v1", kind: "Node", metadata: { name: "n1" } });
  await h.client.create("pods", pod("a", { nodeName: "n1" }));
  await h.settle();
  await h.tick(1000);
  assert.ok(await exists(h, "a"));
  await h.client.delete("nodes", "n1");
  await h.until("the pod of the deleted node to go", async () => !(await exists(h, "a")));
}));

test("terminated pods beyond the threshold are deleted oldest first", readable(async () => {
  const h = await setup(["podgc"], { podGCPeriodMs: 1000, terminatedPodGCThreshold: 2 });
  await h.client.create("nodes", { apiVersion: "v1", kind: "Node", metadata: { name: "n1" } });
  for (const name of ["old", "mid", "new"]) {
    const p = await h.client.create<Pod>("pods", pod(name, { nodeName: "n1", restartPolicy: "Never" }));
    await h.client.updateStatus("pods", { ...p, status: { phase: "Succeeded" } }, { namespace: NS });
    await h.tick(1000);
  }
  await h.until("the oldest finished pod to go", async () => !(await exists(h, "old")));
  await h.tick(2000);
  assert.ok(await exists(h, "mid"));
  assert.ok(await exists(h, "new"));
}));

test("a bad option stops the controller-manager from starting", async () => {
  let err: unknown;
  try {
    await setup(["podgc"], { podGCPeriodMs: -5 });
  } catch (e) {
    err = e;
  }
  assert.match(String((err as Error)?.message), /podGCPeriodMs must be a positive number/);
});

test.run();
