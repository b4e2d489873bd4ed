/**
 * The HTTPS API as any client sees it: authentication, Status errors with
 * their HTTP codes, dry runs, DeleteOptions and the eviction subresource,
 * against a real cluster.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { api, eventually, kubeEnv, type KubeEnv } from "./helpers.ts";

let env: KubeEnv;
test.before(async () => {
  env = await kubeEnv({ front: { maxBodyBytes: 64 * 1024 } });
});
test.after(async () => {
  await env?.stop();
});

const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}, token?: string | null) =>
  api(env.cluster, method, path, body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body), headers, token);

interface Status {
  kind: string;
  status: string;
  reason?: string;
  code: number;
  message?: string;
  details?: { causes?: unknown[] };
}

test("no token or a wrong one is 401; health and version need none", async () => {
  for (const token of [null, "not-a-token"]) {
    const r = await call("GET", "/api/v1/namespaces/default/pods", undefined, {}, token);
    assert.is(r.status, 401);
    assert.equal(r.json<Status>().reason, "Unauthorized");
  }
  assert.is((await call("GET", "/readyz", undefined, {}, null)).status, 200);
  assert.match((await call("GET", "/version", undefined, {}, null)).json<{ gitVersion: string }>().gitVersion, /^v1\.32/);
});

test("kube-proxy's table is served at /debug/kube-proxy, as JSON or iptables-save text", async () => {
  const all = await call("GET", "/debug/kube-proxy");
  assert.is(all.status, 200);
  const table = all.json<{ services: { service?: string }[]; iptablesSave: string }>();
  assert.match(table.iptablesSave, /^-A KUBE-SERVICES .*-d 10\.96\.0\.1\/32 .*-j KUBE-SVC-NPX46M4PTMTKRN6Y$/m);
  const text = await env.kubectl("get", "--raw", "/debug/kube-proxy?node=node-1&format=text");
  assert.is(text.code, 0, text.stderr);
  assert.match(text.stdout, /^\*nat/m);
  assert.match(text.stdout, /KUBE-SVC-NPX46M4PTMTKRN6Y/);
  assert.is((await call("GET", "/debug/kube-proxy?node=nope")).status, 404);
  assert.is((await call("GET", "/debug/kube-proxy?format=xml")).status, 400);
  assert.is((await call("GET", "/debug/kube-proxy", undefined, {}, null)).status, 401);
});

test("a body over the limit is 413 and nothing is written", async () => {
  const big = { metadata: { name: "big" }, data: { blob: "x".repeat(100 * 1024) } };
  const r = await call("POST", "/api/v1/namespaces/default/configmaps", big);
  assert.is(r.status, 413);
  assert.is(r.json<Status>().reason, "RequestEntityTooLarge");
  assert.is((await call("GET", "/api/v1/namespaces/default/configmaps/big")).status, 404);
});

test("malformed JSON and YAML are 400 with the parser's message", async () => {
  const json = await call("POST", "/api/v1/namespaces/default/configmaps", '{"metadata": {"name": "x"},');
  assert.is(json.status, 400);
  assert.match(json.json<Status>().message!, /^error decoding JSON: .*(JSON|Unexpected|Expected)/);
  const yaml = await call("POST", "/api/v1/namespaces/default/configmaps", "metadata:\n  name: [unclosed\n", { "Content-Type": "application/yaml" });
  assert.is(yaml.status, 400);
  assert.match(yaml.json<Status>().message!, /^error decoding YAML: /);
  const media = await call("PATCH", "/api/v1/namespaces/default/configmaps/x", "{}", { "Content-Type": "text/plain" });
  assert.is(media.status, 415);
});

test("unknown resources and groups are 404 Status objects", async () => {
  for (const path of ["/api/v1/foos", "/apis/nope.example.com/v1/things", "/api/v1/namespaces/default/pods/x/nosuchsub", "/nothing/here"]) {
    const r = await call("GET", path);
    assert.is(r.status, 404, path);
    const s = r.json<Status>();
    assert.equal([s.kind, s.reason, s.code], ["Status", "NotFound", 404]);
  }
});

test("dryRun=All answers as if written, but nothing is", async () => {
  const r = await call("POST", "/api/v1/namespaces/default/configmaps?dryRun=All", { metadata: { name: "dry" }, data: { a: "b" } });
  assert.is(r.status, 201);
  assert.is(r.json<{ data: Record<string, string> }>().data.a, "b");
  assert.is((await call("GET", "/api/v1/namespaces/default/configmaps/dry")).status, 404);
  await call("POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: "keep" } });
  assert.is((await call("DELETE", "/api/v1/namespaces/default/configmaps/keep?dryRun=All")).status, 200);
  assert.is((await call("GET", "/api/v1/namespaces/default/configmaps/keep")).status, 200, "a dry-run delete deletes nothing");
});

test("fieldValidation=Strict on a real apiserver: 400 naming the field, nothing written", async () => {
  const r = await call("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Strict", { metadata: { name: "strict" }, dataa: {} });
  assert.is(r.status, 400);
  assert.match(r.json<Status>().message!, /strict decoding error: unknown field "dataa"/);
  assert.is((await call("GET", "/api/v1/namespaces/default/configmaps/strict")).status, 404);
});

test("DeleteOptions: preconditions must match; propagationPolicy Orphan and Foreground leave their finalizers", async () => {
  const cm = (await call("POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: "pre" } })).json<{ metadata: { uid: string; resourceVersion: string } }>();
  const wrongUid = await call("DELETE", "/api/v1/namespaces/default/configmaps/pre", { kind: "DeleteOptions", apiVersion: "v1", preconditions: { uid: "not-the-uid" } });
  assert.is(wrongUid.status, 409);
  assert.match(wrongUid.json<Status>().message!, /Precondition failed: UID in precondition: not-the-uid/);
  const wrongRV = await call("DELETE", "/api/v1/namespaces/default/configmaps/pre", { preconditions: { resourceVersion: "1" } });
  assert.is(wrongRV.status, 409);
  const ok = await call("DELETE", "/api/v1/namespaces/default/configmaps/pre", { preconditions: { uid: cm.metadata.uid, resourceVersion: cm.metadata.resourceVersion } });
  assert.is(ok.status, 200);
  assert.is((await call("GET", "/api/v1/namespaces/default/configmaps/pre")).status, 404);

  const deploy = (name: string) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: { replicas: 0, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "nginx" }] } } },
  });
  for (const [policy, finalizer] of [["Orphan", "orphan"], ["Foreground", "foregroundDeletion"]] as const) {
    const name = `d-${policy.toLowerCase()}`;
    assert.is((await call("POST", "/apis/apps/v1/namespaces/default/deployments", deploy(name))).status, 201);
    const del = await call("DELETE", `/apis/apps/v1/namespaces/default/deployments/${name}`, { propagationPolicy: policy });
    assert.is(del.status, 200, del.body);
    const body = del.json<{ metadata?: { finalizers?: string[]; deletionTimestamp?: string } }>();
    assert.ok(body.metadata?.deletionTimestamp, `${policy}: marked for deletion`);
    assert.ok(body.metadata?.finalizers?.includes(finalizer), `${policy}: ${JSON.stringify(body.metadata)}`);
  }
  const bad = await call("DELETE", "/apis/apps/v1/namespaces/default/deployments/d-orphan?propagationPolicy=Sideways");
  assert.is(bad.status, 400);
  assert.match(bad.json<Status>().message!, /Unsupported value: "Sideways"/);
});

test("POST pods/<name>/eviction deletes the pod gracefully and answers 201 Success", async () => {
  const pod = { metadata: { name: "evictee" }, spec: { terminationGracePeriodSeconds: 2, containers: [{ name: "c", image: "nginx" }] } };
  assert.is((await call("POST", "/api/v1/namespaces/default/pods", pod)).status, 201);
  await eventually("evictee running", async () => (await call("GET", "/api/v1/namespaces/default/pods/evictee")).json<{ status?: { phase?: string } }>().status?.phase === "Running");
  const mismatch = await call("POST", "/api/v1/namespaces/default/pods/evictee/eviction", { apiVersion: "policy/v1", kind: "Eviction", metadata: { name: "other" } });
  assert.is(mismatch.status, 400);
  const r = await call("POST", "/api/v1/namespaces/default/pods/evictee/eviction", { apiVersion: "policy/v1", kind: "Eviction", metadata: { name: "evictee", namespace: "default" } });
  assert.is(r.status, 201, r.body);
  assert.equal(r.json<Status>(), { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 });
  await eventually("evictee gone", async () => (await call("GET", "/api/v1/namespaces/default/pods/evictee")).status === 404);
  const missing = await call("POST", "/api/v1/namespaces/default/pods/evictee/eviction", { apiVersion: "policy/v1", kind: "Eviction", metadata: { name: "evictee" } });
  assert.is(missing.status, 404);
});

test("after all of that the server still answers", async () => {
  assert.is((await call("GET", "/readyz")).status, 200);
  assert.is((await call("GET", "/api/v1/nodes")).status, 200);
});

test.run();
