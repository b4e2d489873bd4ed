// The Deployment controller (with the ReplicaSet controller) against the real apiserver actor, in process, on simulated time.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Deployment, ReplicaSet } from "../../../actors/api/types/apps.ts";
import type { Pod } from "../../../actors/api/types/core-pod.ts";
import { computeHash } from "../../../actors/controller-manager/deployment-util.ts";
import { runPod, setup, template } from "./replicaset-harness.ts";

type Harness = Awaited<ReturnType<typeof setup>>;
const REV = "deployment.kubernetes.io/revision";

function deployment(name: string, replicas: number, extra: Partial<Deployment["spec"]> = {}, image = "nginx:1.27"): Deployment {
  return { apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: "default" }, spec: { replicas, selector: { matchLabels: { app: name } }, template: template({ app: name }, image), ...extra } };
}

const setImage = (h: Harness, name: string, image: string) =>
  h.client.patch("deployments.apps", name, "strategic", { spec: { template: { spec: { containers: [{ name: "web", image }] } } } }, { namespace: "default" });

const condition = (d: Deployment, type: string) => d.status?.conditions?.find((c) => c.type === type);
const setsOf = async (h: Harness) => (await h.replicaSets()).sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
const imageOf = (rs: ReplicaSet) => rs.spec.template.spec.containers[0].image;

/** The kubelet's part: every live pod not yet ready becomes Running and Ready now. */
async function readyAll(h: Harness): Promise<number> {
  let n = 0;
  for (const p of await h.activePods()) {
    if (p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")) continue;
    await runPod(h.client, p, { at: h.clock.now() });
    n++;
  }
  return n;
}

/** Plays kubelet until the Deployment is complete (observed, updated, available, old pods gone). */
async function rollOut(h: Harness, name: string, check?: (pods: Pod[]) => void): Promise<Deployment> {
  return h.until(`${name} rolled out`, async () => {
    check?.(await h.activePods());
    await readyAll(h);
    check?.(await h.activePods());
    const d = await h.deployment(name);
    const s = d.status ?? {};
    const n = d.spec.replicas!;
    const done = s.observedGeneration === d.metadata.generation && s.updatedReplicas === n && s.replicas === n && s.availableReplicas === n &&
      condition(d, "Progressing")?.reason === "NewReplicaSetAvailable";
    return done && d;
  });
}

test("a new Deployment: ReplicaSet <name>-<pod-template-hash>, revision 1, the event, then status and conditions as kubectl reads them", async () => {
  const h = await setup({ controllers: ["replicaset", "deployment"] });
  try {
    await h.client.create("deployments.apps", deployment("web", 3));
    const rs = await h.until("replicaset", async () => (await setsOf(h))[0]);
    const hash = rs.metadata.labels!["pod-template-hash"];
    assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    assert.is(rs.metadata.name, `web-${hash}`);
    assert.equal(rs.spec.selector, { matchLabels: { app: "web", "pod-template-hash": hash } });
    assert.equal(rs.spec.template.metadata!.labels, { app: "web", "pod-template-hash": hash });
    assert.equal(rs.metadata.annotations, { [REV]: "1", "deployment.kubernetes.io/desired-replicas": "3", "deployment.kubernetes.io/max-replicas": "4" });
    const d0 = await h.deployment("web");
    assert.is(rs.metadata.ownerReferences![0].uid, d0.metadata.uid);
    assert.is(rs.metadata.ownerReferences![0].controller, true);
    // Before any pod is ready: not available, progressing.
    const waiting = await h.until("progressing", async () => {
      const d = await h.deployment("web");
      return d.status?.updatedReplicas === 3 && d;
    });
    assert.equal([condition(waiting, "Available")?.status, condition(waiting, "Available")?.reason], ["False", "MinimumReplicasUnavailable"]);
    assert.is(condition(waiting, "Available")?.message, "Deployment does not have minimum availability.");
    assert.ok(["NewReplicaSetCreated", "ReplicaSetUpdated"].includes(condition(waiting, "Progressing")!.reason!));
    assert.is(waiting.status!.unavailableReplicas, 3);
    const d = await rollOut(h, "web");
    assert.is(d.metadata.annotations![REV], "1");
    const { conditions, ...counters } = d.status!;
    assert.equal(counters, { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    assert.equal(conditions!.map((c) => [c.type, c.status, c.reason, c.message]).sort(), [
      ["Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability."],
      ["Progressing", "True", "NewReplicaSetAvailable", `ReplicaSet "web-${hash}" has successfully progressed.`],
    ]);
    const scaling = (await h.events()).filter((e) => e.reason === "ScalingReplicaSet").map((e) => e.message);
    assert.equal(scaling, [`Scaled up replica set web-${hash} from 0 to 3`]);
  } finally {
    await h.stop();
  }
});

const fenceCases: { strategy: { maxSurge: number | string; maxUnavailable: number | string }; replicas: number; surge: number; unavailable: number }[] = [
  { strategy: { maxSurge: 1, maxUnavailable: 1 }, replicas: 4, surge: 1, unavailable: 1 },
  { strategy: { maxSurge: "25%", maxUnavailable: "25%" }, replicas: 10, surge: 3, unavailable: 2 },
  { strategy: { maxSurge: 0, maxUnavailable: 2 }, replicas: 5, surge: 0, unavailable: 2 },
  { strategy: { maxSurge: "50%", maxUnavailable: 0 }, replicas: 5, surge: 3, unavailable: 0 },
];

for (const c of fenceCases) {
  test(`rolling update within bounds: ${c.replicas} replicas, maxSurge ${c.strategy.maxSurge}, maxUnavailable ${c.strategy.maxUnavailable}`, async () => {
    const h = await setup({ controllers: ["replicaset", "deployment"] });
    try {
      await h.client.create("deployments.apps", deployment("web", c.replicas, { strategy: { type: "RollingUpdate", rollingUpdate: c.strategy } }));
      await rollOut(h, "web");
      await setImage(h, "web", "nginx:1.28");
      let states = 0;
      let maxSeen = 0;
      let minReady = Infinity;
      const d = await rollOut(h, "web", (pods) => {
        states++;
        const ready = pods.filter((p) => p.status?.conditions?.some((x) => x.type === "Ready" && x.status === "True")).length;
        maxSeen = Math.max(maxSeen, pods.length);
        minReady = Math.min(minReady, ready);
        assert.ok(pods.length <= c.replicas + c.surge, `${pods.length} pods > ${c.replicas} + ${c.surge}`);
        assert.ok(ready >= c.replicas - c.unavailable, `${ready} ready < ${c.replicas} - ${c.unavailable}`);
      });
      assert.ok(states > 4);
      assert.is(maxSeen, c.replicas + c.surge, "the surge is used");
      assert.is(minReady, c.replicas - c.unavailable, "and so is the allowed unavailability");
      assert.is(d.metadata.annotations![REV], "2");
      const sets = await setsOf(h);
      assert.equal(sets.map((rs) => [imageOf(rs), rs.spec.replicas, rs.metadata.annotations![REV]]).sort(), [["nginx:1.27", 0, "1"], ["nginx:1.28", c.replicas, "2"]]);
      assert.ok((await h.activePods()).every((p) => p.spec.containers[0].image === "nginx:1.28"));
    } finally {
      await h.stop();
    }
  });
}

test("Recreate: old pods all gone before the new ReplicaSet is created at full size", async () => {
  const h = await setup({ controllers: ["replicaset", "deployment"] });
  try {
    await h.client.create("deployments.apps", deployment("web", 3, { strategy: { type: "Recreate" } }));
    await rollOut(h, "web");
    for (const p of await h.activePods()) await h.client.bind("default", p.metadata.name!, "n1"); // on a node: deletion is graceful
    await setImage(h, "web", "nginx:1.28");
    const old = await h.until("old scaled to 0, pods terminating", async () => {
      const pods = await h.pods();
      return pods.length === 3 && pods.every((p) => p.metadata.deletionTimestamp) && pods;
    });
    await h.clock.advance(5_000);
    await h.settle(50);
    assert.is((await setsOf(h)).length, 1, "no new ReplicaSet while old pods exist");
    for (const p of old) await h.client.delete("pods", p.metadata.name!, { namespace: "default", gracePeriodSeconds: 0 });
    const d = await rollOut(h, "web");
    assert.is(d.metadata.annotations![REV], "2");
    const scaling = (await h.events()).filter((e) => e.reason === "ScalingReplicaSet").map((e) => e.message.replace(/web-[a-z0-9]+/, "web-X"));
    assert.equal(scaling, ["Scaled up replica set web-X from 0 to 3", "Scaled down replica set web-X from 3 to 0", "Scaled up replica set web-X from 0 to 3"]);
  } finally {
    await h.stop();
  }
});

test("scaling mid-rollout spreads the new replicas over old and new ReplicaSets in proportion", async () => {
  const h = await setup({ controllers: ["replicaset", "deployment"] });
  try {
    await h.client.create("deployments.apps", deployment("web", 10, { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } }));
    await rollOut(h, "web");
    await setImage(h, "web", "nginx:1.28"); // new pods never become ready: the rollout stalls at old 8, new 5
    const sizes = async () => (await setsOf(h)).map((rs) => [imageOf(rs), rs.spec.replicas]).sort();
    await h.until("stalled", async () => JSON.stringify(await sizes()) === JSON.stringify([["nginx:1.27", 8], ["nginx:1.28", 5]]));
    await h.client.patch("deployments.apps", "web", "merge", { spec: { replicas: 20 } }, { namespace: "default" });
    await h.until("proportional", async () => JSON.stringify(await sizes()) === JSON.stringify([["nginx:1.27", 14], ["nginx:1.28", 9]]));
    const sets = await setsOf(h);
    assert.ok(sets.every((rs) => rs.metadata.annotations!["deployment.kubernetes.io/desired-replicas"] === "20" && rs.metadata.annotations!["deployment.kubernetes.io/max-replicas"] === "23"));
  } finally {
    await h.stop();
  }
});

test("rollback: the template set back reuses the old ReplicaSet, which becomes revision 3 (history 1)", async () => {
  const h = await setup({ controllers: ["replicaset", "deployment"] });
  try {
    await h.client.create("deployments.apps", deployment("web", 3));
    await rollOut(h, "web");
    const first = (await setsOf(h))[0];
    await setImage(h, "web", "nginx:1.28");
    await rollOut(h, "web");
    await setImage(h, "web", "nginx:1.27");
    const d = await rollOut(h, "web");
    const sets = await setsOf(h);
    assert.is(sets.length, 2, "no third ReplicaSet");
    const back = sets.find((rs) => rs.metadata.uid === first.metadata.uid)!;
    assert.is(back.spec.replicas, 3);
    assert.is(back.metadata.annotations![REV], "3");
    assert.is(back.metadata.annotations!["deployment.kubernetes.io/revision-history"], "1");
    assert.is(d.metadata.annotations![REV], "3");
    assert.is(sets.find((rs) => rs !== back)!.spec.replicas, 0);
  } finally {
    await h.stop();
  }
});

test("revisionHistoryLimit keeps only that many old ReplicaSets", async () => {
  const h = await setup({ controllers: ["replicaset", "deployment"] });
  try {
    await h.client.create("deployments.apps", deployment("web", 2, { revisionHistoryLimit: 1 }));
    await rollOut(h, "web");
    for (const image of ["nginx:1.28", "nginx:1.29", "nginx:1.30"]) {
      await setImage(h, "web", image);
      await rollOut(h, "web");
    }
    const sets = await h.until("old sets pruned", async () => {
      const s = await setsOf(h);
      return s.length === 2 && s;
    });
    assert.equal(sets.map((rs) => [imageOf(rs), rs.metadata.annotations![REV]]).sort(), [["nginx:1.29", "3"], ["nginx:1.30", "4"]]);
  } finally {
    await h.stop();
  }
});

test("paused: no rollout, Progressing Unknown/DeploymentPaused, scaling still applies; resumed: rolls out", async () => {
  const h = await setup({ controllers: ["replicaset", "deployment"] });
  try {
    await h.client.create("deployments.apps", deployment("web", 2));
    await rollOut(h, "web");
    await h.client.patch("deployments.apps", "web", "merge", { spec: { paused: true } }, { namespace: "default" });
    await setImage(h, "web", "nginx:1.28");
    await h.client.patch("deployments.apps", "web", "merge", { spec: { replicas: 4 } }, { namespace: "default" });
    const paused = await h.until("paused condition and scale", async () => {
      const d = await h.deployment("web");
      const sets = await setsOf(h);
      return condition(d, "Progressing")?.reason === "DeploymentPaused" && sets.length === 1 && sets[0].spec.replicas === 4 && d;
    });
    assert.equal([condition(paused, "Progressing")!.status, condition(paused, "Progressing")!.message], ["Unknown", "Deployment is paused"]);
    assert.is(imageOf((await setsOf(h))[0]), "nginx:1.27");
    await h.client.patch("deployments.apps", "web", "merge", { spec: { paused: false } }, { namespace: "default" });
    const d = await rollOut(h, "web");
    assert.is(d.metadata.annotations![REV], "2");
    assert.ok((await h.activePods()).every((p) => p.spec.containers[0].image === "nginx:1.28"));
    assert.is((await h.activePods()).length, 4);
  } finally {
    await h.stop();
  }
});

test("progressDeadlineSeconds: a stalled rollout turns Progressing False/ProgressDeadlineExceeded on its own", async () => {
  const h = await setup({ controllers: ["replicaset", "deployment"] });
  try {
    await h.client.create("deployments.apps", deployment("web", 2, { progressDeadlineSeconds: 60 }));
    await h.until("pods", async () => (await h.activePods()).length === 2);
    await h.clock.advance(30_000);
    await h.settle(50);
    assert.is(condition(await h.deployment("web"), "Progressing")!.status, "True", "within the deadline");
    await h.clock.advance(40_000);
    const d = await h.until("deadline", async () => {
      const x = await h.deployment("web");
      return condition(x, "Progressing")?.reason === "ProgressDeadlineExceeded" && x;
    }, 300);
    const rs = (await setsOf(h))[0];
    const c = condition(d, "Progressing")!;
    assert.equal([c.status, c.message], ["False", `ReplicaSet "${rs.metadata.name}" has timed out progressing.`]);
    assert.is(condition(d, "Available")!.status, "False");
  } finally {
    await h.stop();
  }
});

test("a name taken by a foreign ReplicaSet: collisionCount rises and the ReplicaSet gets another hash", async () => {
  const h = await setup({ controllers: ["replicaset", "deployment"] });
  try {
    const created = await h.client.create<Deployment>("deployments.apps", deployment("web", 1, { paused: true }));
    const hash = computeHash(created.spec.template);
    const foreign: ReplicaSet = { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: `web-${hash}`, namespace: "default" }, spec: { replicas: 0, selector: { matchLabels: { app: "other" } }, template: template({ app: "other" }) } };
    await h.client.create("replicasets.apps", foreign);
    await h.client.patch("deployments.apps", "web", "merge", { spec: { paused: false } }, { namespace: "default" });
    const d = await rollOut(h, "web");
    assert.is(d.status!.collisionCount, 1);
    const ours = (await setsOf(h)).find((rs) => rs.metadata.ownerReferences?.[0]?.uid === d.metadata.uid)!;
    assert.is(ours.metadata.name, `web-${computeHash(created.spec.template, 1)}`);
    assert.is.not(ours.metadata.name, `web-${hash}`);
  } finally {
    await h.stop();
  }
});

test("an orphan ReplicaSet with the Deployment's template is adopted and used, not duplicated", async () => {
  const h = await setup({ controllers: ["replicaset", "deployment"], start: false });
  try {
    const orphan: ReplicaSet = { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "web-handmade", namespace: "default", labels: { app: "web" } }, spec: { replicas: 2, selector: { matchLabels: { app: "web" } }, template: template({ app: "web" }) } };
    await h.client.create("replicasets.apps", orphan);
    await h.client.create("deployments.apps", deployment("web", 2));
    await h.startManager();
    const d = await rollOut(h, "web");
    const sets = await setsOf(h);
    assert.equal(sets.map((rs) => rs.metadata.name), ["web-handmade"]);
    assert.is(sets[0].metadata.ownerReferences![0].uid, d.metadata.uid);
    assert.is(sets[0].metadata.annotations![REV], "1");
  } finally {
    await h.stop();
  }
});

test.run();
