// End to end on real workers: a Service over a set of pods (no Deployment) and
// kube-proxy in its own worker routing calls to it as each node would.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { servicesCluster, until, webPod } from "./services-cluster.ts";
import type { Service } from "../../../actors/api/types/core-service.ts";
import type { Pod } from "../../../actors/api/types/core-pod.ts";
import type { RouteResult } from "../../../actors/kube-proxy/table.ts";
import type { ProxyTable } from "../../../actors/kube-proxy/render.ts";

test("proxy.route spreads calls over the ready pods, preferring the caller's node", async () => {
  const { supervisor, client, workers } = await servicesCluster(3);
  try {
    assert.ok(workers.includes("kube-proxy"), "controlPlane() starts kube-proxy in a worker of its own");
    const svc = await client.create<Service>("services", {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", namespace: "default" },
      spec: { type: "NodePort", selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http" }] },
    });
    const pods = [webPod("a1", { node: "node-1" }), webPod("a2", { node: "node-1" }), webPod("b1", { node: "node-2" }), webPod("c-down", { node: "node-3", behavior: "readiness:fail" })];
    for (const p of pods) await client.create("pods", p);
    const ips = await until("pods running with IPs", async () => {
      const list = (await client.list<Pod>("pods", { namespace: "default" })).items;
      const byName = Object.fromEntries(list.map((p) => [p.metadata.name, p.status?.podIP]));
      return pods.every((p) => byName[p.metadata.name!]) && (byName as Record<string, string>);
    });
    const route = (fromNode: string, dest = svc.spec.clusterIP!, port = 80) => supervisor.ask<RouteResult>("kube-proxy", { type: "proxy.route", fromNode, dest, port });
    const spread = async (fromNode: string, n: number, dest?: string, port?: number) => {
      const out: Record<string, number> = {};
      for (let i = 0; i < n; i++) {
        const r = await route(fromNode, dest, port);
        const k = r.verdict === "ACCEPT" ? r.backend.pod!.split("/")[1] : r.verdict;
        out[k] = (out[k] ?? 0) + 1;
      }
      return out;
    };
    // kube-proxy sees the three ready pods (and never the one that fails its probe).
    // Compared key by key: which backend the round robin starts from depends on how many calls came before.
    const counts = (o: Record<string, number>) => JSON.stringify(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
    await until("three ready backends", async () => counts(await spread("node-3", 6)) === counts({ a1: 2, a2: 2, b1: 2 }));
    // node-1 keeps calls on its own two pods; node-2 on its one; node-3 (no ready pod) spreads over all.
    assert.equal(await spread("node-1", 10), { a1: 5, a2: 5 });
    assert.equal(await spread("node-2", 4), { b1: 4 });
    assert.equal(await spread("node-3", 30), { a1: 10, a2: 10, b1: 10 });
    const r = await route("node-3");
    assert.is(r.verdict, "ACCEPT");
    if (r.verdict === "ACCEPT") {
      assert.is(r.via, "ClusterIP");
      assert.is(r.backend.port, 8080, "the named target port resolved to the container port");
      assert.is(r.backend.ip, ips[r.backend.pod!.split("/")[1]]);
    }
    // NodePort on node-2's address is handled by node-2.
    const nodes = (await client.list<{ metadata: { name: string }; status: { addresses: { type: string; address: string }[] } } & import("../../../actors/api/meta.ts").KubeObject>("nodes")).items;
    const node2IP = nodes.find((n) => n.metadata.name === "node-2")!.status.addresses.find((a) => a.type === "InternalIP")!.address;
    assert.equal(await spread("node-1", 3, node2IP, svc.spec.ports![0].nodePort), { b1: 3 });
    // The table of node-1, iptables-shaped.
    const t = await supervisor.ask<ProxyTable>("kube-proxy", { type: "proxy.table", node: "node-1" });
    const web = t.services.find((s) => s.name === "default/web:http")!;
    assert.match(web.internal, /^KUBE-SVL-/);
    assert.equal(Object.values(web.policyChains).map((rules) => rules.length).sort(), [2, 3]);
    assert.match(t.iptablesSave, /-A KUBE-SVC-\w{16} -m comment --comment "default\/web:http -> [\d.]+:8080" -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-\w{16}/);
    // Deleting the service: its address is no longer a service.
    await client.delete("services", "web", { namespace: "default" });
    await until("service gone from the table", async () => (await route("node-1")).verdict === "NOT_A_SERVICE");
  } finally {
    await supervisor.shutdown();
  }
});

test.run();
