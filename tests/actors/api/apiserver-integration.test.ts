// The client and an informer against the real apiserver actor, in-process on simulated time.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ActorSystem } from "../../../runtime/system.ts";
import { SimulatedClock } from "../../../runtime/clock.ts";
import type { ActorFactory } from "../../../runtime/actor.ts";
import { apiserverActor } from "../../../actors/apiserver/actor.ts";
import { ApiClient, isAlreadyExists, isConflict, isNotFound } from "../../../actors/api/client.ts";
import { InformerSet } from "../../../actors/api/informer-set.ts";
import type { Informer } from "../../../actors/api/informer.ts";
import { objectKey, type KubeObject } from "../../../actors/api/meta.ts";
import type { WatchMessage } from "../../../actors/api/protocol.ts";
import { untyped } from "./fake-apiserver.ts";

interface Probe {
  informer?: Informer<KubeObject>;
  set?: InformerSet;
  log: string[];
}

const watcher: ActorFactory<Probe, WatchMessage> = (ctx, probe) => {
  const set = new InformerSet(ctx, new ApiClient(ctx));
  probe.set = set;
  probe.informer = set.informer({ resource: "configmaps", namespace: "default" });
  probe.informer.addEventHandler({
    onAdd: (o) => probe.log.push(`add ${objectKey(o)}`),
    onUpdate: (_a, b) => probe.log.push(`update ${objectKey(b)}`),
    onDelete: (o) => probe.log.push(`delete ${objectKey(o)}`),
  });
  set.start();
  return { handlers: { ...set.handlers } };
};

const cm = (name: string, data: Record<string, string> = {}): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default" }, data });

async function setup() {
  const clock = new SimulatedClock();
  const sys = new ActorSystem({ id: 0, name: "t", clock });
  await sys.spawn("apiserver", untyped(apiserverActor), { bookmarkIntervalMs: 1_000 });
  const client = new ApiClient(sys);
  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      await clock.advance(0);
      await new Promise((r) => setImmediate(r));
    }
  };
  return { clock, sys, client, settle };
}

test("client CRUD against the apiserver: errors are recognised by code", async () => {
  const { sys, client } = await setup();
  try {
    const a = await client.create("configmaps", cm("a", { k: "1" }));
    assert.ok(a.metadata.resourceVersion);
    assert.ok(isAlreadyExists(await client.create("configmaps", cm("a")).catch((e: unknown) => e)));
    assert.ok(isNotFound(await client.get("configmaps", "zzz", { namespace: "default" }).catch((e: unknown) => e)));
    const a2 = await client.update("configmaps", { ...a, data: { k: "2" } });
    assert.ok(isConflict(await client.update("configmaps", { ...a, data: { k: "3" } }).catch((e: unknown) => e)));
    const patched = await client.patch("configmaps", "a", "merge", { data: { j: "x" } }, { namespace: "default" });
    assert.equal(patched.data, { k: "2", j: "x" });
    assert.not.equal(a2.metadata.resourceVersion, a.metadata.resourceVersion);
    const list = await client.list("configmaps", { namespace: "default" });
    assert.equal(list.items.map((i) => i.metadata.name), ["a"]);
    assert.ok((await client.list("deployments.apps", { namespace: "default" })).items);
    await client.delete("configmaps", "a", { namespace: "default" });
    assert.ok(isNotFound(await client.get("configmaps", "a", { namespace: "default" }).catch((e: unknown) => e)));
  } finally {
    await sys.stopAll();
  }
});

test("an informer syncs from the apiserver and follows its writes; bookmarks advance it", async () => {
  const { sys, client, clock, settle } = await setup();
  try {
    await client.create("configmaps", cm("a"));
    await client.create("configmaps", cm("b"));
    const probe: Probe = { log: [] };
    await sys.spawn("ctrl", untyped(watcher), probe);
    await probe.set!.waitForSync(5_000);
    await settle();
    assert.equal(probe.log.splice(0).sort(), ["add default/a", "add default/b"]);
    const b = probe.informer!.get("default/b")!;
    await client.update("configmaps", { ...b, data: { x: "y" } });
    await client.create("configmaps", cm("c"));
    await client.delete("configmaps", "a", { namespace: "default" });
    await settle();
    assert.equal(probe.log.splice(0), ["update default/b", "add default/c", "delete default/a"]);
    assert.equal(probe.informer!.keys().sort(), ["default/b", "default/c"]);
    const before = probe.informer!.lastSyncResourceVersion;
    await client.create("configmaps", { ...cm("other"), metadata: { name: "other", namespace: "kube-system" } });
    await clock.advance(1_000);
    await settle();
    assert.ok(Number(probe.informer!.lastSyncResourceVersion) > Number(before), "a bookmark moved the resourceVersion on");
    assert.equal(probe.log, []);
    await probe.set!.stop();
  } finally {
    await sys.stopAll();
  }
});

test.run();
