// Deployments end to end on real workers: apiserver, scheduler, controller-manager, CNI and kubelets
// with simulated containers, each in its own thread. A watch on pods checks every observed state.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { until as poll } from "../../poll.ts";
import { startCluster, waitForNodes, type Cluster } from "../../../scripts/lib/cluster.ts";
import { ApiClient } from "../../../actors/api/client.ts";
import type { ActorFactory } from "../../../runtime/actor.ts";
import type { WatchEvent } from "../../../actors/api/meta.ts";
import type { WatchMessage } from "../../../actors/api/protocol.ts";
import type { Deployment, ReplicaSet } from "../../../actors/api/types/apps.ts";
import type { Pod } from "../../../actors/api/types/core-pod.ts";

const REV = "deployment.kubernetes.io/revision";

/** Every pod event of the cluster, and the pods as they stand after each. */
interface PodLog {
  pods: Map<string, Pod>;
  added: Pod[];
  /** Called after each single event with the pods as they stand. */
  onState?: (pods: Map<string, Pod>) => void;
}

const podWatcher: ActorFactory<PodLog, WatchMessage> = async (ctx, log) => {
  const apply = (events: WatchEvent[]) => {
    for (const e of events) {
      const p = e.object as Pod;
      if (e.type === "BOOKMARK" || e.type === "ERROR") continue;
      const key = `${p.metadata.namespace}/${p.metadata.name}`;
      if (e.type === "DELETED") log.pods.delete(key);
      else log.pods.set(key, p);
      if (e.type === "ADDED") log.added.push(p);
      log.onState?.(log.pods);
    }
  };
  await new ApiClient(ctx).watch("pods", { watcher: ctx.self, namespace: "default" });
  return { handlers: { "api.watch.events": (m) => apply(m.events), "api.watch.closed": () => undefined } };
};

let cluster: Cluster;
const log: PodLog = { pods: new Map(), added: [] };
const api = () => new ApiClient(cluster.supervisor);

const until = <T>(what: string, fn: () => Promise<T | undefined | false>, ms?: number) => poll(what, fn, ms, 50);

const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
const podsOf = (app: string) => [...log.pods.values()].filter((p) => p.metadata.labels?.app === app && !p.metadata.deletionTimestamp);

/** What `kubectl rollout status` waits for, from the same fields. */
async function rolledOut(name: string, ms?: number): Promise<Deployment> {
  return until(`deployment ${name} to roll out`, async () => {
    const d = await api().get<Deployment>("deployments.apps", name, { namespace: "default" });
    const s = d.status ?? {};
    const n = d.spec.replicas ?? 1;
    const done = (d.metadata.generation ?? 0) <= (s.observedGeneration ?? 0) && (s.updatedReplicas ?? 0) >= n &&
      (s.replicas ?? 0) <= (s.updatedReplicas ?? 0) && (s.availableReplicas ?? 0) >= (s.updatedReplicas ?? 0) &&
      s.conditions?.some((c) => c.type === "Available" && c.status === "True");
    return done && d;
  }, ms);
}

/** Checks maxSurge/maxUnavailable on every pod state the watch shows. */
function guardBounds(app: string, replicas: number, surge: number, unavailable: number) {
  const seen = { states: 0, maxPods: 0, minReady: Infinity, violations: [] as string[] };
  log.onState = () => {
    const pods = podsOf(app);
    const ready = pods.filter(isReady).length;
    seen.states++;
    seen.maxPods = Math.max(seen.maxPods, pods.length);
    seen.minReady = Math.min(seen.minReady, ready);
    if (pods.length > replicas + surge) seen.violations.push(`${pods.length} pods > ${replicas} + ${surge}`);
    if (ready < replicas - unavailable) seen.violations.push(`${ready} ready < ${replicas} - ${unavailable}`);
  };
  return seen;
}

const setImage = (name: string, image: string) =>
  api().patch("deployments.apps", name, "strategic", { spec: { template: { spec: { containers: [{ name: "web", image }] } } } }, { namespace: "default" });
const createdFor = (image: string) => log.added.filter((p) => p.metadata.labels?.app === "web" && p.spec.containers[0].image === image).length;

test.before(async () => {
  cluster = await startCluster({ nodes: 3, logLevel: "error" });
  await waitForNodes(cluster, 3, 20_000);
  await cluster.supervisor.spawnLocal("pod-watch", podWatcher as unknown as ActorFactory<PodLog>, log);
});

test.after(async () => {
  await cluster?.stop();
});

test("a Deployment of 10 rolls out to Available: 10 Running, Ready pods, exactly 10 created", async () => {
  await api().create("deployments.apps", {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default" },
    spec: {
      replicas: 10,
      selector: { matchLabels: { app: "web" } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 2, maxUnavailable: 1 } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.27" }] } },
    },
  });
  const d = await rolledOut("web");
  assert.is(d.status!.availableReplicas, 10);
  assert.is(d.metadata.annotations![REV], "1");
  const progressing = d.status!.conditions!.find((c) => c.type === "Progressing")!;
  await until("NewReplicaSetAvailable", async () => {
    const x = await api().get<Deployment>("deployments.apps", "web", { namespace: "default" });
    return x.status?.conditions?.find((c) => c.type === "Progressing")?.reason === "NewReplicaSetAvailable";
  });
  assert.is(progressing.status, "True");
  const pods = podsOf("web");
  assert.is(pods.length, 10);
  assert.ok(pods.every((p) => p.status?.phase === "Running" && isReady(p) && p.spec.nodeName && p.status.podIP));
  assert.is(new Set(pods.map((p) => p.spec.nodeName)).size, 3, "spread over the three nodes");
  assert.is(createdFor("nginx:1.27"), 10);
});

test("a template change rolls with at most 12 pods and at least 9 ready in every observed state", async () => {
  const seen = guardBounds("web", 10, 2, 1);
  await setImage("web", "nginx:1.28");
  const d = await rolledOut("web");
  await until("old pods gone", async () => podsOf("web").every((p) => p.spec.containers[0].image === "nginx:1.28") && podsOf("web").length === 10);
  log.onState = undefined;
  assert.equal(seen.violations, []);
  assert.ok(seen.states > 20, `${seen.states} states observed`);
  assert.is(seen.maxPods, 12, "the surge was used");
  assert.is(d.metadata.annotations![REV], "2");
  assert.is(createdFor("nginx:1.28"), 10, "one creation per new pod");
});

test("rollback to the first template reuses its ReplicaSet as revision 3", async () => {
  const seen = guardBounds("web", 10, 2, 1);
  const before = (await cluster.list<ReplicaSet>("replicasets.apps", "default")).find((rs) => rs.spec.template.spec.containers[0].image === "nginx:1.27")!;
  await setImage("web", "nginx:1.27");
  const d = await rolledOut("web");
  await until("old pods gone", async () => podsOf("web").every((p) => p.spec.containers[0].image === "nginx:1.27") && podsOf("web").length === 10);
  log.onState = undefined;
  assert.equal(seen.violations, []);
  const sets = await cluster.list<ReplicaSet>("replicasets.apps", "default");
  assert.is(sets.length, 2);
  const back = sets.find((rs) => rs.metadata.uid === before.metadata.uid)!;
  assert.is(back.metadata.annotations![REV], "3");
  assert.is(back.spec.replicas, 10);
  assert.is(d.metadata.annotations![REV], "3");
  assert.is(createdFor("nginx:1.27"), 20);
});

test("the controller-manager crashed mid-rollout resumes by relisting, without extra pods", async () => {
  const seen = guardBounds("web", 10, 2, 1);
  const restarted = new Promise<void>((resolve) => {
    const off = cluster.supervisor.on((e) => {
      if (e.worker === "controller-manager" && e.type === "started") {
        off();
        resolve();
      }
    });
  });
  await setImage("web", "nginx:1.29");
  await until("the rollout under way", async () => createdFor("nginx:1.29") >= 3, 10_000);
  await cluster.supervisor.crash("controller-manager", "test: crash mid-rollout");
  await restarted;
  const d = await rolledOut("web", 20_000);
  await until("old pods gone", async () => podsOf("web").every((p) => p.spec.containers[0].image === "nginx:1.29") && podsOf("web").length === 10);
  log.onState = undefined;
  assert.equal(seen.violations, []);
  assert.is(createdFor("nginx:1.29"), 10, "exactly one creation per new pod across the restart");
  assert.is(d.metadata.annotations![REV], "4");
  assert.ok(cluster.supervisor.workers().find((w) => w.name === "controller-manager")!.restarts >= 1);
});

test.run();
