import { test } from "uvu";
import * as assert from "uvu/assert";
import { startFake, type FakeCluster } from "./fake-apiserver.ts";

let c: FakeCluster;
test.before(async () => {
  c = await startFake();
});
test.after(async () => {
  await c.stop();
});

async function get(path: string, accept?: string): Promise<{ status: number; type: string; body: Record<string, unknown> }> {
  const res = await fetch(c.url(path), { headers: accept ? { accept } : {} });
  return { status: res.status, type: res.headers.get("content-type") ?? "", body: (await res.json()) as Record<string, unknown> };
}

test("/version reports a v1.32 gitVersion with major and minor", async () => {
  const { body } = await get("/version");
  assert.is(body.gitVersion, "v1.32.0-actorkube");
  assert.is(body.major, "1");
  assert.is(body.minor, "32");
});

test("health endpoints answer ok", async () => {
  for (const path of ["/healthz", "/livez", "/readyz"]) {
    const res = await fetch(c.url(path));
    assert.is(res.status, 200, path);
    assert.is(await res.text(), "ok");
  }
});

test("/api lists v1; /apis lists the named groups with preferred versions", async () => {
  assert.equal((await get("/api")).body.versions, ["v1"]);
  const apis = (await get("/apis")).body as { kind: string; groups: { name: string; preferredVersion: { groupVersion: string } }[] };
  assert.is(apis.kind, "APIGroupList");
  const apps = apis.groups.find((g) => g.name === "apps");
  assert.is(apps?.preferredVersion.groupVersion, "apps/v1");
  assert.ok(!apis.groups.some((g) => g.name === ""));
});

test("aggregated discovery is answered in the legacy form, so kubectl falls back", async () => {
  const r = await get("/api", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json");
  assert.is(r.type, "application/json");
  assert.is(r.body.kind, "APIVersions");
});

test("/api/v1 lists resources with subresources", async () => {
  const { body } = await get("/api/v1");
  assert.is(body.kind, "APIResourceList");
  assert.is(body.groupVersion, "v1");
  const rs = body.resources as { name: string; kind: string; namespaced: boolean; verbs: string[]; shortNames?: string[]; group?: string }[];
  const byName = new Map(rs.map((r) => [r.name, r]));
  assert.is(byName.get("pods")?.kind, "Pod");
  assert.equal(byName.get("pods")?.shortNames, ["po"]);
  assert.is(byName.get("nodes")?.namespaced, false);
  for (const sub of ["pods/status", "pods/binding", "pods/log", "pods/eviction"]) assert.ok(byName.has(sub), sub);
  assert.equal(byName.get("pods/binding")?.verbs, ["create"]);
  assert.is(byName.get("pods/eviction")?.group, "policy");
});

test("/apis/apps/v1 has deployments/scale as autoscaling/v1 Scale; /apis/apps is an APIGroup", async () => {
  const { body } = await get("/apis/apps/v1");
  const rs = body.resources as { name: string; kind: string; group?: string; version?: string }[];
  const scale = rs.find((r) => r.name === "deployments/scale");
  assert.equal([scale?.kind, scale?.group, scale?.version], ["Scale", "autoscaling", "v1"]);
  assert.ok(rs.some((r) => r.name === "deployments/status"));
  assert.is((await get("/apis/apps")).body.kind, "APIGroup");
  assert.is((await get("/apis/nope/v1")).status, 404);
});

test("/openapi/v3 indexes group versions; each PATCH declares fieldValidation with its GVK", async () => {
  const index = (await get("/openapi/v3")).body as { paths: Record<string, { serverRelativeURL: string }> };
  assert.ok(index.paths["api/v1"]);
  const url = index.paths["apis/apps/v1"]!.serverRelativeURL;
  assert.match(url, /^\/openapi\/v3\/apis\/apps\/v1\?hash=/);
  const doc = (await get(url)).body as { paths: Record<string, { patch?: { parameters: { name: string }[]; "x-kubernetes-group-version-kind": unknown } }> };
  const patch = doc.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]?.patch;
  assert.equal(patch?.["x-kubernetes-group-version-kind"], { group: "apps", version: "v1", kind: "Deployment" });
  assert.ok(patch?.parameters.some((p) => p.name === "fieldValidation"));
  assert.is((await get("/openapi/v2", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf")).status, 406);
  assert.is((await get("/openapi/v2", "application/json")).body.swagger, "2.0");
});

test.run();
