import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApiServer } from "../../../actors/apiserver/server.ts";
import { MemoryStore } from "../../../actors/apiserver/store/memory.ts";
import { ensureKubernetesService, installServiceAllocation, type ServiceAllocationConfig } from "../../../actors/apiserver/service-allocation.ts";
import { apiserverActor } from "../../../actors/apiserver/actor.ts";
import { ActorSystem } from "../../../runtime/system.ts";
import type { ActorFactory } from "../../../runtime/actor.ts";
import { SimulatedClock } from "../../../runtime/clock.ts";
import type { Status } from "../../../actors/api/status.ts";
import type { Endpoints, EndpointSlice, Service } from "../../../actors/api/types/index.ts";

async function setup(config: ServiceAllocationConfig = {}) {
  const api = new ApiServer({ store: new MemoryStore(), clock: new SimulatedClock() });
  await api.start();
  await api.create(api.target("namespaces", "", undefined), { metadata: { name: "default" } });
  const alloc = await installServiceAllocation(api, config);
  const svcs = api.target("services", "", "default");
  const create = (name: string, spec: Record<string, unknown>, dryRun = false) =>
    api.create(svcs, { metadata: { name }, spec: { ports: [{ port: 80 }], selector: { app: name }, ...spec } }, dryRun) as Promise<Service>;
  const get = (name: string) => api.get(svcs, name) as Promise<Service>;
  return { api, alloc, svcs, create, get };
}

/** The Status message a rejected promise carries. */
async function failure(p: Promise<unknown>): Promise<Status> {
  try {
    await p;
  } catch (err) {
    return (err as { details: Status }).details;
  }
  throw new Error("expected a failure");
}

test("cluster IPs: automatic ones come from the upper band, requested ones are honoured, IPv4 single-stack fields filled", async () => {
  const { create } = await setup();
  const a = await create("a", {});
  assert.is(a.spec.clusterIP, "10.96.1.1", "the 256 addresses after 10.96.0.0 are kept for requested IPs");
  assert.equal(a.spec.clusterIPs, ["10.96.1.1"]);
  assert.equal(a.spec.ipFamilies, ["IPv4"]);
  assert.is(a.spec.ipFamilyPolicy, "SingleStack");
  assert.is((await create("b", {})).spec.clusterIP, "10.96.1.2");
  const dns = await create("dns", { clusterIP: "10.96.0.10" });
  assert.is(dns.spec.clusterIP, "10.96.0.10");
  assert.equal(dns.spec.clusterIPs, ["10.96.0.10"]);
});

test("duplicate, out-of-range and reserved cluster IPs are refused with Kubernetes' messages", async () => {
  const { create } = await setup();
  await create("a", { clusterIP: "10.96.0.5" });
  const cases: Array<[string, string]> = [
    ["10.96.0.5", 'Service "x" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.5"}: failed to allocate IP 10.96.0.5: provided IP is already allocated'],
    ["10.0.0.5", 'Service "x" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.5"}: failed to allocate IP 10.0.0.5: the provided IP (10.0.0.5) is not in the valid range. The range of valid IPs is 10.96.0.0/12'],
    ["10.96.0.0", 'Service "x" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.0"}: failed to allocate IP 10.96.0.0: the provided IP (10.96.0.0) is not in the valid range. The range of valid IPs is 10.96.0.0/12'],
    ["10.111.255.255", 'Service "x" is invalid: spec.clusterIPs: Invalid value: []string{"10.111.255.255"}: failed to allocate IP 10.111.255.255: the provided IP (10.111.255.255) is not in the valid range. The range of valid IPs is 10.96.0.0/12'],
  ];
  for (const [ip, message] of cases) {
    const st = await failure(create("x", { clusterIP: ip }));
    assert.is(st.reason, "Invalid", ip);
    assert.is(st.code, 422);
    assert.is(st.message, message);
    assert.is(st.details!.causes![0].field, "spec.clusterIPs");
  }
  const dual = await failure(create("x", { ipFamilyPolicy: "RequireDualStack" }));
  assert.is(dual.message, 'Service "x" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services');
  const v6 = await failure(create("x", { ipFamilies: ["IPv6"] }));
  assert.is(v6.message, 'Service "x" is invalid: spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster');
});

test("headless services get no address; selectorless headless ones default to RequireDualStack as in Kubernetes", async () => {
  const { create, alloc } = await setup();
  const h = await create("h", { clusterIP: "None" });
  assert.equal(h.spec.clusterIPs, ["None"]);
  assert.equal(h.spec.ipFamilies, ["IPv4"]);
  assert.is(h.spec.ipFamilyPolicy, "SingleStack");
  const bare = await create("bare", { clusterIP: "None", selector: undefined });
  assert.is(bare.spec.ipFamilyPolicy, "RequireDualStack");
  assert.equal(bare.spec.ipFamilies, ["IPv4", "IPv6"]);
  assert.equal((alloc.stats().clusterIPs as { used: number }).used, 0);
  const ext = await create("ext", { type: "ExternalName", externalName: "db.example.com", ports: [], selector: undefined });
  assert.is(ext.spec.clusterIP, undefined);
});

test("delete releases the address and node ports; a failed create leaks nothing; dry runs hold nothing", async () => {
  const { api, svcs, create } = await setup();
  await create("a", { clusterIP: "10.96.0.20", type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] });
  await api.delete(svcs, "a");
  const again = await create("b", { clusterIP: "10.96.0.20", type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] });
  assert.is(again.spec.ports![0].nodePort, 30080);
  // The name is taken: the store refuses the write, and what was reserved for it is given back.
  const dup = await failure(create("b", { clusterIP: "10.96.0.21", type: "NodePort", ports: [{ port: 80, nodePort: 30081 }] }));
  assert.is(dup.reason, "AlreadyExists");
  const c = await create("c", { clusterIP: "10.96.0.21", type: "NodePort", ports: [{ port: 80, nodePort: 30081 }] });
  assert.is(c.spec.clusterIP, "10.96.0.21");
  const dry = await create("d", { clusterIP: "10.96.0.22" }, true);
  assert.is(dry.spec.clusterIP, "10.96.0.22");
  assert.is((await create("d", { clusterIP: "10.96.0.22" })).spec.clusterIP, "10.96.0.22");
});

test("a finalizer holds the address until the last finalizer goes", async () => {
  const { api, svcs, create, get } = await setup();
  await api.create(svcs, { metadata: { name: "lb", finalizers: ["service.kubernetes.io/load-balancer-cleanup"] }, spec: { clusterIP: "10.96.0.30", ports: [{ port: 80 }] } });
  await api.delete(svcs, "lb");
  const held = await failure(create("x", { clusterIP: "10.96.0.30" }));
  assert.match(held.message!, /provided IP is already allocated/);
  const lb = await get("lb");
  await api.update(svcs, { ...lb, metadata: { ...lb.metadata, finalizers: [] } });
  assert.is((await create("x", { clusterIP: "10.96.0.30" })).spec.clusterIP, "10.96.0.30");
});

test("updates: the address is immutable and kept when omitted; type changes allocate and release node ports", async () => {
  const { api, svcs, create, get } = await setup();
  const s = await create("web", { type: "NodePort", ports: [{ name: "http", port: 80 }, { name: "https", port: 443, nodePort: 30443 }] });
  assert.is(s.spec.ports![0].nodePort, 30086, "automatic node ports start above the 86-port static band");
  assert.is(s.spec.ports![1].nodePort, 30443);
  const moved = await failure(api.update(svcs, { ...s, spec: { ...s.spec, clusterIP: "10.96.0.99", clusterIPs: ["10.96.0.99"] } }));
  assert.is(moved.message, 'Service "web" is invalid: spec.clusterIPs[0]: Invalid value: "10.96.0.99": may not change once set');
  const { clusterIP: _ip, clusterIPs: _ips, ...rest } = s.spec;
  const kept = (await api.update(svcs, { ...s, spec: { ...rest, ports: s.spec.ports!.map(({ nodePort: _n, ...p }) => p) } })) as Service;
  assert.is(kept.spec.clusterIP, s.spec.clusterIP);
  assert.equal(kept.spec.ports!.map((p) => p.nodePort), [30086, 30443]);
  // NodePort → ClusterIP releases both ports.
  const cur = await get("web");
  await api.update(svcs, { ...cur, spec: { ...cur.spec, type: "ClusterIP" } });
  assert.equal((await get("web")).spec.ports!.map((p) => p.nodePort), [undefined, undefined]);
  const other = await create("other", { type: "NodePort", ports: [{ port: 80, nodePort: 30443 }] });
  assert.is(other.spec.ports![0].nodePort, 30443);
  // ClusterIP → LoadBalancer with the Local policy: node ports and a health check port.
  const c2 = await get("web");
  const lb = (await api.update(svcs, { ...c2, spec: { ...c2.spec, type: "LoadBalancer", externalTrafficPolicy: "Local" } })) as Service;
  assert.ok(lb.spec.ports!.every((p) => p.nodePort! >= 30000 && p.nodePort! <= 32767));
  assert.ok(lb.spec.healthCheckNodePort! >= 30000);
  // Back to Cluster: the health check port goes away and is free again.
  const hc = lb.spec.healthCheckNodePort!;
  const cl = (await api.patch(svcs, "web", "merge", { spec: { externalTrafficPolicy: "Cluster" } })) as Service;
  assert.is(cl.spec.healthCheckNodePort, undefined);
  assert.is((await create("hc", { type: "NodePort", ports: [{ port: 1, nodePort: hc }] })).spec.ports![0].nodePort, hc);
});

test("node ports: duplicates and out-of-range refused; same port number shares one; LB without node ports", async () => {
  const { create } = await setup();
  await create("a", { type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] });
  const dup = await failure(create("b", { type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] }));
  assert.is(dup.message, 'Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');
  const out = await failure(create("b", { type: "NodePort", ports: [{ port: 80, nodePort: 8080 }] }));
  assert.is(out.message, 'Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767');
  const dns = await create("dns", { type: "NodePort", ports: [{ name: "dns", port: 53, protocol: "UDP" }, { name: "dns-tcp", port: 53, protocol: "TCP" }] });
  assert.is(dns.spec.ports![0].nodePort, dns.spec.ports![1].nodePort);
  const lb = await create("lb", { type: "LoadBalancer", allocateLoadBalancerNodePorts: false });
  assert.is(lb.spec.ports![0].nodePort, undefined);
  assert.is(lb.spec.healthCheckNodePort, undefined);
});

test("exhausted ranges are an InternalError as in kube-apiserver", async () => {
  const { create } = await setup({ serviceClusterIPRange: "10.0.0.0/29", serviceNodePortRange: "30000-30001" });
  const ips = [];
  for (let i = 0; i < 6; i++) ips.push((await create(`s${i}`, {})).spec.clusterIP);
  assert.equal(ips.sort(), ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"]);
  const full = await failure(create("more", {}));
  assert.is(full.reason, "InternalError");
  assert.is(full.message, "Internal error occurred: failed to allocate a serviceIP: range is full");
  const np = await setup({ serviceNodePortRange: "30000-30001" });
  await np.create("a", { type: "NodePort", ports: [{ name: "a", port: 1 }, { name: "b", port: 2 }] });
  assert.is((await failure(np.create("b", { type: "NodePort" }))).message, "Internal error occurred: failed to allocate a nodePort: range is full");
});

test("the kubernetes service: 10.96.0.1:443 → the apiserver on 127.0.0.1:6443, idempotent", async () => {
  const { api, alloc, get } = await setup();
  await ensureKubernetesService(api, alloc);
  await ensureKubernetesService(api, alloc);
  const k = await get("kubernetes");
  assert.is(k.spec.clusterIP, "10.96.0.1");
  assert.equal(k.spec.ports, [{ name: "https", port: 443, protocol: "TCP", targetPort: 6443 }]);
  assert.equal(k.metadata.labels, { component: "apiserver", provider: "kubernetes" });
  assert.is(k.spec.selector, undefined);
  const ep = (await api.get(api.target("endpoints", "", "default"), "kubernetes")) as Endpoints;
  assert.equal(ep.subsets, [{ addresses: [{ ip: "127.0.0.1" }], ports: [{ name: "https", port: 6443, protocol: "TCP" }] }]);
  const rv = ep.metadata.resourceVersion;
  const slice = (await api.get(api.target("endpointslices", "discovery.k8s.io", "default"), "kubernetes")) as EndpointSlice;
  assert.equal(slice.endpoints, [{ addresses: ["127.0.0.1"], conditions: { ready: true } }]);
  assert.is(slice.metadata.labels!["kubernetes.io/service-name"], "kubernetes");
  // A new secure port updates the target port and the endpoints.
  await ensureKubernetesService(api, alloc, { port: 7443 });
  assert.is((await get("kubernetes")).spec.ports![0].targetPort, 7443);
  const ep2 = (await api.get(api.target("endpoints", "", "default"), "kubernetes")) as Endpoints;
  assert.is(ep2.subsets![0].ports![0].port, 7443);
  assert.is.not(ep2.metadata.resourceVersion, rv);
});

test("the apiserver actor rebuilds its allocators from the write-ahead log on restart", async () => {
  const dir = await mkdtemp(join(tmpdir(), "svc-alloc-"));
  const factory = apiserverActor as unknown as ActorFactory<unknown>;
  try {
    let sys = new ActorSystem({ id: 0, name: "t" });
    await sys.spawn("apiserver", factory, { dataDir: dir });
    const create = (s: ActorSystem, name: string, spec: Record<string, unknown>) =>
      s.ask<Service>("apiserver", { type: "api.create", resource: "services", namespace: "default", object: { metadata: { name }, spec: { ports: [{ port: 80 }], ...spec } } });
    const auto = await create(sys, "auto", { type: "NodePort" });
    await create(sys, "fixed", { clusterIP: "10.96.0.50" });
    await sys.stopAll();
    sys = new ActorSystem({ id: 0, name: "t" });
    await sys.spawn("apiserver", factory, { dataDir: dir });
    const dup = await failure(create(sys, "x", { clusterIP: "10.96.0.50" }));
    assert.match(dup.message!, /provided IP is already allocated/);
    const dupPort = await failure(create(sys, "y", { type: "NodePort", ports: [{ port: 80, nodePort: auto.spec.ports![0].nodePort }] }));
    assert.match(dupPort.message!, /provided port is already allocated/);
    const next = await create(sys, "z", {});
    assert.is.not(next.spec.clusterIP, auto.spec.clusterIP);
    const list = await sys.ask<{ items: Service[] }>("apiserver", { type: "api.list", resource: "services", namespace: "default" });
    assert.is(list.items.filter((s) => s.metadata.name === "kubernetes").length, 1);
    assert.is(list.items.find((s) => s.metadata.name === "kubernetes")!.spec.clusterIP, "10.96.0.1");
    await sys.stopAll();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
