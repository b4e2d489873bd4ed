import { test } from "uvu";
import * as assert from "uvu/assert";
import { setup } from "../controller-manager/endpoints-harness.ts";
import { kubeProxyActor } from "../../../actors/kube-proxy/actor.ts";
import type { ActorFactory } from "../../../runtime/actor.ts";
import type { RouteResult } from "../../../actors/kube-proxy/table.ts";
import type { ProxyTable } from "../../../actors/kube-proxy/render.ts";

const factory = kubeProxyActor as unknown as ActorFactory<unknown>;

async function rejects(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error("expected a rejection");
}

async function cluster() {
  const h = await setup(["endpointslice"]);
  for (const [i, n] of ["n1", "n2"].entries()) {
    await h.client.create("nodes", { apiVersion: "v1", kind: "Node", metadata: { name: n }, spec: {}, status: { addresses: [{ type: "InternalIP", address: `172.18.0.${i + 2}` }] } });
  }
  await h.sys.spawn("kube-proxy", factory, {});
  const route = (req: Record<string, unknown>) => h.sys.ask<RouteResult>("kube-proxy", { type: "proxy.route", ...req });
  return { ...h, route };
}

test("kube-proxy follows Services and EndpointSlices from the apiserver; its table is per node and iptables-shaped", async () => {
  const h = await cluster();
  try {
    const svc = await h.service("default", "web", { type: "NodePort", selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: 8080 }] });
    const ip = svc.spec.clusterIP!;
    assert.match(ip, /^10\.9[6-9]\.|^10\.1[01]\d\./);
    const nodePort = svc.spec.ports![0].nodePort!;
    const none = await h.until("REJECT without endpoints", async () => {
      const r = await h.route({ fromNode: "n1", dest: ip, port: 80 });
      return r.verdict === "REJECT" ? r : undefined;
    });
    assert.is((none as { reason: string }).reason, "no endpoints for service default/web:http");
    await h.pod("default", { name: "a", ip: "10.244.1.2", node: "n1" });
    await h.pod("default", { name: "b", ip: "10.244.2.2", node: "n2" });
    // Two backends for web, one for the apiserver's own service.
    await h.until("two backends", async () => (await h.sys.ask<{ endpoints: number; services: number }>("kube-proxy", { type: "proxy.stats" })).endpoints === 3);
    const fromN1 = await h.route({ fromNode: "n1", dest: ip, port: 80 });
    assert.equal((fromN1 as { backend: unknown }).backend, { ip: "10.244.1.2", port: 8080, node: "n1", pod: "default/a" });
    const viaNodePort = await h.route({ fromNode: "n1", dest: "172.18.0.3", port: nodePort });
    assert.equal([(viaNodePort as { via: string }).via, (viaNodePort as { backend: { node: string } }).backend.node], ["NodePort", "n2"]);
    const t = await h.sys.ask<ProxyTable>("kube-proxy", { type: "proxy.table", node: "n2" });
    assert.is(t.node, "n2");
    const web = t.services.find((s) => s.name === "default/web:http")!;
    assert.equal(web.endpoints.map((e) => [e.ip, e.local]), [["10.244.1.2", false], ["10.244.2.2", true]]);
    assert.match(t.iptablesSave, new RegExp(`-A KUBE-NODEPORTS -m comment --comment default/web:http -m tcp -p tcp --dport ${nodePort} -j KUBE-EXT-`));
    // The apiserver's own service is routed too.
    const api = await h.route({ fromNode: "n1", dest: "10.96.0.1", port: 443 });
    assert.equal((api as { backend: unknown }).backend, { ip: "127.0.0.1", port: 6443 });
    // Readiness changes reach the table.
    const a = await h.client.get<import("../../../actors/api/types/core-pod.ts").Pod>("pods", "a", { namespace: "default" });
    await h.setStatus(a, { ip: "10.244.1.2", ready: false });
    await h.until("n1 falls back to n2", async () => ((await h.route({ fromNode: "n1", dest: ip, port: 80 })) as { backend?: { ip: string } }).backend?.ip === "10.244.2.2");
    const stats = await h.sys.ask<{ routes: Record<string, number>; syncs: number }>("kube-proxy", { type: "proxy.stats" });
    assert.ok(stats.routes.ACCEPT >= 4 && stats.routes.REJECT >= 1);
    assert.ok(stats.syncs > 0);
  } finally {
    await h.stop();
  }
});

test("a restarted kube-proxy rebuilds its table from the apiserver; bad requests get typed errors", async () => {
  const h = await cluster();
  try {
    const svc = await h.service("default", "web", { selector: { app: "web" }, ports: [{ port: 80 }] });
    await h.pod("default", { name: "a", ip: "10.244.2.2", node: "n2" });
    await h.until("routed", async () => (await h.route({ fromNode: "n1", dest: svc.spec.clusterIP!, port: 80 })).verdict === "ACCEPT");
    await h.sys.stop("kube-proxy");
    await h.sys.spawn("kube-proxy", factory, {});
    const r = await h.route({ fromNode: "n1", dest: svc.spec.clusterIP!, port: 80 });
    assert.equal((r as { backend: unknown }).backend, { ip: "10.244.2.2", port: 80, node: "n2", pod: "default/a" });
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ dest: "10.96.0.1", port: 80 }, /fromNode/],
      [{ fromNode: "n1", dest: "not-an-ip", port: 80 }, /dest: expected an IPv4 address/],
      [{ fromNode: "n1", dest: "10.96.0.1", port: 70000 }, /port: expected an integer in 1\.\.65535/],
      [{ fromNode: "n1", dest: "10.96.0.1", port: 80, protocol: "ICMP" }, /protocol: expected TCP, UDP or SCTP/],
    ];
    for (const [req, msg] of bad) {
      const err = await rejects(h.route(req));
      assert.is(err.code, "BadMessage");
      assert.match(err.message, msg);
    }
    const unknown = await rejects(h.sys.ask("kube-proxy", { type: "proxy.table", node: "n9" }));
    assert.is(unknown.code, "NotFound");
    assert.match(unknown.message, /node "n9" is not known to kube-proxy \(known: n1, n2\)/);
    assert.is((await rejects(h.sys.ask("kube-proxy", { type: "proxy.nope" }))).code, "UnknownMessage");
    // Still answering.
    assert.is((await h.route({ fromNode: "n1", dest: svc.spec.clusterIP!, port: 80 })).verdict, "ACCEPT");
  } finally {
    await h.stop();
  }
});

test.run();
