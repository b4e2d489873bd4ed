// The clusterrole-aggregation controller against the real apiserver actor and its bootstrap policy.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ClusterRole, PolicyRule } from "../../../actors/api/types/rbac.ts";
import { aggregatedRules } from "../../../actors/controller-manager/clusterrole-aggregation.ts";
import { readable, setup } from "./core-controllers-harness.ts";

const R = "clusterroles.rbac.authorization.k8s.io";
const widgets: PolicyRule = { verbs: ["get", "list", "watch"], apiGroups: ["example.com"], resources: ["widgets"] };
const has = (role: ClusterRole, rule: PolicyRule) => (role.rules ?? []).some((r) => JSON.stringify(r) === JSON.stringify(rule));

test("a role labelled aggregate-to-view reaches view, then edit and admin; removing the label takes it back", readable(async () => {
  const h = await setup(["clusterrole-aggregation"]);
  const before = await h.client.get<ClusterRole>(R, "admin");
  await h.settle();
  await h.tick(1000);
  const after = await h.client.get<ClusterRole>(R, "admin");
  assert.is(after.metadata.resourceVersion, before.metadata.resourceVersion, "the bootstrap rules already are the aggregate: no rewrite at start");

  await h.client.create<ClusterRole>(R, {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: "widget-viewer", labels: { "rbac.authorization.k8s.io/aggregate-to-view": "true" } },
    rules: [widgets],
  });
  for (const name of ["view", "edit", "admin"]) {
    await h.until(`${name} to aggregate the widget rule`, async () => has(await h.client.get<ClusterRole>(R, name), widgets));
  }
  const cm = await h.client.get<ClusterRole>(R, "widget-viewer");
  await h.client.update<ClusterRole>(R, { ...cm, metadata: { ...cm.metadata, labels: {} } });
  for (const name of ["view", "edit", "admin"]) {
    await h.until(`${name} to drop the widget rule`, async () => !has(await h.client.get<ClusterRole>(R, name), widgets));
  }
}));

test("aggregatedRules: selected roles by name order, each rule once, never itself; no rule means not aggregating", () => {
  const role = (name: string, labels: Record<string, string>, rules: PolicyRule[], agg?: string): ClusterRole => ({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name, labels },
    rules,
    ...(agg ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [agg]: "true" } }] } } : {}),
  });
  const a: PolicyRule = { verbs: ["get"], apiGroups: [""], resources: ["a"] };
  const b: PolicyRule = { verbs: ["get"], apiGroups: [""], resources: ["b"] };
  const target = role("target", { x: "true" }, [], "x");
  const all = [target, role("zz", { x: "true" }, [b, a]), role("aa", { x: "true" }, [a]), role("other", {}, [b])];
  assert.equal(aggregatedRules(target, all), [a, b]);
  assert.is(aggregatedRules(role("plain", {}, [a]), all), undefined);
});

test.run();
