import { test } from "uvu";
import * as assert from "uvu/assert";
import { request } from "node:http";
import { pod, startFake, type FakeCluster } from "./fake-apiserver.ts";

let c: FakeCluster;
test.before(async () => {
  c = await startFake();
  c.state.objects.set("/pods/default/web", pod("web"));
});
test.after(async () => {
  await c.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await sleep(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}

test("a watch streams newline-delimited events and ends at timeoutSeconds", async () => {
  const started = Date.now();
  const res = await fetch(c.url("/api/v1/namespaces/default/pods?watch=1&timeoutSeconds=1&allowWatchBookmarks=true&resourceVersion=5"));
  assert.is(res.status, 200);
  assert.is(res.headers.get("content-type"), "application/json");
  const sent = c.last("api.watch")!;
  assert.equal([sent.resource, sent.namespace, sent.allowWatchBookmarks, sent.timeoutSeconds, sent.resourceVersion], ["pods", "default", true, 1, "5"]);
  assert.is(typeof sent.watcher, "string");
  setTimeout(() => {
    void fetch(c.url("/api/v1/namespaces/default/pods"), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(pod("two")) });
  }, 100);
  const text = await res.text();
  assert.ok(Date.now() - started >= 900, "ended too early");
  const lines = text.split("\n").filter((l) => l);
  const events = lines.map((l) => JSON.parse(l) as { type: string; object: { metadata: { name: string } } });
  assert.equal(events.map((e) => [e.type, e.object.metadata.name]), [["ADDED", "web"], ["ADDED", "two"]]);
  assert.ok(text.endsWith("\n"));
  await until(() => c.last("api.unwatch") !== undefined, "the unwatch at timeout");
});

test("a client that leaves causes api.unwatch", async () => {
  c.state.seen.length = 0;
  const watchId = await new Promise<string>((resolve, reject) => {
    const req = request(c.url("/api/v1/pods?watch=true"), (res) => {
      res.once("data", () => {
        const w = [...c.state.watchers.keys()].pop()!;
        req.destroy();
        resolve(w);
      });
    });
    req.on("error", (e) => (e.message.includes("aborted") || e.message.includes("socket hang up") ? undefined : reject(e)));
    req.end();
  });
  await until(() => c.last("api.unwatch") !== undefined, "the unwatch");
  assert.is(c.last("api.unwatch")!.watchId, watchId);
});

test("a watch from a compacted revision answers 200 with an ERROR event carrying 410 Expired", async () => {
  const res = await fetch(c.url("/api/v1/namespaces/default/pods?watch=1&resourceVersion=1"));
  assert.is(res.status, 200);
  const event = JSON.parse((await res.text()).trim()) as { type: string; object: { kind: string; code: number; reason: string } };
  assert.is(event.type, "ERROR");
  assert.equal([event.object.kind, event.object.code, event.object.reason], ["Status", 410, "Expired"]);
});

test("the apiserver closing a watch with a Status ends the stream with an ERROR event", async () => {
  const resP = fetch(c.url("/api/v1/namespaces/default/pods?watch=1"));
  const res = await resP;
  await until(() => c.state.watchers.size > 0, "the watch");
  const watchId = [...c.state.watchers.keys()].pop()!;
  c.system.tell("http", { type: "api.watch.closed", watchId, status: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", reason: "Expired", code: 410, message: "gone" } });
  const lines = (await res.text()).split("\n").filter((l) => l);
  const last = JSON.parse(lines.at(-1)!) as { type: string; object: { code: number } };
  assert.equal([last.type, last.object.code], ["ERROR", 410]);
});

test("a Table watch sends Table-wrapped events, column definitions only first", async () => {
  const res = await fetch(c.url("/api/v1/namespaces/default/pods?watch=1&timeoutSeconds=1"), {
    headers: { accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json" },
  });
  assert.is(res.headers.get("content-type"), "application/json;as=Table;v=v1;g=meta.k8s.io");
  setTimeout(() => {
    void fetch(c.url("/api/v1/namespaces/default/pods/web"), { method: "PATCH", headers: { "content-type": "application/merge-patch+json" }, body: "{}" });
  }, 100);
  const events = (await res.text())
    .split("\n")
    .filter((l) => l)
    .map((l) => JSON.parse(l) as { type: string; object: { kind: string; columnDefinitions: unknown[]; rows: { cells: unknown[] }[] } });
  assert.ok(events.length >= 2);
  assert.is(events[0]!.object.kind, "Table");
  assert.ok(events[0]!.object.columnDefinitions.length > 0);
  for (const e of events.slice(1)) assert.is(e.object.columnDefinitions.length, 0);
  const modified = events.find((e) => e.type === "MODIFIED");
  assert.is(modified?.object.rows[0]!.cells[0], "web");
});

test("a watch without timeoutSeconds still ends, after the minimum request timeout times 1 to 2", async () => {
  const short = await startFake({ minRequestTimeoutSeconds: 0.2 });
  try {
    const started = Date.now();
    const res = await fetch(short.url("/api/v1/namespaces/default/pods?watch=1"));
    await res.text();
    const took = Date.now() - started;
    assert.ok(took >= 190 && took < 1000, `ended after ${took} ms`);
    assert.is(short.last("api.unwatch")?.type, "api.unwatch", "the apiserver's side is closed too");
  } finally {
    await short.stop();
  }
});

test.run();
