/**
 * The official JavaScript client (@kubernetes/client-node) against a real
 * cluster: typed calls, and an informer (ListWatch) that sees adds, updates
 * and deletes and survives a 410 Expired by relisting. The apiserver's
 * watch window is shrunk so an old resourceVersion expires quickly, and
 * watches end after a second or two so the informer reconnects with it.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CoreV1Api, KubeConfig, ListWatch, Watch, type V1ConfigMap } from "@kubernetes/client-node";
import { startCluster, type Cluster } from "../../scripts/lib/cluster.ts";
import { eventually } from "./helpers.ts";

let cluster: Cluster;
let kc: KubeConfig;
let core: CoreV1Api;
test.before(async () => {
  // Watches end after 1–2 s (kube-apiserver's --min-request-timeout, shortened) so the informer reconnects often.
  cluster = await startCluster({ nodes: 1, nodeWorkers: 1, port: 0, apiserver: { watchWindow: 5 }, front: { minRequestTimeoutSeconds: 1 } });
  kc = new KubeConfig();
  kc.loadFromFile(cluster.api!.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
});
test.after(async () => {
  await cluster?.stop();
});

const cm = (name: string, labels: Record<string, string>, data: Record<string, string> = {}): V1ConfigMap => ({ metadata: { name, labels }, data });

test("typed calls: create, read, list with a label selector, Status errors as exceptions", async () => {
  await core.createNamespacedConfigMap({ namespace: "default", body: cm("typed", { app: "typed" }, { a: "1" }) });
  const got = await core.readNamespacedConfigMap({ namespace: "default", name: "typed" });
  assert.equal(got.data, { a: "1" });
  const list = await core.listNamespacedConfigMap({ namespace: "default", labelSelector: "app=typed" });
  assert.equal(list.items.map((i) => i.metadata?.name), ["typed"]);
  try {
    await core.readNamespacedConfigMap({ namespace: "default", name: "missing" });
    assert.unreachable("a missing object is an error");
  } catch (err) {
    assert.is((err as { code?: number }).code, 404);
  }
});

test("an informer sees add, update and delete, and relists after 410 Expired", async () => {
  const events: string[] = [];
  const expired: number[] = [];
  let lists = 0;
  const watch = new Watch(kc);
  const spy = {
    watch: (path: string, params: Record<string, string | number | boolean | undefined>, cb: (type: string, obj: { code?: number }, raw: unknown) => void, done: (err: unknown) => void) =>
      watch.watch(path, params, (type, obj, raw) => {
        if (type === "ERROR") expired.push((obj as { code?: number }).code ?? 0);
        cb(type, obj as { code?: number }, raw);
      }, done),
  } as unknown as Watch;
  const list = () => {
    lists++;
    return core.listNamespacedConfigMap({ namespace: "default", labelSelector: "app=inf" });
  };
  const informer = new ListWatch<V1ConfigMap>("/api/v1/namespaces/default/configmaps", spy, list, false, "app=inf");
  informer.on("add", (o) => events.push(`add ${o.metadata?.name}`));
  informer.on("update", (o) => events.push(`update ${o.metadata?.name} ${o.data?.v}`));
  informer.on("delete", (o) => events.push(`delete ${o.metadata?.name}`));
  const errors: unknown[] = [];
  informer.on("error", (e) => errors.push(e));
  await informer.start();
  try {
    await core.createNamespacedConfigMap({ namespace: "default", body: cm("a", { app: "inf" }, { v: "1" }) });
    await eventually("add seen", () => events.includes("add a"));
    await core.replaceNamespacedConfigMap({ namespace: "default", name: "a", body: { ...(await core.readNamespacedConfigMap({ namespace: "default", name: "a" })), data: { v: "2" } } });
    await eventually("update seen", () => events.includes("update a 2"));
    await core.deleteNamespacedConfigMap({ namespace: "default", name: "a" });
    await eventually("delete seen", () => events.includes("delete a"));
    assert.equal(events, ["add a", "update a 2", "delete a"]);

    // Writes the informer does not see push its resourceVersion out of the 5-event window.
    for (let i = 0; i < 12; i++) await core.createNamespacedConfigMap({ namespace: "default", body: cm(`noise-${i}`, { app: "noise" }) });
    await eventually("410 Expired on reconnect", () => expired.includes(410), 10_000);
    await eventually("relisted", () => lists >= 2, 10_000);

    await core.createNamespacedConfigMap({ namespace: "default", body: cm("b", { app: "inf" }) });
    await eventually("add after relist", () => events.includes("add b"), 10_000);
    assert.equal(informer.list("default").map((o) => o.metadata?.name), ["b"]);
    assert.equal(errors, [], "the 410 was handled, not reported as an error");
  } finally {
    await informer.stop();
  }
});

test.run();
