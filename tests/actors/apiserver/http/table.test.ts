import { test } from "uvu";
import * as assert from "uvu/assert";
import type { KubeObject } from "../../../../actors/api/meta.ts";
import { pod, startFake, type FakeCluster } from "./fake-apiserver.ts";

const TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
const created = new Date(Date.now() - 3_600_000).toISOString();

let c: FakeCluster;
test.before(async () => {
  c = await startFake();
  const put = (key: string, o: KubeObject) => c.state.objects.set(key, o);
  const p = pod("web");
  p.metadata.creationTimestamp = created;
  put("/pods/default/web", p);
  put("/nodes//node-1", {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: "node-1", creationTimestamp: created, labels: { "node-role.kubernetes.io/control-plane": "" } },
    spec: { unschedulable: true },
    status: { conditions: [{ type: "Ready", status: "True" }], nodeInfo: { kubeletVersion: "v1.32.0" }, addresses: [{ type: "InternalIP", address: "10.1.0.1" }] },
  });
  put("apps/deployments/default/web", {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default", creationTimestamp: created },
    spec: { replicas: 3, selector: { matchLabels: { app: "web" } }, template: { spec: { containers: [{ name: "nginx", image: "nginx:1" }] } } },
    status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
  });
  put("/services/default/web", {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "web", namespace: "default", creationTimestamp: created },
    spec: { type: "NodePort", clusterIP: "10.96.0.10", ports: [{ port: 80, nodePort: 30080, protocol: "TCP" }], selector: { app: "web" } },
  });
});
test.after(async () => {
  await c.stop();
});

interface Table {
  kind: string;
  apiVersion: string;
  columnDefinitions: { name: string; priority: number }[];
  rows: { cells: unknown[]; object: { kind: string; metadata: { name: string } } }[];
}

async function table(path: string): Promise<{ type: string; t: Table }> {
  const res = await fetch(c.url(path), { headers: { accept: TABLE } });
  assert.is(res.status, 200);
  return { type: res.headers.get("content-type") ?? "", t: (await res.json()) as Table };
}

const cases: { path: string; columns: string[]; wide: string[]; cells: unknown[] }[] = [
  { path: "/api/v1/namespaces/default/pods", columns: ["Name", "Ready", "Status", "Restarts", "Age"], wide: ["IP", "Node", "Nominated Node", "Readiness Gates"], cells: ["web", "1/1", "Running", 0, "60m", "10.0.0.5", "node-1", "<none>", "<none>"] },
  { path: "/api/v1/nodes", columns: ["Name", "Status", "Roles", "Age", "Version"], wide: ["Internal-IP", "External-IP", "OS-Image", "Kernel-Version", "Container-Runtime"], cells: ["node-1", "Ready,SchedulingDisabled", "control-plane", "60m", "v1.32.0", "10.1.0.1", "<none>"] },
  { path: "/apis/apps/v1/namespaces/default/deployments", columns: ["Name", "Ready", "Up-to-date", "Available", "Age"], wide: ["Containers", "Images", "Selector"], cells: ["web", "2/3", 3, 2, "60m", "nginx", "nginx:1", "app=web"] },
  { path: "/api/v1/namespaces/default/services", columns: ["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age"], wide: ["Selector"], cells: ["web", "NodePort", "10.96.0.10", "<none>", "80:30080/TCP", "60m", "app=web"] },
];

for (const k of cases) {
  test(`Table columns and cells of ${k.path}`, async () => {
    const { type, t } = await table(k.path);
    assert.is(type, "application/json;as=Table;v=v1;g=meta.k8s.io");
    assert.is(t.kind, "Table");
    assert.is(t.apiVersion, "meta.k8s.io/v1");
    assert.equal(t.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name), k.columns);
    assert.equal(t.columnDefinitions.filter((c) => c.priority === 1).map((c) => c.name), k.wide);
    assert.is(t.rows.length, 1);
    assert.equal(t.rows[0]!.cells.slice(0, k.cells.length), k.cells);
    assert.is(t.rows[0]!.object.kind, "PartialObjectMetadata");
  });
}

test("a single get is a one-row Table; includeObject=Object carries the object", async () => {
  const { t } = await table("/api/v1/namespaces/default/pods/web?includeObject=Object");
  assert.is(t.rows.length, 1);
  assert.is(t.rows[0]!.object.kind, "Pod");
});

test("the SELECTOR column prints the selector as kubectl does: requirements sorted by key, set values sorted", async () => {
  c.state.objects.set("apps/replicasets/default/sel", {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name: "sel", namespace: "default", creationTimestamp: created },
    spec: { selector: { matchLabels: { tier: "front", app: "web" }, matchExpressions: [{ key: "env", operator: "In", values: ["b", "a"] }, { key: "canary", operator: "DoesNotExist" }] }, template: { spec: { containers: [] } } },
  });
  const { t } = await table("/apis/apps/v1/namespaces/default/replicasets");
  const i = t.columnDefinitions.findIndex((c) => c.name === "Selector");
  assert.ok(i >= 0);
  assert.is(t.rows.find((r) => r.cells[0] === "sel")!.cells[i], "app=web,!canary,env in (a,b),tier=front");
});

test("kinds without a printer get NAME AGE", async () => {
  c.state.objects.set("coordination.k8s.io/leases/default/l", { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "l", namespace: "default" }, spec: { holderIdentity: "me" } });
  c.state.objects.set("/persistentvolumeclaims/default/x", { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "x", namespace: "default" } });
  const { t } = await table("/apis/coordination.k8s.io/v1/namespaces/default/leases");
  assert.equal(t.columnDefinitions.map((c) => c.name), ["Name", "Holder", "Age"]);
  assert.equal(t.rows[0]!.cells, ["l", "me", "<unknown>"]);
});

test("plain Accept gets the list itself", async () => {
  const res = await fetch(c.url("/api/v1/namespaces/default/pods"), { headers: { accept: "application/json" } });
  const body = (await res.json()) as { items: unknown[] };
  assert.is(body.items.length, 1);
});

test.run();
