import { test } from "uvu";
import * as assert from "uvu/assert";
import { FieldSet, pathString } from "../../../actors/apiserver/apply/fieldset.ts";
import { fieldsOf } from "../../../actors/apiserver/apply/paths.ts";
import type { KubeObject, ManagedFieldsEntry } from "../../../actors/api/meta.ts";
import { fails, startApi } from "./helpers.ts";

async function setup() {
  const { api, clock } = await startApi();
  return { api, clock, deploys: api.target("deployments", "apps", "default"), cms: api.target("configmaps", "", "default") };
}

const deployment = (over: { replicas?: number; image?: string; labels?: Record<string, string>; env?: { name: string; value: string }[] } = {}) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", labels: over.labels ?? { app: "web" } },
  spec: {
    ...(over.replicas === undefined ? {} : { replicas: over.replicas }),
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: { containers: [{ name: "nginx", image: over.image ?? "nginx:1.27", ...(over.env ? { env: over.env } : {}), ports: [{ containerPort: 80 }] }] },
    },
  },
});

const entry = (o: KubeObject, manager: string, operation = "Apply"): ManagedFieldsEntry | undefined => o.metadata.managedFields?.find((m) => m.manager === manager && m.operation === operation);

test("fieldsV1: containers are keyed by name, ports by containerPort and protocol, label selectors are atomic", () => {
  const set = fieldsOf(deployment({ replicas: 2 }) as unknown as Record<string, unknown>, { hasStatus: true });
  const json = set.toJSON() as Record<string, Record<string, Record<string, unknown>>>;
  assert.equal(json["f:spec"]!["f:selector"], {});
  const containers = (json["f:spec"]!["f:template"] as Record<string, Record<string, Record<string, unknown>>>)["f:spec"]!["f:containers"] as Record<string, unknown>;
  assert.equal(Object.keys(containers), ['k:{"name":"nginx"}']);
  const nginx = containers['k:{"name":"nginx"}'] as Record<string, Record<string, unknown>>;
  assert.equal(nginx["."], {});
  assert.equal(Object.keys(nginx["f:ports"]!), ['k:{"containerPort":80,"protocol":"TCP"}']);
  assert.equal(FieldSet.fromJSON(json).toJSON(), json, "fieldsV1 round-trips");
  assert.is(pathString(["f:spec", "f:template", "f:spec", "f:containers", 'k:{"name":"nginx"}', "f:image"]), '.spec.template.spec.containers[name="nginx"].image');
  assert.is(pathString(["f:metadata", "f:finalizers", 'v:"a"']), '.metadata.finalizers[="a"]');
});

test("the first apply creates the object, owned by the applier", async () => {
  const { api, deploys } = await setup();
  const d = await api.patch(deploys, "web", "apply", deployment({ replicas: 2 }), undefined, false, { fieldManager: "alice" });
  assert.is((d.spec as { replicas: number }).replicas, 2);
  const mine = entry(d, "alice")!;
  assert.is(mine.apiVersion, "apps/v1");
  assert.is(mine.time, "2026-03-01T10:00:00Z");
  assert.equal((mine.fieldsV1!["f:spec"] as Record<string, unknown>)["f:replicas"], {});
  assert.is(d.metadata.managedFields!.length, 1);
});

test("re-applying without a field removes it; a changed value is written", async () => {
  const { api, deploys } = await setup();
  await api.patch(deploys, "web", "apply", deployment({ labels: { app: "web", tier: "front" }, env: [{ name: "A", value: "1" }, { name: "B", value: "2" }] }), undefined, false, { fieldManager: "alice" });
  const d = await api.patch(deploys, "web", "apply", deployment({ image: "nginx:1.28", env: [{ name: "B", value: "3" }] }), undefined, false, { fieldManager: "alice" });
  assert.equal(d.metadata.labels, { app: "web" });
  const c = (d.spec as { template: { spec: { containers: { image: string; env: unknown[] }[] } } }).template.spec.containers[0]!;
  assert.is(c.image, "nginx:1.28");
  assert.equal(c.env, [{ name: "B", value: "3" }]);
});

test("changing a field another manager set is a 409 naming field and manager; force moves it", async () => {
  const { api, deploys, clock } = await setup();
  await api.patch(deploys, "web", "apply", deployment({ replicas: 2 }), undefined, false, { fieldManager: "alice" });
  await clock.advance(5000);
  await api.patch(deploys, "web", "merge", { spec: { replicas: 5 } }, undefined, false, { fieldManager: "bob" });
  const err = await fails(api.patch(deploys, "web", "apply", deployment({ replicas: 3, image: "nginx:1.28" }), undefined, false, { fieldManager: "alice" }));
  assert.is(err.code, "Conflict");
  assert.is(err.details.code, 409);
  assert.is(err.message, 'Apply failed with 1 conflict: conflict with "bob" using apps/v1 at 2026-03-01T10:00:05Z: .spec.replicas');
  assert.equal(err.details.details!.causes, [{ reason: "FieldManagerConflict", message: 'conflict with "bob" using apps/v1 at 2026-03-01T10:00:05Z', field: ".spec.replicas" }]);
  const unchanged = await api.get(deploys, "web");
  assert.is((unchanged.spec as { replicas: number }).replicas, 5, "nothing written");

  const forced = await api.patch(deploys, "web", "apply", deployment({ replicas: 3 }), undefined, false, { fieldManager: "alice", force: true });
  assert.is((forced.spec as { replicas: number }).replicas, 3);
  assert.is(entry(forced, "bob", "Update"), undefined, "bob owned only replicas, so his entry is gone");
});

test("several conflicts are listed per manager", async () => {
  const { api, deploys } = await setup();
  await api.patch(deploys, "web", "apply", deployment({ replicas: 2 }), undefined, false, { fieldManager: "alice" });
  await api.patch(deploys, "web", "apply", deployment({ replicas: 4, image: "nginx:2" }), undefined, false, { fieldManager: "carol", force: true });
  const err = await fails(api.patch(deploys, "web", "apply", deployment({ replicas: 1, image: "nginx:3" }), undefined, false, { fieldManager: "alice" }));
  assert.is(err.message, 'Apply failed with 2 conflicts: conflicts with "carol":\n- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image');
});

test("setting a field to the value another manager set shares it: no conflict", async () => {
  const { api, deploys } = await setup();
  await api.patch(deploys, "web", "apply", deployment({ replicas: 2 }), undefined, false, { fieldManager: "alice" });
  const d = await api.patch(deploys, "web", "apply", deployment({ replicas: 2 }), undefined, false, { fieldManager: "bob" });
  for (const m of ["alice", "bob"]) assert.equal((entry(d, m)!.fieldsV1!["f:spec"] as Record<string, unknown>)["f:replicas"], {}, m);
  // alice lets go of replicas: bob still owns it, so it stays.
  const after = await api.patch(deploys, "web", "apply", deployment(), undefined, false, { fieldManager: "alice" });
  assert.is((after.spec as { replicas: number }).replicas, 2);
});

test("updates take the fields they change; status writes are their own manager with subresource status", async () => {
  const { api, cms, deploys } = await setup();
  const cm = await api.create(cms, { metadata: { name: "c" }, data: { a: "1" } }, false, { fieldManager: "kubectl-create" });
  assert.equal(entry(cm, "kubectl-create", "Update")!.fieldsV1, { "f:data": { "f:a": {} } });
  const up = await api.update(cms, { ...cm, data: { a: "1", b: "2" } }, undefined, false, { fieldManager: "editor" });
  assert.equal(entry(up, "editor", "Update")!.fieldsV1, { "f:data": { "f:b": {} } });
  const same = await api.update(cms, up, undefined, false, { fieldManager: "noop" });
  assert.is(same.metadata.resourceVersion, up.metadata.resourceVersion, "a write that changes nothing is not stored");
  assert.is(entry(same, "noop", "Update"), undefined);

  const d = await api.create(deploys, deployment({ replicas: 1 }), false, { user: "system:kube-controller-manager" });
  assert.ok(entry(d, "kube-controller-manager", "Update"), "a component's identity names its manager");
  const s = await api.update(deploys, { ...d, status: { replicas: 1, observedGeneration: 1 } }, "status", false, { fieldManager: "kube-controller-manager" });
  const status = s.metadata.managedFields!.find((m) => m.subresource === "status")!;
  assert.equal(Object.keys(status.fieldsV1!), ["f:status"]);
});

test("client-side apply's annotation follows a server-side apply by kubectl, whose conflicts with it are allowed", async () => {
  const { api, cms } = await setup();
  const last = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "default" }, data: { k: "v1" } };
  await api.create(cms, { metadata: { name: "c", annotations: { "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify(last) } }, data: { k: "v1" } }, false, { fieldManager: "kubectl-client-side-apply" });
  const applied = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { k: "v2" } };
  const other = await fails(api.patch(cms, "c", "apply", applied, undefined, false, { fieldManager: "someone-else" }));
  assert.is(other.code, "Conflict");
  const c = await api.patch(cms, "c", "apply", applied, undefined, false, { fieldManager: "kubectl" });
  assert.equal(c.data, { k: "v2" });
  assert.equal(JSON.parse(c.metadata.annotations!["kubectl.kubernetes.io/last-applied-configuration"]!), applied);
});

test("apply refuses configurations without kind, with the wrong kind or name, or without a field manager", async () => {
  const { api, deploys } = await setup();
  const cases: [unknown, string, RegExp][] = [
    [{ apiVersion: "apps/v1", metadata: { name: "web" } }, "m", /kind must be set/],
    [{ apiVersion: "v1", kind: "Pod", metadata: { name: "web" } }, "m", /does not match the endpoint's/],
    [{ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "other" } }, "m", /does not match the name on the URL/],
    [deployment(), "", /fieldManager: Required value/],
  ];
  for (const [body, manager, msg] of cases) {
    const err = await fails(api.patch(deploys, "web", "apply", body, undefined, false, { fieldManager: manager }));
    assert.is(err.code, "BadRequest");
    assert.match(err.message, msg);
  }
});

test("dry-run apply answers the merged object and writes nothing", async () => {
  const { api, deploys } = await setup();
  const d = await api.patch(deploys, "web", "apply", deployment({ replicas: 2 }), undefined, true, { fieldManager: "alice" });
  assert.is((d.spec as { replicas: number }).replicas, 2);
  assert.is((await fails(api.get(deploys, "web"))).code, "NotFound");
});

test.run();
