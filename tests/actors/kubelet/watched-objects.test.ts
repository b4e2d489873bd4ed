// The kubelet's ConfigMaps and Secrets: one watch per object its pods use, reads from the watch's cache.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ActorSystem } from "../../../runtime/system.ts";
import type { ActorFactory } from "../../../runtime/actor.ts";
import { apiserverActor } from "../../../actors/apiserver/actor.ts";
import { ApiClient } from "../../../actors/api/client.ts";
import { InformerSet } from "../../../actors/api/informer-set.ts";
import { WatchedObjects } from "../../../actors/kubelet/config-objects.ts";
import type { ConfigMap } from "../../../actors/api/types/index.ts";
import type { WatchMessage } from "../../../actors/api/protocol.ts";
import { untyped } from "../api/fake-apiserver.ts";
import { until as poll } from "../../poll.ts";

const until = (what: string, pred: () => boolean | Promise<boolean>) => poll(what, async () => pred(), 5_000, 5);

test("pods share one watch per object; reads after the watch lists cost no request; the watch ends with the last pod", async () => {
  const sys = new ActorSystem({ id: 0, name: "t" });
  await sys.spawn("apiserver", untyped(apiserverActor), {});
  const client = new ApiClient(sys);
  let gets = 0;
  const get = client.get.bind(client);
  client.get = ((...args: Parameters<typeof client.get>) => {
    gets++;
    return get(...args);
  }) as typeof client.get;
  let informers!: InformerSet;
  const kubelet: ActorFactory<unknown, WatchMessage> = (ctx) => {
    informers = new InformerSet(ctx, client);
    informers.start();
    return { handlers: informers.handlers };
  };
  await sys.spawn("kubelet", untyped(kubelet), {});
  const watched = new WatchedObjects(informers, client);
  try {
    await client.create("configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ca", namespace: "default" }, data: { "ca.crt": "one" } } as ConfigMap);

    // The first read is answered by a GET while the watch lists.
    assert.equal((await watched.lookup("pod-1").configMap("default", "ca"))?.data, { "ca.crt": "one" });
    assert.is(gets, 1);
    await until("the watch has listed", () => informers.stats().watches === 1);

    // Every later read, by any pod, comes from the watch's cache.
    for (const uid of ["pod-1", "pod-2", "pod-3"]) {
      assert.equal((await watched.lookup(uid).configMap("default", "ca"))?.data, { "ca.crt": "one" }, uid);
    }
    assert.is(gets, 1, "no request after the watch listed");
    assert.equal(watched.watched(), ["configmaps/default/ca"]);
    assert.is(informers.stats().watches, 1, "one watch for the three pods");

    // A change reaches the cache through the watch.
    const cur = await get<ConfigMap>("configmaps", "ca", { namespace: "default" });
    await client.update("configmaps", { ...cur, data: { "ca.crt": "two" } });
    await until("the change is seen", async () => (await watched.lookup("pod-2").configMap("default", "ca"))?.data?.["ca.crt"] === "two");

    // A Secret that does not exist reads as undefined, then as itself once created.
    assert.is(await watched.lookup("pod-1").secret("default", "s"), undefined);
    await until("the secret's watch has listed", () => informers.stats().watches === 2);
    await client.create("secrets", { apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "default" }, data: { k: btoa("v") } });
    await until("the secret is seen", async () => (await watched.lookup("pod-1").secret("default", "s")) !== undefined);

    // The watch of an object ends when the last pod that used it is gone.
    watched.release("pod-1");
    watched.release("pod-2");
    assert.equal(watched.watched(), ["configmaps/default/ca"], "pod-3 still uses the ConfigMap; nobody uses the Secret");
    await until("the secret's watch ended", () => informers.stats().watches === 1);
    watched.release("pod-3");
    assert.equal(watched.watched(), []);
    await until("no watch is left", () => informers.stats().watches === 0);
  } finally {
    await informers.stop();
    await sys.stopAll();
    sys.close();
  }
});

test.run();
