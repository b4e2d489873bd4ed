import { test } from "uvu";
import * as assert from "uvu/assert";
import { ActorSystem } from "../../runtime/system.ts";
import { errorCode } from "../../runtime/errors.ts";
import { apiserverActor } from "../../actors/apiserver/actor.ts";
import { cniActor, type CniConfig } from "../../cni/actor.ts";
import type { CniResult } from "../../cni/network.ts";
import type { ActorFactory } from "../../runtime/actor.ts";
import type { KubeObject } from "../../actors/api/meta.ts";

const untyped = <C>(f: unknown) => f as ActorFactory<C>;

async function cluster(cni: CniConfig = {}) {
  const sys = new ActorSystem({ id: 0, name: "t" });
  await sys.spawn("apiserver", untyped(apiserverActor), {});
  for (const name of ["n1", "n2", "n3"]) await sys.ask("apiserver", { type: "api.create", resource: "nodes", object: { metadata: { name } } });
  await sys.spawn("cni", untyped(cniActor), cni);
  return sys;
}

async function until(pred: () => Promise<boolean>, ms = 3000): Promise<void> {
  const start = Date.now();
  while (!(await pred())) {
    if (Date.now() - start > ms) throw new Error("condition not met");
    await new Promise((r) => setTimeout(r, 10));
  }
}

const podCIDRs = async (sys: ActorSystem) =>
  ((await sys.ask<{ items: (KubeObject & { spec?: { podCIDR?: string } })[] }>("apiserver", { type: "api.list", resource: "nodes" })).items).map((n) => n.spec?.podCIDR);

test("every node gets its own podCIDR, recorded on the Node", async () => {
  const sys = await cluster();
  await until(async () => (await podCIDRs(sys)).every(Boolean));
  const cidrs = await podCIDRs(sys);
  assert.is(new Set(cidrs).size, 3);
  for (const c of cidrs) assert.match(c!, /^10\.244\.\d+\.0\/24$/);
  await sys.stopAll();
});

test("ADD is idempotent per pod uid, shaped as a CNI result; DEL releases; CHECK answers", async () => {
  const sys = await cluster();
  const a = await sys.ask<CniResult>("cni", { type: "cni.add", node: "n1", podUid: "uid-a" });
  const again = await sys.ask<CniResult>("cni", { type: "cni.add", node: "n1", podUid: "uid-a" });
  assert.equal(a, again);
  assert.is(a.cniVersion, "1.0.0");
  assert.match(a.ips[0].address, /^10\.244\.\d+\.2\/24$/);
  assert.match(a.ips[0].gateway, /^10\.244\.\d+\.1$/);
  assert.equal(a.routes[0].dst, "0.0.0.0/0");
  const ip = a.ips[0].address.split("/")[0];
  assert.equal(await sys.ask("cni", { type: "cni.check", node: "n1", podUid: "uid-a" }), { ip });
  assert.is(await sys.ask("cni", { type: "cni.del", node: "n1", podUid: "uid-a" }), true);
  assert.is(await sys.ask("cni", { type: "cni.del", node: "n1", podUid: "uid-a" }), false);
  assert.is(errorCode(await sys.ask("cni", { type: "cni.check", node: "n1", podUid: "uid-a" }).catch((e) => e)), "NoAddress");
  assert.is(errorCode(await sys.ask("cni", { type: "cni.add", node: "n1" }).catch((e) => e)), "BadMessage");
  assert.is(errorCode(await sys.ask("cni", { type: "cni.add", node: "ghost", podUid: "x" }).catch((e) => e)), "NotFound");
  await sys.stopAll();
});

test("a node's exhausted pod range is a clear error, never a duplicate", async () => {
  const sys = await cluster({ clusterCIDR: "10.9.0.0/24", nodeMaskSize: 30 });
  await sys.ask<CniResult>("cni", { type: "cni.add", node: "n1", podUid: "p1" });
  const err = await sys.ask("cni", { type: "cni.add", node: "n1", podUid: "p2" }).catch((e) => e);
  assert.is(errorCode(err), "IPExhausted");
  await sys.stopAll();
});

test("no two pods share an IP under create/delete churn of thousands of pods", async () => {
  const sys = await cluster();
  const live = new Map<string, string>();
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < 4000; i++) {
    if (live.size > 0 && rnd() < 0.45) {
      const uid = [...live.keys()][Math.floor(rnd() * live.size)];
      await sys.ask("cni", { type: "cni.del", podUid: uid });
      live.delete(uid);
    } else {
      const uid = `pod-${i}`;
      const node = ["n1", "n2", "n3"][i % 3];
      const r = await sys.ask<CniResult>("cni", { type: "cni.add", node, podUid: uid });
      live.set(uid, r.ips[0].address);
    }
    if (i % 500 === 0) assert.is(new Set(live.values()).size, live.size, `duplicate IP after ${i} operations`);
  }
  assert.is(new Set(live.values()).size, live.size);
  assert.is((await sys.ask<{ podIPs: number }>("cni", { type: "cni.stats" })).podIPs, live.size);
  await sys.stopAll();
});

test("after a restart the CNI actor rebuilds node CIDRs and pod IPs from the apiserver", async () => {
  const sys = await cluster();
  await until(async () => (await podCIDRs(sys)).every(Boolean));
  const before = await podCIDRs(sys);
  await sys.ask("apiserver", { type: "api.create", resource: "pods", namespace: "default", object: { metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "x" }] } } });
  const pod = await sys.ask<KubeObject>("apiserver", { type: "api.get", resource: "pods", namespace: "default", name: "p" });
  await sys.ask("apiserver", { type: "api.create", resource: "pods", namespace: "default", subresource: "binding", name: "p", object: { target: { name: "n1" } } });
  const r = await sys.ask<CniResult>("cni", { type: "cni.add", node: "n1", podUid: pod.metadata.uid });
  const ip = r.ips[0].address.split("/")[0];
  const cur = await sys.ask<KubeObject>("apiserver", { type: "api.get", resource: "pods", namespace: "default", name: "p" });
  await sys.ask("apiserver", { type: "api.update", resource: "pods", namespace: "default", subresource: "status", object: { ...cur, status: { ...(cur.status as object), podIP: ip, podIPs: [{ ip }] } } });
  await sys.stop("cni");
  await sys.spawn("cni", untyped(cniActor), {});
  assert.equal(await podCIDRs(sys), before);
  assert.equal(await sys.ask("cni", { type: "cni.check", node: "n1", podUid: pod.metadata.uid }), { ip });
  const other = await sys.ask<CniResult>("cni", { type: "cni.add", node: "n1", podUid: "newcomer" });
  assert.is.not(other.ips[0].address.split("/")[0], ip);
  // A pod deleted without a DEL (its node died) gives its IP back.
  await sys.ask("apiserver", { type: "api.delete", resource: "pods", namespace: "default", name: "p", options: { gracePeriodSeconds: 0 } });
  await until(async () => errorCode(await sys.ask("cni", { type: "cni.check", node: "n1", podUid: pod.metadata.uid }).catch((e) => e)) === "NoAddress");
  await sys.stopAll();
});

test.run();
