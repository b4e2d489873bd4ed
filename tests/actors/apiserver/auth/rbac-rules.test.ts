import { test } from "uvu";
import * as assert from "uvu/assert";
import { appliesTo, ruleAllows, type Attributes } from "../../../../actors/apiserver/auth/rbac-rules.ts";
import { forbiddenMessage } from "../../../../actors/apiserver/auth/authorizer.ts";
import type { PolicyRule, Subject } from "../../../../actors/api/types/rbac.ts";

const jane = { username: "jane", groups: ["dev", "system:authenticated"] };

function req(over: Partial<Attributes>): Attributes {
  return { user: jane, verb: "get", resourceRequest: true, apiGroup: "", resource: "pods", subresource: "", namespace: "default", name: "", path: "", ...over };
}

test("a rule allows by verb, group, resource, subresource and name, with * as Kubernetes reads it", () => {
  const r = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule => ({ verbs, apiGroups, resources, resourceNames });
  const cases: [string, PolicyRule, Partial<Attributes>, boolean][] = [
    ["exact", r(["get"], [""], ["pods"]), {}, true],
    ["other verb", r(["get"], [""], ["pods"]), { verb: "list" }, false],
    ["verb *", r(["*"], [""], ["pods"]), { verb: "deletecollection" }, true],
    ["other group", r(["get"], ["apps"], ["pods"]), {}, false],
    ["group *", r(["get"], ["*"], ["deployments"]), { apiGroup: "apps", resource: "deployments" }, true],
    ["resource * covers subresources", r(["get"], [""], ["*"]), { subresource: "log" }, true],
    ["plain resource does not cover a subresource", r(["get"], [""], ["pods"]), { subresource: "log" }, false],
    ["combined pods/log", r(["get"], [""], ["pods/log"]), { subresource: "log" }, true],
    ["pods/log is not pods", r(["get"], [""], ["pods/log"]), {}, false],
    ["*/scale", r(["update"], ["apps"], ["*/scale"]), { verb: "update", apiGroup: "apps", resource: "deployments", subresource: "scale" }, true],
    ["resourceNames match", r(["get"], [""], ["pods"], ["web"]), { name: "web" }, true],
    ["resourceNames miss", r(["get"], [""], ["pods"], ["web"]), { name: "db" }, false],
    ["resourceNames never match a create (no name)", r(["create"], [""], ["pods"], ["web"]), { verb: "create" }, false],
    ["a verb * request needs a * rule", r(["get", "list"], [""], ["pods"]), { verb: "*" }, false],
  ];
  for (const [name, rule, over, want] of cases) assert.is(ruleAllows(req(over), rule), want, name);
});

test("non-resource URLs match exactly, by * or by a prefix*", () => {
  const cases: [string[], string, boolean][] = [
    [["/healthz"], "/healthz", true],
    [["/healthz"], "/healthz/etcd", false],
    [["/apis/*"], "/apis/apps/v1", true],
    [["/apis/*"], "/api", false],
    [["*"], "/anything", true],
  ];
  for (const [urls, path, want] of cases) {
    assert.is(ruleAllows(req({ resourceRequest: false, path, verb: "get" }), { verbs: ["get"], nonResourceURLs: urls }), want, `${urls} ${path}`);
  }
  assert.not.ok(ruleAllows(req({}), { verbs: ["get"], nonResourceURLs: ["*"] }), "a URL rule never allows a resource request");
});

test("subjects: users by name, groups by membership, service accounts by namespace (the binding's when unset)", () => {
  const sa = { username: "system:serviceaccount:ci:builder", groups: ["system:serviceaccounts", "system:serviceaccounts:ci"] };
  const cases: [typeof jane, Subject, string, boolean][] = [
    [jane, { kind: "User", name: "jane" }, "", true],
    [jane, { kind: "User", name: "joe" }, "", false],
    [jane, { kind: "Group", name: "dev" }, "", true],
    [sa, { kind: "ServiceAccount", name: "builder", namespace: "ci" }, "", true],
    [sa, { kind: "ServiceAccount", name: "builder" }, "ci", true],
    [sa, { kind: "ServiceAccount", name: "builder" }, "other", false],
    [sa, { kind: "ServiceAccount", name: "builder" }, "", false],
    [sa, { kind: "Group", name: "system:serviceaccounts:ci" }, "", true],
  ];
  for (const [user, subject, ns, want] of cases) assert.is(appliesTo(user, subject, ns), want, JSON.stringify([user.username, subject, ns]));
});

test("forbidden messages are kube-apiserver's", () => {
  assert.is(forbiddenMessage(req({ verb: "list" })), 'User "jane" cannot list resource "pods" in API group "" in the namespace "default"');
  assert.is(forbiddenMessage(req({ verb: "list", resource: "nodes", namespace: "" })), 'User "jane" cannot list resource "nodes" in API group "" at the cluster scope');
  assert.is(forbiddenMessage(req({ subresource: "log", name: "web" })), 'User "jane" cannot get resource "pods/log" in API group "" in the namespace "default"');
  assert.is(forbiddenMessage(req({ resourceRequest: false, path: "/metrics" })), 'User "jane" cannot get path "/metrics"');
});

test.run();
