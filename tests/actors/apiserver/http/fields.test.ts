import { test } from "uvu";
import * as assert from "uvu/assert";
import { dropUnknownFields } from "../../../../actors/apiserver/http/fields/validate.ts";
import { startFake, type FakeCluster } from "./fake-apiserver.ts";

let c: FakeCluster;
test.before(async () => {
  c = await startFake();
});
test.after(async () => {
  await c.stop();
});

const deployment = () => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "d", labels: { anything: "goes" } },
  spec: {
    replica: 3,
    selector: { matchLabels: { app: "d" } },
    template: { metadata: { labels: { app: "d" } }, spec: { containers: [{ name: "c", image: "nginx", imagee: "typo", securityContext: { whatever: true } }] } },
  },
  extra: 1,
});

test("unknown fields are found at their paths and removed; open structures are not looked into", () => {
  const body = deployment();
  const unknown = dropUnknownFields("apps", "Deployment", body);
  assert.equal(unknown, ["spec.replica", "spec.template.spec.containers[0].imagee", "extra"]);
  assert.not.ok("replica" in body.spec);
  assert.equal(body.spec.template.spec.containers[0], { name: "c", image: "nginx", securityContext: { whatever: true } });
  assert.equal(dropUnknownFields("example.com", "Widget", { spec: { x: 1 } }), [], "kinds without a table are not checked");
  assert.equal(dropUnknownFields("", "ConfigMap", { metadata: { name: "x" }, $patch: "replace", data: { a: "1" } }, true), [], "patch directives are not fields");
});

const post = (query: string, body: unknown) =>
  fetch(c.url(`/apis/apps/v1/namespaces/default/deployments${query}`), { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

test("fieldValidation=Strict refuses unknown fields with 400, naming each", async () => {
  const creates = () => c.state.seen.filter((m) => m.type === "api.create").length;
  const before = creates();
  const r = await post("?fieldValidation=Strict", deployment());
  assert.is(r.status, 400);
  const s = (await r.json()) as { message: string; reason: string };
  assert.is(s.reason, "BadRequest");
  assert.is(s.message, 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica", unknown field "spec.template.spec.containers[0].imagee", unknown field "extra"');
  assert.is(creates(), before, "the apiserver was not asked");
});

test("fieldValidation=Warn (the default) answers Warning headers and stores without the unknown fields", async () => {
  for (const [query, name] of [["?fieldValidation=Warn", "warn"], ["", "default"]] as const) {
    const body = { ...deployment(), metadata: { name } };
    const r = await post(query, body);
    assert.is(r.status, 201);
    const warnings = (r.headers.get("warning") ?? "").split(/,\s*(?=299)/);
    assert.equal(warnings, ['299 - "unknown field \\"spec.replica\\""', '299 - "unknown field \\"spec.template.spec.containers[0].imagee\\""', '299 - "unknown field \\"extra\\""']);
    const sent = c.last("api.create")!.object as { spec: Record<string, unknown> };
    assert.not.ok("replica" in sent.spec);
  }
});

test("fieldValidation=Ignore drops unknown fields silently; a bad value is 400", async () => {
  const r = await post("?fieldValidation=Ignore", { ...deployment(), metadata: { name: "ignored" } });
  assert.is(r.status, 201);
  assert.is(r.headers.get("warning"), null);
  const bad = await post("?fieldValidation=Loud", deployment());
  assert.is(bad.status, 400);
  assert.match(((await bad.json()) as { message: string }).message, /fieldValidation must be one of "Ignore", "Warn", or "Strict"/);
});

test("patches are checked too (strategic merge and apply), JSON patches are not", async () => {
  const patch = (type: string, body: unknown) =>
    fetch(c.url("/apis/apps/v1/namespaces/default/deployments/warn?fieldValidation=Strict&fieldManager=m"), { method: "PATCH", headers: { "Content-Type": type }, body: JSON.stringify(body) });
  assert.is((await patch("application/strategic-merge-patch+json", { spec: { replicaz: 1 } })).status, 400);
  assert.is((await patch("application/apply-patch+yaml", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "warn" }, spek: {} })).status, 400);
  assert.is((await patch("application/strategic-merge-patch+json", { spec: { replicas: 1, $retainKeys: ["replicas"] } })).status, 200);
  assert.is((await patch("application/json-patch+json", [{ op: "add", path: "/spec/replicas", value: 2 }])).status, 200);
});

test.run();
