import { test } from "uvu";
import * as assert from "uvu/assert";
import { SimulatedClock } from "../../../runtime/clock.ts";
import { WorkQueue, runWorkers } from "../../../actors/api/workqueue.ts";
import {
  BucketRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
  defaultControllerRateLimiter,
  type RateLimiter,
} from "../../../actors/api/rate-limiter.ts";

/** Lets queued promise callbacks run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** Whether `p` has settled, without waiting for it. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true), () => (done = true));
  await flush();
  return done;
}

/** A limiter whose delays are scripted, to test the queue apart from backoff math. */
function fixedLimiter(ms: number): RateLimiter<string> & { counts: Map<string, number> } {
  const counts = new Map<string, number>();
  return {
    counts,
    when: (k) => (counts.set(k, (counts.get(k) ?? 0) + 1), ms),
    forget: (k) => void counts.delete(k),
    numRequeues: (k) => counts.get(k) ?? 0,
  };
}

test("add de-duplicates keys while they are queued, and keeps FIFO order", async () => {
  const q = new WorkQueue({ clock: new SimulatedClock() });
  for (const k of ["a", "b", "a", "c", "b", "a"]) q.add(k);
  assert.is(q.len, 3);
  assert.equal([await q.get(), await q.get(), await q.get()], ["a", "b", "c"]);
  assert.is(q.len, 0);
});

test("a key added while in flight is requeued only after done, never handed out twice", async () => {
  const q = new WorkQueue({ clock: new SimulatedClock() });
  q.add("a");
  assert.is(await q.get(), "a");
  q.add("a");
  q.add("a");
  assert.is(q.len, 0, "not queued while in flight");
  const second = q.get();
  assert.is(await settled(second), false, "a second worker does not get the in-flight key");
  q.done("a");
  assert.is(await second, "a", "requeued once after done");
  q.done("a");
  assert.is(q.len, 0, "done without a re-add does not requeue");
  q.done("a");
  q.done("never-seen");
  assert.is(q.len, 0, "done on a key not in flight is ignored");
});

test("get waits for a key; waiting getters are served in order", async () => {
  const q = new WorkQueue({ clock: new SimulatedClock() });
  const first = q.get();
  const second = q.get();
  assert.is(await settled(first), false);
  q.add("x");
  q.add("y");
  assert.is(await first, "x");
  assert.is(await second, "y");
});

test("shutDown: waiting getters get undefined, new keys are ignored, queued keys still drain", async () => {
  const clock = new SimulatedClock();
  const q = new WorkQueue({ clock });
  const waiting = q.get();
  q.shutDown();
  assert.is(await waiting, undefined);
  assert.ok(q.shuttingDown);
  q.add("late");
  q.addAfter("late", 10);
  q.addRateLimited("late");
  assert.is(q.len, 0);
  assert.is(q.delayed, 0);
  assert.is(clock.pending, 0);
  assert.is(await q.get(), undefined);

  const q2 = new WorkQueue({ clock });
  q2.add("a");
  q2.add("b");
  q2.shutDown();
  assert.equal([await q2.get(), await q2.get(), await q2.get()], ["a", "b", undefined]);
});

test("shutDown drops delayed keys and cancels their timers", async () => {
  const clock = new SimulatedClock();
  const q = new WorkQueue({ clock });
  q.addAfter("a", 100);
  q.addAfter("b", 200);
  assert.is(clock.pending, 2);
  q.shutDown();
  assert.is(clock.pending, 0);
  await clock.advance(1000);
  assert.is(q.len, 0);
});

test("a key re-added during processing before shutdown is still handed out after it", async () => {
  const q = new WorkQueue({ clock: new SimulatedClock() });
  q.add("a");
  await q.get();
  q.add("a");
  q.shutDown();
  q.done("a");
  assert.is(await q.get(), "a");
  q.done("a");
  assert.is(await q.get(), undefined);
});

test("shutDownWithDrain resolves once every in-flight key is done", async () => {
  const q = new WorkQueue({ clock: new SimulatedClock() });
  q.add("a");
  q.add("b");
  await q.get();
  await q.get();
  const drained = q.shutDownWithDrain();
  assert.is(await settled(drained), false);
  q.done("a");
  assert.is(await settled(drained), false);
  q.done("b");
  assert.is(await settled(drained), true);

  const idle = new WorkQueue({ clock: new SimulatedClock() });
  assert.is(await settled(idle.shutDownWithDrain()), true, "nothing in flight: resolves at once");
});

test("shutDown ends a pending shutDownWithDrain", async () => {
  const q = new WorkQueue({ clock: new SimulatedClock() });
  q.add("a");
  await q.get();
  const drained = q.shutDownWithDrain();
  assert.is(await settled(drained), false);
  q.shutDown();
  assert.is(await settled(drained), true);
});

test("addAfter adds when due on the injected clock; the earlier time wins", async () => {
  const clock = new SimulatedClock();
  const q = new WorkQueue({ clock });
  q.addAfter("a", 100);
  assert.is(q.delayed, 1);
  await clock.advance(99);
  assert.is(q.len, 0);
  await clock.advance(1);
  assert.is(q.len, 1);
  assert.is(q.delayed, 0);
  assert.is(await q.get(), "a");
  q.done("a");

  q.addAfter("b", 100);
  q.addAfter("b", 50); // sooner: replaces
  q.addAfter("b", 500); // later: ignored
  assert.is(clock.pending, 1);
  await clock.advance(50);
  assert.is(q.len, 1);
  await clock.advance(1000);
  assert.is(q.len, 1, "added once");

  q.addAfter("c", 0);
  q.addAfter("d", -5);
  assert.is(q.len, 3, "no delay: added at once");
});

test("addAfter firing for a queued or in-flight key de-duplicates like add", async () => {
  const clock = new SimulatedClock();
  const q = new WorkQueue({ clock });
  q.add("a");
  q.addAfter("a", 10);
  await clock.advance(10);
  assert.is(q.len, 1);
  assert.is(await q.get(), "a");
  q.addAfter("a", 10);
  await clock.advance(10);
  assert.is(q.len, 0, "in flight: not queued");
  q.done("a");
  assert.is(q.len, 1, "requeued after done");
});

const backoff: [failure: number, delayMs: number][] = [
  [1, 5],
  [2, 10],
  [3, 20],
  [4, 40],
  [5, 80],
  [10, 2560],
  [18, 655_360],
  [19, 1_000_000],
  [40, 1_000_000],
  [2000, 1_000_000],
];

test("exponential backoff: 5 ms doubling, capped at 1000 s", () => {
  const r = new ItemExponentialFailureRateLimiter<string>(5, 1_000_000);
  const seen = new Map<number, number>();
  for (let i = 1; i <= 2000; i++) seen.set(i, r.when("k"));
  for (const [failure, delay] of backoff) assert.is(seen.get(failure), delay, `failure ${failure}`);
  assert.is(r.numRequeues("k"), 2000);
  assert.is(r.when("other"), 5, "per key");
  r.forget("k");
  assert.is(r.numRequeues("k"), 0);
  assert.is(r.when("k"), 5, "forget restarts from the base delay");
  assert.throws(() => new ItemExponentialFailureRateLimiter(10, 5), RangeError);
  assert.throws(() => new ItemExponentialFailureRateLimiter(5, Infinity), RangeError);
});

test("token bucket: burst at once, then qps; refills over time, never above burst", async () => {
  const clock = new SimulatedClock();
  const b = new BucketRateLimiter<string>(10, 100, clock);
  for (let i = 0; i < 100; i++) assert.is(b.when(`k${i}`), 0);
  assert.is(b.when("x"), 100);
  assert.is(b.when("y"), 200);
  await clock.advance(250); // earns 2.5 tokens; 2 were already reserved
  assert.is(b.when("z"), 50);
  await clock.advance(60_000);
  for (let i = 0; i < 100; i++) assert.is(b.when(`again${i}`), 0);
  assert.is(b.when("over"), 100);
  assert.is(b.numRequeues("x"), 0);
  assert.is(new BucketRateLimiter<string>(Infinity, 1, clock).when("k"), 0);
  assert.throws(() => new BucketRateLimiter(0, 10, clock), RangeError);
  assert.throws(() => new BucketRateLimiter(10, 0, clock), RangeError);
});

test("default controller limiter: the max of per-key backoff and the shared bucket", () => {
  const clock = new SimulatedClock();
  const r = defaultControllerRateLimiter<string>({ clock });
  assert.ok(r instanceof MaxOfRateLimiter);
  for (let i = 0; i < 100; i++) assert.is(r.when(`k${i}`), 5);
  assert.is(r.when("k101"), 100, "bucket empty: 100 ms beats 5 ms");
  const custom = defaultControllerRateLimiter<string>({ clock, baseDelayMs: 1, maxDelayMs: 4, qps: 1000, burst: 1000 });
  assert.equal([custom.when("a"), custom.when("a"), custom.when("a"), custom.when("a")], [1, 2, 4, 4]);
  assert.is(custom.numRequeues("a"), 4);
  custom.forget("a");
  assert.is(custom.numRequeues("a"), 0);
});

test("addRateLimited: requeues after the backoff, counted until forget", async () => {
  const clock = new SimulatedClock();
  const q = new WorkQueue({ clock });
  const due: number[] = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    const start = clock.now();
    q.addRateLimited("k");
    while (q.len === 0) await clock.advance(1);
    due.push(clock.now() - start);
    assert.is(await q.get(), "k");
    q.done("k");
  }
  assert.equal(due, [5, 10, 20, 40, 80]);
  assert.is(q.numRequeues("k"), 5);
  q.forget("k");
  assert.is(q.numRequeues("k"), 0);
  q.addRateLimited("k");
  assert.is(q.delayed, 1);
  await clock.advance(5);
  assert.is(q.len, 1);
});

test("options: a custom rate limiter replaces the default; bad settings throw", () => {
  const limiter = fixedLimiter(7);
  const clock = new SimulatedClock();
  const q = new WorkQueue({ clock, rateLimiter: limiter });
  q.addRateLimited("a");
  q.addRateLimited("a");
  assert.is(q.numRequeues("a"), 2);
  assert.is(q.delayed, 1);
  assert.throws(() => new WorkQueue({ qps: -1 }), RangeError);
  assert.throws(() => new WorkQueue({ burst: 0 }), RangeError);
  assert.throws(() => new WorkQueue({ baseDelayMs: -1 }), RangeError);
});

test("runWorkers: sync per key, forget on success, backoff and report on failure, done always", async () => {
  const clock = new SimulatedClock();
  const q = new WorkQueue({ clock, rateLimiter: fixedLimiter(10) });
  const synced: string[] = [];
  const reports: [string, string, number][] = [];
  let failuresLeft = 2;
  const start = clock.now();
  const run = runWorkers(
    q,
    2,
    async (key) => {
      synced.push(`${key}@${clock.now() - start}`);
      if (key === "flaky" && failuresLeft-- > 0) throw new Error("boom");
    },
    (err, key, requeues) => reports.push([(err as Error).message, key, requeues]),
  );
  q.add("ok");
  q.add("flaky");
  await clock.advance(0);
  assert.equal(synced, ["ok@0", "flaky@0"]);
  assert.equal(reports, [["boom", "flaky", 1]]);
  await clock.advance(10);
  assert.equal(reports, [["boom", "flaky", 1], ["boom", "flaky", 2]]);
  await clock.advance(10);
  assert.equal(synced, ["ok@0", "flaky@0", "flaky@10", "flaky@20"]);
  assert.is(q.numRequeues("flaky"), 0, "forgotten after success");
  assert.is(q.len + q.delayed, 0);
  q.shutDown();
  await run;
});

test("runWorkers: n workers in parallel, a key never twice at once, exits on shutdown", async () => {
  const clock = new SimulatedClock();
  const q = new WorkQueue({ clock });
  let active = 0;
  let maxActive = 0;
  const activeKeys = new Set<string>();
  let overlap = false;
  const counts = new Map<string, number>();
  const run = runWorkers(q, 3, async (key) => {
    if (activeKeys.has(key)) overlap = true;
    activeKeys.add(key);
    maxActive = Math.max(maxActive, ++active);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    await clock.sleep(10);
    // Re-adding itself mid-sync must wait for done, not run concurrently.
    if (counts.get(key) === 1) q.add(key);
    active--;
    activeKeys.delete(key);
  });
  for (const k of ["a", "b", "c", "d", "e"]) q.add(k);
  await clock.advance(0);
  assert.is(active, 3);
  await clock.runAll();
  assert.is(maxActive, 3);
  assert.not.ok(overlap);
  assert.equal([...counts.values()], [2, 2, 2, 2, 2]);
  const finished = q.shutDownWithDrain();
  await finished;
  await run;
  assert.throws(() => runWorkers(q, 0, async () => {}), RangeError);
  assert.throws(() => runWorkers(q, 1.5, async () => {}), RangeError);
});

test("runWorkers: a throwing reporter does not stop the worker or leak the key", async () => {
  const clock = new SimulatedClock();
  const q = new WorkQueue({ clock, rateLimiter: fixedLimiter(5) });
  let calls = 0;
  const run = runWorkers(
    q,
    1,
    async () => {
      if (++calls === 1) throw new Error("first");
    },
    () => {
      throw new Error("reporter broke");
    },
  );
  q.add("k");
  await clock.advance(5);
  assert.is(calls, 2);
  q.shutDown();
  await run;
});

test.run();
