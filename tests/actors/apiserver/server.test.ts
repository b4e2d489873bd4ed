import { test } from "uvu";
import * as assert from "uvu/assert";
import { errorCode } from "../../../runtime/errors.ts";
import type { KubeObject, WatchEvent } from "../../../actors/api/meta.ts";
import { fails, startApi } from "./helpers.ts";

async function setup(watchWindow?: number) {
  const { api, clock } = await startApi(watchWindow);
  const pods = api.target("pods", undefined, "default");
  return { api, clock, pods };
}

const pod = (name: string, labels: Record<string, string> = {}, extra: Record<string, unknown> = {}) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, labels },
  spec: { containers: [{ name: "c", image: "nginx:1.27" }], ...extra },
});

test("create fills uid, creationTimestamp, resourceVersion and defaults; get returns it", async () => {
  const { api, pods } = await setup();
  const p = await api.create(pods, pod("web"));
  assert.ok(p.metadata.uid && p.metadata.uid.length > 10);
  assert.is(p.metadata.creationTimestamp, "2026-03-01T10:00:00Z");
  assert.ok(Number(p.metadata.resourceVersion) > 0);
  assert.is(p.metadata.namespace, "default");
  assert.is((p.spec as { restartPolicy: string }).restartPolicy, "Always");
  assert.is((p.status as { phase: string }).phase, "Pending");
  assert.equal(await api.get(pods, "web"), p);
});

test("create errors: AlreadyExists, Invalid with field paths, missing namespace, kind mismatch", async () => {
  const { api, pods } = await setup();
  await api.create(pods, pod("web"));
  const dup = await fails(api.create(pods, pod("web")));
  assert.is(dup.code, "AlreadyExists");
  assert.is(dup.details.code, 409);
  assert.is(dup.message, 'pods "web" already exists');
  const bad = await fails(api.create(pods, { metadata: { name: "Bad_Name" }, spec: { containers: [{ name: "c" }] } }));
  assert.is(bad.code, "Invalid");
  assert.is(bad.details.code, 422);
  const fields = bad.details.details!.causes!.map((c) => c.field);
  assert.ok(fields.includes("metadata.name"), JSON.stringify(fields));
  assert.ok(fields.includes("spec.containers[0].image"), JSON.stringify(fields));
  const noNs = await fails(api.create(api.target("pods", undefined, "nowhere"), pod("x")));
  assert.is(noNs.code, "NotFound");
  assert.is(noNs.message, 'namespaces "nowhere" not found');
  assert.is((await fails(api.create(pods, { ...pod("y"), kind: "Service" }))).code, "BadRequest");
  assert.is((await fails(api.create(pods, "not an object"))).code, "BadRequest");
});

test("generateName makes a unique name", async () => {
  const { api, pods } = await setup();
  const a = await api.create(pods, { metadata: { generateName: "web-" }, spec: { containers: [{ name: "c", image: "x" }] } });
  const b = await api.create(pods, { metadata: { generateName: "web-" }, spec: { containers: [{ name: "c", image: "x" }] } });
  assert.match(a.metadata.name!, /^web-[a-z0-9]{5}$/);
  assert.is.not(a.metadata.name, b.metadata.name);
});

test("a stale resourceVersion is a Conflict; generation bumps on spec changes only", async () => {
  const { api } = await setup();
  const deps = api.target("deployments", undefined, "default");
  const d = await api.create(deps, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web" },
    spec: { selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } } },
  });
  assert.is(d.metadata.generation, 1);
  const labelled = await api.update(deps, { ...d, metadata: { ...d.metadata, labels: { tier: "web" } } });
  assert.is(labelled.metadata.generation, 1);
  const stale = await fails(api.update(deps, { ...d, spec: { ...(d.spec as object), replicas: 3 } }));
  assert.is(stale.code, "Conflict");
  assert.match(stale.message, /the object has been modified/);
  const scaled = await api.update(deps, { ...labelled, spec: { ...(labelled.spec as object), replicas: 3 } });
  assert.is(scaled.metadata.generation, 2);
  // Status goes only through the status subresource, and leaves spec alone.
  const before = await api.get(deps, "web");
  const snapshot = JSON.stringify(before);
  const withStatus = await api.update(deps, { ...scaled, spec: { ...(scaled.spec as object), replicas: 9 }, status: { replicas: 3 } }, "status");
  assert.is((withStatus.spec as { replicas: number }).replicas, 3);
  assert.is((withStatus.status as { replicas: number }).replicas, 3);
  assert.is(withStatus.metadata.generation, 2, "a status write does not bump the generation");
  assert.ok(withStatus.metadata.managedFields?.some((e) => e.subresource === "status"), "the status writer owns its fields");
  assert.is(JSON.stringify(before), snapshot, "the object read before the status write is unchanged by it");
  assert.is(JSON.stringify((await api.get(deps, "web")).spec), JSON.stringify(before.spec));
  const mainUpdate = await api.update(deps, { ...withStatus, status: { replicas: 99 } });
  assert.is((mainUpdate.status as { replicas: number }).replicas, 3);
});

test("a status write takes only the status: spec and owner references stay as stored, for every kind with a status subresource", async () => {
  const { api } = await setup();
  const template = { metadata: { labels: { app: "a" } }, spec: { containers: [{ name: "c", image: "x" }] } };
  const cases: [resource: string, group: string | undefined, object: Record<string, unknown>, spec: (s: Record<string, unknown>) => Record<string, unknown>, status: Record<string, unknown>][] = [
    ["pods", undefined, { metadata: { name: "p", ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "r", uid: "u1", controller: true }] }, spec: { containers: [{ name: "c", image: "x" }] } },
      (s) => ({ ...s, nodeName: "elsewhere" }), { phase: "Running" }],
    ["nodes", "", { metadata: { name: "n1" }, spec: {} }, () => ({ unschedulable: true }), { conditions: [{ type: "Ready", status: "True" }] }],
    ["namespaces", "", { metadata: { name: "team" } }, () => ({ finalizers: [] }), { phase: "Active" }],
    ["replicasets", "apps", { metadata: { name: "r" }, spec: { replicas: 1, selector: { matchLabels: { app: "a" } }, template } }, (s) => ({ ...s, replicas: 9 }), { replicas: 1 }],
    ["deployments", "apps", { metadata: { name: "d" }, spec: { replicas: 1, selector: { matchLabels: { app: "a" } }, template } }, (s) => ({ ...s, replicas: 9 }), { replicas: 1 }],
    ["persistentvolumeclaims", undefined, { metadata: { name: "c" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } },
      (s) => ({ ...s, volumeName: "other" }), { phase: "Bound" }],
  ];
  for (const [resource, group, object, spec, status] of cases) {
    const t = api.target(resource, group, group === "" ? undefined : "default");
    const created = await api.create(t, object);
    const written = await api.update(t, { ...created, metadata: { ...created.metadata, ownerReferences: [] }, spec: spec(created.spec as Record<string, unknown>), status }, "status");
    const stored = await api.get(t, created.metadata.name!);
    for (const o of [written, stored]) {
      assert.equal(o.spec, created.spec, `${resource}: spec kept`);
      assert.equal(o.metadata.ownerReferences, created.metadata.ownerReferences, `${resource}: owner references kept`);
      for (const [k, v] of Object.entries(status)) assert.equal((o.status as Record<string, unknown>)[k], v, `${resource}: status.${k} written`);
    }
  }
});

test("scale subresource reads and writes spec.replicas", async () => {
  const { api } = await setup();
  const rs = api.target("replicasets", "apps", "default");
  await api.create(rs, { metadata: { name: "r" }, spec: { replicas: 1, selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "x" }] } } } });
  const scale = await api.patch(rs, "r", "merge", { spec: { replicas: 4 } }, "scale");
  assert.is(scale.kind, "Scale");
  assert.is((scale.spec as { replicas: number }).replicas, 4);
  assert.is(((await api.get(rs, "r")).spec as { replicas: number }).replicas, 4);
});

test("list: label and field selectors, unsupported field is a BadRequest", async () => {
  const { api, pods } = await setup();
  await api.create(pods, pod("a", { app: "web", tier: "fe" }, { nodeName: "n1" }));
  await api.create(pods, pod("b", { app: "web" }, { nodeName: "n2" }));
  await api.create(pods, pod("c", { app: "db" }));
  const names = async (opts: object) => (await api.list(pods, opts)).items.map((p) => p.metadata.name);
  const cases: [object, string[]][] = [
    [{}, ["a", "b", "c"]],
    [{ labelSelector: "app=web" }, ["a", "b"]],
    [{ labelSelector: "app in (web,db),!tier" }, ["b", "c"]],
    [{ labelSelector: "tier notin (fe)" }, ["b", "c"]],
    [{ fieldSelector: "spec.nodeName=n2" }, ["b"]],
    [{ fieldSelector: "spec.nodeName=" }, ["c"]],
    [{ fieldSelector: "metadata.name!=a", labelSelector: "app=web" }, ["b"]],
  ];
  for (const [opts, want] of cases) assert.equal(await names(opts), want, JSON.stringify(opts));
  assert.is((await fails(api.list(pods, { fieldSelector: "spec.foo=x" }))).code, "BadRequest");
  assert.is((await fails(api.list(pods, { labelSelector: "a in (" }))).code, "BadRequest");
  const all = await api.list(api.target("pods", undefined, undefined), {});
  assert.is(all.kind, "PodList");
  assert.is(all.items.length, 3);
});

test("limit/continue pages are consistent even when objects change in between", async () => {
  const { api, pods } = await setup();
  for (let i = 0; i < 7; i++) await api.create(pods, pod(`p${i}`));
  const first = await api.list(pods, { limit: 3 });
  assert.equal(first.items.map((p) => p.metadata.name), ["p0", "p1", "p2"]);
  assert.is(first.metadata.remainingItemCount, 4);
  await api.delete(pods, "p4");
  await api.create(pods, pod("p35"));
  const second = await api.list(pods, { limit: 3, continue: first.metadata.continue });
  assert.equal(second.items.map((p) => p.metadata.name), ["p3", "p4", "p5"]);
  assert.is(second.metadata.resourceVersion, first.metadata.resourceVersion);
  const third = await api.list(pods, { limit: 3, continue: second.metadata.continue });
  assert.equal(third.items.map((p) => p.metadata.name), ["p6"]);
  assert.is(third.metadata.continue, undefined);
  assert.is((await fails(api.list(pods, { continue: "garbage" }))).code, "BadRequest");
});

test("finalizers: delete marks deletionTimestamp, removing the last finalizer deletes", async () => {
  const { api } = await setup();
  const cms = api.target("configmaps", undefined, "default");
  await api.create(cms, { metadata: { name: "cm", finalizers: ["example.com/keep"] }, data: { a: "1" } });
  const marked = await api.delete(cms, "cm");
  assert.ok(marked.metadata.deletionTimestamp);
  const still = await api.get(cms, "cm");
  assert.equal(still.metadata.finalizers, ["example.com/keep"]);
  await api.update(cms, { ...still, metadata: { ...still.metadata, finalizers: [] } });
  assert.is((await fails(api.get(cms, "cm"))).code, "NotFound");
});

test("a bound pod is deleted gracefully; grace 0 removes it; preconditions checked", async () => {
  const { api, pods, clock } = await setup();
  const p = await api.create(pods, pod("web"));
  const bound = await api.bind("default", "web", { target: { kind: "Node", name: "n1" } });
  assert.is((bound.spec as { nodeName: string }).nodeName, "n1");
  assert.is((await fails(api.bind("default", "web", { target: { name: "n2" } }))).code, "Conflict");
  const pre = await fails(api.delete(pods, "web", { preconditions: { uid: "other" } }));
  assert.is(pre.code, "Conflict");
  const graceful = await api.delete(pods, "web");
  assert.is(graceful.metadata.deletionGracePeriodSeconds, 30);
  assert.is(graceful.metadata.deletionTimestamp, new Date(clock.now() + 30_000).toISOString().replace(".000Z", "Z"));
  assert.ok(await api.get(pods, "web"));
  await api.delete(pods, "web", { gracePeriodSeconds: 0, preconditions: { uid: p.metadata.uid } });
  assert.is((await fails(api.get(pods, "web"))).code, "NotFound");
  // An unbound pod goes at once.
  await api.create(pods, pod("loose"));
  await api.delete(pods, "loose");
  assert.is((await fails(api.get(pods, "loose"))).code, "NotFound");
});

test("a terminating namespace refuses new objects", async () => {
  const { api } = await setup();
  const nss = api.target("namespaces", undefined, undefined);
  await api.create(nss, { metadata: { name: "team" } });
  const marked = await api.delete(nss, "team");
  assert.is((marked.status as { phase: string }).phase, "Terminating");
  const err = await fails(api.create(api.target("configmaps", undefined, "team"), { metadata: { name: "x" } }));
  assert.is(err.code, "Forbidden");
  assert.match(err.message, /because it is being terminated/);
});

test("patches: merge, JSON and strategic (containers merged by name)", async () => {
  const { api, pods } = await setup();
  await api.create(pods, { metadata: { name: "p" }, spec: { containers: [{ name: "a", image: "x:1" }, { name: "b", image: "y:1" }] } });
  const merged = await api.patch(pods, "p", "merge", { metadata: { labels: { k: "v" } } });
  assert.equal(merged.metadata.labels, { k: "v" });
  const json = await api.patch(pods, "p", "json", [{ op: "replace", path: "/metadata/labels/k", value: "w" }, { op: "add", path: "/metadata/annotations", value: { n: "1" } }]);
  assert.equal(json.metadata.labels, { k: "w" });
  const strategic = await api.patch(pods, "p", "strategic", { spec: { containers: [{ name: "b", image: "y:2" }] } });
  const cs = (strategic.spec as { containers: { name: string; image: string }[] }).containers;
  assert.equal(cs.map((c) => `${c.name}=${c.image}`), ["a=x:1", "b=y:2"]);
  const stale = await fails(api.patch(pods, "p", "merge", { metadata: { resourceVersion: "1", labels: { z: "1" } } }));
  assert.is(stale.code, "Conflict");
  assert.is((await fails(api.patch(pods, "p", "json", [{ op: "test", path: "/metadata/name", value: "q" }]))).code, "Invalid");
});

test("watch from a revision replays, then streams; selectors turn changes into ADDED/DELETED", async () => {
  const { api, pods } = await setup();
  await api.create(pods, pod("a", { app: "web" }));
  const list = await api.list(pods, {});
  const created = await api.create(pods, pod("b", { app: "web" }));
  const got: WatchEvent[] = [];
  await api.watch(pods, { resourceVersion: list.metadata.resourceVersion, labelSelector: "app=web" }, { id: "w", send: (e) => (got.push(...e), true), close: () => {} });
  await Promise.resolve();
  assert.equal(got.map((e) => `${e.type} ${e.object.metadata.name}`), ["ADDED b"]);
  assert.is(got[0].object.metadata.resourceVersion, created.metadata.resourceVersion);
  await api.patch(pods, "a", "merge", { metadata: { labels: { app: "db" } } });
  await api.patch(pods, "a", "merge", { metadata: { labels: { app: "web" } } });
  await api.delete(pods, "b");
  for (let i = 0; i < 5; i++) await Promise.resolve();
  assert.equal(got.map((e) => `${e.type} ${e.object.metadata.name}`), ["ADDED b", "DELETED a", "ADDED a", "DELETED b"]);
});

test("watch without a resourceVersion starts with ADDED for what exists; too old is Expired", async () => {
  const { api, pods } = await setup(3);
  await api.create(pods, pod("a"));
  const got: WatchEvent[] = [];
  await api.watch(pods, {}, { id: "w", send: (e) => (got.push(...e), true), close: () => {} });
  assert.equal(got.map((e) => `${e.type} ${e.object.metadata.name}`), ["ADDED a"]);
  for (let i = 0; i < 6; i++) await api.create(pods, pod(`x${i}`));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  const err = await fails(api.watch(pods, { resourceVersion: "1" }, { id: "old", send: () => true, close: () => {} }));
  assert.is(err.code, "Expired");
  assert.is(err.details.code, 410);
});

test("pod watches by spec.nodeName see pods bound to their node", async () => {
  const { api, pods } = await setup();
  const seen: string[] = [];
  const list = await api.list(pods, { fieldSelector: "spec.nodeName=n1" });
  await api.watch(pods, { resourceVersion: list.metadata.resourceVersion, fieldSelector: "spec.nodeName=n1" }, { id: "k", send: (e) => (seen.push(...e.map((x) => `${x.type} ${x.object.metadata.name}`)), true), close: () => {} });
  await api.create(pods, pod("p1"));
  await api.create(pods, pod("p2"));
  await api.bind("default", "p1", { target: { name: "n1" } });
  await api.bind("default", "p2", { target: { name: "n2" } });
  for (let i = 0; i < 5; i++) await Promise.resolve();
  assert.equal(seen, ["ADDED p1"]);
});

test.run();
