import { test } from "uvu";
import * as assert from "uvu/assert";
import { ApiServer } from "../../../../actors/apiserver/server.ts";
import { MemoryStore } from "../../../../actors/apiserver/store/memory.ts";
import { SimulatedClock } from "../../../../runtime/clock.ts";
import { ensureBootstrapPolicy } from "../../../../actors/apiserver/auth/bootstrap.ts";
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from "../../../../actors/apiserver/auth/bootstrap-policy.ts";
import { clusterRoleBindingResource, clusterRoleResource, roleBindingResource, roleResource, validatePathSegmentName } from "../../../../actors/apiserver/registry/rbac.ts";
import { registry } from "../../../../actors/apiserver/registry/index.ts";
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from "../../../../actors/api/types/rbac.ts";
import { createErrors, updateErrors, variant } from "../registry/helpers.ts";
import { failure } from "./helpers.ts";
import { printerFor } from "../../../../actors/apiserver/http/table/index.ts";

async function server() {
  const api = new ApiServer({ store: new MemoryStore(), clock: new SimulatedClock(Date.parse("2026-03-01T10:00:00Z")) });
  await api.start();
  return api;
}

test("the bootstrap policy is written once, repaired when it loses rules or subjects, and user changes elsewhere kept", async () => {
  const api = await server();
  await ensureBootstrapPolicy(api);
  const roles = api.target("clusterroles", "rbac.authorization.k8s.io", undefined);
  const bindings = api.target("clusterrolebindings", "rbac.authorization.k8s.io", undefined);
  assert.is((await api.list(roles)).items.length, bootstrapClusterRoles.length);
  assert.is((await api.list(bindings)).items.length, bootstrapClusterRoleBindings.length);
  const admin = (await api.get(bindings, "cluster-admin")) as ClusterRoleBinding;
  assert.equal(admin.subjects, [{ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "system:masters" }]);
  assert.is(admin.metadata.labels?.["kubernetes.io/bootstrapping"], "rbac-defaults");

  const view = (await api.get(roles, "view")) as ClusterRole;
  const extra = { apiGroups: ["example.com"], resources: ["widgets"], verbs: ["get"] };
  await api.update(roles, { ...view, rules: [view.rules![0], extra] });
  await api.delete(roles, "system:node");
  const pinned = (await api.get(roles, "edit")) as ClusterRole;
  await api.update(roles, { ...pinned, metadata: { ...pinned.metadata, annotations: { "rbac.authorization.kubernetes.io/autoupdate": "false" } }, rules: [] });

  await ensureBootstrapPolicy(api);
  const repaired = (await api.get(roles, "view")) as ClusterRole;
  assert.is(repaired.rules!.length, view.rules!.length + 1, "lost rules are back, the added one kept");
  assert.ok(repaired.rules!.some((r) => r.apiGroups?.[0] === "example.com"));
  assert.ok(await api.get(roles, "system:node"), "a deleted role is re-created");
  assert.equal(((await api.get(roles, "edit")) as ClusterRole).rules, [], "autoupdate=false is left alone");
  api.stop();
});

const role: Role = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "r", namespace: "default" }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }] };
const clusterRole: ClusterRole = { ...role, kind: "ClusterRole", metadata: { name: "cr" }, rules: [{ nonResourceURLs: ["/healthz"], verbs: ["get"] }] };
const rb: RoleBinding = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "b", namespace: "default" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "r" }, subjects: [{ kind: "User", name: "jane" }] };
const crb: ClusterRoleBinding = { ...rb, kind: "ClusterRoleBinding", metadata: { name: "b" }, roleRef: { ...rb.roleRef, kind: "ClusterRole" } };

test("RBAC objects are validated as Kubernetes validates them", () => {
  assert.equal(createErrors(roleResource, role), []);
  assert.equal(createErrors(clusterRoleResource, clusterRole), []);
  assert.equal(createErrors(roleBindingResource, rb), [], "subject apiGroup is defaulted");
  assert.equal(createErrors(clusterRoleBindingResource, crb), []);
  const cases: [string, string[]][] = [
    [JSON.stringify(createErrors(roleResource, variant(role, (r) => (r.rules = [{ apiGroups: [""], resources: ["pods"], verbs: [] }])))), ["rules[0].verbs: Required value: verbs must contain at least one value"]],
    [JSON.stringify(createErrors(roleResource, variant(role, (r) => (r.rules = [{ resources: ["pods"], verbs: ["get"] }])))), ["rules[0].apiGroups: Required value: resource rules must supply at least one api group"]],
    [JSON.stringify(createErrors(roleResource, variant(role, (r) => (r.rules = [{ nonResourceURLs: ["/x"], verbs: ["get"] }])))), ['rules[0].nonResourceURLs: Invalid value: []string{"/x"}: namespaced rules cannot apply to non-resource URLs']],
    [JSON.stringify(createErrors(clusterRoleResource, variant(clusterRole, (r) => (r.rules = [{ nonResourceURLs: ["/x"], resources: ["pods"], verbs: ["get"] }])))), ['rules[0].nonResourceURLs: Invalid value: []string{"/x"}: rules cannot apply to both regular resources and non-resource URLs']],
    [JSON.stringify(createErrors(clusterRoleBindingResource, variant(crb, (b) => (b.roleRef.kind = "Role")))), ['roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"']],
    [JSON.stringify(createErrors(clusterRoleBindingResource, variant(crb, (b) => (b.subjects = [{ kind: "ServiceAccount", name: "sa" }])))), ["subjects[0].namespace: Required value"]],
    [JSON.stringify(createErrors(roleBindingResource, variant(rb, (b) => (b.subjects = [{ kind: "Robot", name: "r2" }])))), ['subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"']],
    [JSON.stringify(createErrors(roleBindingResource, variant(rb, (b) => (b.subjects = [{ kind: "ServiceAccount", name: "sa", apiGroup: "rbac.authorization.k8s.io" }])))), ['subjects[0].apiGroup: Unsupported value: "rbac.authorization.k8s.io": supported values: ""']],
    [JSON.stringify(updateErrors(roleBindingResource, variant(rb, (b) => (b.roleRef.name = "other")), rb)), ['roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"other"}: cannot change roleRef']],
  ];
  for (const [got, want] of cases) assert.equal(JSON.parse(got), want);
  assert.equal(validatePathSegmentName("a/b", false), ["may not contain '/'"]);
  assert.equal(validatePathSegmentName("system:controller:x", false), [], "colons are fine");
});

test("kubectl finds the RBAC kinds by their names; they are registered in their group", async () => {
  for (const [typed, plural] of [["clusterrole", "clusterroles"], ["ClusterRoleBinding", "clusterrolebindings"], ["roles.rbac.authorization.k8s.io", "roles"], ["rolebinding", "rolebindings"], ["quota", "resourcequotas"], ["limits", "limitranges"]]) {
    assert.is(registry.resolve(typed)?.plural, plural, typed);
  }
  const api = await server();
  await api.create(api.target("namespaces", "", undefined), { metadata: { name: "default" } });
  const f = await failure(api.create(api.target("roles", "rbac.authorization.k8s.io", "default"), { metadata: { name: "bad" }, rules: [{ verbs: ["get"] }] }));
  assert.is(f.code, "Invalid");
  assert.match(f.message, /^Role\.rbac\.authorization\.k8s\.io "bad" is invalid: \[rules\[0\]\.apiGroups: Required value/);
  api.stop();
});

test("kubectl get prints roles with CREATED AT and bindings with ROLE (wide: USERS GROUPS SERVICEACCOUNTS)", () => {
  const roles = printerFor("clusterroles", "rbac.authorization.k8s.io");
  assert.equal(roles.columns.map((c) => c.name), ["Name", "Created At"]);
  assert.equal(roles.cells({ ...clusterRole, metadata: { name: "cr", creationTimestamp: "2026-03-01T10:00:00Z" } }, 0), ["cr", "2026-03-01T10:00:00Z"]);
  const b = printerFor("rolebindings", "rbac.authorization.k8s.io");
  assert.equal(b.columns.map((c) => [c.name, c.priority]), [["Name", 0], ["Role", 0], ["Age", 0], ["Users", 1], ["Groups", 1], ["ServiceAccounts", 1]]);
  const obj = { ...rb, metadata: { ...rb.metadata, creationTimestamp: "2026-03-01T10:00:00Z" }, subjects: [{ kind: "User", name: "jane" }, { kind: "User", name: "joe" }, { kind: "Group", name: "dev" }, { kind: "ServiceAccount", name: "ci" }, { kind: "ServiceAccount", name: "x", namespace: "other" }] };
  assert.equal(b.cells(obj, Date.parse("2026-03-01T10:00:30Z")), ["b", "Role/r", "30s", "jane, joe", "dev", "default/ci, other/x"]);
});

test.run();
