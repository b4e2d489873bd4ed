import { test } from "uvu";
import * as assert from "uvu/assert";
import { apiserver, failure } from "../auth/helpers.ts";
import type { KubeObject } from "../../../../actors/api/meta.ts";

const nodes = ["system:nodes"];

async function setup() {
  const c = await apiserver();
  const root = c.as(undefined);
  for (const n of ["n1", "n2"]) await root({ type: "api.create", resource: "nodes", object: { metadata: { name: n } } });
  const pod = (name: string, nodeName: string, annotations?: Record<string, string>) => ({
    type: "api.create",
    resource: "pods",
    namespace: "default",
    object: { metadata: { name, annotations }, spec: { nodeName, containers: [{ name: "c", image: "x" }] } },
  });
  return { c, root, n1: c.as("system:node:n1", nodes), pod };
}

test("a kubelet writes its own Node and Lease, not another node's", async () => {
  const { c, root, n1 } = await setup();
  const own = await n1<KubeObject>({ type: "api.get", resource: "nodes", name: "n1" });
  assert.ok(await n1({ type: "api.update", resource: "nodes", subresource: "status", object: own }));
  const other = await root<KubeObject>({ type: "api.get", resource: "nodes", name: "n2" });
  const refused = await failure(n1({ type: "api.update", resource: "nodes", subresource: "status", object: other }));
  assert.equal([refused.code, refused.message], ["Forbidden", 'nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"']);
  assert.ok(await n1({ type: "api.create", resource: "leases", group: "coordination.k8s.io", namespace: "kube-node-lease", object: { metadata: { name: "n1" }, spec: { holderIdentity: "n1" } } }));
  const lease = await failure(n1({ type: "api.create", resource: "leases", group: "coordination.k8s.io", namespace: "kube-node-lease", object: { metadata: { name: "n2" }, spec: { holderIdentity: "n2" } } }));
  assert.match(lease.message, /can only access node lease with the same name as the requesting node/);
  await c.stop();
});

test("a kubelet creates only mirror pods bound to itself and updates or deletes only its own pods", async () => {
  const { c, root, n1, pod } = await setup();
  const plain = await failure(n1(pod("plain", "n1")));
  assert.match(plain.message, /pod does not have "kubernetes\.io\/config\.mirror" annotation, node "n1" can only create mirror pods/);
  const elsewhere = await failure(n1(pod("static-n2", "n2", { "kubernetes.io/config.mirror": "abc" })));
  assert.match(elsewhere.message, /node "n1" can only create pods with spec\.nodeName set to itself/);
  assert.ok(await n1(pod("static-n1", "n1", { "kubernetes.io/config.mirror": "abc" })));

  await root(pod("mine", "n1"));
  await root(pod("theirs", "n2"));
  const mine = await n1<KubeObject>({ type: "api.get", resource: "pods", namespace: "default", name: "mine" });
  assert.ok(await n1({ type: "api.update", resource: "pods", namespace: "default", subresource: "status", object: { ...mine, status: { phase: "Running" } } }));
  const theirs = await root<KubeObject>({ type: "api.get", resource: "pods", namespace: "default", name: "theirs" });
  const update = await failure(n1({ type: "api.update", resource: "pods", namespace: "default", subresource: "status", object: { ...theirs, status: { phase: "Running" } } }));
  assert.match(update.message, /node "n1" can only update pod status for pods with spec\.nodeName set to itself/);
  const del = await failure(n1({ type: "api.delete", resource: "pods", namespace: "default", name: "theirs", options: { gracePeriodSeconds: 0 } }));
  assert.match(del.message, /node "n1" can only delete pods with spec\.nodeName set to itself/);
  assert.ok(await root({ type: "api.get", resource: "pods", namespace: "default", name: "theirs" }), "nothing was deleted");
  assert.ok(await n1({ type: "api.delete", resource: "pods", namespace: "default", name: "mine", options: { gracePeriodSeconds: 0 } }));
  await c.stop();
});

test.run();
