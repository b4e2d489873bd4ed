import { test } from "uvu";
import * as assert from "uvu/assert";
import { setup } from "./endpoints-harness.ts";
import type { Endpoint } from "../../../actors/api/types/discovery.ts";

const ns = "default";
const summary = (eps: Endpoint[]) =>
  eps
    .map((e) => `${e.addresses[0]} ${e.nodeName}${e.zone ? `/${e.zone}` : ""} r=${e.conditions?.ready} s=${e.conditions?.serving} t=${e.conditions?.terminating}`)
    .sort();

test("slices list every selected pod with its conditions, node and zone, owned by the Service", async () => {
  const h = await setup(["endpointslice"]);
  try {
    await h.node("n1", "zone-a");
    await h.node("n2");
    await h.pod(ns, { name: "a", ip: "10.244.1.2", node: "n1" });
    await h.pod(ns, { name: "b", ip: "10.244.2.2", node: "n2", ready: false });
    await h.pod(ns, { name: "x", ip: "10.244.2.3", node: "n2", labels: { app: "other" } });
    const svc = await h.service(ns, "web", { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: 8080 }] }, { team: "x" });
    const [slice] = await h.until("one slice with two endpoints", async () => {
      const s = await h.slices(ns, "web");
      return s.length === 1 && s[0].endpoints.length === 2 ? s : undefined;
    });
    assert.equal(summary(slice.endpoints), ["10.244.1.2 n1/zone-a r=true s=true t=false", "10.244.2.2 n2 r=false s=false t=false"]);
    assert.equal(slice.metadata.labels, { team: "x", "kubernetes.io/service-name": "web", "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io" });
    assert.match(slice.metadata.name!, /^web-[a-z0-9]{5}$/);
    assert.equal(slice.metadata.ownerReferences, [{ apiVersion: "v1", kind: "Service", name: "web", uid: svc.metadata.uid!, controller: true, blockOwnerDeletion: true }]);
    assert.equal(slice.ports, [{ name: "http", port: 8080, protocol: "TCP" }]);
    assert.is(slice.addressType, "IPv4");
    assert.equal(slice.endpoints.find((e) => e.addresses[0] === "10.244.1.2")!.targetRef, { kind: "Pod", namespace: ns, name: "a", uid: (await h.client.get("pods", "a", { namespace: ns })).metadata.uid });
  } finally {
    await h.stop();
  }
});

test("slices follow readiness; a terminating pod stays with terminating=true until it is gone; deleting the service deletes its slices", async () => {
  const h = await setup(["endpointslice"]);
  try {
    await h.node("n1");
    const a = await h.pod(ns, { name: "a", ip: "10.244.1.2", ready: false });
    await h.service(ns, "web", { selector: { app: "web" }, ports: [{ port: 80 }] });
    const eps = async () => (await h.slices(ns, "web")).flatMap((s) => s.endpoints);
    await h.until("not ready", async () => JSON.stringify(summary(await eps())) === JSON.stringify(["10.244.1.2 n1 r=false s=false t=false"]));
    await h.setStatus(a, { ip: "10.244.1.2", ready: true });
    await h.until("ready", async () => JSON.stringify(summary(await eps())) === JSON.stringify(["10.244.1.2 n1 r=true s=true t=false"]));
    await h.client.delete("pods", "a", { namespace: ns });
    await h.until("terminating", async () => JSON.stringify(summary(await eps())) === JSON.stringify(["10.244.1.2 n1 r=false s=true t=true"]));
    // The kubelet's final delete: the pod is gone, the slice stays as an empty placeholder.
    await h.client.delete("pods", "a", { namespace: ns, gracePeriodSeconds: 0 });
    await h.until("placeholder", async () => {
      const s = await h.slices(ns, "web");
      return s.length === 1 && s[0].endpoints.length === 0 && (s[0].ports ?? []).length === 0;
    });
    await h.client.delete("services", "web", { namespace: ns });
    await h.until("slices deleted", async () => (await h.slices(ns, "web")).length === 0);
  } finally {
    await h.stop();
  }
});

test("150 pods make two slices (100 + 50), written once each, never duplicated while the cache catches up", async () => {
  const h = await setup(["endpointslice"]);
  try {
    await h.node("n1");
    await h.service(ns, "big", { selector: { app: "big" }, ports: [{ port: 80 }] });
    await h.until("placeholder", async () => (await h.slices(ns, "big")).length === 1);
    for (let i = 0; i < 150; i++) await h.pod(ns, { name: `p${i}`, ip: `10.244.${Math.floor(i / 100)}.${(i % 100) + 2}`, labels: { app: "big" } });
    const slices = await h.until("two full slices", async () => {
      const s = await h.slices(ns, "big");
      return s.reduce((n, x) => n + x.endpoints.length, 0) === 150 ? s : undefined;
    });
    await h.settle(50);
    const after = await h.slices(ns, "big");
    assert.equal(after.map((s) => s.endpoints.length).sort((x, y) => x - y), [50, 100]);
    assert.equal(new Set(after.flatMap((s) => s.endpoints.map((e) => e.addresses[0]))).size, 150, "no endpoint listed twice");
    assert.ok(slices.every((s) => s.endpoints.length <= 100));
    const stats = (await h.sys.ask<Record<string, Record<string, number>>>("controller-manager", { type: "controllers.stats" })).endpointslice;
    assert.is(stats.deletes, 0, "nothing created by mistake had to be deleted");
  } finally {
    await h.stop();
  }
});

test("services without a selector and ExternalName services get no slices from the controller", async () => {
  const h = await setup(["endpointslice"]);
  try {
    await h.node("n1");
    await h.pod(ns, { name: "a", ip: "10.244.1.2" });
    await h.service(ns, "manual", { ports: [{ port: 80 }] });
    await h.service(ns, "ext", { type: "ExternalName", externalName: "db.example.com" });
    await h.service(ns, "web", { selector: { app: "web" }, ports: [{ port: 80 }] });
    await h.until("web slice", async () => (await h.slices(ns, "web")).length === 1);
    await h.settle();
    assert.equal(await h.slices(ns, "manual"), []);
    assert.equal(await h.slices(ns, "ext"), []);
  } finally {
    await h.stop();
  }
});

test.run();
