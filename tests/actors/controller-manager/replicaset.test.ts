// The ReplicaSet controller against the real apiserver actor, in process, on simulated time.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Pod } from "../../../actors/api/types/core-pod.ts";
import type { ReplicaSet } from "../../../actors/api/types/apps.ts";
import { replicaSet, runPod, setup, template } from "./replicaset-harness.ts";

type Harness = Awaited<ReturnType<typeof setup>>;

const orphan = (name: string, labels: Record<string, string>, extra: Partial<Pod["spec"]> = {}, meta: Partial<Pod["metadata"]> = {}): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "default", labels, ...meta },
  spec: { containers: [{ name: "web", image: "nginx:1.27" }], ...extra },
});

const ownedBy = (pods: Pod[], rs: ReplicaSet) => pods.filter((p) => p.metadata.ownerReferences?.some((r) => r.uid === rs.metadata.uid && r.controller));
const active = (pods: Pod[]) => pods.filter((p) => !p.metadata.deletionTimestamp);

/** Waits until the ReplicaSet observed its generation and controls `replicas` active pods. */
async function converged(h: Harness, name: string, want?: number): Promise<{ rs: ReplicaSet; pods: Pod[] }> {
  return h.until(`${name} to converge`, async () => {
    const rs = await h.rs(name);
    const pods = active(ownedBy(await h.pods(), rs));
    const n = want ?? rs.spec.replicas!;
    const ok = rs.status?.observedGeneration === rs.metadata.generation && pods.length === n && (rs.status?.replicas ?? 0) === n;
    return ok && { rs, pods };
  });
}

interface Case {
  name: string;
  /** Objects created before the controller-manager starts. */
  before?(h: Harness): Promise<void>;
  rs: ReplicaSet;
  /** Runs once the ReplicaSet converged. */
  check(h: Harness, rs: ReplicaSet, pods: Pod[]): Promise<void>;
}

const cases: Case[] = [
  {
    name: "creates the missing pods: named <rs>-<5 chars>, labelled from the template, controlled by the ReplicaSet",
    rs: replicaSet("web", 3),
    async check(h, rs, pods) {
      assert.is(pods.length, 3);
      for (const p of pods) {
        assert.match(p.metadata.name!, /^web-[a-z0-9]{5}$/);
        assert.equal(p.metadata.labels, { app: "web" });
        assert.equal(p.metadata.ownerReferences, [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
      }
      assert.equal(rs.status, { replicas: 3, fullyLabeledReplicas: 3, observedGeneration: 1 });
      const events = await h.until("3 events", async () => {
        const e = (await h.events()).filter((x) => x.reason === "SuccessfulCreate");
        return e.length === 3 && e;
      });
      assert.equal(events.map((e) => e.message).sort(), pods.map((p) => `Created pod: ${p.metadata.name}`).sort());
      assert.ok(events.every((e) => e.type === "Normal" && e.involvedObject.kind === "ReplicaSet" && e.involvedObject.name === "web"));
    },
  },
  {
    name: "adopts matching orphans, leaves other controllers' pods and non-matching pods alone",
    async before(h) {
      await h.client.create("pods", orphan("stray-a", { app: "web" }));
      await h.client.create("pods", orphan("stray-b", { app: "web", extra: "x" }));
      await h.client.create("pods", orphan("other-app", { app: "db" }));
      await h.client.create("pods", orphan("someone-elses", { app: "web" }, {}, { ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "x", uid: "not-ours", controller: true }] }));
    },
    rs: replicaSet("web", 3),
    async check(h, _rs, pods) {
      const names = pods.map((p) => p.metadata.name!).sort();
      assert.ok(names.includes("stray-a") && names.includes("stray-b"), names.join());
      assert.is(names.filter((n) => /^web-/.test(n)).length, 1, "only the shortfall is created");
      const all = await h.pods();
      assert.is(all.find((p) => p.metadata.name === "other-app")!.metadata.ownerReferences, undefined);
      assert.equal(all.find((p) => p.metadata.name === "someone-elses")!.metadata.ownerReferences!.map((r) => r.uid), ["not-ours"]);
    },
  },
  {
    name: "ignores finished and terminating pods: they are neither counted nor adopted",
    async before(h) {
      const done = await h.client.create<Pod>("pods", orphan("done", { app: "web" }));
      await h.client.updateStatus("pods", { ...done, status: { ...done.status, phase: "Succeeded" } });
      await h.client.create("pods", orphan("leaving", { app: "web" }, { nodeName: "n1" }));
      await h.client.delete("pods", "leaving", { namespace: "default" });
    },
    rs: replicaSet("web", 2),
    async check(h, _rs, pods) {
      assert.ok(pods.every((p) => /^web-/.test(p.metadata.name!)), "two new pods");
      const all = await h.pods();
      assert.is(all.find((p) => p.metadata.name === "done")!.metadata.ownerReferences, undefined);
      assert.ok(all.find((p) => p.metadata.name === "leaving")!.metadata.deletionTimestamp);
    },
  },
  {
    name: "fullyLabeledReplicas counts only pods carrying every template label",
    async before(h) {
      await h.client.create("pods", orphan("partial", { app: "web" }));
    },
    rs: replicaSet("web", 2, { app: "web" }, { template: template({ app: "web", tier: "front" }) }),
    async check(_h, rs) {
      assert.is(rs.status!.replicas, 2);
      assert.is(rs.status!.fullyLabeledReplicas, 1);
    },
  },
];

for (const c of cases) {
  test(c.name, async () => {
    const h = await setup({ controllers: ["replicaset"], start: false });
    try {
      await c.before?.(h);
      await h.client.create("replicasets.apps", c.rs);
      await h.startManager();
      const { rs, pods } = await converged(h, c.rs.metadata.name!);
      await c.check(h, rs, pods);
    } finally {
      await h.stop();
    }
  });
}

test("a pod whose labels stop matching is released and replaced", async () => {
  const h = await setup({ controllers: ["replicaset"] });
  try {
    await h.client.create("replicasets.apps", replicaSet("web", 2));
    const { pods } = await converged(h, "web");
    const moved = pods[0];
    await h.client.patch("pods", moved.metadata.name!, "merge", { metadata: { labels: { app: "elsewhere" } } }, { namespace: "default" });
    const after = await h.until("release and replacement", async () => {
      const p = (await h.pods()).find((x) => x.metadata.name === moved.metadata.name)!;
      const { pods: owned } = await converged(h, "web");
      return !p.metadata.ownerReferences?.length && !owned.some((o) => o.metadata.name === moved.metadata.name) && owned;
    });
    assert.is(after.length, 2);
  } finally {
    await h.stop();
  }
});

test("scale-down deletes unscheduled, then pending, then not-ready, then most recently ready pods first", async () => {
  const h = await setup({ controllers: ["replicaset"], start: false });
  try {
    const t0 = h.clock.now();
    const mk = async (name: string, node?: string) => {
      await h.clock.advance(1000);
      return h.client.create<Pod>("pods", orphan(name, { app: "web" }, node ? { nodeName: node } : {}));
    };
    await mk("unscheduled");
    await mk("pending", "n1");
    const notReady = await mk("not-ready", "n1");
    const readyOld = await mk("ready-long", "n2");
    const readyNew = await mk("ready-recent", "n3");
    await runPod(h.client, notReady, { ready: false, at: t0 });
    await runPod(h.client, readyOld, { at: t0 - 3_600_000 });
    await runPod(h.client, readyNew, { at: h.clock.now() - 1000 });
    await h.client.create("replicasets.apps", replicaSet("web", 2));
    await h.startManager();
    const { pods } = await converged(h, "web");
    assert.equal(pods.map((p) => p.metadata.name).sort(), ["ready-long", "ready-recent"]);
    const all = await h.pods();
    assert.not.ok(all.some((p) => p.metadata.name === "unscheduled"), "an unscheduled pod is deleted at once");
    assert.ok(all.find((p) => p.metadata.name === "pending")!.metadata.deletionTimestamp, "pending pod deleted (gracefully: it is on a node)");
    await h.client.patch("replicasets.apps", "web", "merge", { spec: { replicas: 1 } }, { namespace: "default" });
    const { pods: left } = await converged(h, "web", 1);
    assert.equal(left.map((p) => p.metadata.name), ["ready-long"], "the pod ready for less time goes first");
    const deleted = await h.until("delete events", async () => {
      const e = (await h.events()).filter((x) => x.reason === "SuccessfulDelete").map((x) => x.message).sort();
      return e.length === 4 && e;
    });
    assert.equal(deleted, ["Deleted pod: not-ready", "Deleted pod: pending", "Deleted pod: ready-recent", "Deleted pod: unscheduled"]);
  } finally {
    await h.stop();
  }
});

test("availableReplicas honours minReadySeconds, re-checked when it elapses without any other event", async () => {
  const h = await setup({ controllers: ["replicaset"] });
  try {
    await h.client.create("replicasets.apps", replicaSet("web", 2, { app: "web" }, { minReadySeconds: 30 }));
    const { pods } = await converged(h, "web");
    for (const p of pods) await runPod(h.client, p, { at: h.clock.now() });
    let rs = await h.until("ready", async () => {
      const r = await h.rs("web");
      return r.status?.readyReplicas === 2 && r;
    });
    assert.is(rs.status!.availableReplicas, undefined, "ready but not yet available");
    await h.clock.advance(29_000);
    await h.settle();
    assert.is((await h.rs("web")).status!.availableReplicas, undefined, "29 s: still not available");
    await h.clock.advance(2_000);
    rs = await h.until("available", async () => {
      const r = await h.rs("web");
      return r.status?.availableReplicas === 2 && r;
    }, 200);
    assert.is(rs.status!.readyReplicas, 2);
  } finally {
    await h.stop();
  }
});

test("a refused creation: one attempt, a FailedCreate event and the ReplicaFailure condition, cleared once creations work", async () => {
  const h = await setup({ controllers: ["replicaset"] });
  try {
    h.proxy.refusePodCreates = "exceeded quota: compute, requested: pods=1, used: pods=10, limited: pods=10";
    await h.client.create("replicasets.apps", replicaSet("web", 3));
    const rs = await h.until("ReplicaFailure", async () => {
      const r = await h.rs("web");
      return r.status?.conditions?.some((c) => c.type === "ReplicaFailure") && r;
    });
    // Slow start: a sync tries one pod first, and its failure stops the sync (each later sync tries one again).
    assert.ok(h.proxy.creates.length >= 1 && h.proxy.creates.length < 3, `${h.proxy.creates.length} attempts`);
    const cond = rs.status!.conditions!.find((c) => c.type === "ReplicaFailure")!;
    assert.is(cond.status, "True");
    assert.is(cond.reason, "FailedCreate");
    assert.is(cond.message, 'pods "web-" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=10, limited: pods=10');
    const ev = await h.until("FailedCreate event", async () => (await h.events()).find((e) => e.reason === "FailedCreate"));
    assert.is(ev.type, "Warning");
    assert.is(ev.message, `Error creating: ${cond.message}`);
    delete h.proxy.refusePodCreates;
    await h.clock.advance(1_000); // past the retry back-off
    const done = await converged(h, "web");
    assert.is(done.rs.status!.conditions, undefined, "the condition is removed once creations succeed");
  } finally {
    await h.stop();
  }
});

test("expectations: 50 ReplicaSets scaled at once behind a lagging cache never create or delete more than asked", async () => {
  const h = await setup({ controllers: ["replicaset"], watchDelayMs: 1_500 });
  try {
    const n = 50;
    for (let i = 0; i < n; i++) await h.client.create("replicasets.apps", replicaSet(`rs-${i}`, 0));
    await h.clock.advance(2_000);
    await h.settle(100);
    const scale = (i: number, replicas: number) => h.client.patch("replicasets.apps", `rs-${i}`, "merge", { spec: { replicas } }, { namespace: "default" });
    await Promise.all(Array.from({ length: n }, (_, i) => scale(i, 10)));
    // While the cache lags, every ReplicaSet is synced again and again (each annotation change is an update event).
    for (let round = 0; round < 5; round++) {
      await h.clock.advance(400);
      await h.settle(20);
      await Promise.all(Array.from({ length: n }, (_, i) => h.client.patch("replicasets.apps", `rs-${i}`, "merge", { metadata: { annotations: { poke: String(round) } } }, { namespace: "default" })));
    }
    await h.until("500 pods", async () => (await h.clock.advance(500), (await h.activePods()).length === 500), 400);
    await h.clock.advance(5_000);
    await h.settle(100);
    assert.is(h.proxy.creates.length, 500, "exactly one creation per wanted pod");
    const perSet = new Map<string, number>();
    for (const c of h.proxy.creates) perSet.set(c.generateName!, (perSet.get(c.generateName!) ?? 0) + 1);
    assert.ok([...perSet.values()].every((v) => v === 10), JSON.stringify([...perSet]));
    await Promise.all(Array.from({ length: n }, (_, i) => scale(i, 4)));
    for (let round = 0; round < 5; round++) {
      await h.clock.advance(400);
      await h.settle(20);
      await Promise.all(Array.from({ length: n }, (_, i) => h.client.patch("replicasets.apps", `rs-${i}`, "merge", { metadata: { annotations: { poke: `down-${round}` } } }, { namespace: "default" })));
    }
    await h.until("200 pods", async () => (await h.clock.advance(500), (await h.activePods()).length === 200), 400);
    await h.clock.advance(5_000);
    await h.settle(100);
    assert.is((await h.activePods()).length, 200, "no extra deletions");
    assert.is(h.proxy.creates.length, 500, "no replacement creations after scale-down");
  } finally {
    await h.stop();
  }
});

test.run();
