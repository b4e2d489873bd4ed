import { test } from "uvu";
import * as assert from "uvu/assert";
import { ActorSystem } from "../../runtime/system.ts";
import type { ActorFactory } from "../../runtime/actor.ts";
import { apiserverActor } from "../../actors/apiserver/actor.ts";
import type { KubeObject } from "../../actors/api/meta.ts";
import { Resources } from "../../scripts/lib/resources.ts";
import type { Applied } from "../../scripts/lib/apply.ts";
import { checkWorkload, NotReadyError, waitForWorkloads } from "../../scripts/lib/ready.ts";

type Obj = KubeObject & { spec?: unknown; status?: unknown };

async function setup() {
  const sys = new ActorSystem({ id: 0, name: "t" });
  await sys.spawn("apiserver", apiserverActor as unknown as ActorFactory<unknown>, {});
  const kinds = await Resources.load(sys);
  /** Creates `obj`, then writes `status` through the status subresource. */
  const put = async (resource: string, obj: Obj, status?: unknown): Promise<Applied> => {
    const info = kinds.resolve(resource);
    const target = { resource: info.plural, group: info.group || undefined, namespace: "default" };
    let created = await sys.ask<Obj>("apiserver", { type: "api.create", ...target, object: obj });
    if (status) created = await sys.ask<Obj>("apiserver", { type: "api.update", ...target, subresource: "status", object: { ...created, status } });
    return { info, namespace: "default", name: obj.metadata.name!, action: "created", object: created };
  };
  return { sys, put };
}

const container = { name: "app", image: "nginx:1.27" };
const pod = (name: string, labels?: Record<string, string>, extra: Record<string, unknown> = {}): Obj => ({ apiVersion: "v1", kind: "Pod", metadata: { name, labels }, spec: { containers: [container], ...extra } });
const running = { phase: "Running", containerStatuses: [{ name: "app", ready: true, restartCount: 0, image: "nginx:1.27", imageID: "", state: { running: { startedAt: "2024-01-01T00:00:00Z" } } }], conditions: [{ type: "Ready", status: "True" }] };

test("pods: Running with containers up or Succeeded are ready; the others say why, in Kubernetes' words", async () => {
  const { sys, put } = await setup();
  const cases: [Applied, boolean, RegExp | undefined, boolean?][] = [
    [await put("pods", pod("up", undefined, { nodeName: "n1" }), running), true, undefined],
    [await put("pods", pod("done", undefined, { nodeName: "n1", restartPolicy: "Never" }), { phase: "Succeeded" }), true, undefined],
    [await put("pods", pod("big"), { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/3 nodes are available: 3 Insufficient cpu." }] }), false, /pod big is unschedulable: 0\/3 nodes are available: 3 Insufficient cpu\./],
    [
      await put("pods", pod("crash", undefined, { nodeName: "n1" }), { phase: "Running", containerStatuses: [{ name: "app", ready: false, restartCount: 2, image: "nginx:1.27", imageID: "", state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 20s restarting failed container=app" } }, lastState: { terminated: { exitCode: 1, reason: "Error" } } }] }),
      false,
      /container app is waiting: CrashLoopBackOff: back-off 20s restarting failed container=app; last exit code 1 \(Error\), 2 restarts/,
    ],
    [await put("pods", pod("failed", undefined, { nodeName: "n1", restartPolicy: "Never" }), { phase: "Failed", containerStatuses: [{ name: "app", ready: false, restartCount: 0, image: "nginx:1.27", imageID: "", state: { terminated: { exitCode: 3, reason: "Error" } } }] }), false, /terminated with exit code 3/, true],
  ];
  for (const [a, ready, reason, failed] of cases) {
    const r = await checkWorkload(sys, a);
    assert.is(r.ready, ready, a.name);
    if (reason) assert.match(r.reason ?? "", reason, a.name);
    assert.is(Boolean(r.failed), Boolean(failed), `${a.name} failed`);
  }
  await sys.stopAll();
});

test("an unscheduled pod without a condition yet reports the scheduler's FailedScheduling event", async () => {
  const { sys, put } = await setup();
  const a = await put("pods", pod("waiting"));
  await sys.ask("apiserver", { type: "api.create", resource: "events", namespace: "default", object: { metadata: { name: "waiting.1" }, involvedObject: { kind: "Pod", name: "waiting", namespace: "default", uid: a.object.metadata.uid }, reason: "FailedScheduling", message: "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector.", type: "Warning", count: 1 } });
  // Later events of another pod, and of this pod for another reason, are not its scheduling failure.
  await sys.ask("apiserver", { type: "api.create", resource: "events", namespace: "default", object: { metadata: { name: "other.1" }, involvedObject: { kind: "Pod", name: "other", namespace: "default", uid: "another-uid" }, reason: "FailedScheduling", message: "0/2 nodes are available: 2 Insufficient memory.", type: "Warning", count: 1 } });
  await sys.ask("apiserver", { type: "api.create", resource: "events", namespace: "default", object: { metadata: { name: "waiting.2" }, involvedObject: { kind: "Pod", name: "waiting", namespace: "default", uid: a.object.metadata.uid }, reason: "Unrelated", message: "something else", type: "Normal", count: 1 } });
  assert.match((await checkWorkload(sys, a)).reason ?? "", /unschedulable: 0\/2 nodes are available: 2 node\(s\) didn't match/);
  await sys.stopAll();
});

test("controllers' objects: no status means no controller; Available with every replica updated means ready", async () => {
  const { sys, put } = await setup();
  const labels = { app: "web" };
  const deployment = (name: string): Obj => ({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name }, spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [container] } } } });
  const fresh = await put("deployments", deployment("fresh"));
  assert.match((await checkWorkload(sys, fresh)).reason ?? "", /no status yet: is the deployment controller running\?/);
  const ok = await put("deployments", deployment("ok"), { observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2, conditions: [{ type: "Available", status: "True" }] });
  assert.is((await checkWorkload(sys, ok)).ready, true);
  const stuck = await put("deployments", deployment("stuck"), { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 0, conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message: 'ReplicaSet "stuck-1" has timed out progressing.' }] });
  const s = await checkWorkload(sys, stuck);
  assert.is(s.failed, true);
  assert.match(s.reason ?? "", /timed out progressing/);
  await put("pods", pod("web-1", labels, { nodeName: "n1" }), { phase: "Pending", containerStatuses: [{ name: "app", ready: false, restartCount: 0, image: "nginx:1.27", imageID: "", state: { waiting: { reason: "ImagePullBackOff", message: 'Back-off pulling image "nginx:1.27"' } } }] });
  const rs = await put("replicasets", { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "web-rs" }, spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [container] } } } }, { observedGeneration: 1, replicas: 2, readyReplicas: 1 });
  assert.match((await checkWorkload(sys, rs)).reason ?? "", /^1\/2 replicas ready; pod web-1: container app is waiting: ImagePullBackOff/);
  await sys.stopAll();
});

test("waiting ends at the deadline with every unready workload's reason, or at once when one failed", async () => {
  const { sys, put } = await setup();
  const up = await put("pods", pod("up", undefined, { nodeName: "n1" }), running);
  const big = await put("pods", pod("big"), { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", message: "0/1 nodes are available: 1 Insufficient memory." }] });
  const t = Date.now();
  try {
    await waitForWorkloads(sys, [up, big], { deadline: Date.now() + 300, intervalMs: 50 });
    assert.unreachable("not ready");
  } catch (err) {
    assert.instance(err, NotReadyError);
    assert.is((err as Error).message, "pod/big is not ready: pod big is unschedulable: 0/1 nodes are available: 1 Insufficient memory.");
    assert.ok(Date.now() - t >= 280, "waited for the deadline");
  }
  const failed = await put("pods", pod("failed", undefined, { nodeName: "n1", restartPolicy: "Never" }), { phase: "Failed", reason: "Evicted", message: "The node was low on resource: memory." });
  const t2 = Date.now();
  await waitForWorkloads(sys, [failed], { deadline: Date.now() + 10_000 }).then(
    () => assert.unreachable("failed"),
    (err) => assert.match((err as Error).message, /^pod\/failed will not become ready: pod failed failed: Evicted: The node was low on resource: memory\.$/),
  );
  assert.ok(Date.now() - t2 < 2000, "a failed pod ends the wait at once");
  assert.equal((await waitForWorkloads(sys, [up], { deadline: Date.now() + 1000 })).map((s) => s.ready), [true]);
  await sys.stopAll();
});

test.run();
