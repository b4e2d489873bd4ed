import { test } from "uvu";
import * as assert from "uvu/assert";
import { Registry, registry, storeKey } from "../../../../actors/apiserver/registry/index.ts";
import { podResource } from "../../../../actors/apiserver/registry/pods.ts";

test("lookup by plural, kind, apiVersion+kind, short name", () => {
  assert.is(registry.byPlural("pods")?.kind, "Pod");
  assert.is(registry.byPlural("deployments", "apps")?.kind, "Deployment");
  assert.is(registry.byPlural("deployments", ""), undefined);
  assert.is(registry.byPlural("deployments")?.group, "apps");
  assert.is(registry.byKind("Lease")?.group, "coordination.k8s.io");
  assert.is(registry.byKind("EndpointSlice", "discovery.k8s.io")?.plural, "endpointslices");
  assert.is(registry.byApiVersionKind("apps/v1", "ReplicaSet")?.plural, "replicasets");
  assert.is(registry.byApiVersionKind("v1", "Pod")?.plural, "pods");
  assert.is(registry.byApiVersionKind("apps/v1beta1", "ReplicaSet"), undefined);
  const shorts: Array<[string, string]> = [
    ["po", "pods"],
    ["svc", "services"],
    ["deploy", "deployments"],
    ["rs", "replicasets"],
    ["ns", "namespaces"],
    ["no", "nodes"],
    ["cm", "configmaps"],
    ["sa", "serviceaccounts"],
    ["ev", "events"],
    ["ep", "endpoints"],
    ["pv", "persistentvolumes"],
    ["pvc", "persistentvolumeclaims"],
  ];
  for (const [s, plural] of shorts) assert.is(registry.byShortName(s)?.plural, plural, s);
});

test("resolve what kubectl users type", () => {
  const cases: Array<[string, string | undefined]> = [
    ["pod", "pods"],
    ["Pods", "pods"],
    ["Deployment", "deployments"],
    ["deployments.apps", "deployments"],
    ["deploy.apps", "deployments"],
    ["lease", "leases"],
    ["leases.coordination.k8s.io", "leases"],
    ["endpointslices.discovery.k8s.io", "endpointslices"],
    ["endpoints", "endpoints"],
    ["widgets", undefined],
    ["pods.apps", undefined],
  ];
  for (const [input, want] of cases) assert.is(registry.resolve(input)?.plural, want, input);
});

test("list, categories, registration", () => {
  const plurals = registry.list().map((d) => d.plural);
  for (const p of ["pods", "services", "endpoints", "namespaces", "nodes", "configmaps", "secrets", "serviceaccounts", "events", "persistentvolumes", "persistentvolumeclaims", "replicasets", "deployments", "leases", "endpointslices"]) {
    assert.ok(plurals.includes(p), p);
  }
  assert.equal(registry.inCategory("all").map((d) => d.plural).sort(), ["deployments", "pods", "replicasets", "services"]);
  const r = new Registry([]);
  r.register(podResource as never);
  assert.throws(() => r.register(podResource as never), /already registered/);
  assert.is(storeKey(registry.byPlural("deployments")!, "default", "web"), "/registry/apps/deployments/default/web");
});

test("every kind is complete and consistent", () => {
  for (const d of registry.list()) {
    assert.ok(d.listKind === `${d.kind}List`, d.kind);
    assert.ok(d.singular === d.kind.toLowerCase(), d.kind);
    assert.type(d.validate, "function", d.kind);
    if (d.subresources.includes("status")) assert.type(d.prepareForUpdate, "function", `${d.kind} keeps status on update`);
  }
});

test.run();
