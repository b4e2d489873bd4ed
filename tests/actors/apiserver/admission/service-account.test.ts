import { test } from "uvu";
import * as assert from "uvu/assert";
import { apiserver, attempt, failure } from "../auth/helpers.ts";
import type { Pod } from "../../../../actors/api/types/core-pod.ts";

const PATH = "/var/run/secrets/kubernetes.io/serviceaccount";
const podIn = (namespace: string, name: string, spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}) => ({
  type: "api.create",
  resource: "pods",
  namespace,
  object: { metadata: { name, ...meta }, spec: { containers: [{ name: "c", image: "x" }], ...spec } },
});

test("a new pod runs as the default service account with the kube-api-access volume mounted in every container", async () => {
  const c = await apiserver();
  await c.ask({ type: "api.create", resource: "namespaces", object: { metadata: { name: "fresh" } } });
  const p = await c.ask<Pod>(podIn("fresh", "p", { initContainers: [{ name: "init", image: "x" }] }));
  assert.is(p.spec.serviceAccountName, "default");
  assert.is(p.spec.serviceAccount, "default");
  const vol = p.spec.volumes!.find((v) => v.name.startsWith("kube-api-access-"))!;
  assert.match(vol.name, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.equal(vol.projected, {
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
      { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
      { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
    ],
  });
  for (const ctr of [...p.spec.initContainers!, ...p.spec.containers]) assert.equal(ctr.volumeMounts, [{ name: vol.name, readOnly: true, mountPath: PATH }], ctr.name);
  // What the serviceaccount and root-ca controllers would have made, made on demand in a brand-new namespace.
  assert.ok(await c.ask({ type: "api.get", resource: "serviceaccounts", namespace: "fresh", name: "default" }));
  assert.ok(await c.ask({ type: "api.get", resource: "configmaps", namespace: "fresh", name: "kube-root-ca.crt" }));
  await c.stop();
});

test("a pod naming a missing service account is refused; automount can be turned off by the account or the pod", async () => {
  const c = await apiserver();
  const f = await failure(c.ask(podIn("default", "p", { serviceAccountName: "builder" })));
  assert.is(f.code, "Forbidden");
  assert.is(f.message, 'pods "p" is forbidden: error looking up service account default/builder: serviceaccount "builder" not found');
  await c.ask({ type: "api.create", resource: "serviceaccounts", namespace: "default", object: { metadata: { name: "builder" }, automountServiceAccountToken: false } });
  const quiet = await c.ask<Pod>(podIn("default", "p", { serviceAccountName: "builder" }));
  assert.is(quiet.spec.volumes, undefined, "the account turned automount off");
  const loud = await c.ask<Pod>(podIn("default", "q", { serviceAccountName: "builder", automountServiceAccountToken: true }));
  assert.is(loud.spec.volumes!.length, 1, "the pod's own setting wins");
  const off = await c.ask<Pod>(podIn("default", "r", { automountServiceAccountToken: false }));
  assert.is(off.spec.volumes, undefined);
  const own = await c.ask<Pod>(podIn("default", "s", { volumes: [{ name: "mine", emptyDir: {} }], containers: [{ name: "c", image: "x", volumeMounts: [{ name: "mine", mountPath: PATH }] }] }));
  assert.equal(own.spec.volumes!.map((v) => v.name), ["mine"], "a container that mounts the path itself keeps its own");
  const mirror = await c.ask<Pod>(podIn("default", "m", {}, { annotations: { "kubernetes.io/config.mirror": "abc" } }));
  assert.is(mirror.spec.volumes, undefined, "mirror pods get no service account");
  await c.stop();
});

test("DefaultTolerationSeconds adds 300 s not-ready and unreachable tolerations unless the pod has its own", async () => {
  const c = await apiserver();
  const p = await c.ask<Pod>(podIn("default", "p"));
  assert.equal(p.spec.tolerations, [
    { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
    { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
  ]);
  const own = { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 5 };
  const q = await c.ask<Pod>(podIn("default", "q", { tolerations: [own] }));
  assert.equal(q.spec.tolerations, [own, { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }]);
  const all = await c.ask<Pod>(podIn("default", "r", { tolerations: [{ operator: "Exists" }] }));
  assert.equal(all.spec.tolerations, [{ operator: "Exists" }], "tolerating everything covers both");
  await c.stop();
});

test("NamespaceLifecycle: no new objects in a missing or terminating namespace; default, kube-system and kube-public stay", async () => {
  const c = await apiserver();
  const missing = await failure(c.ask(podIn("nowhere", "p")));
  assert.equal([missing.code, missing.message], ["NotFound", 'namespaces "nowhere" not found']);
  await c.ask({ type: "api.create", resource: "namespaces", object: { metadata: { name: "going" } } });
  await c.ask({ type: "api.delete", resource: "namespaces", name: "going" });
  const late = await failure(c.ask({ type: "api.create", resource: "configmaps", namespace: "going", object: { metadata: { name: "cm" } } }));
  assert.is(late.message, 'configmaps "cm" is forbidden: unable to create new content in namespace going because it is being terminated');
  assert.equal(late.status.details?.causes, [{ reason: "NamespaceTerminating", message: "namespace going is being terminated", field: "metadata.namespace" }]);
  for (const ns of ["default", "kube-system", "kube-public"]) {
    const f = await failure(c.ask({ type: "api.delete", resource: "namespaces", name: ns }));
    assert.equal([f.code, f.message], ["Forbidden", `namespaces "${ns}" is forbidden: this namespace may not be deleted`]);
  }
  await c.stop();
});

test("a server-side dry run runs admission and writes nothing, side effects included", async () => {
  const c = await apiserver();
  await c.ask({ type: "api.create", resource: "namespaces", object: { metadata: { name: "fresh" } } });
  const p = await c.ask<Pod>({ ...podIn("fresh", "p"), dryRun: "All" });
  assert.is(p.spec.serviceAccountName, "default");
  assert.ok(p.spec.volumes?.[0]?.projected, "the volume is shown");
  assert.is(p.spec.tolerations?.length, 2);
  for (const [resource, name] of [["pods", "p"], ["serviceaccounts", "default"], ["configmaps", "kube-root-ca.crt"]]) {
    assert.is((await failure(c.ask({ type: "api.get", resource, namespace: "fresh", name }))).code, "NotFound", `${resource} not written`);
  }
  const refused = await failure(c.ask({ ...podIn("fresh", "q", { serviceAccountName: "nobody" }), dryRun: "All" }));
  assert.is(refused.code, "Forbidden", "a dry run is refused like the real thing");
  await c.stop();
});

test("admission is configurable like --enable-admission-plugins; an unknown plugin stops the apiserver", async () => {
  const c = await apiserver({ admission: ["NamespaceLifecycle"] });
  const p = await c.ask<Pod>(podIn("default", "p", { serviceAccountName: "nobody" }));
  assert.is(p.spec.volumes, undefined);
  assert.is(p.spec.tolerations, undefined);
  await c.stop();
  const bad = await attempt(apiserver({ admission: ["AlwaysPullImages"] }));
  assert.match(String((bad as { message?: string }).message), /unknown admission plugins: AlwaysPullImages/);
});

test.run();
