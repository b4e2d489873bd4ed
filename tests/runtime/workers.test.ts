import { test } from "uvu";
import * as assert from "uvu/assert";
import { Supervisor, type SupervisorEvent } from "../../runtime/supervisor.ts";
import { errorCode } from "../../runtime/errors.ts";
import { rejects } from "./helpers.ts";

const fixture = "tests/runtime/fixtures/test-actors.ts";
const echo = (address: string, config = {}) => ({ address, module: fixture, export: "echoActor", config });

function waitFor(sup: Supervisor, pred: (e: SupervisorEvent) => boolean, ms = 10_000): Promise<SupervisorEvent> {
  const seen = sup.events.find(pred);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("event not seen")), ms);
    const off = sup.on((e) => {
      if (pred(e)) {
        clearTimeout(t);
        off();
        resolve(e);
      }
    });
  });
}

const sup = new Supervisor({ defaultTimeoutMs: 5000 });

test.before(async () => {
  await sup.start({ name: "w1", actors: [echo("a/one", { greeting: "hi" }), echo("a/two")] });
  await sup.start({ name: "w2", actors: [echo("b/one")], restart: { initialBackoffMs: 20, maxBackoffMs: 200, maxRestarts: 5, windowMs: 60_000 } });
});
test.after(() => sup.shutdown());

test("ask reaches an actor in a worker and returns its reply", async () => {
  const r = await sup.ask<{ value: number; greeting: string; from: string }>("a/one", { type: "echo", value: 7 });
  assert.equal(r, { value: 7, greeting: "hi", from: "a/one" });
});

test("a message from another thread is the receiver's own copy; one told within a thread is shared", async () => {
  assert.equal(await sup.ask("a/one", { type: "delivery" }), { copied: true }, "from the main thread");
  assert.equal(await sup.ask("a/two", { type: "relay", to: "b/one", msg: { type: "delivery" } }), { copied: true }, "between workers");
  assert.equal(await sup.ask("a/two", { type: "relay", to: "a/one", msg: { type: "delivery" } }), { copied: false }, "within a worker");
});

test("an actor asks an actor in another worker", async () => {
  const r = await sup.ask<{ value: string }>("a/two", { type: "relay", to: "b/one", msg: { type: "echo", value: "x" } });
  assert.is(r.value, "x");
});

test("tells arrive in order and are processed one at a time", async () => {
  for (let i = 0; i < 1000; i++) sup.tell("a/two", { type: "count" });
  assert.is(await sup.ask("a/two", { type: "get-count" }), 1000);
  for (let i = 0; i < 5; i++) sup.tell("b/one", { type: "track", ms: 5 } as never);
  assert.is(await sup.ask("b/one", { type: "concurrency" }), 1);
});

test("a typed error keeps its code and details across the worker boundary", async () => {
  const err = (await rejects(sup.ask("a/one", { type: "fail", code: "NotFound", message: "pods \"x\" not found" }))) as { code: string; message: string; details: unknown };
  assert.is(err.code, "NotFound");
  assert.is(err.message, "pods \"x\" not found");
  assert.equal(err.details, { kind: "Status", reason: "NotFound" });
});

test("bad input gets typed errors and the actor keeps running", async () => {
  const cases: [unknown, string][] = [
    [{ type: "no-such-type" }, "UnknownMessage"],
    [{ type: "slow", ms: "soon" }, "BadMessage"],
    [{ notype: 1 }, "BadMessage"],
    [42, "BadMessage"],
    [null, "BadMessage"],
  ];
  for (const [msg, code] of cases) {
    assert.is(errorCode(await rejects(sup.ask("a/one", msg as never))), code, JSON.stringify(msg));
  }
  sup.tell("a/one", { type: "no-such-type" });
  assert.is((await sup.ask<{ value: number }>("a/one", { type: "echo", value: 1 })).value, 1);
  const stats = (await sup.inspect("a/one")) as { rejected: number };
  assert.ok(stats.rejected >= cases.length + 1);
});

test("an unknown address is a typed error, not a hang", async () => {
  assert.is(errorCode(await rejects(sup.ask("nobody/here", { type: "echo" }))), "UnknownActor");
  assert.is(sup.tell("nobody/here", { type: "echo" }), false);
});

test("an ask times out with a Timeout error", async () => {
  const started = Date.now();
  const err = await rejects(sup.ask("a/one", { type: "slow", ms: 2000 }, { timeoutMs: 100 }));
  assert.is(errorCode(err), "Timeout");
  assert.ok(Date.now() - started < 1500);
});

test("an ask to a worker that dies rejects with WorkerDied; the supervisor restarts it", async () => {
  const before = sup.workers().find((w) => w.name === "w2")!;
  sup.tell("b/one", { type: "count" });
  const err = await rejects(sup.ask("b/one", { type: "die-now" }, { timeoutMs: 10_000 }));
  assert.is(errorCode(err), "WorkerDied");
  const started = await waitFor(sup, (e) => e.type === "started" && e.worker === "w2" && e.restarts === before.restarts + 1);
  assert.ok(started.systemId !== before.systemId, "a restarted worker gets a new system id");
  const exited = sup.events.find((e) => e.type === "exited" && e.worker === "w2")!;
  assert.match(exited.reason!, /died on request/);
  // Actors are re-created fresh: state that mattered lives in the apiserver, not here.
  assert.is(await sup.ask("b/one", { type: "get-count" }), 0);
  // And the other worker can reach the new incarnation.
  const r = await sup.ask<{ value: number }>("a/two", { type: "relay", to: "b/one", msg: { type: "echo", value: 5 } });
  assert.is(r.value, 5);
});

test("a worker that exits by itself is restarted too", async () => {
  const n = sup.events.filter((e) => e.type === "started" && e.worker === "w2").length;
  sup.tell("b/one", { type: "exit-now" });
  await waitFor(sup, (e) => e.type === "exited" && e.worker === "w2" && /exit code 3/.test(e.reason ?? ""));
  await waitFor(sup, () => sup.events.filter((e) => e.type === "started" && e.worker === "w2").length > n);
  assert.is((await sup.ask<{ value: number }>("b/one", { type: "echo", value: 2 })).value, 2);
});

test("a crash loop is capped, with growing backoff, and reported", async () => {
  await sup.start({
    name: "looper",
    actors: [{ address: "loop/1", module: fixture, export: "crashLoopActor" }],
    restart: { initialBackoffMs: 10, maxBackoffMs: 1000, maxRestarts: 3, windowMs: 60_000 },
  });
  const gaveUp = await waitFor(sup, (e) => e.type === "gave-up" && e.worker === "looper", 20_000);
  assert.match(gaveUp.reason!, /4 crashes/);
  const backoffs = sup.events.filter((e) => e.type === "restarting" && e.worker === "looper").map((e) => e.backoffMs);
  assert.equal(backoffs, [10, 20, 40]);
  assert.is(sup.workers().find((w) => w.name === "looper")!.state, "failed");
  assert.is(errorCode(await rejects(sup.ask("loop/1", { type: "ping" }))), "UnknownActor");
});

test("a worker whose actor cannot start fails start() with the actor's typed error", async () => {
  const err = await rejects(sup.start({ name: "broken", actors: [{ address: "x/1", module: fixture, export: "brokenActor" }] }));
  assert.is(errorCode(err), "BrokenConfig");
  const err2 = await rejects(sup.start({ name: "broken2", actors: [{ address: "x/2", module: fixture, export: "nope" }] }));
  assert.is(errorCode(err2), "BadMessage");
  assert.match((err2 as Error).message, /no actor factory export "nope"/);
});

test("mail told to an actor while its factory runs waits in its mailbox (its address is announced first)", async () => {
  await sup.start({ name: "w-early", actors: [{ address: "early", module: fixture, export: "earlyMailActor", config: { peer: "b/one" } }] });
  try {
    assert.is(await sup.ask("early", { type: "get-count" }), 1);
  } finally {
    await sup.stopActor("early");
  }
});

test("actors() lists every actor with its thread id", () => {
  const list = sup.actors();
  const one = list.find((a) => a.address === "a/one")!;
  assert.ok(one.threadId > 0);
  assert.is(one.worker, "w1");
  assert.ok(list.some((a) => a.address === "b/one"));
});

test.run();
