import { test } from "uvu";
import * as assert from "uvu/assert";
import { ActorSystem } from "../../runtime/system.ts";
import { SimulatedClock } from "../../runtime/clock.ts";
import { errorCode } from "../../runtime/errors.ts";
import type { ActorFactory } from "../../runtime/actor.ts";
import { rejects } from "./helpers.ts";

const gate: ActorFactory<{ open: Promise<void> }> = (_ctx, cfg) => {
  const seen: number[] = [];
  return {
    handlers: {
      hold: () => cfg.open,
      note: (m: { type: string; n?: number }) => void seen.push(m.n ?? -1),
      seen: () => seen,
    },
  };
};

test("a full mailbox drops tells (counted) and answers asks with MailboxFull; nothing queued is lost", async () => {
  const sys = new ActorSystem({ id: 0, name: "t" });
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  await sys.spawn("gate", gate, { open: opened }, 10);
  const held = sys.ask("gate", { type: "hold" });
  await Promise.resolve();
  await new Promise((r) => setTimeout(r, 5)); // "hold" is now being processed; the queue is empty
  for (let i = 0; i < 15; i++) sys.tell("gate", { type: "note", n: i } as never);
  const refused = await rejects(sys.ask("gate", { type: "seen" }));
  assert.is(errorCode(refused), "MailboxFull");
  const stats = sys.inspect("gate")!;
  assert.is(stats.depth, 10);
  assert.is(stats.dropped, 6);
  open();
  await held;
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(await sys.ask("gate", { type: "seen" }), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test("an ask times out on simulated time, without sleeping", async () => {
  const clock = new SimulatedClock();
  const sys = new ActorSystem({ id: 0, name: "t", clock });
  await sys.spawn("gate", gate, { open: new Promise<void>(() => {}) });
  let settled: unknown;
  const p = sys.ask("gate", { type: "hold" }, { timeoutMs: 5_000 }).catch((e) => (settled = e));
  await clock.advance(4_900);
  assert.is(settled, undefined);
  await clock.advance(200);
  await p;
  assert.is(errorCode(settled), "Timeout");
  assert.match((settled as Error).message, /timed out after 5000 ms/);
});

test("stopping an actor answers its queued asks with ActorStopped and runs onStop", async () => {
  const sys = new ActorSystem({ id: 0, name: "t" });
  let stopped = false;
  await sys.spawn("s", () => ({ handlers: { hold: () => new Promise(() => {}), x: () => 1 }, onStop: () => void (stopped = true) }), {});
  void sys.ask("s", { type: "hold" }).catch(() => {});
  const queued = sys.ask("s", { type: "x" });
  await Promise.resolve();
  await sys.stop("s");
  assert.is(errorCode(await rejects(queued)), "ActorStopped");
  assert.ok(stopped);
  assert.is(errorCode(await rejects(sys.ask("s", { type: "x" }))), "UnknownActor");
});

test("a duplicate address is refused", async () => {
  const sys = new ActorSystem({ id: 0, name: "t" });
  await sys.spawn("a", () => ({ handlers: {} }), {});
  assert.is(errorCode(await rejects(sys.spawn("a", () => ({ handlers: {} }), {}))), "ActorAlreadyExists");
});

test("a handler that throws on a tell is counted and the actor goes on", async () => {
  const sys = new ActorSystem({ id: 0, name: "t" });
  await sys.spawn("a", () => ({ handlers: { boom: () => { throw new Error("x"); }, ok: () => "ok" } }), {});
  sys.tell("a", { type: "boom" });
  sys.tell("a", { type: "boom" });
  assert.is(await sys.ask("a", { type: "ok" }), "ok");
  assert.is(sys.inspect("a")!.errors, 2);
});

test("messages sent before a slow factory finishes wait for it", async () => {
  const sys = new ActorSystem({ id: 0, name: "t" });
  const spawning = sys.spawn("late", async () => {
    await new Promise((r) => setTimeout(r, 20));
    return { handlers: { hi: () => "hello" } };
  }, {});
  const reply = sys.ask("late", { type: "hi" });
  await spawning;
  assert.is(await reply, "hello");
});

test.run();
