import { suite } from "uvu";
import * as assert from "uvu/assert";
import { MemoryStore } from "../../../../actors/apiserver/store/memory.ts";
import { StoreCodes } from "../../../../actors/apiserver/store/store.ts";
import { brief, del, put, record, rejectionCode, settle } from "./helpers.ts";
import { storeSuite } from "./suite.ts";

storeSuite("memory", async () => new MemoryStore()).run();

const memory = suite("MemoryStore specifics");

memory("the history limit compacts the oldest whole revisions", async () => {
  const store = new MemoryStore({ historyLimit: 5 });
  for (let i = 1; i <= 8; i++) await put(store, "/a", i);
  assert.is(store.retainedEvents, 5);
  assert.is(await store.compactedRevision(), 3);
  assert.is(await rejectionCode(store.range("/a", { revision: 2 })), StoreCodes.Compacted);
  assert.equal((await store.range("/a", { revision: 3 })).kvs.map((kv) => kv.value), [3]);
  const tooOld = record(store, "/a", { startRevision: 3 });
  assert.is(((await tooOld.waitForError()) as Error & { code: string }).code, StoreCodes.Compacted);
  const oldest = record(store, "/a", { startRevision: 4 });
  await oldest.waitFor(5);
  await settle();
  oldest.cancel();
  assert.equal(oldest.events.map(brief), ["put /a@4", "put /a@5", "put /a@6", "put /a@7", "put /a@8"]);
  await store.close();
});

memory("the history limit never splits a revision", async () => {
  const store = new MemoryStore({ historyLimit: 3 });
  const two = (a: string, b: string) => store.txn({ compare: [], success: [{ type: "put", key: a, value: 1 }, { type: "put", key: b, value: 1 }] });
  await two("/a", "/b"); // rev 1: 2 events
  assert.is(await store.compactedRevision(), 0);
  await two("/c", "/d"); // rev 2: 4 events > 3, so all of rev 1 goes
  assert.is(await store.compactedRevision(), 1);
  assert.is(store.retainedEvents, 2);
  await store.close();
});

memory("compaction drops deleted keys from the index and keeps live ones", async () => {
  const store = new MemoryStore();
  for (let i = 0; i < 10; i++) await put(store, `/k/${i}`, i);
  for (let i = 0; i < 10; i += 2) await del(store, `/k/${i}`);
  assert.is(store.indexedKeys, 10, "tombstones stay until compaction");
  await store.compact(await store.revision());
  assert.is(store.indexedKeys, 5);
  assert.is(store.retainedEvents, 0);
  assert.equal((await store.range("/k/", { prefix: true })).kvs.map((kv) => kv.value), [1, 3, 5, 7, 9]);
  const kv = (await store.get("/k/1"))!;
  assert.equal([kv.createRevision, kv.modRevision, kv.version], [2, 2, 1], "metadata survives compaction");
  await store.close();
});

memory("values are stored and returned by reference", async () => {
  const store = new MemoryStore();
  const value = { spec: { replicas: 1 } };
  await put(store, "/a", value);
  assert.ok((await store.get("/a"))?.value === value);
  await store.close();
});

memory("state, restore and apply rebuild an identical store", async () => {
  const source = new MemoryStore();
  const commits: import("../../../../actors/apiserver/store/commit.ts").Commit[] = [];
  const logged = new MemoryStore({ onCommit: (c) => commits.push(c) });
  for (const s of [source, logged]) {
    await put(s, "/a", 1);
    await put(s, "/b", 1);
    await s.txn({ compare: [], success: [{ type: "put", key: "/a", value: 2 }, { type: "delete", key: "/b" }, { type: "delete", key: "/zz" }] });
    await s.txn({ compare: [{ key: "/a", target: "version", op: "=", value: 0 }], success: [], failure: [{ type: "get", key: "/a" }] });
  }
  assert.equal(commits.map((c) => c.revision), [1, 2, 3], "only writing txns are commits");
  assert.equal(commits[2].writes, [{ type: "put", key: "/a", value: 2 }, { type: "delete", key: "/b" }]);
  const replayed = new MemoryStore();
  for (const c of commits) replayed.apply(c);
  assert.equal(replayed.state(), source.state());
  const restored = new MemoryStore();
  restored.restore(source.state());
  assert.equal(await restored.revision(), 3);
  assert.equal(await restored.compactedRevision(), 3);
  assert.equal((await restored.get("/a"))?.version, 2);
  await put(restored, "/a", 3);
  assert.equal((await restored.get("/a"))?.version, 3);
});

memory("apply refuses a commit out of sequence or deleting an absent key, changing nothing", async () => {
  const store = new MemoryStore();
  store.apply({ revision: 1, writes: [{ type: "put", key: "/a", value: 1 }] });
  assert.throws(() => store.apply({ revision: 3, writes: [{ type: "put", key: "/b", value: 1 }] }), /expected 2/);
  assert.throws(() => store.apply({ revision: 2, writes: [{ type: "put", key: "/b", value: 1 }, { type: "delete", key: "/c" }] }), /does not exist/);
  assert.is(await store.revision(), 1);
  assert.is(await store.get("/b"), undefined);
});

memory("a bad historyLimit is refused", () => {
  assert.throws(() => new MemoryStore({ historyLimit: 0 }), /historyLimit/);
});

memory.run();
