/**
 * The cloud controllers in a running cluster (every component in its own
 * worker, started by `startCluster`): a LoadBalancer IP assigned and
 * released, a PVC-backed pod running on a provisioned, attached disk, and a
 * terminated instance's node removed.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startCluster, waitForNodes, type Cluster } from "../../../scripts/lib/cluster.ts";
import type { KubeObject } from "../../../actors/api/meta.ts";
import type { Node } from "../../../actors/api/types/core-node.ts";
import type { Pod } from "../../../actors/api/types/core-pod.ts";
import type { Service } from "../../../actors/api/types/core-service.ts";
import type { PersistentVolumeClaim } from "../../../actors/api/types/core-storage.ts";
import { untilValue } from "../../poll.ts";

const until = <T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> => untilValue(what, fn, ok, ms, 50);

test("cloud-controller-manager end to end: load balancer, PVC-backed pod, terminated instance", async () => {
  const c: Cluster = await startCluster({ nodes: 2, logLevel: "error" });
  const ask = <T>(to: string, m: Record<string, unknown>) => c.supervisor.ask<T>(to, m as { type: string });
  const get = <T extends KubeObject>(resource: string, name: string, namespace?: string) => ask<T>("apiserver", { type: "api.get", resource, name, namespace }).catch(() => undefined);
  const create = (resource: string, object: Record<string, unknown>, namespace?: string) => ask("apiserver", { type: "api.create", resource, namespace, object });
  try {
    await waitForNodes(c, 2, 20_000);
    await until("nodes initialized by the cloud", () => c.list<Node>("nodes"), (ns) => ns.every((n) => n.spec?.providerID?.startsWith("actorkube://") && n.metadata.labels?.["topology.kubernetes.io/zone"]));

    // LoadBalancer: an IP from the default pool, released on delete.
    await create("services", { metadata: { name: "lb" }, spec: { type: "LoadBalancer", selector: { app: "lb" }, ports: [{ port: 80 }] } }, "default");
    const svc = await until("ingress", () => get<Service>("services", "lb", "default"), (s) => Boolean(s?.status?.loadBalancer?.ingress?.length));
    assert.match(svc!.status!.loadBalancer!.ingress![0].ip!, /^172\.18\.255\.\d+$/);
    await ask("apiserver", { type: "api.delete", resource: "services", name: "lb", namespace: "default" });
    await until("service released and gone", () => get("services", "lb", "default"), (s) => s === undefined);
    assert.equal(await ask("cloud-controller-manager", { type: "cloud.loadBalancers" }), []);

    // A claim without a class: provisioned by the default class, bound, attached where its pod runs, mounted.
    await create("persistentvolumeclaims", { metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }, "default");
    await create("pods", { metadata: { name: "db" }, spec: { containers: [{ name: "db", image: "postgres:16" }], volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data" } }] } }, "default");
    const pvc = await until("claim bound", () => get<PersistentVolumeClaim>("persistentvolumeclaims", "data", "default"), (x) => x?.status?.phase === "Bound");
    const pv = await get<KubeObject & { spec: { csi: { volumeHandle: string } } }>("persistentvolumes", pvc!.spec.volumeName!);
    const pod = await until("pod running", () => get<Pod>("pods", "db", "default"), (p) => p?.status?.phase === "Running", 20_000);
    const node = await get<Node>("nodes", pod!.spec.nodeName!);
    assert.ok(node!.status!.volumesAttached!.some((a) => a.name === `kubernetes.io/csi/disk.actorkube.io^${pv!.spec.csi.volumeHandle}`));

    // Terminate the instance running a ReplicaSet's pod; once the node is NotReady the cloud deletes it.
    await create("replicasets.apps", { metadata: { name: "app" }, spec: { replicas: 1, selector: { matchLabels: { app: "app" } }, template: { metadata: { labels: { app: "app" } }, spec: { containers: [{ name: "c", image: "busybox:1" }] } } } }, "default");
    const listApp = async () => (await c.list<Pod>("pods", "default")).filter((p) => p.metadata.labels?.app === "app");
    const [first] = await until("replica running", listApp, (ps) => ps.length === 1 && ps[0].status?.phase === "Running");
    const victim = first.spec.nodeName!;
    const survivor = (await c.list<Node>("nodes")).map((n) => n.metadata.name!).find((n) => n !== victim)!;
    const t = await ask<{ state: string; kubelet: string }>("cloud-controller-manager", { type: "cloud.terminate", node: victim });
    assert.equal([t.state, t.kubelet], ["terminated", "silenced"]);
    // kube-controller-manager's node lifecycle would mark the silent node Unknown after 40 s; do it now.
    const n = (await get<Node>("nodes", victim))!;
    const conditions = n.status!.conditions!.map((x) => (x.type === "Ready" ? { ...x, status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status." } : x));
    await ask("apiserver", { type: "api.update", resource: "nodes", subresource: "status", object: { ...n, status: { ...n.status, conditions } } });
    await until("node deleted", () => get("nodes", victim), (x) => x === undefined, 20_000);
    assert.ok(await get("nodes", survivor), "the healthy node stays");
    const controllers = Object.keys(await ask<Record<string, unknown>>("controller-manager", { type: "controllers.stats" }));
    assert.ok(controllers.includes("replicaset") && controllers.includes("podgc"));
    // Pods bound to a node that no longer exists are collected; the ReplicaSet replaces its pod on the survivor.
    await until("orphaned pod collected", () => get("pods", first.metadata.name!, "default"), (p) => p === undefined, 20_000);
    const [again] = await until("replacement running", listApp, (ps) => ps.length === 1 && ps[0].status?.phase === "Running", 20_000);
    assert.is(again.spec.nodeName, survivor);
  } finally {
    await c.stop();
  }
});

test.run();
