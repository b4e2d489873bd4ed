// The pure parts of the Deployment controller: fenceposts, the pod-template hash, revisions, proportions.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Deployment, ReplicaSet } from "../../../actors/api/types/apps.ts";
import {
  REVISION, REVISION_HISTORY, computeHash, equalIgnoreHash, findActiveOrLatest, maxUnavailable, maxSurge, proportion, resolveFenceposts, setNewReplicaSetAnnotations,
} from "../../../actors/controller-manager/deployment-util.ts";
import { deploymentComplete, setCondition, newCondition, timedOut } from "../../../actors/controller-manager/deployment-status.ts";
import { template } from "./replicaset-harness.ts";

const fenceposts: [number | string, number | string, number, number, number][] = [
  // maxSurge, maxUnavailable, desired → surge, unavailable
  ["25%", "25%", 10, 3, 2], // surge rounds up, unavailable down
  ["25%", "25%", 4, 1, 1],
  ["25%", "25%", 1, 1, 0],
  ["10%", "10%", 5, 1, 0],
  ["0%", "0%", 5, 0, 1], // both zero: one may be unavailable so the rollout can move
  [0, "20%", 3, 0, 1], // 0.6 rounds down to 0, then to 1
  [2, 1, 10, 2, 1],
  ["100%", "100%", 7, 7, 7],
];

for (const [s, u, n, surge, unavailable] of fenceposts) {
  test(`fenceposts: maxSurge ${s}, maxUnavailable ${u} of ${n} → surge ${surge}, unavailable ${unavailable}`, () => {
    assert.equal(resolveFenceposts(s, u, n), { surge, unavailable });
  });
}

function dep(replicas: number, strategy?: Deployment["spec"]["strategy"]): Deployment {
  return { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "default", generation: 1 }, spec: { replicas, selector: { matchLabels: { app: "web" } }, template: template({ app: "web" }), strategy } };
}

test("maxUnavailable never exceeds the replicas, and Recreate allows neither surge nor unavailability", () => {
  assert.is(maxUnavailable(dep(2, { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 5 } })), 2);
  assert.is(maxUnavailable(dep(0, { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } })), 0);
  assert.is(maxSurge(dep(4, { type: "Recreate" })), 0);
  assert.is(maxUnavailable(dep(4, { type: "Recreate" })), 0);
});

test("the pod-template hash: Kubernetes' alphabet, independent of key order, changed by the template and the collision count", () => {
  const a = template({ app: "web", tier: "x" });
  const b = { spec: { containers: [{ image: "nginx:1.27", name: "web" }] }, metadata: { labels: { tier: "x", app: "web" } } };
  const h = computeHash(a);
  assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  assert.is(computeHash(b), h);
  assert.is.not(computeHash(template({ app: "web", tier: "x" }, "nginx:1.28")), h);
  assert.is.not(computeHash(a, 1), h);
  assert.is.not(computeHash(a, 1), computeHash(a, 2));
});

test("templates compare equal ignoring only the pod-template-hash label", () => {
  const t = template({ app: "web" });
  assert.ok(equalIgnoreHash(t, template({ app: "web", "pod-template-hash": "abc" })));
  assert.not.ok(equalIgnoreHash(t, template({ app: "web", other: "x" })));
  assert.not.ok(equalIgnoreHash(t, template({ app: "web" }, "nginx:2")));
});

const rs = (name: string, replicas: number, annotations: Record<string, string> = {}, created = "2026-01-01T00:00:00Z"): ReplicaSet => ({
  apiVersion: "apps/v1",
  kind: "ReplicaSet",
  metadata: { name, uid: name, annotations, creationTimestamp: created },
  spec: { replicas, selector: { matchLabels: { app: "web" } }, template: template({ app: "web" }) },
});

test("revision annotations: a new set gets the revision and replica annotations; a reused one keeps its old revision in the history", () => {
  const d = dep(3, { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  d.metadata.annotations = { "kubernetes.io/change-cause": "upgrade", [REVISION]: "9", "kubectl.kubernetes.io/last-applied-configuration": "{}" };
  const fresh = rs("a", 0);
  assert.ok(setNewReplicaSetAnnotations(d, fresh, 1, false));
  assert.equal(fresh.metadata.annotations, { "kubernetes.io/change-cause": "upgrade", [REVISION]: "1", "deployment.kubernetes.io/desired-replicas": "3", "deployment.kubernetes.io/max-replicas": "4" });
  assert.not.ok(setNewReplicaSetAnnotations(d, fresh, 1, true), "nothing to change");
  const reused = rs("b", 0, { [REVISION]: "1", [REVISION_HISTORY]: "" });
  setNewReplicaSetAnnotations(d, reused, 3, true);
  assert.is(reused.metadata.annotations![REVISION], "3");
  assert.is(reused.metadata.annotations![REVISION_HISTORY], "1");
  setNewReplicaSetAnnotations(d, reused, 5, true);
  assert.is(reused.metadata.annotations![REVISION_HISTORY], "1,3");
});

test("proportions: a scale from 10 to 20 (surge 3) mid-rollout splits 10 new replicas 6/4 over sets of 8 and 5", () => {
  const d = dep(20, { type: "RollingUpdate", rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } });
  const old = rs("old", 8, { "deployment.kubernetes.io/max-replicas": "13" });
  const cur = rs("new", 5, { "deployment.kubernetes.io/max-replicas": "13" });
  const a = proportion(old, d, 10, 0);
  const b = proportion(cur, d, 10, a);
  assert.equal([a, b], [6, 4]);
  assert.is(proportion(rs("idle", 0), d, 10, 0), 0, "an empty set gets nothing");
});

test("the one active (or newest) ReplicaSet takes a plain scale", () => {
  const olds = [rs("a", 0, {}, "2026-01-01T00:00:00Z"), rs("b", 0, {}, "2026-01-02T00:00:00Z")];
  assert.is(findActiveOrLatest(undefined, olds)!.metadata.name, "b");
  assert.is(findActiveOrLatest(rs("n", 0), olds)!.metadata.name, "n");
  assert.is(findActiveOrLatest(rs("n", 3), olds)!.metadata.name, "n");
  assert.is(findActiveOrLatest(rs("n", 3), [rs("a", 1)]), undefined, "two active: proportional instead");
});

test("conditions: same status and reason leaves the condition alone; same status keeps its transition time", () => {
  const s = {} as NonNullable<Deployment["status"]>;
  setCondition(s, newCondition("Progressing", "True", "NewReplicaSetCreated", "a", Date.parse("2026-01-01T00:00:00Z")));
  setCondition(s, newCondition("Progressing", "True", "NewReplicaSetCreated", "b", Date.parse("2026-01-01T00:01:00Z")));
  assert.is(s.conditions![0].message, "a");
  setCondition(s, newCondition("Progressing", "True", "ReplicaSetUpdated", "c", Date.parse("2026-01-01T00:02:00Z")));
  assert.equal([s.conditions![0].reason, s.conditions![0].lastTransitionTime, s.conditions![0].lastUpdateTime], ["ReplicaSetUpdated", "2026-01-01T00:00:00Z", "2026-01-01T00:02:00Z"]);
  setCondition(s, newCondition("Progressing", "False", "ProgressDeadlineExceeded", "d", Date.parse("2026-01-01T00:03:00Z")));
  assert.is(s.conditions![0].lastTransitionTime, "2026-01-01T00:03:00Z");
});

test("complete and timed out, as kubectl rollout status relies on", () => {
  const d = dep(3);
  d.spec.progressDeadlineSeconds = 60;
  assert.ok(deploymentComplete(d, { observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }));
  assert.not.ok(deploymentComplete(d, { observedGeneration: 1, replicas: 4, updatedReplicas: 3, availableReplicas: 3 }), "old pod still there");
  assert.not.ok(deploymentComplete(d, { observedGeneration: 0, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }), "spec not yet observed");
  const t0 = Date.parse("2026-01-01T00:00:00Z");
  const status = { conditions: [newCondition("Progressing", "True", "ReplicaSetUpdated", "x", t0)] };
  assert.not.ok(timedOut(d, status, t0 + 60_000));
  assert.ok(timedOut(d, status, t0 + 60_001));
});

test.run();
