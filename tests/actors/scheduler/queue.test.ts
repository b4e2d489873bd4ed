import { test } from "uvu";
import * as assert from "uvu/assert";
import { SimulatedClock } from "../../../runtime/clock.ts";
import { SchedulingQueue, type QueuedPodInfo } from "../../../actors/scheduler/queue.ts";
import { pod } from "./fixtures.ts";

function setup() {
  const clock = new SimulatedClock();
  const q = new SchedulingQueue({ clock });
  return { clock, q };
}

/** Pops everything currently active, returning names in order. */
async function drain(q: SchedulingQueue): Promise<string[]> {
  const out: string[] = [];
  while (q.sizes.active > 0) out.push((await q.pop())!.pod.metadata.name!);
  return out;
}

/** Fails a popped pod, blaming `plugins`. */
function fail(q: SchedulingQueue, info: QueuedPodInfo, cycle: number, ...plugins: string[]): void {
  info.unschedulablePlugins = new Set(plugins);
  q.addUnschedulableIfNotPresent(info, cycle);
}

test("activeQ: higher priority first, then oldest", async () => {
  const { clock, q } = setup();
  q.add(pod("low-old", { priority: 0 }));
  await clock.advance(10);
  q.add(pod("high", { priority: 1000 }));
  await clock.advance(10);
  q.add(pod("low-new", { priority: 0 }));
  await clock.advance(10);
  q.add(pod("mid", { priority: 10 }));
  assert.equal(await drain(q), ["high", "mid", "low-old", "low-new"]);
});

test("no duplicates: adding a queued pod updates it", async () => {
  const { q } = setup();
  q.add(pod("a"));
  q.add(pod("a", { labels: { v: "2" } }));
  assert.is(q.sizes.active, 1);
  const info = await q.pop();
  assert.equal(info!.pod.metadata.labels, { v: "2" });
});

test("pop waits for a pod and resolves undefined on close", async () => {
  const { q } = setup();
  const waiting = q.pop();
  q.add(pod("late"));
  assert.is((await waiting)!.pod.metadata.name, "late");
  const pending = q.pop();
  q.close();
  assert.is(await pending, undefined);
});

test("backoff doubles from 1s and caps at 10s", () => {
  const { q } = setup();
  const table: Array<[attempts: number, ms: number]> = [[1, 1000], [2, 2000], [3, 4000], [4, 8000], [5, 10000], [9, 10000]];
  for (const [attempts, ms] of table) {
    const info = { attempts } as QueuedPodInfo;
    assert.is(q.backoffDuration(info), ms, `attempt ${attempts}`);
  }
});

test("an event during the attempt sends the pod to backoffQ, then activeQ once backoff ends", async () => {
  const { clock, q } = setup();
  q.add(pod("p"));
  const info = (await q.pop())!;
  const cycle = q.schedulingCycle;
  q.moveAllToActiveOrBackoff("NodeAdd"); // arrives while the pod is being scheduled
  fail(q, info, cycle, "NodeResourcesFit");
  assert.is(q.where("default/p"), "backoff");
  await clock.advance(999);
  assert.is(q.where("default/p"), "backoff");
  await clock.advance(1);
  assert.is(q.where("default/p"), "active");
});

test("unschedulable pods wait for a relevant event", async () => {
  const { clock, q } = setup();
  q.add(pod("cpu-starved"));
  q.add(pod("affine"));
  const a = (await q.pop())!;
  fail(q, a, q.schedulingCycle, "NodeResourcesFit");
  const b = (await q.pop())!;
  fail(q, b, q.schedulingCycle, "InterPodAffinity");
  assert.equal(q.sizes, { active: 0, backoff: 0, unschedulable: 2, inFlight: 0 });

  // A new assigned pod can only help pod affinity; it is still backing off (1s).
  q.moveAllToActiveOrBackoff("AssignedPodAdd");
  assert.is(q.where("default/affine"), "backoff");
  assert.is(q.where("default/cpu-starved"), "unschedulable");

  // After backoff a PodDelete frees resources: straight to activeQ.
  await clock.advance(5000);
  q.moveAllToActiveOrBackoff("PodDelete");
  assert.is(q.where("default/cpu-starved"), "active");
  assert.is(q.where("default/affine"), "active");
});

test("unschedulable pods are retried after 5 minutes without events", async () => {
  const { clock, q } = setup();
  q.add(pod("p"));
  const info = (await q.pop())!;
  fail(q, info, q.schedulingCycle, "TaintToleration");
  await clock.advance(5 * 60_000 - 1);
  assert.is(q.where("default/p"), "unschedulable");
  await clock.advance(1);
  assert.is(q.where("default/p"), "active");
  const again = (await q.pop())!;
  assert.is(again.attempts, 2);
});

test("a scheduling error (no plugin to blame) goes to backoff", async () => {
  const { q } = setup();
  q.add(pod("p"));
  const info = (await q.pop())!;
  fail(q, info, q.schedulingCycle);
  assert.is(q.where("default/p"), "backoff");
});

test("updating a parked pod's spec retries it; a status-only change does not", async () => {
  const { clock, q } = setup();
  q.add(pod("p"));
  fail(q, (await q.pop())!, q.schedulingCycle, "NodeAffinity");
  q.update({ ...pod("p"), status: { phase: "Pending" } });
  assert.is(q.where("default/p"), "unschedulable");
  await clock.advance(2000);
  q.update(pod("p", { nodeSelector: { disk: "ssd" } }));
  assert.is(q.where("default/p"), "active");
});

test("delete removes the pod everywhere, including a failed in-flight one", async () => {
  const { q } = setup();
  q.add(pod("a"));
  q.add(pod("b"));
  q.delete(pod("a"));
  const b = (await q.pop())!;
  q.delete(pod("b"));
  fail(q, b, q.schedulingCycle, "NodeResourcesFit");
  assert.equal(q.sizes, { active: 0, backoff: 0, unschedulable: 0, inFlight: 0 });
});

test("done stops tracking a bound pod; timers do not outlive their work", async () => {
  const { clock, q } = setup();
  q.add(pod("a"));
  const a = (await q.pop())!;
  q.done(a.key);
  assert.equal(q.sizes, { active: 0, backoff: 0, unschedulable: 0, inFlight: 0 });
  assert.is(clock.pending, 0);
});

test.run();
