import { test } from "uvu";
import * as assert from "uvu/assert";
import { setup, type PodCase } from "./endpoints-harness.ts";
import { repackSubsets } from "../../../actors/controller-manager/endpoints.ts";
import type { EndpointSubset, Service } from "../../../actors/api/types/core-service.ts";

interface Case {
  name: string;
  service: Partial<Service["spec"]>;
  pods: PodCase[];
  /** Expected subsets, with targetRef reduced to the pod name. */
  want: EndpointSubset[];
  labels?: Record<string, string>;
}

const web = { app: "web" };
const http = [{ name: "http", port: 80, targetPort: "http" as const }];

const cases: Case[] = [
  {
    name: "ready and not-ready pods, each with node and pod reference",
    service: { selector: web, ports: [{ port: 80, targetPort: 8080 }] },
    pods: [
      { name: "a", ip: "10.244.1.2", ready: true, node: "n1" },
      { name: "b", ip: "10.244.2.2", ready: false, node: "n2" },
      { name: "c", ip: "10.244.1.3", ready: true, node: "n1" },
    ],
    want: [
      {
        addresses: [{ ip: "10.244.1.2", nodeName: "n1", targetRef: "a" }, { ip: "10.244.1.3", nodeName: "n1", targetRef: "c" }],
        notReadyAddresses: [{ ip: "10.244.2.2", nodeName: "n2", targetRef: "b" }],
        ports: [{ port: 8080, protocol: "TCP" }],
      },
    ] as unknown as EndpointSubset[],
  },
  {
    name: "a named target port resolves per pod; pods without it are left out of that port",
    service: { selector: web, ports: http },
    pods: [
      { name: "a", ip: "10.244.1.2", ports: { http: 8080 } },
      { name: "b", ip: "10.244.1.3", ports: { http: 9090 } },
      { name: "c", ip: "10.244.1.4", ports: { metrics: 9100 } },
    ],
    want: [
      { addresses: [{ ip: "10.244.1.2", nodeName: "n1", targetRef: "a" }], ports: [{ name: "http", port: 8080, protocol: "TCP" }] },
      { addresses: [{ ip: "10.244.1.3", nodeName: "n1", targetRef: "b" }], ports: [{ name: "http", port: 9090, protocol: "TCP" }] },
    ] as unknown as EndpointSubset[],
  },
  {
    name: "publishNotReadyAddresses lists not-ready pods as ready",
    service: { selector: web, ports: [{ port: 80 }], publishNotReadyAddresses: true },
    pods: [{ name: "a", ip: "10.244.1.2", ready: false }],
    want: [{ addresses: [{ ip: "10.244.1.2", nodeName: "n1", targetRef: "a" }], ports: [{ port: 80, protocol: "TCP" }] }] as unknown as EndpointSubset[],
  },
  {
    name: "headless without ports: addresses only, hostname from the pod's subdomain, headless label",
    service: { selector: web, clusterIP: "None" },
    pods: [{ name: "a", ip: "10.244.1.2", hostname: "db-0", subdomain: "svc" }],
    want: [{ addresses: [{ ip: "10.244.1.2", hostname: "db-0", nodeName: "n1", targetRef: "a" }] }] as unknown as EndpointSubset[],
    labels: { team: "x", "service.kubernetes.io/headless": "" },
  },
  {
    name: "pods without an IP, finished pods and pods not selected are left out",
    service: { selector: web, ports: [{ port: 80 }] },
    pods: [
      { name: "noip", ready: false },
      { name: "done", ip: "10.244.1.9", phase: "Succeeded", ready: false },
      { name: "other", ip: "10.244.1.8", labels: { app: "db" } },
      { name: "ok", ip: "10.244.1.7" },
    ],
    want: [{ addresses: [{ ip: "10.244.1.7", nodeName: "n1", targetRef: "ok" }], ports: [{ port: 80, protocol: "TCP" }] }] as unknown as EndpointSubset[],
  },
  {
    name: "multi-port: ports offered by the same addresses share a subset",
    service: { selector: web, ports: [{ name: "http", port: 80 }, { name: "https", port: 443 }] },
    pods: [{ name: "a", ip: "10.244.1.2" }, { name: "b", ip: "10.244.1.3", ready: false }],
    want: [
      {
        addresses: [{ ip: "10.244.1.2", nodeName: "n1", targetRef: "a" }],
        notReadyAddresses: [{ ip: "10.244.1.3", nodeName: "n1", targetRef: "b" }],
        ports: [{ name: "http", port: 80, protocol: "TCP" }, { name: "https", port: 443, protocol: "TCP" }],
      },
    ] as unknown as EndpointSubset[],
  },
];

/** Subsets with each targetRef reduced to its pod name, after checking its shape. */
function simplify(subsets: EndpointSubset[] | undefined, ns: string): unknown {
  const addr = (a: { targetRef?: { kind?: string; namespace?: string; name?: string; uid?: string } }) => {
    assert.is(a.targetRef?.kind, "Pod");
    assert.is(a.targetRef?.namespace, ns);
    assert.ok(a.targetRef?.uid);
    return { ...a, targetRef: a.targetRef?.name };
  };
  return (subsets ?? []).map((s) => ({
    ...s,
    ...(s.addresses ? { addresses: s.addresses.map(addr) } : {}),
    ...(s.notReadyAddresses ? { notReadyAddresses: s.notReadyAddresses.map(addr) } : {}),
  }));
}

test("sync: each service's Endpoints list its pods as Kubernetes' endpoints controller does", async () => {
  const h = await setup(["endpoint"]);
  try {
    for (const [i, c] of cases.entries()) {
      const ns = `case-${i}`;
      await h.namespace(ns);
      for (const p of c.pods) await h.pod(ns, p);
      await h.service(ns, "svc", c.service, { team: "x" });
      const ep = await h.until(c.name, async () => {
        const e = await h.endpoints(ns, "svc");
        return JSON.stringify(simplify(e.subsets, ns)) === JSON.stringify(c.want) ? e : undefined;
      }).catch(async (err) => {
        const e = await h.endpoints(ns, "svc").catch(() => undefined);
        throw new Error(`${c.name}: ${err.message}; got ${JSON.stringify(simplify(e?.subsets, ns))}`);
      });
      assert.equal(ep.metadata.labels, c.labels ?? { team: "x" }, c.name);
    }
  } finally {
    await h.stop();
  }
});

test("endpoints follow readiness, IP and label changes; terminating pods leave; deleted services lose their Endpoints", async () => {
  const h = await setup(["endpoint"]);
  try {
    const ns = "default";
    const a = await h.pod(ns, { name: "a", ip: "10.244.1.2", ready: false });
    await h.service(ns, "web", { selector: { app: "web" }, ports: [{ port: 80 }] });
    const addrs = async () => {
      const e = await h.endpoints(ns, "web");
      return { ready: (e.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((x) => x.ip)), notReady: (e.subsets ?? []).flatMap((s) => (s.notReadyAddresses ?? []).map((x) => x.ip)) };
    };
    await h.until("not ready", async () => JSON.stringify(await addrs()) === JSON.stringify({ ready: [], notReady: ["10.244.1.2"] }));
    await h.setStatus(a, { ip: "10.244.1.2", ready: true });
    await h.until("ready", async () => JSON.stringify(await addrs()) === JSON.stringify({ ready: ["10.244.1.2"], notReady: [] }));
    await h.setStatus(a, { ip: "10.244.1.5", ready: true });
    await h.until("new IP", async () => JSON.stringify(await addrs()) === JSON.stringify({ ready: ["10.244.1.5"], notReady: [] }));
    // Relabelled out of the selector: gone.
    const cur = await h.client.get<{ metadata: { labels: Record<string, string> } } & import("../../../actors/api/meta.ts").KubeObject>("pods", "a", { namespace: ns });
    await h.client.update("pods", { ...cur, metadata: { ...cur.metadata, labels: { app: "other" } } });
    await h.until("unselected", async () => (await h.endpoints(ns, "web")).subsets === undefined);
    await h.client.update("pods", { ...(await h.client.get("pods", "a", { namespace: ns })), metadata: { ...cur.metadata, resourceVersion: undefined, labels: { app: "web" } } });
    await h.until("selected again", async () => (await addrs()).ready.length === 1);
    // A bound pod deleted gracefully is terminating: out of the Endpoints at once.
    await h.client.delete("pods", "a", { namespace: ns });
    await h.until("terminating pod removed", async () => (await h.endpoints(ns, "web")).subsets === undefined);
    await h.client.delete("services", "web", { namespace: ns });
    await h.until("endpoints deleted", async () => (await h.endpoints(ns, "web").then(() => false, (e: { code?: string }) => e.code === "NotFound")));
  } finally {
    await h.stop();
  }
});

test("services without a selector are left to the user; edits to managed Endpoints are put right", async () => {
  const h = await setup(["endpoint"]);
  try {
    const ns = "default";
    await h.pod(ns, { name: "a", ip: "10.244.1.2" });
    await h.service(ns, "manual", { ports: [{ port: 80 }] });
    await h.client.create("endpoints", { apiVersion: "v1", kind: "Endpoints", metadata: { name: "manual", namespace: ns }, subsets: [{ addresses: [{ ip: "192.0.2.7" }], ports: [{ port: 80 }] }] });
    await h.service(ns, "web", { selector: { app: "web" }, ports: [{ port: 80 }] });
    await h.until("managed endpoints", async () => (await h.endpoints(ns, "web")).subsets?.length === 1);
    await h.settle();
    assert.equal((await h.endpoints(ns, "manual")).subsets![0].addresses, [{ ip: "192.0.2.7" }]);
    const ep = await h.endpoints(ns, "web");
    await h.client.update("endpoints", { ...ep, subsets: [{ addresses: [{ ip: "192.0.2.9" }], ports: [{ port: 80, protocol: "TCP" }] }] });
    await h.until("drift reverted", async () => (await h.endpoints(ns, "web")).subsets?.[0].addresses?.[0].ip === "10.244.1.2");
  } finally {
    await h.stop();
  }
});

test("at start, Endpoints left behind by a Service deleted meanwhile are removed; leader-election records are not", async () => {
  const ep = (name: string, annotations?: Record<string, string>) => ({
    apiVersion: "v1",
    kind: "Endpoints",
    metadata: { name, namespace: "default", ...(annotations ? { annotations } : {}) },
    subsets: [{ addresses: [{ ip: "192.0.2.1" }], ports: [{ port: 80 }] }],
  });
  const h = await setup(["endpoint"], {}, async (client) => {
    await client.create("endpoints", ep("orphan"));
    await client.create("endpoints", ep("lock", { "control-plane.alpha.kubernetes.io/leader": "{}" }));
  });
  try {
    await h.until("orphan deleted", async () => h.endpoints("default", "orphan").then(() => false, (e: { code?: string }) => e.code === "NotFound"));
    assert.ok(await h.endpoints("default", "lock"));
    assert.ok(await h.endpoints("default", "kubernetes"), "the apiserver's own endpoints have their service");
  } finally {
    await h.stop();
  }
});

test("repackSubsets groups ports by the addresses that offer them", () => {
  const a = { ip: "10.0.0.2" };
  const b = { ip: "10.0.0.1" };
  const p80 = { name: "a", port: 80, protocol: "TCP" as const };
  const p81 = { name: "b", port: 81, protocol: "TCP" as const };
  const out = repackSubsets([
    { addr: a, ready: true, ports: [p80] },
    { addr: a, ready: true, ports: [p81] },
    { addr: b, ready: true, ports: [p80] },
  ]);
  assert.equal(out, [
    { addresses: [b, a], ports: [p80] },
    { addresses: [a], ports: [p81] },
  ]);
  assert.equal(repackSubsets([]), []);
});

test.run();
