import { test } from "uvu";
import * as assert from "uvu/assert";
import { pod, startFake, type FakeCluster } from "./fake-apiserver.ts";

let c: FakeCluster;
test.before(async () => {
  c = await startFake();
  c.state.objects.set("/pods/default/web", pod("web"));
  c.state.objects.set("apps/deployments/default/d1", deployment());
});

function deployment() {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "d1", namespace: "default", uid: "u1", resourceVersion: "3" },
    spec: { replicas: 3, selector: { matchLabels: { app: "d1" } } },
    status: { replicas: 2 },
  };
}
test.after(async () => {
  await c.stop();
});

interface Case {
  name: string;
  method: string;
  path: string;
  body?: unknown;
  contentType?: string;
  code: number;
  expect: Record<string, unknown>;
}

const cases: Case[] = [
  { name: "get", method: "GET", path: "/api/v1/namespaces/default/pods/web", code: 200, expect: { type: "api.get", resource: "pods", group: "", namespace: "default", name: "web" } },
  {
    name: "list with options",
    method: "GET",
    path: "/api/v1/namespaces/default/pods?labelSelector=app%3Dweb&fieldSelector=spec.nodeName%3Dn1&limit=500&continue=abc&resourceVersion=7",
    code: 200,
    expect: { type: "api.list", resource: "pods", namespace: "default", labelSelector: "app=web", fieldSelector: "spec.nodeName=n1", limit: 500, continue: "abc", resourceVersion: "7" },
  },
  { name: "list all namespaces", method: "GET", path: "/api/v1/pods", code: 200, expect: { type: "api.list", resource: "pods", namespace: undefined } },
  { name: "cluster-scoped get", method: "GET", path: "/api/v1/namespaces/default", code: 404, expect: { type: "api.get", resource: "namespaces", name: "default", namespace: undefined } },
  {
    name: "create fills the namespace and kind",
    method: "POST",
    path: "/api/v1/namespaces/default/configmaps?fieldManager=kubectl-create&dryRun=All",
    body: { metadata: { name: "cm" }, data: { a: "1" } },
    code: 201,
    expect: { type: "api.create", resource: "configmaps", namespace: "default", fieldManager: "kubectl-create", dryRun: "All", object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm", namespace: "default" }, data: { a: "1" } } },
  },
  {
    name: "create from YAML",
    method: "POST",
    path: "/apis/apps/v1/namespaces/default/deployments",
    body: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: y1\n",
    contentType: "application/yaml",
    code: 201,
    expect: { type: "api.create", resource: "deployments", group: "apps", object: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "y1", namespace: "default" } } },
  },
  {
    name: "binding",
    method: "POST",
    path: "/api/v1/namespaces/default/pods/web/binding",
    body: { apiVersion: "v1", kind: "Binding", metadata: { name: "web" }, target: { kind: "Node", name: "n1" } },
    code: 201,
    expect: { type: "api.create", resource: "pods", name: "web", subresource: "binding" },
  },
  {
    name: "eviction",
    method: "POST",
    path: "/api/v1/namespaces/default/pods/web/eviction",
    body: { apiVersion: "policy/v1", kind: "Eviction", metadata: { name: "web" } },
    code: 201,
    expect: { type: "api.create", subresource: "eviction", name: "web" },
  },
  {
    name: "update status",
    method: "PUT",
    path: "/api/v1/namespaces/default/pods/web/status",
    body: pod("web"),
    code: 200,
    expect: { type: "api.update", resource: "pods", subresource: "status", namespace: "default" },
  },
  {
    name: "update scale",
    method: "PUT",
    path: "/apis/apps/v1/namespaces/default/deployments/d1/scale",
    body: { apiVersion: "autoscaling/v1", kind: "Scale", metadata: { name: "d1", namespace: "default" }, spec: { replicas: 5 } },
    code: 200,
    expect: { type: "api.update", resource: "deployments", group: "apps", subresource: "scale", object: { apiVersion: "autoscaling/v1", kind: "Scale", metadata: { name: "d1", namespace: "default" }, spec: { replicas: 5 } } },
  },
  ...(
    [
      ["application/merge-patch+json", "merge"],
      ["application/strategic-merge-patch+json", "strategic"],
      ["application/apply-patch+yaml", "apply"],
    ] as const
  ).map(([contentType, patchType]): Case => ({
    name: `patch ${patchType}`,
    method: "PATCH",
    path: "/api/v1/namespaces/default/pods/web?fieldManager=m&force=true",
    body: contentType.endsWith("yaml") ? "metadata:\n  labels:\n    a: b\n" : { metadata: { labels: { a: "b" } } },
    contentType,
    code: 200,
    expect: { type: "api.patch", name: "web", patchType, patch: { metadata: { labels: { a: "b" } } }, fieldManager: "m", force: true },
  })),
  {
    name: "json patch on scale",
    method: "PATCH",
    path: "/apis/apps/v1/namespaces/default/deployments/d1/scale",
    body: [{ op: "replace", path: "/spec/replicas", value: 2 }],
    contentType: "application/json-patch+json",
    code: 200,
    expect: { type: "api.patch", patchType: "json", subresource: "scale", patch: [{ op: "replace", path: "/spec/replicas", value: 2 }] },
  },
  {
    name: "delete with body and query options",
    method: "DELETE",
    path: "/api/v1/namespaces/default/pods/web?gracePeriodSeconds=0",
    body: { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Foreground" },
    code: 200,
    expect: { type: "api.delete", name: "web", options: { propagationPolicy: "Foreground", gracePeriodSeconds: 0 } },
  },
  {
    name: "deletecollection",
    method: "DELETE",
    path: "/api/v1/namespaces/default/pods?labelSelector=app%3Dx&dryRun=All",
    code: 200,
    expect: { type: "api.deletecollection", resource: "pods", labelSelector: "app=x", options: { dryRun: "All" } },
  },
];

for (const k of cases) {
  test(`${k.method} ${k.name} → ${String(k.expect.type)}`, async () => {
    const headers: Record<string, string> = {};
    let body: string | undefined;
    if (k.body !== undefined) {
      body = typeof k.body === "string" ? k.body : JSON.stringify(k.body);
      headers["content-type"] = k.contentType ?? "application/json";
    }
    const res = await fetch(c.url(k.path), { method: k.method, headers, body });
    await res.text();
    assert.is(res.status, k.code);
    const seen = c.last(String(k.expect.type));
    assert.ok(seen, `the fake got no ${String(k.expect.type)}`);
    for (const [field, value] of Object.entries(k.expect)) assert.equal(seen![field], value, field);
  });
}

test("GET scale answers an autoscaling/v1 Scale built from the deployment", async () => {
  c.state.objects.set("apps/deployments/default/d1", deployment());
  const res = await fetch(c.url("/apis/apps/v1/namespaces/default/deployments/d1/scale"));
  const scale = (await res.json()) as Record<string, unknown>;
  assert.equal(scale, {
    apiVersion: "autoscaling/v1",
    kind: "Scale",
    metadata: { name: "d1", namespace: "default", uid: "u1", resourceVersion: "3" },
    spec: { replicas: 3 },
    status: { replicas: 2, selector: "app=d1" },
  });
});

test("an apply must name its field manager; other writes default it to the User-Agent's product", async () => {
  const before = c.state.seen.filter((m) => m.type === "api.patch").length;
  const res = await fetch(c.url("/api/v1/namespaces/default/pods/web"), { method: "PATCH", headers: { "content-type": "application/apply-patch+yaml" }, body: "metadata:\n  name: web\n" });
  assert.is(res.status, 400);
  assert.match(((await res.json()) as { message: string }).message, /fieldManager: Required value: is required for apply patch/);
  assert.is(c.state.seen.filter((m) => m.type === "api.patch").length, before);
  await fetch(c.url("/api/v1/namespaces/default/pods/web"), { method: "PATCH", headers: { "content-type": "application/merge-patch+json", "user-agent": "kubectl/v1.32.4 (linux/amd64) kubernetes/abc" }, body: "{}" });
  assert.is(c.last("api.patch")!.fieldManager, "kubectl");
});

test("GET of a subresource names it, so authorization sees pods/status", async () => {
  await fetch(c.url("/api/v1/namespaces/default/pods/web/status")).then((r) => r.text());
  assert.equal([c.last("api.get")!.name, c.last("api.get")!.subresource], ["web", "status"]);
});

test("the authenticated user rides on writes", async () => {
  const authed = await startFake({ tokens: { t0k: "alice" } });
  try {
    const res = await fetch(authed.url("/api/v1/namespaces/default/configmaps"), {
      method: "POST",
      headers: { authorization: "Bearer t0k", "content-type": "application/json" },
      body: JSON.stringify({ metadata: { name: "x" } }),
    });
    assert.is(res.status, 201);
    assert.is(authed.last("api.create")?.user, "alice");
  } finally {
    await authed.stop();
  }
});

test.run();
