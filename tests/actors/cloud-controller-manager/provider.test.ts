import { test } from "uvu";
import * as assert from "uvu/assert";
import { SimulatedCloud, instanceTypeOf } from "../../../actors/cloud-controller-manager/simulated-provider.ts";
import { errorCode } from "../../../runtime/errors.ts";
import type { Node } from "../../../actors/api/types/core-node.ts";
import type { Service } from "../../../actors/api/types/core-service.ts";

const node = (name: string, ip: string, capacity: Record<string, string> = { cpu: "4", memory: "16Gi" }, labels?: Record<string, string>): Node => ({
  apiVersion: "v1",
  kind: "Node",
  metadata: { name, labels },
  status: { capacity, addresses: [{ type: "InternalIP", address: ip }, { type: "Hostname", address: name }] },
});
const lbService = (name: string, uid: string, loadBalancerIP?: string): Service => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name, namespace: "default", uid },
  spec: { type: "LoadBalancer", ports: [{ port: 80, protocol: "TCP", nodePort: 30080 }], ...(loadBalancerIP ? { loadBalancerIP } : {}) },
});
const fail = (p: Promise<unknown>) => p.then(() => "no error", (e) => errorCode(e));

test("instances: adopted nodes get a provider ID, a zone round-robin (or their labelled one), addresses; terminated ones stop existing", async () => {
  const cloud = new SimulatedCloud();
  const a = await cloud.instanceMetadata(node("n1", "172.18.0.2"));
  assert.equal(a, {
    providerID: "actorkube://n1",
    instanceType: "sim-standard-4",
    zone: "actorkube-1a",
    region: "actorkube-1",
    addresses: [
      { type: "InternalIP", address: "172.18.0.2" },
      { type: "InternalDNS", address: "n1.actorkube-1.compute.internal" },
      { type: "Hostname", address: "n1" },
    ],
  });
  assert.is((await cloud.instanceMetadata(node("n2", "172.18.0.3"))).zone, "actorkube-1b");
  assert.is((await cloud.instanceMetadata(node("n3", "172.18.0.4", undefined, { "topology.kubernetes.io/zone": "actorkube-1a" }))).zone, "actorkube-1a");
  assert.is(instanceTypeOf(node("x", "1.1.1.1", { cpu: "2", memory: "4Gi" })), "sim-custom-2-4096");
  assert.ok(await cloud.instanceExists(node("n1", "172.18.0.2")));
  assert.is(cloud.terminate("n1")?.state, "terminated");
  assert.not.ok(await cloud.instanceExists(node("n1", "172.18.0.2")));
  assert.is(await fail(cloud.instanceMetadata(node("n1", "172.18.0.2"))), "InstanceNotFound");
  assert.is(cloud.terminate("nope"), undefined);
  assert.equal(cloud.instances().map((i) => `${i.node}:${i.state}`), ["n1:terminated", "n2:running", "n3:running"]);
});

test("load balancers: IPs from the pool, stable per service, a requested IP, release, exhaustion", async () => {
  const cloud = new SimulatedCloud({ loadBalancerCIDR: "172.18.255.0/30" });
  const nodes = [node("n1", "172.18.0.2")];
  const a = await cloud.ensureLoadBalancer("k", lbService("a", "1111-2222"), nodes);
  assert.equal(a.ingress, [{ ip: "172.18.255.1", ipMode: "VIP" }]);
  assert.equal((await cloud.ensureLoadBalancer("k", lbService("a", "1111-2222"), nodes)).ingress[0].ip, "172.18.255.1", "ensuring again keeps the IP");
  const b = await cloud.ensureLoadBalancer("k", lbService("b", "3333"), nodes);
  assert.is(b.ingress[0].ip, "172.18.255.2");
  assert.is(await fail(cloud.ensureLoadBalancer("k", lbService("c", "4444"), nodes)), "IPExhausted", "a /30 has two addresses");
  assert.equal(cloud.loadBalancers().map((l) => [l.name, l.service, l.nodes, l.ports]), [
    ["a11112222", "default/a", ["n1"], [{ port: 80, protocol: "TCP", nodePort: 30080 }]],
    ["a3333", "default/b", ["n1"], [{ port: 80, protocol: "TCP", nodePort: 30080 }]],
  ]);
  await cloud.updateLoadBalancer("k", lbService("a", "1111-2222"), [...nodes, node("n2", "172.18.0.3")]);
  assert.equal(cloud.loadBalancers()[0].nodes, ["n1", "n2"]);
  await cloud.ensureLoadBalancerDeleted("k", lbService("a", "1111-2222"));
  assert.is(await cloud.getLoadBalancer("k", lbService("a", "1111-2222")), undefined);
  assert.is((await cloud.ensureLoadBalancer("k", lbService("c", "4444"), nodes)).ingress[0].ip, "172.18.255.1", "a released IP is reused");
  const wide = new SimulatedCloud();
  assert.is((await wide.ensureLoadBalancer("k", lbService("d", "5555", "172.18.255.200"), nodes)).ingress[0].ip, "172.18.255.200");
  assert.is(await fail(wide.ensureLoadBalancer("k", lbService("e", "6666", "10.0.0.1"), nodes)), "InvalidLoadBalancerIP");
});

test("disks: idempotent creation by name, one instance at a time, device paths, injected attach failures, no delete while attached", async () => {
  const cloud = new SimulatedCloud();
  await cloud.instanceMetadata(node("n1", "172.18.0.2"));
  await cloud.instanceMetadata(node("n2", "172.18.0.3"));
  const d = await cloud.createDisk("pvc-1", 2 ** 30, {});
  assert.match(d.id, /^disk-[0-9a-f]{17}$/);
  assert.is((await cloud.createDisk("pvc-1", 2 ** 30, {})).id, d.id);
  const d2 = await cloud.createDisk("pvc-2", 2 ** 30, {});
  assert.equal(await cloud.attachDisk(d.id, "n1"), { devicePath: "/dev/xvdb" });
  assert.equal(await cloud.attachDisk(d.id, "n1"), { devicePath: "/dev/xvdb" }, "attaching again is a no-op");
  assert.equal(await cloud.attachDisk(d2.id, "n1"), { devicePath: "/dev/xvdc" });
  assert.is(await fail(cloud.attachDisk(d.id, "n2")), "MultiAttach");
  assert.is(await fail(cloud.deleteDisk(d.id)), "DiskInUse");
  await cloud.detachDisk(d.id, "n1");
  assert.ok(cloud.failAttach(d.id, 2));
  assert.is(await fail(cloud.attachDisk(d.id, "n2")), "AttachFailed");
  assert.equal(cloud.disks().find((x) => x.id === d.id)?.failAttach, 1);
  assert.is(await fail(cloud.attachDisk(d.id, "n2")), "AttachFailed");
  assert.equal(await cloud.attachDisk(d.id, "n2"), { devicePath: "/dev/xvdb" });
  assert.not.ok(cloud.failAttach("disk-none"));
  cloud.terminate("n2");
  assert.equal(await cloud.disksAttachedTo("n2"), [], "a terminated instance's disks come off");
  await cloud.deleteDisk(d.id);
  assert.is(await cloud.getDisk(d.id), undefined);
  assert.is(await fail(cloud.attachDisk(d.id, "n1")), "DiskNotFound");
});

test("routes: created per node CIDR, blackholed when the instance is gone, deleted", async () => {
  const cloud = new SimulatedCloud();
  await cloud.instanceMetadata(node("n1", "172.18.0.2"));
  await cloud.createRoute("kubernetes", "uid-1", { targetNode: "n1", destinationCIDR: "10.244.0.0/24" });
  await cloud.createRoute("kubernetes", "uid-2", { targetNode: "n2", destinationCIDR: "10.244.1.0/24" });
  assert.equal(cloud.routes(), [
    { name: "kubernetes-uid-1", targetNode: "n1", destinationCIDR: "10.244.0.0/24" },
    { name: "kubernetes-uid-2", targetNode: "n2", destinationCIDR: "10.244.1.0/24", blackhole: true },
  ]);
  await cloud.deleteRoute("kubernetes", cloud.routes()[1]);
  assert.is((await cloud.listRoutes("kubernetes")).length, 1);
});

test.run();
