import { test } from "uvu";
import * as assert from "uvu/assert";
import { ActorSystem } from "../../../runtime/system.ts";
import { apiserverActor } from "../../../actors/apiserver/actor.ts";
import { kubeletActor } from "../../../actors/kubelet/actor.ts";
import { cniActor } from "../../../cni/actor.ts";
import { schedulerActor } from "../../../actors/scheduler/actor.ts";
import type { ActorFactory } from "../../../runtime/actor.ts";
import type { Pod } from "../../../actors/api/types/core-pod.ts";
import { crashBackoffMs } from "../../../actors/kubelet/pods.ts";

const untyped = <C>(f: unknown) => f as ActorFactory<C>;

async function cluster(nodes = ["n1", "n2"]) {
  const sys = new ActorSystem({ id: 0, name: "t" });
  await sys.spawn("apiserver", untyped(apiserverActor), {});
  await sys.spawn("cni", untyped(cniActor), {});
  for (const [i, n] of nodes.entries()) await sys.spawn(`kubelet/${n}`, untyped(kubeletActor), { node: { name: n, internalIP: `172.18.0.${i + 2}` }, runtime: { pullDelayMs: 5 } });
  await sys.spawn("scheduler", untyped(schedulerActor), {});
  return sys;
}
const create = (sys: ActorSystem, name: string, spec: Record<string, unknown>, annotations?: Record<string, string>) =>
  sys.ask("apiserver", { type: "api.create", resource: "pods", namespace: "default", object: { metadata: { name, annotations }, spec } });
const get = (sys: ActorSystem, name: string) => sys.ask<Pod>("apiserver", { type: "api.get", resource: "pods", namespace: "default", name });
async function until(sys: ActorSystem, name: string, pred: (p: Pod) => boolean, ms = 8000): Promise<Pod> {
  const start = Date.now();
  for (;;) {
    const p = await get(sys, name).catch(() => undefined);
    if (p && pred(p)) return p;
    if (Date.now() - start > ms) throw new Error(`pod ${name} never got there; last: ${JSON.stringify(p?.status)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test("a pod is scheduled, gets a unique IP in its node's podCIDR and reaches Running and Ready", async () => {
  const sys = await cluster();
  for (const n of ["a", "b", "c", "d"]) await create(sys, n, { containers: [{ name: "web", image: "nginx:1.27" }] });
  const pods: Pod[] = [];
  for (const n of ["a", "b", "c", "d"]) pods.push(await until(sys, n, (p) => p.status?.phase === "Running" && Boolean(p.status.podIP)));
  const ips = pods.map((p) => p.status!.podIP!);
  assert.is(new Set(ips).size, 4, "every pod IP is unique");
  const p = pods[0];
  const ready = await until(sys, "a", (x) => x.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false);
  assert.ok(ready);
  const node = await sys.ask<{ spec: { podCIDR: string } }>("apiserver", { type: "api.get", resource: "nodes", name: p.spec.nodeName! });
  assert.ok(p.status!.podIP!.startsWith(node.spec.podCIDR.split(".").slice(0, 3).join(".")), `${p.status!.podIP} in ${node.spec.podCIDR}`);
  const cs = p.status!.containerStatuses![0];
  assert.ok(cs.state!.running);
  assert.is(cs.restartCount, 0);
  assert.match(p.status!.hostIP!, /^172\.18\.0\./);
  await sys.stopAll();
});

test("run-to-completion pods end Succeeded or Failed with their exit codes", async () => {
  const sys = await cluster(["n1"]);
  await create(sys, "ok", { restartPolicy: "Never", containers: [{ name: "job", image: "busybox:1", command: ["sh", "-c", "exit 0"] }] });
  await create(sys, "bad", { restartPolicy: "Never", containers: [{ name: "job", image: "busybox:1", command: ["sh", "-c", "exit 3"] }] });
  const ok = await until(sys, "ok", (p) => p.status?.phase === "Succeeded");
  assert.is(ok.status!.containerStatuses![0].state!.terminated!.reason, "Completed");
  const bad = await until(sys, "bad", (p) => p.status?.phase === "Failed");
  assert.is(bad.status!.containerStatuses![0].state!.terminated!.exitCode, 3);
  await sys.stopAll();
});

test("a crashing container under restartPolicy Always goes into CrashLoopBackOff", async () => {
  const sys = await cluster(["n1"]);
  await create(sys, "crash", { containers: [{ name: "c", image: "busybox:1" }] }, { "actorkube.io/behavior": "crash" });
  const p = await until(sys, "crash", (x) => x.status?.containerStatuses?.[0]?.state?.waiting?.reason === "CrashLoopBackOff");
  assert.match(p.status!.containerStatuses![0].state!.waiting!.message!, /back-off 10s restarting failed container=c pod=crash_default/);
  assert.equal([1, 2, 3, 6, 10].map(crashBackoffMs), [10_000, 20_000, 40_000, 300_000, 300_000]);
  await sys.stopAll();
});

test("a bad behaviour script is the pod's error (CreateContainerConfigError), not the kubelet's", async () => {
  const sys = await cluster(["n1"]);
  await create(sys, "odd", { containers: [{ name: "c", image: "x:1" }] }, { "actorkube.io/behavior": "dance" });
  const p = await until(sys, "odd", (x) => x.status?.containerStatuses?.[0]?.state?.waiting?.reason === "CreateContainerConfigError");
  assert.match(p.status!.containerStatuses![0].state!.waiting!.message!, /unknown behavior "dance"/);
  // The kubelet still runs other pods.
  await create(sys, "fine", { containers: [{ name: "c", image: "x:1" }] });
  await until(sys, "fine", (x) => x.status?.phase === "Running");
  await sys.stopAll();
});

test("graceful deletion stops the containers, releases the IP and removes the pod", async () => {
  const sys = await cluster(["n1"]);
  await create(sys, "gone", { terminationGracePeriodSeconds: 1, containers: [{ name: "c", image: "x:1" }] });
  const p = await until(sys, "gone", (x) => x.status?.phase === "Running" && Boolean(x.status.podIP));
  await sys.ask("apiserver", { type: "api.delete", resource: "pods", namespace: "default", name: "gone" });
  const start = Date.now();
  while (await get(sys, "gone").then(() => true, () => false)) {
    if (Date.now() - start > 8000) throw new Error("pod was not removed");
    await new Promise((r) => setTimeout(r, 20));
  }
  const check = await sys.ask("cni", { type: "cni.check", node: "n1", podUid: p.metadata.uid }).catch((e) => e);
  assert.is((check as { code: string }).code, "NoAddress");
  await sys.stopAll();
});

test.run();
