// Node failure end to end on real workers (apiserver, scheduler, controller-manager, CNI, kubelets
// with simulated containers): a silenced kubelet's node goes Unknown, gets tainted, its pods are
// evicted and — when the ReplicaSet controller runs — come back on the other nodes.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { until } from "../../poll.ts";
import { startCluster, waitForNodes, type Cluster } from "../../../scripts/lib/cluster.ts";
import { controllerFactories } from "../../../actors/controller-manager/index.ts";
import { ApiClient } from "../../../actors/api/client.ts";
import type { KubeObject } from "../../../actors/api/meta.ts";
import type { Node } from "../../../actors/api/types/core-node.ts";
import type { Pod, Toleration } from "../../../actors/api/types/core-pod.ts";

const GRACE_MS = 4_000;
// Pods tolerate a dead node for 1 s instead of DefaultTolerationSeconds' 300 s, as users do for fast failover.
const tolerations: Toleration[] = [
  { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 1 },
  { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 1 },
];
const labels = { app: "web" };
const spec = { tolerations, terminationGracePeriodSeconds: 1, containers: [{ name: "web", image: "nginx:1.27" }] };

const running = (p: Pod) => !p.metadata.deletionTimestamp && p.status?.phase === "Running" && Boolean(p.spec.nodeName);
const ready = (n: Node) => n.status?.conditions?.find((c) => c.type === "Ready")?.status;

test("killing a node's kubelet makes its pods reappear on other nodes", async () => {
  const withReplicaSets = "replicaset" in controllerFactories;
  let cluster: Cluster | undefined;
  try {
    cluster = await startCluster({
      nodes: 3,
      controllerManager: { nodeMonitorGracePeriodMs: GRACE_MS, nodeMonitorPeriodMs: 500 },
      kubelet: { heartbeatMs: 500, leaseDurationSeconds: GRACE_MS / 1000 },
    });
    await waitForNodes(cluster, 3, 30_000);
    const api = new ApiClient(cluster.supervisor);
    const pods = async () => (await api.list<Pod>("pods", { namespace: "default", labelSelector: "app=web" })).items;

    if (withReplicaSets) {
      await api.create("replicasets.apps", { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "web", namespace: "default" }, spec: { replicas: 6, selector: { matchLabels: labels }, template: { metadata: { labels }, spec } } } as KubeObject);
    } else {
      // Without the ReplicaSet controller nothing re-creates pods: this checks eviction only.
      for (let i = 0; i < 6; i++) await api.create<Pod>("pods", { apiVersion: "v1", kind: "Pod", metadata: { name: `web-${i}`, namespace: "default", labels }, spec });
    }
    const before = await until("6 pods running", async () => {
      const ps = (await pods()).filter(running);
      return ps.length === 6 && ps;
    });
    const perNode = new Map<string, string[]>();
    for (const p of before) perNode.set(p.spec.nodeName!, [...(perNode.get(p.spec.nodeName!) ?? []), p.metadata.name!]);
    const [victim, victims] = [...perNode].sort((a, b) => b[1].length - a[1].length)[0];
    assert.ok(victims.length > 0);

    await cluster.supervisor.ask(`kubelet/${victim}`, { type: "kubelet.silence" });
    const silencedAt = Date.now();
    const dead = await until(`${victim} to be marked Unknown and tainted`, async () => {
      const n = await api.get<Node>("nodes", victim);
      return ready(n) === "Unknown" && n.spec?.taints?.some((t) => t.key === "node.kubernetes.io/unreachable" && t.effect === "NoExecute") && n;
    });
    assert.ok(Date.now() - silencedAt >= GRACE_MS - 500, "not before the grace period");
    assert.is(dead.status!.conditions!.find((c) => c.type === "Ready")!.reason, "NodeStatusUnknown");

    await until("the dead node's pods to be evicted", async () => {
      const ps = await pods();
      return victims.every((name) => { const p = ps.find((x) => x.metadata.name === name); return !p || p.metadata.deletionTimestamp; });
    });
    const events = (await api.list<KubeObject & { reason: string; message: string }>("events", { namespace: "default" })).items;
    for (const name of victims) assert.ok(events.some((e) => e.reason === "TaintManagerEviction" && e.message === `Marking for deletion Pod default/${name}`), `eviction event for ${name}`);
    assert.ok(events.some((e) => e.reason === "NodeNotReady" && e.message === `Node ${victim} status is now: NodeNotReady`));

    if (withReplicaSets) {
      const after = await until("6 pods running again, none on the dead node", async () => {
        const ps = (await pods()).filter(running);
        return ps.length === 6 && ps.every((p) => p.spec.nodeName !== victim) && ps;
      }, 30_000);
      assert.ok(after.every((p) => !victims.includes(p.metadata.name!)), "replacements are new pods");
    }

    await cluster.supervisor.ask(`kubelet/${victim}`, { type: "kubelet.resume" });
    await until(`${victim} to be Ready and untainted again`, async () => {
      const n = await api.get<Node>("nodes", victim);
      return ready(n) === "True" && !(n.spec?.taints ?? []).some((t) => t.key.startsWith("node.kubernetes.io/"));
    });
  } finally {
    await cluster?.stop();
  }
});

test.run();
