import { test } from "uvu";
import * as assert from "uvu/assert";
import { apiserver, attempt, failure, RBAC } from "./helpers.ts";

const list = (resource: string, namespace?: string, group?: string) => ({ type: "api.list", resource, ...(namespace ? { namespace } : {}), ...(group ? { group } : {}) });
const binding = (name: string, namespace: string, role: { kind: string; name: string }, subjects: Record<string, unknown>[]) => ({
  type: "api.create",
  resource: "rolebindings",
  group: RBAC,
  namespace,
  object: { metadata: { name }, roleRef: { apiGroup: RBAC, ...role }, subjects },
});

test("a request with a user and no grant is 403 in kube-apiserver's words; loopback and system:masters pass", async () => {
  const c = await apiserver();
  const jane = c.as("jane");
  const cases: [Record<string, unknown>, string][] = [
    [list("pods", "default"), 'pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"'],
    [list("nodes"), 'nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope'],
    [list("pods"), 'pods is forbidden: User "jane" cannot list resource "pods" in API group "" at the cluster scope'],
    [{ type: "api.get", resource: "configmaps", namespace: "kube-system", name: "cfg" }, 'configmaps "cfg" is forbidden: User "jane" cannot get resource "configmaps" in API group "" in the namespace "kube-system"'],
    [{ type: "api.get", resource: "pods", namespace: "default", name: "web", subresource: "log" }, 'pods "web" is forbidden: User "jane" cannot get resource "pods/log" in API group "" in the namespace "default"'],
    [list("deployments", "default", "apps"), 'deployments.apps is forbidden: User "jane" cannot list resource "deployments" in API group "apps" in the namespace "default"'],
    [{ type: "api.watch", resource: "pods", namespace: "default", watcher: "w" }, 'pods is forbidden: User "jane" cannot watch resource "pods" in API group "" in the namespace "default"'],
  ];
  for (const [msg, want] of cases) {
    const f = await failure(jane(msg));
    assert.is(f.code, "Forbidden");
    assert.is(f.status.code, 403);
    assert.is(f.message, want);
  }
  const f = await failure(jane({ type: "api.delete", resource: "nodes", name: "n1" }));
  assert.is(f.status.details?.name, "n1");
  assert.is(f.status.details?.kind, "nodes");
  assert.ok(await c.ask(list("nodes")), "no user: the apiserver's own request");
  assert.ok(await c.as("root", ["system:masters"])(list("nodes")), "system:masters");
  await c.stop();
});

test("a RoleBinding grants in its namespace only, a ClusterRoleBinding everywhere; deleting either revokes at once", async () => {
  const c = await apiserver();
  const jane = c.as("jane");
  await c.ask({ type: "api.create", resource: "namespaces", object: { metadata: { name: "team" } } });
  await c.ask(binding("jane-view", "team", { kind: "ClusterRole", name: "view" }, [{ kind: "User", name: "jane" }]));
  assert.is((await jane<{ kind: string }>(list("pods", "team"))).kind, "PodList");
  assert.is((await failure(jane(list("pods", "default")))).code, "Forbidden");
  assert.is((await failure(jane({ type: "api.create", resource: "configmaps", namespace: "team", object: { metadata: { name: "x" } } }))).code, "Forbidden", "view cannot write");
  await c.ask({ type: "api.delete", resource: "rolebindings", group: RBAC, namespace: "team", name: "jane-view" });
  assert.is((await failure(jane(list("pods", "team")))).code, "Forbidden");

  await c.ask({ type: "api.create", resource: "clusterrolebindings", group: RBAC, object: { metadata: { name: "devs-edit" }, roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "edit" }, subjects: [{ kind: "Group", name: "devs" }] } });
  const dev = c.as("joe", ["devs"]);
  assert.ok(await dev({ type: "api.create", resource: "configmaps", namespace: "default", object: { metadata: { name: "x" } } }));
  assert.ok(await dev(list("pods")), "every namespace");
  assert.is((await failure(dev(list("nodes")))).code, "Forbidden", "edit is namespaced resources only");
  await c.ask({ type: "api.delete", resource: "clusterrolebindings", group: RBAC, name: "devs-edit" });
  assert.is((await failure(dev(list("pods")))).code, "Forbidden");
  await c.stop();
});

test("a Role's rules: resourceNames, subresources, and a binding to a missing role says so", async () => {
  const c = await apiserver();
  const ask = c.ask;
  await ask({ type: "api.create", resource: "roles", group: RBAC, namespace: "default", object: { metadata: { name: "one-cm" }, rules: [
    { apiGroups: [""], resources: ["configmaps"], resourceNames: ["app"], verbs: ["get", "list", "update"] },
    { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
  ] } });
  await ask(binding("b", "default", { kind: "Role", name: "one-cm" }, [{ kind: "User", name: "jane" }]));
  await ask({ type: "api.create", resource: "configmaps", namespace: "default", object: { metadata: { name: "app" } } });
  await ask({ type: "api.create", resource: "configmaps", namespace: "default", object: { metadata: { name: "other" } } });
  const jane = c.as("jane");
  assert.ok(await jane({ type: "api.get", resource: "configmaps", namespace: "default", name: "app" }));
  assert.is((await failure(jane({ type: "api.get", resource: "configmaps", namespace: "default", name: "other" }))).code, "Forbidden");
  assert.is((await failure(jane(list("configmaps", "default")))).code, "Forbidden", "a named rule does not allow listing all");
  const named = await attempt(jane({ type: "api.list", resource: "configmaps", namespace: "default", fieldSelector: "metadata.name=app" }));
  assert.is((named as { kind: string }).kind, "ConfigMapList", "a list narrowed to the name is allowed");
  assert.is((await failure(jane({ type: "api.get", resource: "pods", namespace: "default", name: "p" }))).code, "Forbidden", "pods/log is not pods");
  const nf = await attempt(jane({ type: "api.get", resource: "pods", namespace: "default", name: "p", subresource: "log" }));
  assert.is((nf as { code: string }).code, "NotFound", "authorized, then not found");

  await ask(binding("dangling", "default", { kind: "ClusterRole", name: "nope" }, [{ kind: "User", name: "bob" }]));
  const f = await failure(c.as("bob")(list("pods", "default")));
  assert.is(f.message, 'pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default": RBAC: clusterrole.rbac.authorization.k8s.io "nope" not found');
  await c.stop();
});

test("service accounts are bound by namespace and name; a namespace can be read by whoever is bound in it", async () => {
  const c = await apiserver();
  await c.ask({ type: "api.create", resource: "namespaces", object: { metadata: { name: "ci" } } });
  await c.ask(binding("builder", "ci", { kind: "ClusterRole", name: "edit" }, [{ kind: "ServiceAccount", name: "builder" }]));
  const sa = c.as("system:serviceaccount:ci:builder", ["system:serviceaccounts", "system:serviceaccounts:ci"]);
  assert.ok(await sa({ type: "api.create", resource: "secrets", namespace: "ci", object: { metadata: { name: "s" }, stringData: { a: "b" } } }));
  assert.is((await failure(sa(list("secrets", "default")))).code, "Forbidden");
  assert.is((await failure(c.as("system:serviceaccount:other:builder")(list("secrets", "ci")))).code, "Forbidden");
  assert.ok(await sa({ type: "api.get", resource: "namespaces", name: "ci" }), "get namespaces/ci is in namespace ci");
  assert.is((await failure(sa({ type: "api.get", resource: "namespaces", name: "default" }))).code, "Forbidden");
  await c.stop();
});

test("the components' identities do their jobs and no more", async () => {
  const c = await apiserver();
  const pod = { metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "x" }] } };
  await c.ask({ type: "api.create", resource: "pods", namespace: "default", object: pod });
  const scheduler = c.as("system:kube-scheduler");
  const kubelet = c.as("system:node:n1", ["system:nodes"]);
  const cm = c.as("system:kube-controller-manager");
  const cni = c.as("system:cni");
  const proxy = c.as("system:kube-proxy");
  const allowed: [string, (m: Record<string, unknown>) => Promise<unknown>, Record<string, unknown>][] = [
    ["scheduler watches pods", scheduler, { type: "api.watch", resource: "pods", watcher: "w" }],
    ["scheduler lists nodes", scheduler, list("nodes")],
    ["scheduler binds", scheduler, { type: "api.create", resource: "pods", namespace: "default", name: "p", subresource: "binding", object: { target: { kind: "Node", name: "n1" } } }],
    ["kubelet registers its node", kubelet, { type: "api.create", resource: "nodes", object: { metadata: { name: "n1" } } }],
    ["kubelet renews its lease", kubelet, { type: "api.create", resource: "leases", group: "coordination.k8s.io", namespace: "kube-node-lease", object: { metadata: { name: "n1" }, spec: { holderIdentity: "n1" } } }],
    ["kubelet reads pods", kubelet, { type: "api.list", resource: "pods", fieldSelector: "spec.nodeName=n1" }],
    ["cni patches nodes", cni, { type: "api.patch", resource: "nodes", name: "n1", patchType: "merge", patch: { spec: { podCIDR: "10.244.0.0/24" } } }],
    ["proxy lists endpointslices", proxy, list("endpointslices", undefined, "discovery.k8s.io")],
    ["controller-manager creates replicasets", cm, { type: "api.create", resource: "replicasets", group: "apps", namespace: "default", object: { metadata: { name: "rs" }, spec: { replicas: 0, selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "x" }] } } } } }],
  ];
  for (const [what, who, msg] of allowed) {
    const r = await attempt(who(msg) as Promise<unknown>);
    assert.not.ok((r as { code?: string })?.code === "Forbidden", `${what}: ${JSON.stringify(r).slice(0, 200)}`);
  }
  const refused: [string, (m: Record<string, unknown>) => Promise<unknown>, Record<string, unknown>][] = [
    ["scheduler deletes nodes", scheduler, { type: "api.delete", resource: "nodes", name: "n1" }],
    ["kubelet creates deployments", kubelet, { type: "api.create", resource: "deployments", group: "apps", namespace: "default", object: { metadata: { name: "d" } } }],
    ["cni reads secrets", cni, list("secrets")],
    ["proxy writes services", proxy, { type: "api.delete", resource: "services", namespace: "default", name: "kubernetes" }],
    ["controller-manager grants itself cluster-admin", cm, { type: "api.create", resource: "clusterrolebindings", group: RBAC, object: { metadata: { name: "mine" }, roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "cluster-admin" }, subjects: [{ kind: "User", name: "system:kube-controller-manager" }] } }],
  ];
  for (const [what, who, msg] of refused) assert.is((await failure(who(msg) as Promise<unknown>)).code, "Forbidden", what);
  await c.stop();
});

test("RBAC writes cannot escalate: granting needs the rules (or bind/escalate)", async () => {
  const c = await apiserver();
  await c.ask({ type: "api.create", resource: "namespaces", object: { metadata: { name: "team" } } });
  await c.ask(binding("lead-admin", "team", { kind: "ClusterRole", name: "admin" }, [{ kind: "User", name: "lead" }]));
  const lead = c.as("lead");
  assert.ok(await lead(binding("dev-edit", "team", { kind: "ClusterRole", name: "edit" }, [{ kind: "User", name: "dev" }])), "admin holds every rule of edit");
  const f = await failure(lead(binding("dev-root", "team", { kind: "ClusterRole", name: "cluster-admin" }, [{ kind: "User", name: "dev" }])));
  assert.is(f.code, "Forbidden");
  assert.match(f.message, /^rolebindings\.rbac\.authorization\.k8s\.io "dev-root" is forbidden: user "lead" \(groups=\["system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\["\*"\], Resources:\["\*"\], Verbs:\["\*"\]\}/);
  const role = (rules: unknown[]) => ({ type: "api.create", resource: "roles", group: RBAC, namespace: "team", object: { metadata: { name: `r${rules.length}` }, rules } });
  assert.ok(await lead(role([{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }])), "a role within held rules");
  const esc = await failure(lead(role([{ apiGroups: [""], resources: ["nodes"], verbs: ["get"] }, { apiGroups: [""], resources: ["pods"], verbs: ["get"] }])));
  assert.match(esc.message, /\{APIGroups:\[""\], Resources:\["nodes"\], Verbs:\["get"\]\}$/);
  const patched = await failure(lead({ type: "api.patch", resource: "roles", group: RBAC, namespace: "team", name: "r1", patchType: "merge", patch: { rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] } }));
  assert.is(patched.code, "Forbidden", "a patch is checked on its result");
  await c.ask({ type: "api.create", resource: "clusterroles", group: RBAC, object: { metadata: { name: "binder" }, rules: [{ apiGroups: [RBAC], resources: ["clusterroles"], verbs: ["bind"], resourceNames: ["cluster-admin"] }] } });
  await c.ask(binding("lead-binder", "team", { kind: "ClusterRole", name: "binder" }, [{ kind: "User", name: "lead" }]));
  assert.ok(await lead(binding("dev-root", "team", { kind: "ClusterRole", name: "cluster-admin" }, [{ kind: "User", name: "dev" }])), "the bind verb allows it");
  await c.stop();
});

test.run();
