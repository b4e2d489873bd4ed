// The garbage collector against the real apiserver actor: Background, Foreground and Orphan
// propagation through Deployment → ReplicaSet → Pod chains made of plain objects with ownerReferences.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { KubeObject, OwnerReference } from "../../../actors/api/meta.ts";
import type { Pod } from "../../../actors/api/types/core-pod.ts";
import { retryOnConflict } from "../../../actors/api/client.ts";
import { readable, setup, type Harness } from "./core-controllers-harness.ts";

const NS = "default";
const labels = { app: "web" };
const podTemplate = { metadata: { labels }, spec: { containers: [{ name: "c", image: "nginx:1.27" }] } };

const ref = (o: KubeObject, block = true): OwnerReference => ({ apiVersion: o.apiVersion!, kind: o.kind!, name: o.metadata.name!, uid: o.metadata.uid!, controller: true, blockOwnerDeletion: block });

/** Deployment `web` → ReplicaSet `web-1` → pods `web-1-a`, `web-1-b` (+ `extra` pods), all owned with blockOwnerDeletion. */
async function chain(h: Harness, podMeta: Partial<Pod["metadata"]> = {}) {
  const deploy = await h.client.create<KubeObject>("deployments.apps", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: NS }, spec: { replicas: 2, selector: { matchLabels: labels }, template: podTemplate } });
  const rs = await h.client.create<KubeObject>("replicasets.apps", {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name: "web-1", namespace: NS, ownerReferences: [ref(deploy)] },
    spec: { replicas: 2, selector: { matchLabels: labels }, template: podTemplate },
  });
  const pods: Pod[] = [];
  for (const n of ["a", "b"]) {
    pods.push(await h.client.create<Pod>("pods", { apiVersion: "v1", kind: "Pod", metadata: { name: `web-1-${n}`, namespace: NS, labels, ownerReferences: [ref(rs)], ...podMeta }, spec: { containers: [{ name: "c", image: "nginx:1.27" }] } }));
  }
  return { deploy, rs, pods };
}

const exists = (h: Harness, resource: string, name: string, namespace: string | undefined = NS) => h.client.get(resource, name, { namespace }).then((o) => o, () => undefined);
const gone = (h: Harness, resource: string, name: string, namespace?: string) => async () => !(await exists(h, resource, name, namespace));

test("Background: deleting a Deployment removes its ReplicaSet, then the pods; shared dependents only lose the reference", readable(async () => {
  const h = await setup(["garbagecollector"]);
  const { rs } = await chain(h);
  const keeper = await h.client.create("configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "keeper", namespace: NS }, data: {} });
  const shared = await h.client.create<Pod>("pods", { apiVersion: "v1", kind: "Pod", metadata: { name: "shared", namespace: NS, ownerReferences: [ref(rs, false), { ...ref(keeper, false), controller: false }] }, spec: { containers: [{ name: "c", image: "x:1" }] } });
  await h.settle();
  assert.ok(await exists(h, "pods", "web-1-a"), "dependents of live owners stay");

  await h.client.delete("deployments.apps", "web", { namespace: NS, propagationPolicy: "Background" });
  await h.until("the ReplicaSet to go", gone(h, "replicasets.apps", "web-1"));
  await h.until("its pods to go", async () => !(await exists(h, "pods", "web-1-a")) && !(await exists(h, "pods", "web-1-b")));
  const left = await h.until("the shared pod to lose its reference", async () => {
    const p = await h.client.get<Pod>("pods", "shared", { namespace: NS });
    return p.metadata.ownerReferences?.length === 1 && p;
  });
  assert.is(left.metadata.uid, shared.metadata.uid, "the shared pod was not deleted");
  assert.is(left.metadata.ownerReferences![0].name, "keeper");
  await h.stop();
}));

test("Background across scopes: a namespaced object owned by a Node goes with the Node", readable(async () => {
  const h = await setup(["garbagecollector"]);
  const node = await h.client.create("nodes", { apiVersion: "v1", kind: "Node", metadata: { name: "n1" }, spec: {} });
  await h.client.create("configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "per-node", namespace: NS, ownerReferences: [{ ...ref(node), controller: false }] }, data: {} });
  await h.settle();
  assert.ok(await exists(h, "configmaps", "per-node"));
  await h.client.delete("nodes", "n1");
  await h.until("the node's configmap to go", gone(h, "configmaps", "per-node"));
  await h.stop();
}));

test("owners are checked live: dangling references (never existed, or a same-named object with another uid) are collected", readable(async () => {
  const h = await setup(["garbagecollector"]);
  const impostor = await h.client.create<KubeObject>("configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "owner", namespace: NS }, data: {} });
  const mk = (name: string, owner: OwnerReference) => h.client.create("secrets", { apiVersion: "v1", kind: "Secret", metadata: { name, namespace: NS, ownerReferences: [owner] }, data: {} });
  await mk("never-existed", { apiVersion: "apps/v1", kind: "ReplicaSet", name: "ghost", uid: "00000000-0000-0000-0000-000000000001" });
  await mk("wrong-uid", { apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: "00000000-0000-0000-0000-000000000002" });
  await mk("right-uid", { apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: impostor.metadata.uid! });
  await mk("unknown-kind", { apiVersion: "example.com/v1", kind: "Widget", name: "w", uid: "00000000-0000-0000-0000-000000000003" });
  await h.until("dangling dependents to go", async () => !(await exists(h, "secrets", "never-existed")) && !(await exists(h, "secrets", "wrong-uid")));
  await h.tick(31_000, 1_000);
  assert.ok(await exists(h, "secrets", "right-uid"), "an object whose owner exists stays");
  assert.ok(await exists(h, "secrets", "unknown-kind"), "an owner of a kind the apiserver does not serve is not taken as absent");
  await h.stop();
}));

test("Foreground: the owner waits, with foregroundDeletion, until blocking dependents down the chain are gone", readable(async () => {
  const h = await setup(["garbagecollector"]);
  await chain(h, { finalizers: ["example.com/hold"] });
  await h.settle();
  await h.client.delete("deployments.apps", "web", { namespace: NS, propagationPolicy: "Foreground" });

  // The pods linger on their own finalizer; everything above them must wait.
  await h.until("pods being deleted", async () => {
    const pods = await Promise.all(["web-1-a", "web-1-b"].map((n) => h.client.get<Pod>("pods", n, { namespace: NS })));
    return pods.every((p) => p.metadata.deletionTimestamp);
  });
  await h.tick(5_000, 1_000);
  const rs = await h.client.get("replicasets.apps", "web-1", { namespace: NS });
  const deploy = await h.client.get("deployments.apps", "web", { namespace: NS });
  assert.ok(rs.metadata.deletionTimestamp, "the ReplicaSet is being deleted");
  assert.equal(rs.metadata.finalizers, ["foregroundDeletion"], "in the foreground, as its owner was");
  assert.ok(deploy.metadata.deletionTimestamp);
  assert.equal(deploy.metadata.finalizers, ["foregroundDeletion"]);

  for (const n of ["web-1-a", "web-1-b"]) {
    await retryOnConflict(async () => {
      const p = await h.client.get<Pod>("pods", n, { namespace: NS });
      await h.client.update("pods", { ...p, metadata: { ...p.metadata, finalizers: [] } });
    });
  }
  await h.until("the pods to go", async () => !(await exists(h, "pods", "web-1-a")) && !(await exists(h, "pods", "web-1-b")));
  await h.until("the ReplicaSet to go", gone(h, "replicasets.apps", "web-1"));
  await h.until("the Deployment to go", gone(h, "deployments.apps", "web"));
  await h.stop();
}));

test("Foreground does not wait for dependents that do not block, but still deletes them", readable(async () => {
  const h = await setup(["garbagecollector"]);
  const owner = await h.client.create("configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "owner", namespace: NS }, data: {} });
  await h.client.create("secrets", { apiVersion: "v1", kind: "Secret", metadata: { name: "held", namespace: NS, finalizers: ["example.com/hold"], ownerReferences: [ref(owner, false)] }, data: {} });
  await h.settle();
  await h.client.delete("configmaps", "owner", { namespace: NS, propagationPolicy: "Foreground" });
  await h.until("the owner to go", gone(h, "configmaps", "owner"));
  const held = await h.client.get("secrets", "held", { namespace: NS });
  assert.ok(held.metadata.deletionTimestamp, "the non-blocking dependent was deleted too (held by its own finalizer)");
  await h.stop();
}));

test("Orphan: dependents lose the reference and stay; the orphan finalizer is removed and the owner goes", readable(async () => {
  const h = await setup(["garbagecollector"]);
  const { rs } = await chain(h);
  await h.settle();
  await h.client.delete("replicasets.apps", "web-1", { namespace: NS, propagationPolicy: "Orphan" });
  await h.until("the ReplicaSet to go", gone(h, "replicasets.apps", "web-1"));
  for (const n of ["web-1-a", "web-1-b"]) {
    const p = await h.client.get<Pod>("pods", n, { namespace: NS });
    assert.ok(!p.metadata.deletionTimestamp, `${n} is not deleted`);
    assert.not.ok(p.metadata.ownerReferences?.some((r) => r.uid === rs.metadata.uid), `${n} no longer names its old owner`);
  }
  await h.tick(35_000, 1_000);
  assert.ok(await exists(h, "pods", "web-1-a"), "orphans stay for good");
  assert.ok(await exists(h, "deployments.apps", "web"), "the owner's owner is untouched");
  await h.stop();
}));

test("objects whose owner went while the collector was down are collected when it starts", readable(async () => {
  const h = await setup(["garbagecollector"]);
  await h.sys.stop("controller-manager");
  await chain(h);
  await h.client.delete("deployments.apps", "web", { namespace: NS });
  assert.ok(await exists(h, "replicasets.apps", "web-1"));
  const { controllerManagerActor } = await import("../../../actors/controller-manager/actor.ts");
  await h.sys.spawn("controller-manager", controllerManagerActor as never, { controllers: ["garbagecollector"] } as never);
  await h.until("the ReplicaSet to go", gone(h, "replicasets.apps", "web-1"));
  await h.until("the pods to go", async () => !(await exists(h, "pods", "web-1-a")));
  await h.stop();
}));

test.run();
