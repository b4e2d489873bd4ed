import { test } from "uvu";
import * as assert from "uvu/assert";
import { apiserver, failure } from "../auth/helpers.ts";
import type { ResourceQuota } from "../../../../actors/api/types/index.ts";
import { ApiServer } from "../../../../actors/apiserver/server.ts";
import { MemoryStore } from "../../../../actors/apiserver/store/memory.ts";
import { SimulatedClock } from "../../../../runtime/clock.ts";
import { installAdmission } from "../../../../actors/apiserver/admission/install.ts";
import { printerFor } from "../../../../actors/apiserver/http/table/index.ts";
import { podResourceList } from "../../../../actors/apiserver/admission/quota-usage.ts";
import type { Pod } from "../../../../actors/api/types/index.ts";

const quota = (name: string, hard: Record<string, string>, extra: Record<string, unknown> = {}) => ({ type: "api.create", resource: "resourcequotas", namespace: "default", object: { metadata: { name }, spec: { hard, ...extra } } });
const pod = (name: string, requests?: Record<string, string>, limits?: Record<string, string>, spec: Record<string, unknown> = {}) => ({
  type: "api.create",
  resource: "pods",
  namespace: "default",
  object: { metadata: { name }, spec: { containers: [{ name: "c", image: "x", ...(requests || limits ? { resources: { requests, limits } } : {}) }], ...spec } },
});

async function until<T>(what: string, fn: () => Promise<T | false | undefined>): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`never: ${what}`);
}

test("a new quota's status is filled in at once: hard from the spec, used counted", async () => {
  const c = await apiserver();
  await c.ask(pod("a", { cpu: "250m", memory: "64Mi" }));
  await c.ask({ type: "api.create", resource: "configmaps", namespace: "default", object: { metadata: { name: "cm" } } });
  const q = await c.ask<ResourceQuota>(quota("q", { pods: "10", "requests.cpu": "1", "requests.memory": "1Gi", "count/configmaps": "5", services: "3" }));
  // default already holds the kubernetes Service and the kube-root-ca.crt ConfigMap.
  assert.equal(q.status, { hard: { pods: "10", "requests.cpu": "1", "requests.memory": "1Gi", "count/configmaps": "5", services: "3" }, used: { pods: "1", "requests.cpu": "250m", "requests.memory": "64Mi", "count/configmaps": "2", services: "1" } });
  await c.stop();
});

test("creates are charged atomically and refused past the quota with Kubernetes' message", async () => {
  const c = await apiserver();
  await c.ask(quota("compute", { pods: "2", "requests.cpu": "1", "limits.memory": "1Gi" }));
  const q = async () => (await c.ask<ResourceQuota>({ type: "api.get", resource: "resourcequotas", namespace: "default", name: "compute" })).status!.used;
  const missing = await failure(c.ask(pod("bare")));
  assert.equal([missing.code, missing.message], ["Forbidden", 'pods "bare" is forbidden: failed quota: compute: must specify limits.memory for: c; requests.cpu for: c']);
  await c.ask(pod("a", { cpu: "600m" }, { memory: "512Mi" }));
  assert.equal(await q(), { pods: "1", "requests.cpu": "600m", "limits.memory": "512Mi" });
  const over = await failure(c.ask(pod("b", { cpu: "500m" }, { memory: "256Mi" })));
  assert.equal([over.code, over.status.code], ["Forbidden", 403]);
  assert.is(over.message, 'pods "b" is forbidden: exceeded quota: compute, requested: requests.cpu=500m, used: requests.cpu=600m, limited: requests.cpu=1');
  const dry = await c.ask({ ...pod("b", { cpu: "400m" }, { memory: "256Mi" }), dryRun: "All" });
  assert.ok(dry, "a dry run is admitted");
  assert.equal(await q(), { pods: "1", "requests.cpu": "600m", "limits.memory": "512Mi" }, "and charges nothing");
  await c.ask(pod("b", { cpu: "400m" }, { memory: "256Mi" }));
  assert.equal(await q(), { pods: "2", "requests.cpu": "1", "limits.memory": "768Mi" });
  const third = await failure(c.ask(pod("c", { cpu: "0" }, { memory: "1Mi" })));
  assert.is(third.message, 'pods "c" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2');
  await c.stop();
});

test("deletes and finished pods give quota back; object counts and service quotas are counted per kind", async () => {
  const c = await apiserver();
  await c.ask(quota("objects", { pods: "2", "count/deployments.apps": "1", "services.nodeports": "1", "services.loadbalancers": "0" }));
  await c.ask(pod("a"));
  await c.ask(pod("b"));
  assert.is((await failure(c.ask(pod("c")))).code, "Forbidden");
  await c.ask({ type: "api.delete", resource: "pods", namespace: "default", name: "a" });
  const used = () => c.ask<ResourceQuota>({ type: "api.get", resource: "resourcequotas", namespace: "default", name: "objects" }).then((q) => q.status!.used!);
  await until("the delete is counted back", async () => (await used()).pods === "1");
  const b = await c.ask<{ status: Record<string, unknown> }>({ type: "api.get", resource: "pods", namespace: "default", name: "b" });
  await c.ask({ type: "api.update", resource: "pods", namespace: "default", subresource: "status", object: { ...b, status: { ...b.status, phase: "Succeeded" } } });
  await until("a finished pod stops counting", async () => (await used()).pods === "0");

  const deploy = (name: string) => ({ type: "api.create", resource: "deployments", group: "apps", namespace: "default", object: { metadata: { name }, spec: { selector: { matchLabels: { a: name } }, template: { metadata: { labels: { a: name } }, spec: { containers: [{ name: "c", image: "x" }] } } } } });
  await c.ask(deploy("one"));
  assert.match((await failure(c.ask(deploy("two")))).message, /^deployments\.apps "two" is forbidden: exceeded quota: objects, requested: count\/deployments\.apps=1, used: count\/deployments\.apps=1, limited: count\/deployments\.apps=1$/);
  const svc = (name: string, type: string, ports: number) => ({ type: "api.create", resource: "services", namespace: "default", object: { metadata: { name }, spec: { type, selector: { a: "b" }, ports: Array.from({ length: ports }, (_, i) => ({ name: `p${i}`, port: 80 + i })) } } });
  assert.match((await failure(c.ask(svc("lb", "LoadBalancer", 1)))).message, /exceeded quota: objects, requested: services\.loadbalancers=1/);
  assert.match((await failure(c.ask(svc("np", "NodePort", 2)))).message, /requested: services\.nodeports=2, used: services\.nodeports=0, limited: services\.nodeports=1/);
  assert.ok(await c.ask(svc("np", "NodePort", 1)));
  await c.stop();
});

test("an update that adds usage is charged and refused past the quota; one that adds nothing is not", async () => {
  const c = await apiserver();
  await c.ask(quota("svc", { "services.loadbalancers": "1", "services.nodeports": "2" }));
  const used = () => c.ask<ResourceQuota>({ type: "api.get", resource: "resourcequotas", namespace: "default", name: "svc" }).then((q) => q.status!.used!);
  const svc = (name: string) => ({ type: "api.create", resource: "services", namespace: "default", object: { metadata: { name }, spec: { selector: { a: "b" }, ports: [{ port: 80 }] } } });
  const get = (name: string) => c.ask<{ metadata: object; spec: Record<string, unknown> }>({ type: "api.get", resource: "services", namespace: "default", name });
  const retype = async (name: string, type: string) => {
    const s = await get(name);
    const spec = { ...s.spec, type };
    return c.ask({ type: "api.update", resource: "services", namespace: "default", object: { ...s, spec } });
  };
  await c.ask(svc("one"));
  await c.ask(svc("two"));
  await retype("one", "LoadBalancer");
  assert.equal(await used(), { "services.loadbalancers": "1", "services.nodeports": "1" }, "the type change is charged at once");
  const over = await failure(retype("two", "LoadBalancer"));
  assert.is(over.message, 'services "two" is forbidden: exceeded quota: svc, requested: services.loadbalancers=1, used: services.loadbalancers=1, limited: services.loadbalancers=1');
  assert.is((await get("two")).spec.type, "ClusterIP", "nothing was written");
  const s = await get("one");
  assert.ok(await c.ask({ type: "api.update", resource: "services", namespace: "default", object: { ...s, metadata: { ...s.metadata, labels: { x: "y" } } } }), "an update adding no usage passes");
  assert.equal(await used(), { "services.loadbalancers": "1", "services.nodeports": "1" });
  await c.stop();
});

test("a pod's usage counts sidecars with the init containers started after them, as the scheduler does", () => {
  const c = (name: string, cpu: string, restartPolicy?: "Always") => ({ name, image: "x", ...(restartPolicy ? { restartPolicy } : {}), resources: { requests: { cpu } } });
  const pod = { metadata: { name: "p" }, spec: { containers: [c("app", "1")], initContainers: [c("sidecar", "500m", "Always"), c("migrate", "2")] } } as unknown as Pod;
  // While "migrate" runs, the sidecar already runs beside it: 2 + 0.5. Afterwards app + sidecar = 1.5.
  assert.equal(podResourceList(pod, "requests"), { cpu: "2500m" });
  const before = { metadata: { name: "q" }, spec: { containers: [c("app", "1")], initContainers: [c("migrate", "2"), c("sidecar", "500m", "Always")] } } as unknown as Pod;
  assert.equal(podResourceList(before, "requests"), { cpu: "2" }, "an init container before the sidecar runs alone");
});

test("at start, usage is recounted from the store", async () => {
  const store = new MemoryStore();
  const clock = new SimulatedClock(Date.parse("2026-03-01T10:00:00Z"));
  const api = new ApiServer({ store, clock });
  await api.start();
  await api.create(api.target("namespaces", "", undefined), { metadata: { name: "default" } });
  for (const name of ["a", "b", "c"]) await api.create(api.target("configmaps", "", "default"), { metadata: { name } });
  // A quota written while nothing tracked usage: its status says 0.
  await api.create(api.target("resourcequotas", "", "default"), { metadata: { name: "q" }, spec: { hard: { configmaps: "10" } } });
  const key = "/registry/resourcequotas/default/q";
  const kv = await store.get<ResourceQuota>(key);
  await store.txn({ compare: [], success: [{ type: "put", key, value: { ...kv!.value, status: { hard: { configmaps: "10" }, used: { configmaps: "0" } } } }] });
  const installed = await installAdmission(api);
  const q = (await store.get<ResourceQuota>(key))!.value;
  assert.equal(q.status!.used, { configmaps: "3" });
  assert.ok(installed.tracker!.recounts >= 1);
  installed.stop();
  api.stop();
});

test("kubectl get quota shows REQUEST and LIMIT as used/hard", () => {
  const printer = printerFor("resourcequotas", "");
  assert.equal(printer.columns.map((c) => c.name), ["Name", "Age", "Request", "Limit"]);
  const q = { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "q", creationTimestamp: "2026-03-01T10:00:00Z" }, status: { hard: { pods: "10", "limits.cpu": "2", "requests.cpu": "1" }, used: { pods: "3", "limits.cpu": "500m", "requests.cpu": "0" } } };
  assert.equal(printer.cells(q, Date.parse("2026-03-01T10:05:00Z")), ["q", "5m", "pods: 3/10, requests.cpu: 0/1", "limits.cpu: 500m/2"]);
});

test.run();
