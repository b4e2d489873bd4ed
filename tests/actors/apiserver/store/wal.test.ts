import { mkdtemp, readFile, rm, writeFile, appendFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { SimulatedClock } from "../../../../runtime/clock.ts";
import type { Store } from "../../../../actors/apiserver/store/store.ts";
import { StoreCodes } from "../../../../actors/apiserver/store/store.ts";
import { WalStore, snapshotFileName, walFileName, type WalStoreOptions } from "../../../../actors/apiserver/store/wal.ts";
import { nodeWalFiles, type WalFiles } from "../../../../actors/apiserver/store/wal-files.ts";
import { brief, del, put, record, rejectionCode, settle } from "./helpers.ts";
import { storeSuite } from "./suite.ts";

const tempDir = () => mkdtemp(join(tmpdir(), "actorkube-wal-"));
const removeDir = async (store: Store) => rm((store as WalStore).dir, { recursive: true, force: true });
const open = (dir: string, options: WalStoreOptions = {}) => WalStore.open(dir, { warn: () => {}, ...options });

storeSuite("wal", async () => open(await tempDir()), removeDir).run();
// Again with a snapshot every other record and interval fsync, so snapshots interleave with every scenario.
storeSuite("wal, snapshotting constantly", async () => open(await tempDir(), { snapshotEvery: 2, fsync: "interval" }), removeDir).run();

/** Real files with counters and an optional hook that can stall or fail appends. */
function instrumented(hooks: { beforeAppend?: (n: number) => Promise<void> } = {}) {
  const counts = { append: 0, sync: 0 };
  const files: WalFiles = {
    ...nodeWalFiles,
    async openAppend(path) {
      const file = await nodeWalFiles.openAppend(path);
      return {
        append: async (data) => {
          counts.append++;
          await hooks.beforeAppend?.(counts.append);
          return file.append(data);
        },
        sync: async () => {
          counts.sync++;
          return file.sync();
        },
        truncate: (size) => file.truncate(size),
        close: () => file.close(),
      };
    },
  };
  return { files, counts };
}

const lines = async (dir: string, name = walFileName) => (await readFile(join(dir, name), "utf8")).split("\n").filter((l) => l !== "");

interface Ctx {
  dir: string;
}
const wal = suite<Ctx>("WalStore specifics", {} as Ctx);
wal.before.each(async (ctx) => {
  ctx.dir = await tempDir();
});
wal.after.each(async (ctx) => {
  await rm(ctx.dir, { recursive: true, force: true });
});

wal("reopening restores state, revision, metadata and history", async ({ dir }) => {
  const a = await open(dir);
  await put(a, "/a", { n: 1 }); // 1
  await put(a, "/b", { n: 1 }); // 2
  await put(a, "/a", { n: 2 }); // 3
  await del(a, "/b"); // 4
  await a.compact(2);
  await a.close();
  const b = await open(dir);
  assert.is(await b.revision(), 4);
  assert.is(await b.compactedRevision(), 2, "explicit compactions are logged");
  const kv = (await b.get("/a"))!;
  assert.equal([kv.value, kv.createRevision, kv.modRevision, kv.version], [{ n: 2 }, 1, 3, 2]);
  assert.equal((await b.range("/b", { revision: 3 })).kvs.map((x) => x.value), [{ n: 1 }], "past revisions since the snapshot survive");
  const w = record(b, "/", { prefix: true, startRevision: 3 });
  await w.waitFor(2);
  w.cancel();
  assert.equal(w.events.map(brief), ["put /a@3", "delete /b@4"]);
  assert.is((await put(b, "/b", 1)).createRevision, 5);
  await b.close();
});

wal("a snapshot empties the log; reopening loads it and replays the rest", async ({ dir }) => {
  const a = await open(dir, { snapshotEvery: 5 });
  for (let i = 1; i <= 12; i++) await put(a, `/k/${i % 4}`, i);
  await a.close();
  assert.is((await lines(dir)).length, 2, "records 11 and 12 are in the log");
  assert.is(JSON.parse((await lines(dir, snapshotFileName))[0]).revision, 10);
  const b = await open(dir, { snapshotEvery: 5 });
  assert.is(await b.revision(), 12);
  assert.is(await b.compactedRevision(), 10, "history starts at the snapshot");
  assert.equal((await b.range("/k/", { prefix: true })).kvs.map((kv) => [kv.key, kv.value, kv.version]), [
    ["/k/0", 12, 3],
    ["/k/1", 9, 3],
    ["/k/2", 10, 3],
    ["/k/3", 11, 3],
  ]);
  assert.equal((await b.range("/k/1", { revision: 10 })).kvs.map((kv) => kv.value), [9]);
  assert.is(await rejectionCode(b.range("/k/1", { revision: 9 })), StoreCodes.Compacted);
  const w = record(b, "/", { prefix: true, startRevision: 11 });
  await w.waitFor(2);
  w.cancel();
  assert.equal(w.events.map(brief), ["put /k/3@11", "put /k/0@12"]);
  await b.close();
});

wal("a torn final line is dropped with a warning; earlier records and later appends survive", async ({ dir }) => {
  const a = await open(dir);
  for (let i = 1; i <= 3; i++) await put(a, "/a", i);
  await a.close();
  const intact = await readFile(join(dir, walFileName), "utf8");
  for (const damage of ['{"revision":4,"writes":[{"type":"pu', 'garbage\n', '{"revision":4}\n\0\0\0']) {
    await writeFile(join(dir, walFileName), intact + damage);
    const warnings: string[] = [];
    const b = await open(dir, { warn: (m) => warnings.push(m) });
    assert.is(warnings.length, 1, JSON.stringify(damage));
    assert.match(warnings[0], /torn or corrupt/);
    assert.is(await b.revision(), 3);
    assert.is((await b.get("/a"))?.value, 3);
    await b.close();
    assert.is(await readFile(join(dir, walFileName), "utf8"), intact, "the damage is cut off");
  }
  const c = await open(dir);
  await put(c, "/a", 4);
  await c.close();
  const d = await open(dir);
  assert.is((await d.get("/a"))?.version, 4);
  await d.close();
});

wal("damage followed by good records refuses to open and leaves the files alone", async ({ dir }) => {
  const a = await open(dir);
  for (let i = 1; i <= 3; i++) await put(a, "/a", i);
  await a.close();
  const [r1, r2, r3] = await lines(dir);
  const corrupt = [r1, "{not json", r2, r3].join("\n") + "\n";
  await writeFile(join(dir, walFileName), corrupt);
  assert.is(await rejectionCode(open(dir)), StoreCodes.Unavailable);
  assert.is(await readFile(join(dir, walFileName), "utf8"), corrupt);
  const gap = [r1, r3].join("\n") + "\n";
  await writeFile(join(dir, walFileName), gap);
  assert.is(await rejectionCode(open(dir)), StoreCodes.Unavailable, "a missing revision is corruption too");
});

wal("an unreadable snapshot refuses to open", async ({ dir }) => {
  await writeFile(join(dir, snapshotFileName), '{"format":"actorkube-snapshot/1","revision":3,"count":2}\n{"key":"/a","value":1,"createRevision":1,"modRevision":1,"version":1}\n');
  assert.is(await rejectionCode(open(dir)), StoreCodes.Unavailable);
});

wal("a crash between writing a snapshot and emptying the log replays cleanly", async ({ dir }) => {
  const a = await open(dir);
  for (const k of ["/a", "/b", "/a"]) await put(a, k, k);
  await a.close();
  const before = await readFile(join(dir, walFileName), "utf8");
  const b = await open(dir);
  await b.snapshot();
  await put(b, "/c", 1); // revision 4, alone in the emptied log
  await b.close();
  await writeFile(join(dir, walFileName), before + (await readFile(join(dir, walFileName), "utf8")));
  await writeFile(join(dir, `${snapshotFileName}.tmp`), "half a snapsh");
  const c = await open(dir);
  assert.is(await c.revision(), 4);
  assert.equal((await c.range("/", { prefix: true })).kvs.map((kv) => `${kv.key}:${kv.version}`), ["/a:2", "/b:1", "/c:1"]);
  await c.close();
  assert.not.ok((await readdir(dir)).includes(`${snapshotFileName}.tmp`), "the leftover temporary snapshot is removed");
});

wal("a disk failure stops the store; what reached the disk survives", async ({ dir }) => {
  const { files } = instrumented({ beforeAppend: async (n) => void (n > 2 && (() => { throw new Error("EIO: disk on fire"); })()) });
  const warnings: string[] = [];
  const a = await open(dir, { files, warn: (m) => warnings.push(m) });
  const w = record(a, "/", { prefix: true });
  await put(a, "/a", 1);
  await put(a, "/a", 2);
  assert.is(await rejectionCode(put(a, "/a", 3)), StoreCodes.Unavailable);
  assert.is(await rejectionCode(a.get("/a")), StoreCodes.Unavailable);
  const err = (await w.waitForError()) as Error & { code: string };
  assert.is(err.code, StoreCodes.Unavailable);
  assert.match(err.message, /disk on fire/);
  assert.equal(w.events.map(brief), ["put /a@1", "put /a@2"], "the undurable event was never delivered");
  assert.match(warnings.join("\n"), /disk on fire/);
  await a.close();
  const b = await open(dir);
  assert.is((await b.get("/a"))?.value, 2);
  await b.close();
});

wal("a failed snapshot is reported and changes nothing: the log still holds every record", async ({ dir }) => {
  const files: WalFiles = { ...nodeWalFiles, writeAtomic: async () => Promise.reject(new Error("ENOSPC: no space left")) };
  const warnings: string[] = [];
  const a = await open(dir, { files, snapshotEvery: 3, warn: (m) => warnings.push(m) });
  for (let i = 1; i <= 7; i++) await put(a, "/a", i);
  assert.match(warnings.join("\n"), /snapshot failed.*ENOSPC/);
  assert.is(await rejectionCode(a.snapshot()), StoreCodes.Unavailable);
  await put(a, "/a", 8);
  await a.close();
  assert.is((await lines(dir)).length, 8);
  const b = await open(dir);
  assert.is((await b.get("/a"))?.version, 8);
  await b.close();
});

wal("replies, reads and watch events wait until the log is written", async ({ dir }) => {
  let release: () => void = () => {};
  const stall = { on: false };
  const { files } = instrumented({ beforeAppend: () => (stall.on ? new Promise<void>((r) => (release = r)) : Promise.resolve()) });
  const a = await open(dir, { files });
  await put(a, "/a", 1);
  const w = record(a, "/", { prefix: true });
  stall.on = true;
  const done: string[] = [];
  const write = put(a, "/a", 2).then(() => done.push("txn"));
  const read = a.get("/a").then((kv) => done.push(`get ${kv?.value}`));
  await settle();
  assert.equal(done, []);
  assert.equal(w.events, []);
  stall.on = false;
  release();
  await Promise.all([write, read]);
  await w.waitFor(1);
  w.cancel();
  assert.equal(done.sort(), ["get 2", "txn"]);
  await a.close();
});

wal("commits arriving together share one append and one fsync", async ({ dir }) => {
  const { files, counts } = instrumented();
  const a = await open(dir, { files });
  await Promise.all(Array.from({ length: 200 }, (_, i) => put(a, `/k/${i}`, i)));
  assert.ok(counts.append < 20, `${counts.append} appends for 200 commits`);
  assert.is(counts.sync, counts.append, "fsync: always syncs each group");
  await a.close();
  assert.is((await lines(dir)).length, 200);
});

wal("fsync policies: never syncs never; interval syncs on the clock", async ({ dir }) => {
  const never = instrumented();
  const a = await open(dir, { files: never.files, fsync: "never" });
  for (let i = 0; i < 5; i++) await put(a, "/a", i);
  await a.close();
  assert.is(never.counts.sync, 0);
  const clock = new SimulatedClock();
  const interval = instrumented();
  const b = await open(dir, { files: interval.files, fsync: "interval", fsyncIntervalMs: 100, clock });
  for (let i = 0; i < 5; i++) await put(b, "/a", i);
  assert.is(interval.counts.sync, 0, "acknowledged before any fsync");
  await clock.advance(100);
  await settle();
  assert.is(interval.counts.sync, 1, "one fsync for the interval's writes");
  await b.close();
});

wal("the history limit also applies under the log", async ({ dir }) => {
  const a = await open(dir, { historyLimit: 3 });
  for (let i = 1; i <= 6; i++) await put(a, "/a", i);
  assert.is(await a.compactedRevision(), 3);
  assert.is(await rejectionCode(a.range("/a", { revision: 2 })), StoreCodes.Compacted);
  await a.close();
});

wal("files written by one open are readable as JSON lines", async ({ dir }) => {
  const a = await open(dir);
  await a.txn({ compare: [], success: [{ type: "put", key: "/a", value: { x: [1, "two"] } }, { type: "put", key: "/b", value: null }] });
  await del(a, "/a");
  await appendFile(join(dir, "unrelated.txt"), "ignored");
  await a.close();
  assert.equal((await lines(dir)).map((l) => JSON.parse(l)), [
    { revision: 1, writes: [{ type: "put", key: "/a", value: { x: [1, "two"] } }, { type: "put", key: "/b", value: null }] },
    { revision: 2, writes: [{ type: "delete", key: "/a" }] },
  ]);
});

wal.run();
