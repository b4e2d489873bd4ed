// The namespace controller against the real apiserver actor: deleting a namespace removes everything in it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Condition, KubeObject } from "../../../actors/api/meta.ts";
import type { Namespace } from "../../../actors/api/types/core-node.ts";
import type { Pod } from "../../../actors/api/types/core-pod.ts";
import { retryOnConflict } from "../../../actors/api/client.ts";
import { errorCode } from "../../../runtime/errors.ts";
import { readable, setup, type Harness } from "./core-controllers-harness.ts";

const NS = "team";

async function populate(h: Harness) {
  await h.client.create("namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
  const objects: [string, KubeObject][] = [
    ["configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg" }, data: { a: "1" } }],
    ["secrets", { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: {} }],
    ["serviceaccounts", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "builder" } }],
    ["services", { apiVersion: "v1", kind: "Service", metadata: { name: "web" }, spec: { selector: { app: "web" }, ports: [{ port: 80 }] } }],
    ["pods", { apiVersion: "v1", kind: "Pod", metadata: { name: "pending" }, spec: { containers: [{ name: "c", image: "x:1" }] } }],
    ["deployments.apps", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" }, spec: { selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "x:1" }] } } } }],
    ["leases.coordination.k8s.io", { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "lock" }, spec: {} }],
  ];
  for (const [resource, obj] of objects) await h.client.create(resource, { ...obj, metadata: { ...obj.metadata, namespace: NS } });
  // A pod on a node terminates gracefully: it stays until "its kubelet" confirms.
  await h.client.create("nodes", { apiVersion: "v1", kind: "Node", metadata: { name: "n1" }, spec: {} });
  await h.runPodOn("running", "n1", { terminationGracePeriodSeconds: 30 }, NS);
  // Someone else's object in another namespace.
  await h.client.create("configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg", namespace: "default" }, data: {} });
}

const everything = ["configmaps", "secrets", "serviceaccounts", "services", "pods", "deployments.apps", "leases.coordination.k8s.io", "events"];
async function contents(h: Harness): Promise<string[]> {
  const out: string[] = [];
  for (const r of everything) for (const o of (await h.client.list(r, { namespace: NS })).items) out.push(`${r}/${o.metadata.name}`);
  return out.sort();
}
const condition = (ns: Namespace, type: string) => ns.status?.conditions?.find((c: Condition) => c.type === type);

test("deleting a namespace deletes everything in it, waits for graceful pods, then the namespace goes", readable(async () => {
  const h = await setup(["namespace"]);
  await populate(h);
  await h.client.delete("namespaces", NS);
  const terminating = await h.client.get<Namespace>("namespaces", NS);
  assert.is(terminating.status!.phase, "Terminating");

  // New content is refused from now on.
  const refused = await h.client.create("configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "late", namespace: NS }, data: {} }).then(() => undefined, (e: unknown) => e as Error);
  assert.is(errorCode(refused), "Forbidden");
  assert.match(refused!.message, /unable to create new content in namespace team because it is being terminated/);

  const lingering = await h.until("only the running pod left", async () => {
    const left = await contents(h);
    return left.length === 1 && left;
  });
  assert.equal(lingering, ["pods/running"]);
  const ns = await h.client.get<Namespace>("namespaces", NS);
  assert.ok(ns.spec!.finalizers!.includes("kubernetes"), "not finalized while content remains");
  const remaining = await h.until("conditions", async () => {
    const n = await h.client.get<Namespace>("namespaces", NS);
    return condition(n, "NamespaceContentRemaining")?.status === "True" && n;
  });
  assert.is(condition(remaining, "NamespaceContentRemaining")!.message, "Some resources are remaining: pods. has 1 resource instances");
  assert.is(condition(remaining, "NamespaceDeletionContentFailure")!.status, "False");
  assert.is(condition(remaining, "NamespaceDeletionDiscoveryFailure")!.reason, "ResourcesDiscovered");

  // The kubelet finishes the pod.
  await h.client.delete("pods", "running", { namespace: NS, gracePeriodSeconds: 0 });
  await h.until("the namespace to go", async () => {
    const err = await h.client.get("namespaces", NS).then(() => undefined, (e: unknown) => e);
    return errorCode(err) === "NotFound";
  });
  assert.ok(await h.client.get("configmaps", "cfg", { namespace: "default" }), "other namespaces are untouched");
  await h.stop();
}));

test("content held by a finalizer keeps the namespace, and the conditions say which finalizer", readable(async () => {
  const h = await setup(["namespace"]);
  await h.client.create("namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
  await h.client.create("configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "held", namespace: NS, finalizers: ["example.com/hold"] }, data: {} });
  await h.client.delete("namespaces", NS);
  const ns = await h.until("finalizer conditions", async () => {
    const n = await h.client.get<Namespace>("namespaces", NS);
    return condition(n, "NamespaceFinalizersRemaining")?.status === "True" && n;
  });
  const c = condition(ns, "NamespaceFinalizersRemaining")!;
  assert.is(c.reason, "SomeFinalizersRemain");
  assert.is(c.message, "Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances");
  await h.tick(60_000, 5_000);
  assert.ok(await h.client.get("namespaces", NS), "still there while the finalizer holds");
  await retryOnConflict(async () => {
    const cm = await h.client.get("configmaps", "held", { namespace: NS });
    await h.client.update("configmaps", { ...cm, metadata: { ...cm.metadata, finalizers: [] } });
  });
  await h.until("the namespace to go", async () => errorCode(await h.client.get("namespaces", NS).then(() => undefined, (e: unknown) => e)) === "NotFound");
  await h.stop();
}));

test("the apiserver keeps a terminating namespace until its spec.finalizers are removed through finalize", readable(async () => {
  const h = await setup(null);
  await h.client.create("namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
  await h.client.delete("namespaces", NS);
  const ns = await h.client.get<Namespace>("namespaces", NS);
  // A status write (conditions) must not delete it: spec.finalizers still holds it.
  await h.client.updateStatus("namespaces", { ...ns, status: { ...ns.status, conditions: [{ type: "NamespaceContentRemaining", status: "False", reason: "ContentRemoved", message: "All content successfully removed" }] } });
  const fresh = await h.client.get<Namespace>("namespaces", NS);
  // A plain update cannot drop the finalizer.
  await h.client.update("namespaces", { ...fresh, spec: { finalizers: [] } });
  assert.equal((await h.client.get<Namespace>("namespaces", NS)).spec!.finalizers, ["kubernetes"]);
  const bad = await h.client.finalize({ ...fresh, spec: { finalizers: ["not a finalizer!"] } }).then(() => undefined, (e: unknown) => e);
  assert.is(errorCode(bad), "Invalid");
  await h.client.finalize({ ...fresh, spec: { finalizers: [] } });
  assert.is(errorCode(await h.client.get("namespaces", NS).then(() => undefined, (e: unknown) => e)), "NotFound");
  await h.stop();
}));

test("a namespace with a graceful pod goes as soon as the pod does, not after the grace estimate", readable(async () => {
  const h = await setup(["namespace"]);
  await h.client.create("namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
  await h.client.create("nodes", { apiVersion: "v1", kind: "Node", metadata: { name: "n1" }, spec: {} });
  await h.runPodOn("p", "n1", { terminationGracePeriodSeconds: 600 }, NS);
  await h.client.delete("namespaces", NS);
  await h.until("the pod to be terminating", async () => Boolean((await h.client.get<Pod>("pods", "p", { namespace: NS })).metadata.deletionTimestamp));
  await h.client.delete("pods", "p", { namespace: NS, gracePeriodSeconds: 0 });
  await h.until("the namespace to go", async () => errorCode(await h.client.get("namespaces", NS).then(() => undefined, (e: unknown) => e)) === "NotFound");
  await h.stop();
}));

test.run();
