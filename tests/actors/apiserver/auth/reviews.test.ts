import { test } from "uvu";
import * as assert from "uvu/assert";
import { apiserver, failure, RBAC } from "./helpers.ts";
import type { KubeObject } from "../../../../actors/api/meta.ts";

const AUTHZ = "authorization.k8s.io";
type Review = KubeObject & { status: { allowed?: boolean; reason?: string; resourceRules?: { verbs: string[]; resources?: string[] }[]; userInfo?: unknown; authenticated?: boolean; user?: unknown } };

test("SelfSubjectAccessReview answers can-i for the asking user, with RBAC's reason", async () => {
  const c = await apiserver();
  await c.ask({ type: "api.create", resource: "rolebindings", group: RBAC, namespace: "default", object: { metadata: { name: "jane-view" }, roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "view" }, subjects: [{ kind: "User", name: "jane" }] } });
  const canI = (spec: Record<string, unknown>) => c.as("jane")<Review>({ type: "api.create", resource: "selfsubjectaccessreviews", group: AUTHZ, object: { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview", spec } });
  const yes = await canI({ resourceAttributes: { verb: "list", resource: "pods", namespace: "default" } });
  assert.is(yes.kind, "SelfSubjectAccessReview");
  assert.equal(yes.status, { allowed: true, reason: 'RBAC: allowed by RoleBinding "jane-view/default" of ClusterRole "view" to User "jane"' });
  assert.equal((await canI({ resourceAttributes: { verb: "create", resource: "pods", namespace: "default" } })).status, { allowed: false });
  assert.equal((await canI({ resourceAttributes: { verb: "list", resource: "pods", namespace: "kube-system" } })).status.allowed, false);
  assert.equal((await canI({ resourceAttributes: { verb: "create", group: AUTHZ, resource: "selfsubjectaccessreviews" } })).status.allowed, true, "system:basic-user");
  assert.equal((await canI({ nonResourceAttributes: { verb: "get", path: "/apis/apps" } })).status.allowed, true, "system:discovery");
  assert.equal((await canI({ nonResourceAttributes: { verb: "get", path: "/metrics" } })).status.allowed, false);
  const bad = await failure(canI({}));
  assert.is(bad.code, "Invalid");
  assert.match(bad.message, /spec\.resourceAttributes: Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified/);
  assert.is((await failure(canI({ resourceAttributes: { verb: "get" }, nonResourceAttributes: { path: "/" } }))).code, "Invalid");
  const admin = await c.as("root", ["system:masters"])<Review>({ type: "api.create", resource: "selfsubjectaccessreviews", group: AUTHZ, object: { spec: { resourceAttributes: { verb: "*", resource: "*", group: "*" } } } });
  assert.is(admin.status.allowed, true);
  await c.stop();
});

test("SubjectAccessReview and LocalSubjectAccessReview ask about someone else; the asker needs the right to ask", async () => {
  const c = await apiserver();
  const sar = (spec: Record<string, unknown>) => c.ask<Review>({ type: "api.create", resource: "subjectaccessreviews", group: AUTHZ, object: { spec } });
  assert.is((await sar({ user: "system:kube-scheduler", resourceAttributes: { verb: "create", resource: "pods", subresource: "binding", namespace: "x" } })).status.allowed, true);
  assert.is((await sar({ user: "system:kube-scheduler", resourceAttributes: { verb: "delete", resource: "nodes" } })).status.allowed, false);
  assert.is((await sar({ user: "n", groups: ["system:nodes"], resourceAttributes: { verb: "update", resource: "pods", subresource: "status", namespace: "x" } })).status.allowed, true);
  const noUser = await failure(sar({ resourceAttributes: { verb: "get", resource: "pods" } }));
  assert.match(noUser.message, /spec\.user: Invalid value: "": at least one of user or group must be specified/);
  const lsar = (namespace: string, ns: string) => c.ask<Review>({ type: "api.create", resource: "localsubjectaccessreviews", group: AUTHZ, namespace, object: { spec: { user: "jane", resourceAttributes: { verb: "get", resource: "pods", namespace: ns } } } });
  assert.is((await lsar("default", "default")).status.allowed, false);
  assert.match((await failure(lsar("default", "other"))).message, /spec\.resourceAttributes\.namespace: Invalid value: "other": must match metadata\.namespace/);
  assert.is((await failure(c.as("jane")({ type: "api.create", resource: "subjectaccessreviews", group: AUTHZ, object: { spec: { user: "x", resourceAttributes: {} } } }))).code, "Forbidden");
  await c.stop();
});

test("SelfSubjectRulesReview lists what a user may do; SelfSubjectReview says who they are; TokenReview checks a token", async () => {
  const c = await apiserver({ tokens: [{ token: "t-jane", user: "jane", uid: "42", groups: ["dev"] }] });
  await c.ask({ type: "api.create", resource: "roles", group: RBAC, namespace: "default", object: { metadata: { name: "pods" }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }] } });
  await c.ask({ type: "api.create", resource: "rolebindings", group: RBAC, namespace: "default", object: { metadata: { name: "jane" }, roleRef: { apiGroup: RBAC, kind: "Role", name: "pods" }, subjects: [{ kind: "Group", name: "dev" }] } });
  const jane = c.as("jane", ["dev"]);
  const rules = await jane<Review>({ type: "api.create", resource: "selfsubjectrulesreviews", group: AUTHZ, object: { spec: { namespace: "default" } } });
  assert.ok(rules.status.resourceRules!.some((r) => r.resources?.includes("pods") && r.verbs.join() === "get,list"));
  const elsewhere = await jane<Review>({ type: "api.create", resource: "selfsubjectrulesreviews", group: AUTHZ, object: { spec: { namespace: "kube-system" } } });
  assert.not.ok(elsewhere.status.resourceRules!.some((r) => r.resources?.includes("pods")));

  const me = await jane<Review>({ type: "api.create", resource: "selfsubjectreviews", group: "authentication.k8s.io", object: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" } });
  assert.equal(me.status, { userInfo: { username: "jane", groups: ["dev", "system:authenticated"] } });

  const review = (token: string) => c.ask<Review>({ type: "api.create", resource: "tokenreviews", group: "authentication.k8s.io", object: { spec: { token } } });
  assert.equal((await review("t-jane")).status, { authenticated: true, user: { username: "jane", uid: "42", groups: ["dev", "system:authenticated"] } });
  assert.is((await review("wrong")).status.authenticated, false);
  await c.stop();
});

test("review kinds are create-only, listed in discovery with the create verb, and never stored", async () => {
  const c = await apiserver();
  const f = await failure(c.ask({ type: "api.list", resource: "selfsubjectaccessreviews", group: AUTHZ }));
  assert.equal([f.code, f.status.code], ["MethodNotAllowed", 405]);
  const disc = await c.ask<{ plural: string; verbs: string[]; group: string }[]>({ type: "api.discovery" });
  const find = (plural: string) => disc.find((d) => d.plural === plural);
  assert.equal(find("selfsubjectaccessreviews")?.verbs, ["create"]);
  assert.equal(find("selfsubjectreviews")?.group, "authentication.k8s.io");
  assert.ok(find("roles")?.verbs.includes("watch"));
  await c.ask({ type: "api.create", resource: "selfsubjectaccessreviews", group: AUTHZ, object: { spec: { resourceAttributes: { verb: "get", resource: "pods" } } } });
  assert.is((await failure(c.ask({ type: "api.get", resource: "selfsubjectaccessreviews", group: AUTHZ, name: "x" }))).code, "MethodNotAllowed");
  await c.stop();
});

test("auth.authorize answers the HTTP front's questions, non-resource paths included", async () => {
  const c = await apiserver();
  const ask = (m: Record<string, unknown>) => c.ask<{ allowed: boolean }>({ type: "auth.authorize", ...m });
  assert.is((await ask({ user: "jane", nonResourceAttributes: { path: "/version", verb: "get" } })).allowed, true);
  assert.is((await ask({ user: "jane", nonResourceAttributes: { path: "/metrics", verb: "get" } })).allowed, false);
  assert.is((await ask({ user: "mon", groups: ["system:monitoring"], nonResourceAttributes: { path: "/metrics", verb: "get" } })).allowed, true);
  assert.is((await ask({ user: "jane", resourceAttributes: { verb: "list", resource: "pods", namespace: "default" } })).allowed, false);
  assert.is((await failure(ask({ user: "jane" }))).code, "BadMessage");
  await c.stop();
});

test.run();
