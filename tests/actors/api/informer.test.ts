import { test } from "uvu";
import * as assert from "uvu/assert";
import { ActorSystem } from "../../../runtime/system.ts";
import { SimulatedClock } from "../../../runtime/clock.ts";
import { errorCode } from "../../../runtime/errors.ts";
import type { ActorFactory } from "../../../runtime/actor.ts";
import { ApiClient } from "../../../actors/api/client.ts";
import { InformerSet } from "../../../actors/api/informer-set.ts";
import { isNewer, type Informer, type InformerOptions } from "../../../actors/api/informer.ts";
import { objectKey, type KubeObject } from "../../../actors/api/meta.ts";
import type { WatchMessage } from "../../../actors/api/protocol.ts";
import { FakeApi, fakeApiserver, untyped } from "./fake-apiserver.ts";

// What the test can reach of the controller actor it spawns.
interface Probe {
  options: InformerOptions<KubeObject>;
  set?: InformerSet;
  informer?: Informer<KubeObject>;
  log: string[];
}

const rv = (o: KubeObject) => o.metadata.resourceVersion;

// A controller-shaped actor: informers from an InformerSet, handlers that only record.
const controller: ActorFactory<Probe, WatchMessage> = (ctx, probe) => {
  const set = new InformerSet(ctx, new ApiClient(ctx, { apiserver: "fake", timeoutMs: 5_000 }));
  const informer = set.informer(probe.options);
  informer.addEventHandler({
    onAdd: (o) => probe.log.push(`add ${objectKey(o)}@${rv(o)}`),
    onUpdate: (a, b) => probe.log.push(`update ${objectKey(b)}@${rv(a)}->${rv(b)}`),
    onDelete: (o) => probe.log.push(`delete ${objectKey(o)}`),
  });
  set.start();
  probe.set = set;
  probe.informer = informer;
  return { handlers: { ...set.handlers } };
};

const byNode = (o: KubeObject) => {
  const node = (o.spec as { nodeName?: string } | undefined)?.nodeName;
  return node ? [node] : [];
};

async function setup(fill: (api: FakeApi) => void = () => {}, options: Partial<InformerOptions<KubeObject>> = {}) {
  const clock = new SimulatedClock();
  const sys = new ActorSystem({ id: 0, name: "t", clock });
  const api = new FakeApi();
  fill(api);
  await sys.spawn("fake", untyped(fakeApiserver), api);
  const probe: Probe = { options: { resource: "pods", jitter: 0, indexers: { node: byNode }, ...options }, log: [] };
  await sys.spawn("ctrl", untyped(controller), probe);
  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      await clock.advance(0);
      await new Promise((r) => setImmediate(r));
    }
  };
  await settle();
  const informer = probe.informer!;
  const take = () => probe.log.splice(0);
  return { clock, sys, api, probe, informer, settle, take };
}

const three = (api: FakeApi) => {
  api.put("a", { nodeName: "n1" });
  api.put("b", { nodeName: "n2" });
  api.put("c", { namespace: "kube-system", nodeName: "n1" });
};

test("initial sync: the list fills the cache, handlers see adds, the watch starts after the list's revision", async () => {
  const { api, informer, probe, take } = await setup(three);
  await informer.waitForSync();
  assert.ok(informer.hasSynced);
  assert.ok(probe.set!.hasSynced);
  assert.equal(take().sort(), ["add default/a@101", "add default/b@102", "add kube-system/c@103"]);
  assert.equal(informer.keys().sort(), ["default/a", "default/b", "kube-system/c"]);
  assert.is(informer.get("kube-system/c")?.metadata.name, "c");
  assert.is(informer.lastSyncResourceVersion, "103");
  assert.equal(api.watchRequests.map((w) => [w.resourceVersion, w.watcher, w.allowWatchBookmarks]), [["103", "ctrl", true]]);
  assert.is(api.watches.size, 1);
});

test("watch events: add, update and delete reach the handlers and the cache", async () => {
  const { api, informer, settle, take } = await setup(three);
  take();
  api.put("d");
  api.put("a", { nodeName: "n3" });
  api.remove("default/b");
  await settle();
  assert.equal(take(), ["add default/d@104", "update default/a@101->105", "delete default/b"]);
  assert.equal(informer.keys().sort(), ["default/a", "default/d", "kube-system/c"]);
  assert.is(informer.lastSyncResourceVersion, "106");
});

test("indexes: namespace is built in, custom ones follow updates and deletes", async () => {
  const { api, informer, settle } = await setup(three);
  const names = (objs: KubeObject[]) => objs.map((o) => o.metadata.name).sort();
  assert.equal(names(informer.byIndex("namespace", "default")), ["a", "b"]);
  assert.equal(names(informer.byIndex("namespace", "kube-system")), ["c"]);
  assert.equal(names(informer.byIndex("node", "n1")), ["a", "c"]);
  api.put("a", { nodeName: "n2" });
  api.remove("kube-system/c");
  await settle();
  assert.equal(names(informer.byIndex("node", "n1")), []);
  assert.equal(names(informer.byIndex("node", "n2")), ["a", "b"]);
  assert.equal(names(informer.byIndex("namespace", "kube-system")), []);
  informer.addIndexer("label-app", (o) => (o.metadata.labels?.app ? [o.metadata.labels.app] : []));
  api.put("e", { labels: { app: "web" } });
  await settle();
  assert.equal(names(informer.byIndex("label-app", "web")), ["e"]);
  assert.throws(() => informer.byIndex("nope", "x"), /no index named "nope"/);
});

test("stale and duplicate events are ignored; bookmarks advance the resourceVersion", async () => {
  const { api, informer, settle, take } = await setup(three);
  take();
  const a = informer.get("default/a")!;
  const cases: [string, KubeObject][] = [
    ["older MODIFIED", { ...a, metadata: { ...a.metadata, resourceVersion: "90" }, spec: { nodeName: "old" } }],
    ["same-revision MODIFIED", { ...a, spec: { nodeName: "dup" } }],
  ];
  for (const [name, object] of cases) {
    api.push([{ type: "MODIFIED", object }]);
    await settle();
    assert.equal(take(), [], name);
    assert.equal(informer.get("default/a")!.spec, { nodeName: "n1" }, name);
  }
  api.push([{ type: "DELETED", object: { ...a, metadata: { ...a.metadata, resourceVersion: "100" } } }]);
  await settle();
  assert.equal(take(), [], "stale DELETED");
  assert.ok(informer.get("default/a"));

  api.push([{ type: "BOOKMARK", object: { apiVersion: "v1", kind: "Pod", metadata: { resourceVersion: "500" } } }]);
  await settle();
  assert.is(informer.lastSyncResourceVersion, "500");
  api.closeAll();
  await settle();
  assert.equal(api.watchRequests.map((w) => w.resourceVersion), ["103", "500"], "resumes from the bookmark");
});

test("a closed watch resumes from the last resourceVersion and replays what it missed, without a relist", async () => {
  const { api, clock, settle, take } = await setup(three);
  take();
  await clock.advance(5_000); // a healthy, long-lived watch
  api.closeAll();
  api.silent = true; // writes while no watch is open
  api.put("d");
  api.remove("default/b");
  api.silent = false;
  await settle();
  assert.equal(take(), ["add default/d@104", "delete default/b"]);
  assert.is(api.lists.length, 1);
  assert.equal(api.watchRequests.map((w) => w.resourceVersion), ["103", "103"]);
});

test("relist after Expired emits the diff, so a delete missed in the gap is still seen", async () => {
  const gaps: [string, (api: FakeApi) => void][] = [
    ["watch closed with 410", (api) => api.closeAll(FakeApi.expiredStatus())],
    ["ERROR event with 410", (api) => api.push([{ type: "ERROR", object: FakeApi.expiredStatus() as unknown as KubeObject }])],
    ["closed, then the resume fails Expired", (api) => api.closeAll()],
  ];
  for (const [name, endWatch] of gaps) {
    const { api, informer, clock, settle, take } = await setup(three);
    take();
    await clock.advance(5_000);
    api.silent = true;
    api.remove("default/b");
    api.put("c", { namespace: "kube-system", nodeName: "n9" });
    api.put("d");
    api.compact();
    api.silent = false;
    endWatch(api);
    await settle();
    assert.equal(take().sort(), ["add default/d@106", "delete default/b", "update kube-system/c@103->105"], name);
    assert.equal(informer.keys().sort(), ["default/a", "default/d", "kube-system/c"], name);
    assert.is(api.lists.length, 2, name);
    assert.is(api.watches.size, 1, `${name}: watching again`);
    assert.is(informer.lastSyncResourceVersion, "106", name);
    assert.equal(informer.byIndex("node", "n9").map((o) => o.metadata.name), ["c"], name);
  }
});

test("a failing list is retried: at once, then with exponential backoff on the clock", async () => {
  const { api, informer, clock, settle } = await setup((a) => {
    three(a);
    a.failLists = 3;
  });
  assert.is(api.lists.length, 2, "first failure retried at once");
  assert.not.ok(informer.hasSynced);
  await clock.advance(999);
  assert.is(api.lists.length, 2);
  await clock.advance(1);
  assert.is(api.lists.length, 3, "second retry after 1 s");
  await clock.advance(1_999);
  assert.is(api.lists.length, 3);
  await clock.advance(1);
  await settle();
  assert.is(api.lists.length, 4, "third retry after 2 s more");
  assert.ok(informer.hasSynced);
});

test("a watch that closes at once, repeatedly, backs off instead of spinning", async () => {
  const { api, clock, settle } = await setup(three);
  for (let i = 0; i < 4; i++) {
    api.closeAll();
    await settle();
  }
  const before = api.watchRequests.length;
  assert.ok(before <= 3, `watches re-opened without backoff: ${before}`);
  await clock.advance(60_000);
  assert.ok(api.watchRequests.length > before);
});

test("waitForSync times out on the clock when the apiserver is missing; stop rejects waiters", async () => {
  const clock = new SimulatedClock();
  const sys = new ActorSystem({ id: 0, name: "t", clock });
  const probe: Probe = { options: { resource: "pods", jitter: 0 }, log: [] };
  await sys.spawn("ctrl", untyped(controller), probe);
  let err: unknown;
  const p = probe.set!.waitForSync(10_000).catch((e: unknown) => (err = e));
  await clock.advance(10_000);
  await p;
  assert.is(errorCode(err), "Timeout");
  const q = probe.informer!.waitForSync().catch((e: unknown) => e);
  await probe.set!.stop();
  assert.is(errorCode(await q), "ActorStopped");
  assert.is(clock.pending <= 1, true, "no retry timers left behind (one ask bucket at most)");
});

test("stop ends the watch; later events are ignored", async () => {
  const { api, probe, informer, settle, take } = await setup(three);
  take();
  await probe.set!.stop();
  await settle();
  assert.equal(api.unwatched, ["w1"]);
  assert.is(api.watches.size, 0);
  api.watches.set("w1", { id: "w1", watcher: "ctrl" }); // a message already in flight
  api.put("late");
  await settle();
  assert.equal(take(), []);
  assert.is(informer.get("default/late"), undefined);
});

test("events for a watch nobody opened are not applied and that watch is ended", async () => {
  const { api, informer, settle, take } = await setup(three);
  take();
  api.watches.set("leaked", { id: "leaked", watcher: "ctrl" });
  api.watches.delete("w1");
  api.put("x");
  await settle();
  assert.equal(take(), []);
  assert.is(informer.get("default/x"), undefined);
  assert.equal(api.unwatched, ["leaked"]);
});

test("selectors go to list and watch; the set shares one informer per query", async () => {
  const { api, probe, informer, take } = await setup((a) => {
    a.put("web-1", { labels: { app: "web" } });
    a.put("db-1", { labels: { app: "db" } });
  }, { labelSelector: "app=web", namespace: "default" });
  assert.equal(take(), ["add default/web-1@101"]);
  assert.is(api.lists[0]!.labelSelector, "app=web");
  assert.is(api.watchRequests[0]!.labelSelector, "app=web");
  assert.is(probe.set!.informer({ resource: "pods", labelSelector: "app=web", namespace: "default" }), informer);
  assert.is.not(probe.set!.informer({ resource: "pods" }), informer);
});

test("a late handler gets the cache replayed; a throwing handler does not stop the others", async () => {
  const { api, informer, settle, take } = await setup(three);
  take();
  const late: string[] = [];
  informer.addEventHandler({ onAdd: () => { throw new Error("boom"); } });
  const off = informer.addEventHandler({ onAdd: (o) => late.push(o.metadata.name!) });
  assert.equal(late.sort(), ["a", "b", "c"]);
  api.put("d");
  await settle();
  assert.equal(take(), ["add default/d@104"]);
  assert.equal(late.sort(), ["a", "b", "c", "d"]);
  off();
  api.put("e");
  await settle();
  assert.is(late.length, 4);
});

test("isNewer compares revisions numerically", () => {
  const cases: [string | undefined, string | undefined, boolean][] = [
    ["10", "9", true], ["9", "10", false], ["10", "10", false], ["5", undefined, true], [undefined, "5", true], ["abc", "abd", true], ["x", "x", false],
  ];
  for (const [a, b, want] of cases) assert.is(isNewer(a, b), want, `${a} vs ${b}`);
});

test.run();
