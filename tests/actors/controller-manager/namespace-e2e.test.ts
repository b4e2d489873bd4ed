// Namespace deletion end to end on real workers: everything in the namespace goes (pods through
// their kubelets' graceful termination), then the namespace itself.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { until as poll } from "../../poll.ts";
import { startCluster, waitForNodes, type Cluster } from "../../../scripts/lib/cluster.ts";
import { controllerFactories } from "../../../actors/controller-manager/index.ts";
import { ApiClient } from "../../../actors/api/client.ts";
import type { KubeObject } from "../../../actors/api/meta.ts";
import type { Pod } from "../../../actors/api/types/core-pod.ts";
import type { ServiceAccount } from "../../../actors/api/types/core-config.ts";
import { errorCode } from "../../../runtime/errors.ts";

const NS = "shop";
const labels = { app: "web" };
const podSpec = { containers: [{ name: "web", image: "nginx:1.27" }] };

const until = <T>(what: string, fn: () => Promise<T | undefined | false>) => poll(what, fn, 30_000);

test("deleting a namespace removes everything in it", async () => {
  let cluster: Cluster | undefined;
  try {
    cluster = await startCluster({ nodes: 2 });
    await waitForNodes(cluster, 2, 30_000);
    const api = new ApiClient(cluster.supervisor);
    await api.create("namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
    const objects: [string, KubeObject][] = [
      ["configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: NS }, data: { a: "1" } }],
      ["secrets", { apiVersion: "v1", kind: "Secret", metadata: { name: "creds", namespace: NS }, stringData: { password: "x" } }],
      ["services", { apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: NS }, spec: { selector: labels, ports: [{ port: 80 }] } }],
    ];
    if ("replicaset" in controllerFactories) {
      objects.push(["replicasets.apps", { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "web", namespace: NS }, spec: { replicas: 3, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } } }]);
    } else {
      for (let i = 0; i < 3; i++) objects.push(["pods", { apiVersion: "v1", kind: "Pod", metadata: { name: `web-${i}`, namespace: NS, labels }, spec: podSpec }]);
    }
    for (const [resource, obj] of objects) await api.create(resource, obj);
    await until("3 pods running", async () => (await api.list<Pod>("pods", { namespace: NS })).items.filter((p) => p.status?.phase === "Running").length === 3);
    await until("the default ServiceAccount", () => api.get<ServiceAccount>("serviceaccounts", "default", { namespace: NS }));
    await until("kube-root-ca.crt", () => api.get("configmaps", "kube-root-ca.crt", { namespace: NS }));

    await api.delete("namespaces", NS);
    await until("the namespace to go", async () => errorCode(await api.get("namespaces", NS).then(() => undefined, (e: unknown) => e)) === "NotFound");
    for (const resource of ["pods", "replicasets.apps", "services", "endpoints", "configmaps", "secrets", "serviceaccounts", "events"]) {
      assert.equal((await api.list(resource, { namespace: NS })).items.map((o) => o.metadata.name), [], `no ${resource} left`);
    }
    const late = await api.create("configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "late", namespace: NS } }).then(() => undefined, (e: unknown) => e);
    assert.is(errorCode(late), "NotFound", "nothing can be created in a namespace that is gone");
  } finally {
    await cluster?.stop();
  }
});

test.run();
