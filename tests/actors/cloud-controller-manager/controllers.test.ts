import { test } from "uvu";
import * as assert from "uvu/assert";
import { ActorSystem } from "../../../runtime/system.ts";
import type { ActorFactory } from "../../../runtime/actor.ts";
import { errorCode } from "../../../runtime/errors.ts";
import { apiserverActor } from "../../../actors/apiserver/actor.ts";
import { cniActor } from "../../../cni/actor.ts";
import { kubeletActor } from "../../../actors/kubelet/actor.ts";
import { schedulerActor } from "../../../actors/scheduler/actor.ts";
import { cloudControllerManagerActor } from "../../../actors/cloud-controller-manager/actor.ts";
import type { KubeObject } from "../../../actors/api/meta.ts";
import type { Node } from "../../../actors/api/types/core-node.ts";
import type { Service } from "../../../actors/api/types/core-service.ts";
import type { Pod } from "../../../actors/api/types/core-pod.ts";
import type { PersistentVolume, PersistentVolumeClaim } from "../../../actors/api/types/core-storage.ts";
import type { StorageClass } from "../../../actors/api/types/storage.ts";
import { untilValue } from "../../poll.ts";

const untyped = <C>(f: unknown) => f as ActorFactory<C>;

async function cluster(nodes: string[], ccm: Record<string, unknown> = {}) {
  const sys = new ActorSystem({ id: 0, name: "t" });
  await sys.spawn("apiserver", untyped(apiserverActor), {});
  await sys.spawn("cni", untyped(cniActor), {});
  for (const [i, n] of nodes.entries()) await sys.spawn(`kubelet/${n}`, untyped(kubeletActor), { node: { name: n, internalIP: `172.18.0.${i + 2}` }, runtime: { pullDelayMs: 5 } });
  await sys.spawn("scheduler", untyped(schedulerActor), {});
  await sys.spawn("cloud-controller-manager", untyped(cloudControllerManagerActor), { nodeMonitorPeriodMs: 50, routeReconciliationPeriodMs: 200, ...ccm });
  return sys;
}

type Api = ReturnType<typeof apiOf>;
function apiOf(sys: ActorSystem) {
  const ask = <T>(m: Record<string, unknown>) => sys.ask<T>("apiserver", m as { type: string });
  return {
    get: <T extends KubeObject>(resource: string, name: string, namespace?: string) => ask<T>({ type: "api.get", resource, name, namespace }),
    tryGet: <T extends KubeObject>(resource: string, name: string, namespace?: string) => ask<T>({ type: "api.get", resource, name, namespace }).catch(() => undefined),
    list: <T extends KubeObject>(resource: string, namespace?: string) => ask<{ items: T[] }>({ type: "api.list", resource, namespace }).then((l) => l.items),
    create: <T extends KubeObject>(resource: string, object: Record<string, unknown>, namespace?: string) => ask<T>({ type: "api.create", resource, namespace, object }),
    delete: (resource: string, name: string, namespace?: string) => ask({ type: "api.delete", resource, name, namespace }),
    updateStatus: (resource: string, object: KubeObject) => ask({ type: "api.update", resource, object, subresource: "status" }),
  };
}

const until = <T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, ms = 8000): Promise<T> => untilValue(what, fn, ok, ms, 25);

const reasons = async (api: Api, name: string) => (await api.list<KubeObject & { involvedObject: { name: string }; reason: string; message: string }>("events")).filter((e) => e.involvedObject.name === name).map((e) => e.reason);

test("nodes are initialized from their instances; routes follow node podCIDRs", async () => {
  const sys = await cluster(["n1", "n2"]);
  const api = apiOf(sys);
  try {
    // A node registered by a kubelet with --cloud-provider=external carries the uninitialized taint.
    await api.create("nodes", { metadata: { name: "n3" }, spec: { taints: [{ key: "node.cloudprovider.kubernetes.io/uninitialized", value: "true", effect: "NoSchedule" }] }, status: { capacity: { cpu: "2", memory: "8Gi" }, addresses: [{ type: "InternalIP", address: "172.18.0.9" }] } });
    for (const name of ["n1", "n2", "n3"]) {
      const n = await until(`${name} initialized`, () => api.get<Node>("nodes", name), (x) => Boolean(x.spec?.providerID) && !x.spec?.taints?.length && (x.status?.addresses?.length ?? 0) >= 3);
      assert.is(n.spec!.providerID, `actorkube://${name}`);
      assert.match(n.metadata.labels!["topology.kubernetes.io/zone"], /^actorkube-1[abc]$/);
      assert.is(n.metadata.labels!["topology.kubernetes.io/region"], "actorkube-1");
      assert.is(n.metadata.labels!["failure-domain.beta.kubernetes.io/zone"], n.metadata.labels!["topology.kubernetes.io/zone"]);
      assert.ok(n.status!.addresses!.some((a) => a.type === "InternalDNS" && a.address === `${name}.actorkube-1.compute.internal`));
    }
    const n3 = await api.get<Node>("nodes", "n3");
    assert.is(n3.metadata.labels!["node.kubernetes.io/instance-type"], "sim-standard-2");
    assert.equal(n3.status!.addresses!.find((a) => a.type === "InternalIP"), { type: "InternalIP", address: "172.18.0.9" });

    // Kubelet nodes get podCIDRs from the CNI actor; each gets a route and NetworkUnavailable=False.
    const withCidr = await until("podCIDRs", () => api.list<Node>("nodes"), (ns) => ns.filter((n) => n.spec?.podCIDR).length >= 2);
    const routes = await until("routes", () => sys.ask<Array<{ targetNode: string; destinationCIDR: string }>>("cloud-controller-manager", { type: "cloud.routes" }), (r) => r.length >= 2);
    for (const n of withCidr.filter((x) => x.spec?.podCIDR)) {
      assert.ok(routes.some((r) => r.targetNode === n.metadata.name && r.destinationCIDR === n.spec!.podCIDR), `route for ${n.metadata.name}`);
      const cond = await until(`${n.metadata.name} network`, () => api.get<Node>("nodes", n.metadata.name!), (x) => x.status?.conditions?.some((c) => c.type === "NetworkUnavailable") ?? false);
      const c = cond.status!.conditions!.find((x) => x.type === "NetworkUnavailable")!;
      assert.equal([c.status, c.reason, c.message], ["False", "RouteCreated", "RouteController created a route"]);
    }
    // A deleted node's route goes.
    await sys.ask("kubelet/n2", { type: "kubelet.silence" });
    await api.delete("nodes", "n2");
    await until("route of n2 removed", () => sys.ask<Array<{ targetNode: string }>>("cloud-controller-manager", { type: "cloud.routes" }), (r) => !r.some((x) => x.targetNode === "n2"));
  } finally {
    await sys.stopAll();
  }
});

test("LoadBalancer services get an external IP, follow the nodes, and release it on delete", async () => {
  const sys = await cluster(["n1"], { cloud: { loadBalancerCIDR: "172.18.255.0/30" } });
  const api = apiOf(sys);
  try {
    await api.create("services", { metadata: { name: "web" }, spec: { type: "LoadBalancer", selector: { app: "web" }, ports: [{ port: 80 }] } }, "default");
    const svc = await until("ingress IP", () => api.get<Service>("services", "web", "default"), (s) => Boolean(s.status?.loadBalancer?.ingress?.length));
    const ip = svc.status!.loadBalancer!.ingress![0].ip!;
    assert.match(ip, /^172\.18\.255\.[12]$/);
    assert.is(svc.status!.loadBalancer!.ingress![0].ipMode, "VIP");
    assert.ok(svc.metadata.finalizers!.includes("service.kubernetes.io/load-balancer-cleanup"));
    assert.ok((await reasons(api, "web")).includes("EnsuringLoadBalancer"));
    assert.ok((await until("ensured event", () => reasons(api, "web"), (r) => r.includes("EnsuredLoadBalancer"))).includes("EnsuredLoadBalancer"));
    let lbs = await sys.ask<Array<{ service: string; ingress: { ip: string }[]; nodes: string[] }>>("cloud-controller-manager", { type: "cloud.loadBalancers" });
    assert.equal(lbs.map((l) => [l.service, l.ingress[0].ip]), [["default/web", ip]]);
    await until("n1 in the LB", () => sys.ask<Array<{ nodes: string[] }>>("cloud-controller-manager", { type: "cloud.loadBalancers" }), (l) => l[0]?.nodes.includes("n1"));

    // A new node joins every load balancer.
    await api.create("nodes", { metadata: { name: "extra" }, status: { capacity: { cpu: "1", memory: "4Gi" }, addresses: [{ type: "InternalIP", address: "172.18.0.50" }] } });
    await until("extra in the LB", () => sys.ask<Array<{ nodes: string[] }>>("cloud-controller-manager", { type: "cloud.loadBalancers" }), (l) => l[0]?.nodes.includes("extra"));
    await until("updated event", () => reasons(api, "web"), (r) => r.includes("UpdatedLoadBalancer"));

    // An IP outside the pool is refused with an event; the service stays without ingress.
    await api.create("services", { metadata: { name: "pinned" }, spec: { type: "LoadBalancer", loadBalancerIP: "10.1.2.3", ports: [{ port: 443 }] } }, "default");
    await until("failed event", () => reasons(api, "pinned"), (r) => r.includes("SyncLoadBalancerFailed"));

    // The pool (a /30) has one address left.
    await api.create("services", { metadata: { name: "second" }, spec: { type: "LoadBalancer", ports: [{ port: 80 }] } }, "default");
    const second = await until("second IP", () => api.get<Service>("services", "second", "default"), (s) => Boolean(s.status?.loadBalancer?.ingress?.length));
    assert.is.not(second.status!.loadBalancer!.ingress![0].ip, ip);
    // Delete: the finalizer holds the Service until the LB and its IP are released.
    await api.delete("services", "web", "default");
    await until("service gone", () => api.tryGet("services", "web", "default"), (s) => s === undefined);
    lbs = await sys.ask("cloud-controller-manager", { type: "cloud.loadBalancers" });
    assert.not.ok(lbs.some((l) => l.service === "default/web"));
    assert.ok((await reasons(api, "web")).includes("DeletedLoadBalancer"));
    // The freed IP is the only one left, and is handed out again.
    await api.create("services", { metadata: { name: "again" }, spec: { type: "LoadBalancer", ports: [{ port: 80 }] } }, "default");
    const again = await until("again IP", () => api.get<Service>("services", "again", "default"), (s) => Boolean(s.status?.loadBalancer?.ingress?.length));
    assert.is(again.status!.loadBalancer!.ingress![0].ip, ip);
    // Turning it into a ClusterIP service releases the LB too.
    const cur = await api.get<Service>("services", "again", "default");
    await sys.ask("apiserver", { type: "api.update", resource: "services", object: { ...cur, spec: { ...cur.spec, type: "ClusterIP" } } });
    const plain = await until("LB released on type change", () => api.get<Service>("services", "again", "default"), (s) => !s.metadata.finalizers?.length && !s.status?.loadBalancer?.ingress?.length);
    assert.is(plain.spec.type, "ClusterIP");
  } finally {
    await sys.stopAll();
  }
});

test("a terminated instance's NotReady node is deleted; Ready nodes never are; the REPL handle checks its input", async () => {
  const sys = await cluster(["n1", "n2"]);
  const api = apiOf(sys);
  try {
    await until("initialized", () => api.list<Node>("nodes"), (ns) => ns.length === 2 && ns.every((n) => n.spec?.providerID));
    const res = await sys.ask<{ state: string; kubelet: string; providerID: string }>("cloud-controller-manager", { type: "cloud.terminate", node: "n2" });
    assert.equal(res, { node: "n2", providerID: "actorkube://n2", state: "terminated", kubelet: "silenced" });
    const inst = await sys.ask<Array<{ node: string; state: string }>>("cloud-controller-manager", { type: "cloud.instances" });
    assert.equal(inst.map((i) => `${i.node}:${i.state}`), ["n1:running", "n2:terminated"]);
    // Still Ready (its last heartbeat is fresh): the node stays.
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(await api.tryGet("nodes", "n2"), "a Ready node is not deleted");
    // The node-lifecycle controller marks a silent node Ready=Unknown after its grace period; do that now.
    const n2 = await api.get<Node>("nodes", "n2");
    const conditions = n2.status!.conditions!.map((c) => (c.type === "Ready" ? { ...c, status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status." } : c));
    await api.updateStatus("nodes", { ...n2, status: { ...n2.status, conditions } });
    await until("n2 deleted", () => api.tryGet("nodes", "n2"), (n) => n === undefined);
    assert.ok((await reasons(api, "n2")).includes("DeletingNode"));
    assert.ok(await api.tryGet("nodes", "n1"));

    const bad = [
      [{ type: "cloud.terminate", node: "nope" }, "NotFound"],
      [{ type: "cloud.terminate" }, "BadMessage"],
      [{ type: "cloud.failAttach" }, "BadMessage"],
      [{ type: "cloud.failAttach", pv: "missing" }, "NotFound"],
      [{ type: "cloud.failAttach", volumeHandle: "disk-x", times: 0 }, "BadMessage"],
      [{ type: "cloud.launch" }, "UnknownMessage"],
    ] as const;
    for (const [msg, code] of bad) assert.is(errorCode(await sys.ask("cloud-controller-manager", msg).catch((e) => e)), code, JSON.stringify(msg));
  } finally {
    await sys.stopAll();
  }
});

test("claims: default class, dynamic provisioning, binding, attach to the pod's node (with injected failures), detach, reclaim", async () => {
  const sys = await cluster(["n1"]);
  const api = apiOf(sys);
  try {
    const sc = await until("standard class", () => api.tryGet<StorageClass>("storageclasses.storage.k8s.io", "standard"), (x) => x !== undefined);
    assert.equal([sc!.provisioner, sc!.reclaimPolicy, sc!.volumeBindingMode, sc!.metadata.annotations!["storageclass.kubernetes.io/is-default-class"]], ["disk.actorkube.io", "Delete", "Immediate", "true"]);

    await api.create("persistentvolumeclaims", { metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "500Mi" } } } }, "default");
    const pvc = await until("bound", () => api.get<PersistentVolumeClaim>("persistentvolumeclaims", "data", "default"), (c) => c.status?.phase === "Bound");
    assert.is(pvc.spec.storageClassName, "standard", "the default class was assigned");
    assert.is(pvc.spec.volumeName, `pvc-${pvc.metadata.uid}`);
    assert.equal(pvc.status!.capacity, { storage: "1Gi" }, "disks come in whole GiB");
    assert.is(pvc.metadata.annotations!["pv.kubernetes.io/bind-completed"], "yes");
    assert.ok(pvc.metadata.finalizers!.includes("kubernetes.io/pvc-protection"));
    const pv = await until("pv bound", () => api.get<PersistentVolume>("persistentvolumes", pvc.spec.volumeName!), (v) => v.status?.phase === "Bound");
    assert.equal([pv.spec.csi!.driver, pv.spec.persistentVolumeReclaimPolicy, pv.spec.claimRef!.uid, pv.spec.claimRef!.name, pv.spec.storageClassName], ["disk.actorkube.io", "Delete", pvc.metadata.uid, "data", "standard"]);
    assert.is(pv.metadata.annotations!["pv.kubernetes.io/provisioned-by"], "disk.actorkube.io");
    const handle = pv.spec.csi!.volumeHandle;
    assert.ok((await reasons(api, "data")).includes("ProvisioningSucceeded"));

    // The first two attaches fail: events, then a retry succeeds.
    assert.equal(await sys.ask("cloud-controller-manager", { type: "cloud.failAttach", pv: pv.metadata.name, times: 2 }), { volumeHandle: handle, failNextAttaches: 2 });
    await api.create("pods", { metadata: { name: "app" }, spec: { containers: [{ name: "c", image: "busybox:1" }], volumes: [{ name: "d", persistentVolumeClaim: { claimName: "data" } }] } }, "default");
    const unique = `kubernetes.io/csi/disk.actorkube.io^${handle}`;
    const node = await until("attached", () => api.get<Node>("nodes", "n1"), (n) => n.status?.volumesAttached?.some((a) => a.name === unique) ?? false);
    assert.equal(node.status!.volumesAttached, [{ name: unique, devicePath: "/dev/xvdb" }]);
    const podEvents = await reasons(api, "app");
    assert.ok(podEvents.includes("FailedAttachVolume"), podEvents.join());
    assert.ok(podEvents.includes("SuccessfulAttachVolume"), podEvents.join());
    const disks = await sys.ask<Array<{ id: string; attachedTo?: string }>>("cloud-controller-manager", { type: "cloud.disks" });
    assert.equal(disks.map((d) => [d.id, d.attachedTo]), [[handle, "n1"]]);

    // The kubelet mounts the attached volume and the pod runs.
    const pod = await until("pod running", () => api.get<Pod>("pods", "app", "default"), (p) => p.status?.phase === "Running");
    assert.is(pod.spec.nodeName, "n1");

    // The claim is protected while the pod uses it.
    await api.delete("persistentvolumeclaims", "data", "default");
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(await api.tryGet("persistentvolumeclaims", "data", "default"), "pvc-protection holds the claim");
    await api.delete("pods", "app", "default");
    // The kubelet finishes the pod; the pod object goes, then the disk is detached and, with policy Delete, deleted with its PV.
    await until("pod gone", () => api.tryGet("pods", "app", "default"), (p) => p === undefined, 15000);
    await until("detached", () => api.get<Node>("nodes", "n1"), (n) => !n.status?.volumesAttached?.length, 10000);
    await until("claim gone", () => api.tryGet("persistentvolumeclaims", "data", "default"), (c) => c === undefined);
    await until("pv deleted", () => api.tryGet("persistentvolumes", pv.metadata.name!), (v) => v === undefined);
    assert.equal(await sys.ask("cloud-controller-manager", { type: "cloud.disks" }), []);

    // Retain: the volume is Released and its disk kept.
    await api.create("storageclasses.storage.k8s.io", { metadata: { name: "keep" }, provisioner: "disk.actorkube.io", reclaimPolicy: "Retain" });
    await api.create("persistentvolumeclaims", { metadata: { name: "kept" }, spec: { storageClassName: "keep", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "2Gi" } } } }, "default");
    const kept = await until("kept bound", () => api.get<PersistentVolumeClaim>("persistentvolumeclaims", "kept", "default"), (c) => c.status?.phase === "Bound");
    await api.delete("persistentvolumeclaims", "kept", "default");
    const released = await until("released", () => api.get<PersistentVolume>("persistentvolumes", kept.spec.volumeName!), (v) => v.status?.phase === "Released");
    assert.is(released.spec.persistentVolumeReclaimPolicy, "Retain");
    assert.is((await sys.ask<unknown[]>("cloud-controller-manager", { type: "cloud.disks" })).length, 1);

    // A static volume binds to a claim that fits it; a class nobody provisions leaves the claim Pending.
    await api.create("persistentvolumes", { metadata: { name: "static-1" }, spec: { storageClassName: "manual", capacity: { storage: "5Gi" }, accessModes: ["ReadWriteOnce"], hostPath: { path: "/mnt/static" } } });
    await api.create("persistentvolumeclaims", { metadata: { name: "manual" }, spec: { storageClassName: "manual", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }, "default");
    const manual = await until("static bound", () => api.get<PersistentVolumeClaim>("persistentvolumeclaims", "manual", "default"), (c) => c.status?.phase === "Bound");
    assert.is(manual.spec.volumeName, "static-1");
    await api.create("storageclasses.storage.k8s.io", { metadata: { name: "other" }, provisioner: "example.com/nfs" });
    await api.create("persistentvolumeclaims", { metadata: { name: "elsewhere" }, spec: { storageClassName: "other", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }, "default");
    await until("external provisioning event", () => reasons(api, "elsewhere"), (r) => r.includes("ExternalProvisioning"));
    assert.is((await api.get<PersistentVolumeClaim>("persistentvolumeclaims", "elsewhere", "default")).status!.phase, "Pending");

    // WaitForFirstConsumer: nothing is provisioned until a pod using the claim is scheduled.
    await api.create("storageclasses.storage.k8s.io", { metadata: { name: "late" }, provisioner: "disk.actorkube.io", volumeBindingMode: "WaitForFirstConsumer" });
    await api.create("persistentvolumeclaims", { metadata: { name: "late" }, spec: { storageClassName: "late", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }, "default");
    await until("waiting event", () => reasons(api, "late"), (r) => r.includes("WaitForFirstConsumer"));
    assert.is((await api.get<PersistentVolumeClaim>("persistentvolumeclaims", "late", "default")).status!.phase, "Pending");
    await api.create("pods", { metadata: { name: "consumer" }, spec: { containers: [{ name: "c", image: "busybox:1" }], volumes: [{ name: "d", persistentVolumeClaim: { claimName: "late" } }] } }, "default");
    await until("late bound", () => api.get<PersistentVolumeClaim>("persistentvolumeclaims", "late", "default"), (c) => c.status?.phase === "Bound");
    await until("consumer running", () => api.get<Pod>("pods", "consumer", "default"), (p) => p.status?.phase === "Running");
  } finally {
    await sys.stopAll();
  }
});

test("a ReadWriteOnce disk attaches to one node at a time: Multi-Attach waits, then follows the pod", async () => {
  const sys = await cluster(["n1", "n2"]);
  const api = apiOf(sys);
  try {
    await api.create("persistentvolumeclaims", { metadata: { name: "shared" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }, "default");
    const pvc = await until("bound", () => api.get<PersistentVolumeClaim>("persistentvolumeclaims", "shared", "default"), (c) => c.status?.phase === "Bound");
    const pv = await api.get<PersistentVolume>("persistentvolumes", pvc.spec.volumeName!);
    const unique = `kubernetes.io/csi/disk.actorkube.io^${pv.spec.csi!.volumeHandle}`;
    const podOn = (name: string, node: string) => api.create("pods", { metadata: { name }, spec: { nodeName: node, containers: [{ name: "c", image: "busybox:1" }], volumes: [{ name: "d", persistentVolumeClaim: { claimName: "shared" } }] } }, "default");
    await podOn("first", "n1");
    await until("on n1", () => api.get<Node>("nodes", "n1"), (n) => n.status?.volumesAttached?.some((a) => a.name === unique) ?? false);
    await podOn("second", "n2");
    const ev = await until("multi-attach event", () => api.list<KubeObject & { involvedObject: { name: string }; reason: string; message: string }>("events", "default"), (es) => es.some((e) => e.involvedObject.name === "second" && e.reason === "FailedAttachVolume"));
    assert.match(ev.find((e) => e.involvedObject.name === "second" && e.reason === "FailedAttachVolume")!.message, /^Multi-Attach error for volume "pvc-[0-9a-f-]+" Volume is already exclusively attached to one node and can't be attached to another$/);
    assert.not.ok((await api.get<Node>("nodes", "n2")).status?.volumesAttached?.length);
    await api.delete("pods", "first", "default");
    const n2 = await until("moved to n2", () => api.get<Node>("nodes", "n2"), (n) => n.status?.volumesAttached?.some((a) => a.name === unique) ?? false, 15000);
    assert.equal(n2.status!.volumesAttached!.map((a) => a.name), [unique]);
    assert.not.ok((await api.get<Node>("nodes", "n1")).status?.volumesAttached?.length);
    await until("second running", () => api.get<Pod>("pods", "second", "default"), (p) => p.status?.phase === "Running", 15000);
  } finally {
    await sys.stopAll();
  }
});

test.run();
