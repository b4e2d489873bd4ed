/**
 * The real kubectl against a real cluster: creating and applying manifests
 * (client-side and server-side), dry runs, field validation, identity.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { eventually, kubeEnv, type KubeEnv } from "./helpers.ts";

let env: KubeEnv;
test.before(async () => {
  env = await kubeEnv();
});
test.after(async () => {
  await env?.stop();
});

const APP = `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  greeting: hello
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 80
---
apiVersion: v1
kind: Pod
metadata:
  name: talker
spec:
  terminationGracePeriodSeconds: 5
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "while true; do echo hello; sleep 1; done"]
`;

async function ok(...args: string[]): Promise<string> {
  const r = await env.kubectl(...args);
  assert.is(r.code, 0, `kubectl ${args.join(" ")} failed:\n${r.stderr}`);
  return r.stdout;
}

test("create -f with several documents creates every object", async () => {
  const out = await ok("create", "-f", env.file("app.yaml", APP));
  for (const line of ["configmap/web-config created", "deployment.apps/web created", "service/web created", "pod/talker created"]) assert.ok(out.includes(line), out);
  const names = await ok("get", "configmap,deployment,service,pod", "-o", "name");
  for (const n of ["configmap/web-config", "deployment.apps/web", "service/web", "pod/talker"]) assert.ok(names.includes(n), names);
  const again = await env.kubectl("create", "-f", env.file("app.yaml", APP));
  assert.is(again.code, 1);
  assert.match(again.stderr, /configmaps "web-config" already exists/);
});

test("apply -f after editing updates what changed, then reports unchanged", async () => {
  const edited = APP.replace("greeting: hello", "greeting: bonjour").replace("replicas: 2", "replicas: 3");
  const file = env.file("app-edited.yaml", edited);
  const first = await env.kubectl("apply", "-f", file);
  assert.is(first.code, 0, first.stderr);
  assert.match(first.stdout, /configmap\/web-config configured/);
  assert.match(first.stdout, /deployment.apps\/web configured/);
  assert.is(await ok("get", "configmap", "web-config", "-o", "jsonpath={.data.greeting}"), "bonjour");
  assert.is(await ok("get", "deployment", "web", "-o", "jsonpath={.spec.replicas}"), "3");
  const annotation = await ok("get", "configmap", "web-config", "-o", "jsonpath={.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}");
  assert.match(annotation, /"greeting":"bonjour"/);
  const second = await ok("apply", "-f", file);
  for (const line of ["configmap/web-config unchanged", "deployment.apps/web unchanged", "service/web unchanged", "pod/talker unchanged"]) assert.ok(second.includes(line), second);
});

const SSA = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ssa
  labels:
    app: ssa
    tier: front
spec:
  replicas: 1
  selector:
    matchLabels:
      app: ssa
  template:
    metadata:
      labels:
        app: ssa
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
`;

test("apply --server-side owns its fields, conflicts with another manager, and --force-conflicts takes them", async () => {
  const file = env.file("ssa.yaml", SSA);
  assert.match(await ok("apply", "--server-side", "-f", file), /deployment.apps\/ssa serverside-applied/);
  const managed = JSON.parse(await ok("get", "deployment", "ssa", "-o", "json", "--show-managed-fields")) as { metadata: { managedFields: { manager: string; operation: string; fieldsV1: Record<string, unknown> }[] } };
  const mine = managed.metadata.managedFields.find((m) => m.manager === "kubectl" && m.operation === "Apply");
  assert.ok(mine, JSON.stringify(managed.metadata.managedFields));
  assert.equal((mine!.fieldsV1["f:spec"] as Record<string, unknown>)["f:replicas"], {});

  await ok("scale", "deployment", "ssa", "--replicas=2");
  const edited = env.file("ssa2.yaml", SSA.replace("    tier: front\n", "").replace("nginx:1.27", "nginx:1.28"));
  const conflict = await env.kubectl("apply", "--server-side", "-f", edited);
  assert.is(conflict.code, 1);
  assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps\/v1 at \S+: \.spec\.replicas/);
  assert.is(await ok("get", "deployment", "ssa", "-o", "jsonpath={.spec.template.spec.containers[0].image}"), "nginx:1.27", "nothing written on conflict");

  await ok("apply", "--server-side", "--force-conflicts", "-f", edited);
  const after = JSON.parse(await ok("get", "deployment", "ssa", "-o", "json")) as { metadata: { labels: Record<string, string> }; spec: { replicas: number; template: { spec: { containers: { image: string }[] } } } };
  assert.is(after.spec.replicas, 1);
  assert.is(after.spec.template.spec.containers[0]!.image, "nginx:1.28");
  assert.equal(after.metadata.labels, { app: "ssa" }, "a label the applier dropped is removed");
});

test("apply --server-side after client-side apply takes over the last applied fields without conflict", async () => {
  const cm = (v: string, extra = "") => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: csa\ndata:\n  k1: ${v}\n${extra}`;
  await ok("apply", "-f", env.file("csa1.yaml", cm("one", "  k2: two\n")));
  assert.match(await ok("apply", "--server-side", "-f", env.file("csa2.yaml", cm("uno"))), /serverside-applied/);
  const obj = JSON.parse(await ok("get", "configmap", "csa", "-o", "json", "--show-managed-fields")) as { data: Record<string, string>; metadata: { managedFields: { manager: string; operation: string }[] } };
  assert.equal(obj.data, { k1: "uno" }, "k2 left the configuration and the object");
  assert.ok(obj.metadata.managedFields.some((m) => m.manager === "kubectl" && m.operation === "Apply"));
  assert.not.ok(obj.metadata.managedFields.some((m) => m.manager === "kubectl-client-side-apply"), "ownership moved to the server-side applier");
  // Client-side apply keeps working on the same object.
  assert.match(await ok("apply", "-f", env.file("csa3.yaml", cm("eins"))), /configmap\/csa configured/);
  assert.is(await ok("get", "configmap", "csa", "-o", "jsonpath={.data.k1}"), "eins");
});

test("--dry-run=server validates and answers without writing", async () => {
  const out = await ok("create", "configmap", "dry", "--from-literal=a=b", "--dry-run=server", "-o", "jsonpath={.data.a}");
  assert.is(out, "b");
  const get = await env.kubectl("get", "configmap", "dry");
  assert.is(get.code, 1);
  assert.match(get.stderr, /configmaps "dry" not found/);
  await ok("scale", "deployment", "web", "--replicas=4", "--dry-run=server");
  assert.is(await ok("get", "deployment", "web", "-o", "jsonpath={.spec.replicas}"), "3");
  const bad = await env.kubectl("create", "deployment", "Bad_Name", "--image=nginx", "--dry-run=server");
  assert.is(bad.code, 1, "validation still runs");
  assert.match(bad.stderr, /Invalid value: "Bad_Name"/);
});

test("kubectl reports unknown fields: refused by default (Strict), warned with --validate=warn", async () => {
  const doc = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: typo\ndatta:\n  a: b\n`;
  const strict = await env.kubectl("apply", "-f", env.file("typo.yaml", doc));
  assert.is(strict.code, 1);
  assert.match(strict.stderr, /strict decoding error: unknown field "datta"/);
  const warn = await env.kubectl("apply", "--validate=warn", "-f", env.file("typo.yaml", doc));
  assert.is(warn.code, 0, warn.stderr);
  assert.match(warn.stderr, /Warning: unknown field "datta"/);
});

test("auth whoami names the admin; --as impersonates (the admin may)", async () => {
  const me = await ok("auth", "whoami");
  assert.match(me, /Username\s+kubernetes-admin/);
  assert.match(me, /Groups\s+\[system:masters system:authenticated\]/);
  const jane = await ok("auth", "whoami", "--as=jane", "--as-group=devs");
  assert.match(jane, /Username\s+jane/);
  assert.match(jane, /Groups\s+\[devs system:authenticated\]/);
});

test("a ServiceAccount's token is refused until RBAC grants it; kubectl create role/rolebinding/quota work", async () => {
  await ok("create", "serviceaccount", "reader");
  const token = await eventually("the reader's token secret", async () => {
    const out = await env.kubectl("get", "secrets", "-o", "jsonpath={range .items[?(@.metadata.annotations.kubernetes\\.io/service-account\\.name==\"reader\")]}{.data.token}{end}");
    return out.code === 0 && out.stdout.trim() ? Buffer.from(out.stdout.trim(), "base64").toString() : undefined;
  });
  const denied = await env.kubectl("get", "pods", "--token", token);
  assert.is.not(denied.code, 0);
  assert.match(denied.stderr, /pods is forbidden: User "system:serviceaccount:default:reader" cannot list resource "pods" in API group "" in the namespace "default"/);
  const before = await env.kubectl("auth", "can-i", "list", "pods", "--as=system:serviceaccount:default:reader");
  assert.match(before.stdout, /^no/);
  assert.is(before.code, 1, "can-i exits 1 for no");

  await ok("create", "role", "pod-reader", "--verb=get,list,watch", "--resource=pods");
  await ok("create", "rolebinding", "read-pods", "--role=pod-reader", "--serviceaccount=default:reader");
  await eventually("the binding to take effect", async () => ((await env.kubectl("get", "pods", "--token", token)).code === 0 ? true : undefined));
  assert.match(await ok("auth", "can-i", "list", "pods", "--token", token), /^yes/);
  const cannot = await env.kubectl("auth", "can-i", "delete", "pods", "--token", token);
  assert.match(cannot.stdout, /^no/);
  const forbiddenDelete = await env.kubectl("delete", "pod", "talker", "--token", token, "--wait=false");
  assert.match(forbiddenDelete.stderr, /cannot delete resource "pods"/);

  await ok("create", "clusterrole", "node-viewer", "--verb=get,list", "--resource=nodes");
  await ok("create", "clusterrolebinding", "reader-nodes", "--clusterrole=node-viewer", "--serviceaccount=default:reader");
  await eventually("the cluster binding to take effect", async () => ((await env.kubectl("get", "nodes", "--token", token)).code === 0 ? true : undefined));

  await ok("create", "quota", "small", "--hard=pods=100,services=1");
  const quota = await eventually("quota usage", async () => {
    const out = await env.kubectl("get", "resourcequota", "small", "-o", "jsonpath={.status.used.services}");
    return out.code === 0 && out.stdout.trim() ? out.stdout.trim() : undefined;
  });
  assert.ok(Number(quota) >= 1, `services used: ${quota}`);
  const over = await env.kubectl("create", "service", "clusterip", "extra", "--tcp=80:80");
  assert.is.not(over.code, 0);
  assert.match(over.stderr, /exceeded quota: small/, over.stderr);
  await ok("delete", "resourcequota", "small");
  for (const type of ["clusterip", "nodeport", "loadbalancer"]) {
    assert.match(await ok("create", "service", type, `svc-${type}`, "--tcp=80:8080", "--dry-run=server"), new RegExp(`service/svc-${type} created \\(server dry run\\)`));
  }
});

test.run();
