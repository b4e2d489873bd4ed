/**
 * The backend-agnostic store suite: every backend runs these same tests
 * (`storeSuite("memory", () => ...).run()`), so they pin down etcd's
 * semantics once — revisions, transactions, ranges, watches, compaction.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { Compare, Store } from "../../../../actors/apiserver/store/store.ts";
import { StoreCodes } from "../../../../actors/apiserver/store/store.ts";
import { brief, del, put, record, rejectionCode, settle } from "./helpers.ts";

/** Per-test context: a fresh store. */
interface Ctx {
  store: Store;
}

/** Registers the shared tests for one backend; returns the uvu suite to `.run()`. */
export function storeSuite(name: string, make: () => Promise<Store>, cleanup?: (store: Store) => Promise<void>) {
  const s = suite<Ctx>(`store suite: ${name}`, {} as Ctx);
  s.before.each(async (ctx) => {
    ctx.store = await make();
  });
  s.after.each(async (ctx) => {
    await ctx.store.close();
    await cleanup?.(ctx.store);
  });

  s("an empty store is at revision 0 with nothing compacted", async ({ store }) => {
    assert.is(await store.revision(), 0);
    assert.is(await store.compactedRevision(), 0);
    assert.is(await store.get("/a"), undefined);
    const r = await store.range("/", { prefix: true });
    assert.equal([r.kvs, r.count, r.more, r.revision], [[], 0, false, 0]);
  });

  s("every write increments the revision; metadata follows etcd", async ({ store }) => {
    const a1 = await put(store, "/a", { n: 1 });
    assert.equal(a1, { key: "/a", value: { n: 1 }, createRevision: 1, modRevision: 1, version: 1 });
    await put(store, "/b", { n: 1 });
    const a2 = await put(store, "/a", { n: 2 });
    assert.equal([a2.createRevision, a2.modRevision, a2.version], [1, 3, 2]);
    assert.is(await store.revision(), 3);
    assert.equal((await store.get("/a"))?.value, { n: 2 });
  });

  s("a deleted and re-created key starts at version 1 with a new createRevision", async ({ store }) => {
    await put(store, "/a", 1);
    await put(store, "/a", 2);
    assert.is(await del(store, "/a"), 3);
    assert.is(await store.get("/a"), undefined);
    const again = await put(store, "/a", 3);
    assert.equal([again.createRevision, again.modRevision, again.version], [4, 4, 1]);
  });

  s("deleting an absent key writes nothing and keeps the revision", async ({ store }) => {
    await put(store, "/a", 1);
    const res = await store.txn({ compare: [], success: [{ type: "delete", key: "/nope" }] });
    assert.equal([res.succeeded, res.revision, res.results], [true, 1, [{}]]);
    assert.is(await store.revision(), 1);
  });

  s("create only if absent: compare version = 0", async ({ store }) => {
    const create = (value: number) =>
      store.txn({
        compare: [{ key: "/a", target: "version", op: "=", value: 0 }],
        success: [{ type: "put", key: "/a", value }],
        failure: [{ type: "get", key: "/a" }],
      });
    const first = await create(1);
    assert.ok(first.succeeded);
    assert.is(first.revision, 1);
    const second = await create(2);
    assert.not.ok(second.succeeded);
    assert.is(second.revision, 1, "a failed compare with a read-only branch does not bump the revision");
    assert.is(second.results[0].kv?.value, 1);
    assert.is(await store.revision(), 1);
  });

  s("compare-and-swap on modRevision: a stale revision fails", async ({ store }) => {
    const v1 = await put(store, "/a", "v1");
    const cas = (rev: number, value: string) =>
      store.txn({ compare: [{ key: "/a", target: "modRevision", op: "=", value: rev }], success: [{ type: "put", key: "/a", value }] });
    const ok = await cas(v1.modRevision, "v2");
    assert.ok(ok.succeeded);
    const stale = await cas(v1.modRevision, "v3");
    assert.not.ok(stale.succeeded);
    assert.equal(stale.results, []);
    assert.is((await store.get("/a"))?.value, "v2");
  });

  s("compare operators and targets, including absent keys (all zero)", async ({ store }) => {
    await put(store, "/x", 0); // rev 1
    await put(store, "/a", 0); // rev 2: create 2
    await put(store, "/a", 0); // rev 3: mod 3, version 2
    const cases: [Compare["target"], Compare["op"], number, boolean, string?][] = [
      ["version", "=", 2, true],
      ["version", "!=", 2, false],
      ["version", "<", 3, true],
      ["version", ">", 2, false],
      ["modRevision", "=", 3, true],
      ["modRevision", "<", 3, false],
      ["createRevision", "=", 2, true],
      ["createRevision", ">", 1, true],
      ["version", "=", 0, true, "/absent"],
      ["modRevision", "=", 0, true, "/absent"],
      ["createRevision", ">", 0, false, "/absent"],
    ];
    for (const [target, op, value, expected, key = "/a"] of cases) {
      const res = await store.txn({ compare: [{ key, target, op, value }], success: [] });
      assert.is(res.succeeded, expected, `${key} ${target} ${op} ${value}`);
    }
    assert.is(await store.revision(), 3);
  });

  s("a branch's writes share one new revision; one failing compare applies none", async ({ store }) => {
    await put(store, "/guard", 1);
    const res = await store.txn({
      compare: [{ key: "/guard", target: "version", op: "=", value: 1 }],
      success: [
        { type: "put", key: "/a", value: "a" },
        { type: "put", key: "/b", value: "b" },
        { type: "delete", key: "/guard" },
        { type: "get", key: "/a" },
      ],
    });
    assert.ok(res.succeeded);
    assert.is(res.revision, 2);
    assert.equal(
      res.results.map((r) => r.kv?.modRevision),
      [2, 2, 1, 2],
      "puts and the get see revision 2; the delete returns the previous kv",
    );
    const blocked = await store.txn({
      compare: [
        { key: "/a", target: "version", op: "=", value: 1 },
        { key: "/guard", target: "version", op: "=", value: 1 },
      ],
      success: [{ type: "put", key: "/c", value: "c" }],
      failure: [
        { type: "put", key: "/a", value: "a2" },
        { type: "put", key: "/b", value: "b2" },
      ],
    });
    assert.not.ok(blocked.succeeded);
    assert.is(blocked.revision, 3, "the failure branch's writes are one revision too");
    assert.is(await store.get("/c"), undefined);
    const all = await store.range("/", { prefix: true });
    assert.equal(all.kvs.map((kv) => `${kv.key}=${kv.value}@${kv.modRevision}`), ["/a=a2@3", "/b=b2@3"]);
  });

  s("concurrent compare-and-swap increments lose no update", async ({ store }) => {
    await put(store, "/counter", 0);
    const increment = async () => {
      for (;;) {
        const kv = (await store.get<number>("/counter"))!;
        const res = await store.txn({
          compare: [{ key: "/counter", target: "modRevision", op: "=", value: kv.modRevision }],
          success: [{ type: "put", key: "/counter", value: kv.value + 1 }],
        });
        if (res.succeeded) return;
      }
    };
    await Promise.all(Array.from({ length: 20 }, increment));
    assert.is((await store.get("/counter"))?.value, 20);
    assert.is(await store.revision(), 21);
  });

  s("a malformed txn is refused whole", async ({ store }) => {
    const bad = { compare: [], success: [{ type: "put", key: "/a", value: 1 }, { type: "frob", key: "/b" }] };
    assert.is(await rejectionCode(store.txn(bad as never)), "BadMessage");
    assert.is(await store.revision(), 0);
  });

  s("range by prefix returns keys in order and only under the prefix", async ({ store }) => {
    for (const k of ["/p/b", "/p/a/2", "/q/a", "/p/a/1", "/p", "/pa", "/p/c"]) await put(store, k, k);
    const r = await store.range("/p/", { prefix: true });
    assert.equal(r.kvs.map((kv) => kv.key), ["/p/a/1", "/p/a/2", "/p/b", "/p/c"]);
    assert.equal([r.count, r.more, r.revision], [4, false, 7]);
    const one = await store.range("/p/b");
    assert.equal(one.kvs.map((kv) => kv.key), ["/p/b"]);
    const counted = await store.range("/p/a/", { prefix: true, countOnly: true });
    assert.equal([counted.kvs, counted.count], [[], 2]);
  });

  s("limit and startKey page through a prefix; count ignores both", async ({ store }) => {
    const keys = Array.from({ length: 10 }, (_, i) => `/k/${String(i).padStart(2, "0")}`);
    for (const k of [...keys].reverse()) await put(store, k, k);
    await put(store, "/kz", "outside");
    const first = await store.range("/k/", { prefix: true, limit: 4 });
    assert.equal(first.kvs.map((kv) => kv.key), keys.slice(0, 4));
    assert.equal([first.more, first.count, first.remaining], [true, 10, 6]);
    const revision = first.revision;
    // Writes between pages must not leak into a read pinned at the first page's revision.
    await put(store, "/k/055", "new");
    await del(store, "/k/07");
    const seen = [...first.kvs.map((kv) => kv.key)];
    let startKey = first.kvs[first.kvs.length - 1].key + "\0";
    for (;;) {
      const page = await store.range("/k/", { prefix: true, limit: 4, startKey, revision });
      assert.is(page.count, 10);
      seen.push(...page.kvs.map((kv) => kv.key));
      if (!page.more) break;
      startKey = page.kvs[page.kvs.length - 1].key + "\0";
    }
    assert.equal(seen, keys);
    const exact = await store.range("/k/", { prefix: true, limit: 10 });
    assert.equal([exact.kvs.length, exact.more, exact.count], [10, false, 10]);
  });

  s("range at a past revision sees the value then, deleted keys included", async ({ store }) => {
    await put(store, "/a", "a1"); // 1
    await put(store, "/b", "b1"); // 2
    await put(store, "/a", "a2"); // 3
    await del(store, "/b"); // 4
    const at2 = await store.range("/", { prefix: true, revision: 2 });
    assert.equal(at2.kvs.map((kv) => [kv.key, kv.value, kv.modRevision, kv.version]), [["/a", "a1", 1, 1], ["/b", "b1", 2, 1]]);
    assert.is(at2.revision, 2);
    assert.equal((await store.range("/b", { revision: 3 })).kvs.map((kv) => kv.value), ["b1"]);
    assert.equal((await store.range("/b", { revision: 4 })).kvs, []);
    assert.equal((await store.range("/", { prefix: true })).kvs.map((kv) => kv.key), ["/a"]);
    assert.is((await store.range("/", { prefix: true, revision: 3 })).count, 2);
  });

  s("range beyond the current revision fails with FutureRevision", async ({ store }) => {
    await put(store, "/a", 1);
    assert.is(await rejectionCode(store.range("/a", { revision: 2 })), StoreCodes.FutureRevision);
    assert.is(await rejectionCode(store.compact(5)), StoreCodes.FutureRevision);
  });

  s("compact: reads below fail with Compacted, the compacted revision still reads", async ({ store }) => {
    await put(store, "/a", 1); // 1
    await put(store, "/a", 2); // 2
    await put(store, "/b", 1); // 3
    await del(store, "/b"); // 4
    await put(store, "/a", 3); // 5
    await store.compact(4);
    assert.is(await store.compactedRevision(), 4);
    try {
      await store.range("/a", { revision: 3 });
      assert.unreachable("range below the compacted revision must fail");
    } catch (err) {
      const e = err as { code: string; details: { compactedRevision: number } };
      assert.is(e.code, StoreCodes.Compacted);
      assert.is(e.details.compactedRevision, 4);
    }
    const at4 = await store.range("/", { prefix: true, revision: 4 });
    assert.equal(at4.kvs.map((kv) => [kv.key, kv.value]), [["/a", 2]]);
    assert.equal((await store.range("/a", { revision: 5 })).kvs.map((kv) => kv.value), [3]);
    assert.is(await rejectionCode(store.compact(4)), StoreCodes.Compacted, "compacting again at the same revision fails as in etcd");
    assert.is(await rejectionCode(store.compact(2)), StoreCodes.Compacted);
    await store.compact(5);
    assert.equal((await store.range("/", { prefix: true })).kvs.map((kv) => kv.value), [3]);
  });

  s("watch from a revision replays history, then streams live events in order", async ({ store }) => {
    await put(store, "/a", "a1"); // 1
    await put(store, "/a", "a2"); // 2
    await del(store, "/a"); // 3
    const w = record(store, "/", { prefix: true, startRevision: 2 });
    await w.waitFor(2);
    await put(store, "/b", "b1"); // 4
    await store.txn({ compare: [], success: [{ type: "put", key: "/c", value: 1 }, { type: "put", key: "/b", value: "b2" }] }); // 5
    await w.waitFor(5);
    w.cancel();
    assert.equal(w.events.map(brief), ["put /a@2", "delete /a@3", "put /b@4", "put /c@5", "put /b@5"]);
    const [a2, delA, b1, , b2] = w.events;
    assert.equal([a2.kv.value, a2.prevKv?.value, a2.prevKv?.modRevision], ["a2", "a1", 1]);
    assert.equal([delA.kv.value, delA.kv.version, delA.prevKv?.value, delA.prevKv?.modRevision], ["a2", 0, "a2", 2]);
    assert.is(b1.prevKv, undefined, "a create has no prevKv");
    assert.equal([b2.kv.version, b2.prevKv?.value], [2, "b1"]);
    assert.is(w.error, undefined);
  });

  s("watch from revision 1 replays all retained history", async ({ store }) => {
    await put(store, "/a", 1);
    await put(store, "/b", 1);
    const w = record(store, "/", { prefix: true, startRevision: 1 });
    await w.waitFor(2);
    w.cancel();
    assert.equal(w.events.map(brief), ["put /a@1", "put /b@2"]);
  });

  s("watch without startRevision sees only later events", async ({ store }) => {
    await put(store, "/a", 1);
    const w = record(store, "/a", {});
    await settle();
    await put(store, "/a", 2);
    await w.waitFor(1);
    await settle();
    w.cancel();
    assert.equal(w.events.map(brief), ["put /a@2"]);
  });

  s("watch from a future revision skips everything before it", async ({ store }) => {
    await put(store, "/a", 1);
    const w = record(store, "/", { prefix: true, startRevision: 4 });
    for (let i = 2; i <= 5; i++) await put(store, "/a", i);
    await w.waitFor(2);
    await settle();
    w.cancel();
    assert.equal(w.events.map(brief), ["put /a@4", "put /a@5"]);
  });

  s("watch filters by key or prefix", async ({ store }) => {
    const exact = record(store, "/pods/a", { startRevision: 1 });
    const prefix = record(store, "/pods/", { prefix: true, startRevision: 1 });
    for (const k of ["/pods/a", "/pods/ab", "/podsx", "/nodes/a", "/pods/b", "/pods/a"]) await put(store, k, k);
    await prefix.waitFor(4);
    await exact.waitFor(2);
    await settle();
    assert.equal(exact.events.map(brief), ["put /pods/a@1", "put /pods/a@6"]);
    assert.equal(prefix.events.map(brief), ["put /pods/a@1", "put /pods/ab@2", "put /pods/b@5", "put /pods/a@6"]);
    exact.cancel();
    prefix.cancel();
  });

  s("watch at or below the compacted revision fails with Compacted; one above replays", async ({ store }) => {
    for (let i = 1; i <= 6; i++) await put(store, "/a", i);
    await store.compact(4);
    for (const start of [1, 4]) {
      const w = record(store, "/", { prefix: true, startRevision: start });
      const err = (await w.waitForError()) as Error & { code: string; details: { compactedRevision: number } };
      assert.is(err.code, StoreCodes.Compacted, `start ${start}`);
      assert.is(err.details.compactedRevision, 4);
      assert.equal(w.events, []);
    }
    const ok = record(store, "/", { prefix: true, startRevision: 5 });
    await ok.waitFor(2);
    await settle();
    assert.equal(ok.events.map(brief), ["put /a@5", "put /a@6"]);
    assert.is(ok.error, undefined);
    ok.cancel();
  });

  s("a watcher that writes to the store neither deadlocks nor reorders", async ({ store }) => {
    const all = record(store, "/", { prefix: true, startRevision: 1 });
    const echo = store.watch("/in/", { prefix: true }, (events) => {
      for (const ev of events) if (ev.type === "put") void store.txn({ compare: [], success: [{ type: "put", key: `/out/${ev.kv.key.slice(4)}`, value: ev.kv.value }] });
    });
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 50; i++) writes.push(put(store, `/in/${i}`, i));
    await Promise.all(writes);
    await all.waitFor(100);
    echo.cancel();
    all.cancel();
    const revisions = all.events.map((ev) => ev.kv.modRevision);
    assert.equal(revisions, Array.from({ length: 100 }, (_, i) => i + 1), "every revision once, in order");
    assert.is((await store.range("/out/", { prefix: true })).count, 50);
  });

  s("a watcher is never called inside txn", async ({ store }) => {
    let inTxn = false;
    let calledInside = false;
    const w = store.watch("/", { prefix: true }, () => void (calledInside ||= inTxn));
    inTxn = true;
    const p = put(store, "/a", 1);
    inTxn = false;
    await p;
    await settle();
    w.cancel();
    assert.not.ok(calledInside);
  });

  s("cancel stops delivery", async ({ store }) => {
    const w = record(store, "/", { prefix: true });
    await put(store, "/a", 1);
    await w.waitFor(1);
    w.cancel();
    const later = record(store, "/", { prefix: true });
    await put(store, "/a", 2);
    await later.waitFor(1);
    await settle();
    later.cancel();
    assert.equal(w.events.map(brief), ["put /a@1"]);
    assert.is(w.error, undefined);
  });

  s("a watcher whose callback throws ends with that error; others keep going", async ({ store }) => {
    const boom = new Error("consumer bug");
    let calls = 0;
    let ended: Error | undefined;
    store.watch("/", { prefix: true }, () => {
      calls++;
      throw boom;
    }, (err) => void (ended = err));
    const healthy = record(store, "/", { prefix: true });
    await put(store, "/a", 1);
    await healthy.waitFor(1);
    await put(store, "/a", 2);
    await healthy.waitFor(2);
    await settle();
    healthy.cancel();
    assert.is(ended, boom);
    assert.is(calls, 1);
  });

  s("close ends open watches with StoreUnavailable and refuses further calls", async ({ store }) => {
    await put(store, "/a", 1);
    const w = record(store, "/", { prefix: true });
    await settle();
    await store.close();
    const err = (await w.waitForError()) as Error & { code: string };
    assert.is(err.code, StoreCodes.Unavailable);
    assert.is(await rejectionCode(store.get("/a")), StoreCodes.Unavailable);
    assert.is(await rejectionCode(put(store, "/b", 1)), StoreCodes.Unavailable);
    const late = record(store, "/", { prefix: true });
    assert.is(((await late.waitForError()) as Error & { code: string }).code, StoreCodes.Unavailable);
  });

  s("many writes reach a watcher exactly once each, in order", async ({ store }) => {
    const w = record(store, "/", { prefix: true, startRevision: 1 });
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 500; i++) writes.push(i % 7 === 6 ? del(store, `/k/${i - 1}`) : put(store, `/k/${i}`, i));
    await Promise.all(writes);
    const rev = await store.revision();
    await w.waitFor(rev);
    await settle();
    w.cancel();
    assert.equal(w.events.map((ev) => ev.kv.modRevision), Array.from({ length: rev }, (_, i) => i + 1));
  });

  return s;
}
