// Reads by the cluster's own components leave metadata.managedFields out; HTTP clients get objects whole.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ActorSystem } from "../../../runtime/system.ts";
import type { ActorFactory } from "../../../runtime/actor.ts";
import { apiserverActor } from "../../../actors/apiserver/actor.ts";
import { httpFrontActor, type HttpFrontConfig } from "../../../actors/apiserver/http/server.ts";
import { ApiClient } from "../../../actors/api/client.ts";
import type { KubeList, KubeObject, WatchEvent } from "../../../actors/api/meta.ts";
import type { WatchMessage } from "../../../actors/api/protocol.ts";
import { untyped } from "../api/fake-apiserver.ts";

/** An actor that keeps every watch event it is told. */
const recorder: ActorFactory<WatchEvent[], WatchMessage> = (_ctx, seen) => ({
  handlers: {
    "api.watch.events": (m) => {
      seen.push(...m.events);
    },
    "api.watch.closed": () => {},
  },
});

async function setup() {
  const sys = new ActorSystem({ id: 0, name: "t" });
  await sys.spawn("apiserver", untyped(apiserverActor), {});
  await sys.spawn("http", httpFrontActor as unknown as ActorFactory<HttpFrontConfig>, { port: 0, askTimeoutMs: 5_000 });
  const { port } = await sys.ask<{ port: number }>("http", { type: "http.info" });
  const url = (path: string) => `http://127.0.0.1:${port}${path}`;
  const http = async <T>(path: string, init?: RequestInit): Promise<T> => {
    const res = await fetch(url(path), init);
    const body = (await res.json()) as T;
    if (!res.ok) throw new Error(`${res.status} ${JSON.stringify(body)}`);
    return body;
  };
  return { sys, url, http };
}

async function until(pred: () => boolean, ms = 5_000): Promise<void> {
  const start = Date.now();
  while (!pred()) {
    if (Date.now() - start > ms) throw new Error("condition not met");
    await new Promise((r) => setTimeout(r, 5));
  }
}

const managers = (o: KubeObject | undefined) => (o?.metadata.managedFields ?? []).map((e) => `${e.manager}/${e.operation}`).sort();

test("internal get, list and watch omit managedFields; HTTP get, list and watch keep them; internal writes keep ownership", async () => {
  const { sys, http, url } = await setup();
  try {
    const created = await http<KubeObject>("/api/v1/namespaces/default/configmaps?fieldManager=tester", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" }, data: { a: "1" } }),
    });
    assert.equal(managers(created), ["tester/Update"]);

    const lean = new ApiClient(sys);
    const whole = new ApiClient(sys, { omitManagedFields: false });
    const got = await lean.get("configmaps", "cm", { namespace: "default" });
    assert.equal(got.data, { a: "1" }, "the rest of the object is there");
    assert.is(got.metadata.resourceVersion, created.metadata.resourceVersion);
    assert.is(got.metadata.managedFields, undefined, "internal get");
    assert.is((await lean.list("configmaps", { namespace: "default" })).items[0].metadata.managedFields, undefined, "internal list");
    assert.equal(managers(await whole.get("configmaps", "cm", { namespace: "default" })), ["tester/Update"], "client with the option off");

    // Two lean watchers and one whole, each starting with the existing object.
    const a: WatchEvent[] = [];
    const b: WatchEvent[] = [];
    const c: WatchEvent[] = [];
    await sys.spawn("wa", untyped(recorder), a);
    await sys.spawn("wb", untyped(recorder), b);
    await sys.spawn("wc", untyped(recorder), c);
    await lean.watch("configmaps", { namespace: "default", watcher: "wa" });
    await lean.watch("configmaps", { namespace: "default", watcher: "wb", resourceVersion: created.metadata.resourceVersion });
    await whole.watch("configmaps", { namespace: "default", watcher: "wc" });
    await until(() => a.length === 1 && c.length === 1);
    assert.is(a[0].type, "ADDED");
    assert.is(a[0].object.metadata.managedFields, undefined, "initial ADDED of a lean watch");
    assert.equal(managers(c[0].object), ["tester/Update"], "initial ADDED of a whole watch");

    // An internal update of the lean object: the stored ownership stays and gains the writer.
    const updated = await lean.update("configmaps", { ...got, data: { a: "1", b: "2" } }, { fieldManager: "kube-controller-manager" });
    assert.is(updated.metadata.managedFields, undefined, "a lean client's write is answered without managedFields");
    assert.equal(updated.data, { a: "1", b: "2" });
    assert.equal(managers(await whole.get("configmaps", "cm", { namespace: "default" })), ["kube-controller-manager/Update", "tester/Update"], "an update without managedFields keeps them");
    await until(() => a.length === 2 && b.length === 1 && c.length === 2);
    for (const [name, events] of [["a", a], ["b", b]] as const) {
      const last = events[events.length - 1];
      assert.is(last.type, "MODIFIED", name);
      assert.equal(last.object.data, { a: "1", b: "2" }, name);
      assert.is(last.object.metadata.managedFields, undefined, `lean watcher ${name}`);
    }
    assert.ok(a[1].object === b[0].object, "lean watchers share one stripped object");
    assert.equal(managers(c[1].object), ["kube-controller-manager/Update", "tester/Update"], "whole watcher");
    const patched = await whole.patch("configmaps", "cm", "merge", { data: { c: "3" } }, { namespace: "default", fieldManager: "kubectl-patch" });
    assert.equal(managers(patched), ["kube-controller-manager/Update", "kubectl-patch/Update", "tester/Update"], "a whole client's write is answered whole");
    const body = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm2", namespace: "default" }, data: { x: "1" } };
    const leanCreate = await lean.create<KubeObject>("configmaps", body);
    assert.equal(body, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm2", namespace: "default" }, data: { x: "1" } }, "a body asked from the same thread is the sender's: the apiserver writes a copy");
    assert.is(leanCreate.metadata.managedFields, undefined, "lean create answer");
    assert.ok((await whole.get("configmaps", "cm2", { namespace: "default" })).metadata.managedFields?.length, "the created object has its ownership");
    await lean.delete("configmaps", "cm2", { namespace: "default" });

    // HTTP readers see managedFields on get, list and watch.
    assert.equal(managers(await http<KubeObject>("/api/v1/namespaces/default/configmaps/cm")), ["kube-controller-manager/Update", "kubectl-patch/Update", "tester/Update"], "HTTP get");
    const list = await http<KubeList>("/api/v1/namespaces/default/configmaps");
    assert.equal(managers(list.items[0]), ["kube-controller-manager/Update", "kubectl-patch/Update", "tester/Update"], "HTTP list");
    const res = await fetch(url("/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=1"));
    const text = await res.text();
    const first = JSON.parse(text.split("\n")[0]) as WatchEvent;
    assert.is(first.type, "ADDED");
    assert.equal(managers(first.object), ["kube-controller-manager/Update", "kubectl-patch/Update", "tester/Update"], "HTTP watch");
  } finally {
    await sys.stopAll();
    sys.close();
  }
});

test.run();
