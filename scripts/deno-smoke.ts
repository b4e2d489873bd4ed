/**
 * A self-checking smoke run of the actor runtime with real workers, the same
 * file on both runtimes:
 *   npx deno run -A scripts/deno-smoke.ts
 *   node --import tsx scripts/deno-smoke.ts
 * Prints `ok <name>` / `FAIL <name>: why` per check, then `N passed, N failed`;
 * exits non-zero on any failure (or if the run as a whole hangs).
 */
import { Supervisor, type SupervisorEvent } from "../runtime/supervisor.ts";
import { errorCode } from "../runtime/errors.ts";
import { platform } from "../runtime/platform/index.ts";
import { setLogLevel } from "../runtime/log.ts";

const fixture = "tests/runtime/fixtures/test-actors.ts";
const echo = (address: string, config = {}) => ({ address, module: fixture, export: "echoActor", config });
// A check that neither settles nor fails within this is a failure, not a hang.
const checkTimeoutMs = 15_000;
// The whole run, shutdown included; a stuck worker must not stall CI forever.
const runTimeoutMs = 120_000;

const exit = platform.exit;

let passed = 0;
let failed = 0;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

async function check(name: string, fn: () => Promise<void> | void): Promise<void> {
  try {
    await withTimeout(Promise.resolve().then(fn), checkTimeoutMs, name);
    passed++;
    console.log(`ok ${name}`);
  } catch (err) {
    failed++;
    console.log(`FAIL ${name}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function expect(cond: unknown, why: string): void {
  if (!cond) throw new Error(why);
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection, got a reply");
}

function waitFor(sup: Supervisor, pred: (e: SupervisorEvent) => boolean, ms = 10_000): Promise<SupervisorEvent> {
  const seen = sup.events.find(pred);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      off();
      reject(new Error(`event not seen within ${ms} ms; events: ${sup.events.map((e) => `${e.worker}:${e.type}`).join(", ")}`));
    }, ms);
    const off = sup.on((e) => {
      if (pred(e)) {
        clearTimeout(t);
        off();
        resolve(e);
      }
    });
  });
}

const watchdog = setTimeout(() => {
  console.log(`FAIL run: not finished within ${runTimeoutMs} ms`);
  console.log(`${passed} passed, ${failed + 1} failed`);
  exit(1);
}, runTimeoutMs);

// The supervisor's own warnings (exited, restarting) are expected here; keep one line per check.
setLogLevel("error");
console.log(`# runtime: ${platform.name}`);
const sup = new Supervisor({ defaultTimeoutMs: 5000, logLevel: "error" });
let booted = false;

await check("start a supervisor with two workers", async () => {
  await sup.start({ name: "w1", actors: [echo("a/one", { greeting: "hi" }), echo("a/two")] });
  await sup.start({ name: "w2", actors: [echo("b/one")], restart: { initialBackoffMs: 20, maxBackoffMs: 200, maxRestarts: 5, windowMs: 60_000 } });
  const ws = sup.workers();
  expect(ws.length === 2 && ws.every((w) => w.state === "running"), `workers: ${JSON.stringify(ws)}`);
  const ids = new Set(sup.actors().map((a) => a.threadId));
  expect(!ids.has(0) && ids.size === 2, `expected two distinct non-zero thread ids, got ${[...ids].join(",")}`);
  booted = true;
});

if (booted) {
  await check("ask across workers", async () => {
    const r = await sup.ask<{ value: number; greeting: string; from: string }>("a/one", { type: "echo", value: 7 });
    expect(r.value === 7 && r.greeting === "hi" && r.from === "a/one", `reply ${JSON.stringify(r)}`);
  });

  await check("actor-to-actor relay across workers", async () => {
    const r = await sup.ask<{ value: string; from: string }>("a/two", { type: "relay", to: "b/one", msg: { type: "echo", value: "x" } });
    expect(r.value === "x" && r.from === "b/one", `reply ${JSON.stringify(r)}`);
  });

  await check("typed error code and details cross the boundary", async () => {
    const err = (await rejection(sup.ask("a/one", { type: "fail", code: "NotFound", message: 'pods "x" not found' }))) as { code?: string; message?: string; details?: { reason?: string } };
    expect(err.code === "NotFound", `code ${err.code}`);
    expect(err.message === 'pods "x" not found', `message ${err.message}`);
    expect(err.details?.reason === "NotFound", `details ${JSON.stringify(err.details)}`);
  });

  await check("unknown message type is UnknownMessage", async () => {
    const code = errorCode(await rejection(sup.ask("a/one", { type: "no-such-type" })));
    expect(code === "UnknownMessage", `code ${code}`);
  });

  await check("unknown address is UnknownActor", async () => {
    const code = errorCode(await rejection(sup.ask("nobody/here", { type: "echo" })));
    expect(code === "UnknownActor", `code ${code}`);
    expect(sup.tell("nobody/here", { type: "echo" }) === false, "tell to nobody should return false");
  });

  await check("ask timeout is Timeout", async () => {
    const started = Date.now();
    const code = errorCode(await rejection(sup.ask("a/one", { type: "slow", ms: 2000 }, { timeoutMs: 100 })));
    expect(code === "Timeout", `code ${code}`);
    expect(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
  });

  await check("worker crash rejects the pending ask with WorkerDied and is restarted", async () => {
    const before = sup.workers().find((w) => w.name === "w2")!;
    const code = errorCode(await rejection(sup.ask("b/one", { type: "die-now" }, { timeoutMs: 10_000 })));
    expect(code === "WorkerDied", `code ${code}`);
    const exited = await waitFor(sup, (e) => e.type === "exited" && e.worker === "w2");
    expect(/died on request/.test(exited.reason ?? ""), `exit reason ${exited.reason}`);
    await waitFor(sup, (e) => e.type === "restarting" && e.worker === "w2");
    const started = await waitFor(sup, (e) => e.type === "started" && e.worker === "w2" && e.restarts === before.restarts + 1);
    expect(started.systemId !== before.systemId, "a restarted worker gets a new system id");
    const r = await sup.ask<{ value: number }>("a/two", { type: "relay", to: "b/one", msg: { type: "echo", value: 5 } });
    expect(r.value === 5, `relay to the new incarnation: ${JSON.stringify(r)}`);
  });

  await check("a worker that exits by itself is detected and restarted", async () => {
    const n = sup.events.filter((e) => e.type === "started" && e.worker === "w2").length;
    sup.tell("b/one", { type: "exit-now" });
    const exited = await waitFor(sup, (e) => e.type === "exited" && e.worker === "w2" && /exit code 3/.test(e.reason ?? ""));
    expect(exited, "no exit event");
    await waitFor(sup, () => sup.events.filter((e) => e.type === "started" && e.worker === "w2").length > n);
    const r = await sup.ask<{ value: number }>("b/one", { type: "echo", value: 2 });
    expect(r.value === 2, `reply ${JSON.stringify(r)}`);
  });
}

await check("clean shutdown", async () => {
  await sup.shutdown();
  const ws = sup.workers();
  expect(ws.every((w) => w.state === "stopped"), `workers: ${JSON.stringify(ws.map((w) => [w.name, w.state]))}`);
});

clearTimeout(watchdog);
console.log(`${passed} passed, ${failed} failed`);
// Exit explicitly: a runtime that kept a handle open would otherwise hang here.
exit(failed > 0 ? 1 : 0);
