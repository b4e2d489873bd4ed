import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Supervisor, type SupervisorEvent } from "../../../runtime/supervisor.ts";
import { errorCode } from "../../../runtime/errors.ts";
import type { KubeObject, WatchEvent } from "../../../actors/api/meta.ts";
import type { Status } from "../../../actors/api/status.ts";
import type { WatchEventsMessage, WatchStarted } from "../../../actors/api/protocol.ts";

const apiserver = (dataDir?: string) => ({ address: "apiserver", module: "actors/apiserver/actor.ts", export: "apiserverActor", config: { dataDir, bookmarkIntervalMs: 200 } });

async function rejects(p: Promise<unknown>): Promise<{ code: string; details?: Status; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code: string; details?: Status; message: string };
  }
  throw new Error("expected a rejection");
}

function until(pred: () => boolean, ms = 5000): Promise<void> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => (pred() ? resolve() : Date.now() - start > ms ? reject(new Error("condition not met")) : setTimeout(tick, 10));
    tick();
  });
}

test("CRUD through the apiserver worker; Status errors keep reason and code", async () => {
  const sup = new Supervisor();
  try {
    await sup.start({ name: "apiserver", actors: [apiserver()] });
    const cm = await sup.ask<KubeObject>("apiserver", { type: "api.create", resource: "configmaps", namespace: "default", object: { metadata: { name: "a" }, data: { k: "v" } } });
    assert.is(cm.kind, "ConfigMap");
    const got = await sup.ask<KubeObject>("apiserver", { type: "api.get", resource: "configmaps", namespace: "default", name: "a" });
    assert.equal(got, cm);
    const nf = await rejects(sup.ask("apiserver", { type: "api.get", resource: "configmaps", namespace: "default", name: "zzz" }));
    assert.is(nf.code, "NotFound");
    assert.is(nf.details!.code, 404);
    assert.is(nf.details!.reason, "NotFound");
    const unknown = await rejects(sup.ask("apiserver", { type: "api.get", resource: "widgets", name: "x" }));
    assert.is(unknown.code, "NotFound");
    const invalid = await rejects(sup.ask("apiserver", { type: "api.create", resource: "pods", namespace: "default", object: { metadata: { name: "p" }, spec: {} } }));
    assert.is(invalid.code, "Invalid");
    assert.equal(invalid.details!.details!.causes!.map((c) => c.field), ["spec.containers"]);
    // Bad messages are refused with a typed error and the actor goes on.
    assert.is((await rejects(sup.ask("apiserver", { type: "api.get", resource: 5, name: "x" }))).code, "BadMessage");
    assert.is((await rejects(sup.ask("apiserver", { type: "api.nope" }))).code, "UnknownMessage");
    assert.is((await rejects(sup.ask("apiserver", { type: "api.create", resource: "configmaps", namespace: "default", object: "text" }))).code, "BadMessage");
    assert.ok(await sup.ask("apiserver", { type: "api.get", resource: "configmaps", namespace: "default", name: "a" }));
    // A binding is answered with a Success Status, as Kubernetes answers it; the pod is bound.
    await sup.ask("apiserver", { type: "api.create", resource: "pods", namespace: "default", object: { metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "x" }] } } });
    const bound = await sup.ask("apiserver", { type: "api.create", resource: "pods", namespace: "default", subresource: "binding", name: "p", object: { target: { kind: "Node", name: "n1" } } });
    assert.equal(bound, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 });
    const p = await sup.ask<KubeObject & { spec: { nodeName?: string }; status: { conditions: { type: string; status: string }[] } }>("apiserver", { type: "api.get", resource: "pods", namespace: "default", name: "p" });
    assert.is(p.spec.nodeName, "n1");
    assert.equal(p.status.conditions.map((c) => `${c.type}=${c.status}`), ["PodScheduled=True"]);
  } finally {
    await sup.shutdown();
  }
});

test("a watcher actor on another thread receives events and bookmarks; unwatch stops them", async () => {
  const sup = new Supervisor();
  try {
    await sup.start({ name: "apiserver", actors: [apiserver()] });
    const events: WatchEvent[] = [];
    await sup.spawnLocal("watcher", () => ({ handlers: { "api.watch.events": (m) => void events.push(...(m as unknown as WatchEventsMessage).events), "api.watch.closed": () => {} } }), {});
    const started = await sup.ask<WatchStarted>("apiserver", { type: "api.watch", resource: "configmaps", namespace: "default", watcher: "watcher", allowWatchBookmarks: true, resourceVersion: "1" });
    assert.ok(started.watchId);
    await sup.ask("apiserver", { type: "api.create", resource: "configmaps", namespace: "default", object: { metadata: { name: "w1" } } });
    await sup.ask("apiserver", { type: "api.delete", resource: "configmaps", namespace: "default", name: "w1" });
    await until(() => events.some((e) => e.type === "DELETED"));
    assert.equal(events.filter((e) => e.type !== "BOOKMARK").map((e) => `${e.type} ${e.object.metadata.name}`), ["ADDED w1", "DELETED w1"]);
    await until(() => events.some((e) => e.type === "BOOKMARK"));
    const bm = events.find((e) => e.type === "BOOKMARK")!;
    assert.ok(Number(bm.object.metadata.resourceVersion) >= 3);
    assert.is(await sup.ask("apiserver", { type: "api.unwatch", watchId: started.watchId }), true);
    const n = events.length;
    await sup.ask("apiserver", { type: "api.create", resource: "configmaps", namespace: "default", object: { metadata: { name: "w2" } } });
    await new Promise((r) => setTimeout(r, 300));
    assert.is(events.filter((e) => e.type !== "BOOKMARK").length, n - events.slice(0, n).filter((e) => e.type === "BOOKMARK").length);
  } finally {
    await sup.shutdown();
  }
});

test("with --data-dir, state survives a crash of the apiserver's worker", async () => {
  const dir = await mkdtemp(join(tmpdir(), "actorkube-"));
  const sup = new Supervisor();
  try {
    await sup.start({ name: "apiserver", actors: [apiserver(dir)], restart: { initialBackoffMs: 20 } });
    await sup.ask("apiserver", { type: "api.create", resource: "configmaps", namespace: "default", object: { metadata: { name: "kept" }, data: { a: "1" } } });
    const restarted = new Promise<SupervisorEvent>((resolve) => sup.on((e) => e.type === "started" && e.restarts === 1 && resolve(e)));
    await sup.crash("apiserver");
    await restarted;
    const kept = await sup.ask<KubeObject>("apiserver", { type: "api.get", resource: "configmaps", namespace: "default", name: "kept" });
    assert.equal((kept as { data?: unknown }).data, { a: "1" });
  } finally {
    await sup.shutdown();
    await rm(dir, { recursive: true, force: true });
  }
});

test("asks during the apiserver's restart fail fast with WorkerDied, then work again", async () => {
  const sup = new Supervisor();
  try {
    await sup.start({ name: "apiserver", actors: [apiserver()], restart: { initialBackoffMs: 300 } });
    const exited = new Promise<void>((resolve) => sup.on((e) => e.type === "exited" && resolve()));
    await sup.crash("apiserver");
    await exited;
    assert.is(errorCode(await rejects(sup.ask("apiserver", { type: "api.list", resource: "pods" }))), "WorkerDied");
    await until(() => sup.workers()[0].state === "running");
    const l = await sup.ask<{ items: unknown[] }>("apiserver", { type: "api.list", resource: "namespaces" });
    assert.is(l.items.length, 4);
  } finally {
    await sup.shutdown();
  }
});

test.run();
