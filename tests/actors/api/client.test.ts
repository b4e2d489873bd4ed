import { test } from "uvu";
import * as assert from "uvu/assert";
import { ActorSystem } from "../../../runtime/system.ts";
import { SimulatedClock } from "../../../runtime/clock.ts";
import { errorCode } from "../../../runtime/errors.ts";
import type { ActorFactory } from "../../../runtime/actor.ts";
import { ApiClient, isAlreadyExists, isConflict, isExpired, isNotFound, resourceRef, retryOnConflict } from "../../../actors/api/client.ts";
import { alreadyExists, conflict, expired, notFound } from "../../../actors/api/status.ts";
import type { KubeObject } from "../../../actors/api/meta.ts";

// Records every request and answers with whatever `answer` returns (or throws).
interface Recorder {
  seen: Record<string, unknown>[];
  answer: (msg: Record<string, unknown>) => unknown;
}

const recorder: ActorFactory<Recorder> = (_ctx, rec) => {
  const handle = (msg: Record<string, unknown>) => {
    rec.seen.push(msg);
    return rec.answer(msg);
  };
  const types = ["api.get", "api.list", "api.create", "api.update", "api.patch", "api.delete", "api.watch", "api.unwatch"];
  return { handlers: Object.fromEntries(types.map((t) => [t, handle])) };
};

async function setup(answer: Recorder["answer"] = (m) => (m as { object?: unknown }).object ?? { ok: true }) {
  const clock = new SimulatedClock();
  const sys = new ActorSystem({ id: 0, name: "t", clock });
  const rec: Recorder = { seen: [], answer };
  await sys.spawn("apiserver", recorder, rec);
  return { clock, sys, rec };
}

const pod = (name: string, namespace = "default"): KubeObject => ({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace } });

test("resourceRef splits plural and group at the first dot", () => {
  const cases: [string, string | undefined, object][] = [
    ["pods", "default", { resource: "pods", namespace: "default" }],
    ["nodes", undefined, { resource: "nodes" }],
    ["deployments.apps", "web", { resource: "deployments", group: "apps", namespace: "web" }],
    ["endpointslices.discovery.k8s.io", "x", { resource: "endpointslices", group: "discovery.k8s.io", namespace: "x" }],
  ];
  for (const [resource, ns, want] of cases) assert.equal(resourceRef(resource, ns), want, resource);
});

test("each verb sends the protocol message, with the user on every request", async () => {
  const { sys, rec } = await setup();
  const c = new ApiClient(sys, { user: "system:kube-scheduler" });
  const cases: [string, () => Promise<unknown>, Record<string, unknown>][] = [
    ["get", () => c.get("pods", "a", { namespace: "ns" }), { type: "api.get", name: "a", resource: "pods", namespace: "ns", omitManagedFields: true, user: "system:kube-scheduler" }],
    ["list", () => c.list("deployments.apps", { namespace: "ns", labelSelector: "app=web", limit: 5 }),
      { type: "api.list", resource: "deployments", group: "apps", namespace: "ns", labelSelector: "app=web", limit: 5, omitManagedFields: true, user: "system:kube-scheduler" }],
    ["create", () => c.create("pods", pod("a", "ns")), { type: "api.create", object: pod("a", "ns"), resource: "pods", namespace: "ns", omitManagedFields: true, user: "system:kube-scheduler" }],
    ["update", () => c.update("pods", pod("a"), { dryRun: "All" }),
      { type: "api.update", object: pod("a"), resource: "pods", namespace: "default", dryRun: "All", omitManagedFields: true, user: "system:kube-scheduler" }],
    ["updateStatus", () => c.updateStatus("pods", pod("a")),
      { type: "api.update", object: pod("a"), subresource: "status", resource: "pods", namespace: "default", omitManagedFields: true, user: "system:kube-scheduler" }],
    ["patch", () => c.patch("nodes", "n1", "merge", { spec: { unschedulable: true } }, { user: "me" }),
      { type: "api.patch", name: "n1", patchType: "merge", patch: { spec: { unschedulable: true } }, resource: "nodes", omitManagedFields: true, user: "me" }],
    ["delete", () => c.delete("pods", "a", { namespace: "ns", gracePeriodSeconds: 0 }),
      { type: "api.delete", name: "a", resource: "pods", namespace: "ns", omitManagedFields: true, user: "system:kube-scheduler", options: { gracePeriodSeconds: 0 } }],
    ["bind", () => c.bind("ns", "a", "node-1"), {
      type: "api.create", subresource: "binding", name: "a", resource: "pods", namespace: "ns", user: "system:kube-scheduler",
      object: { apiVersion: "v1", kind: "Binding", metadata: { name: "a", namespace: "ns" }, target: { apiVersion: "v1", kind: "Node", name: "node-1" } },
    }],
    ["watch", () => c.watch("pods", { watcher: "me", namespace: "ns", resourceVersion: "7" }),
      { type: "api.watch", resource: "pods", namespace: "ns", watcher: "me", resourceVersion: "7", omitManagedFields: true, user: "system:kube-scheduler" }],
    ["unwatch", () => c.unwatch("w1"), { type: "api.unwatch", watchId: "w1" }],
  ];
  for (const [name, call, want] of cases) {
    rec.seen.length = 0;
    await call();
    assert.equal(rec.seen, [want], name);
  }
});

test("reads and the answers to writes leave managedFields out unless the client or the call says otherwise", async () => {
  const { sys, rec } = await setup();
  const whole = new ApiClient(sys, { omitManagedFields: false });
  const lean = new ApiClient(sys);
  const cases: [string, () => Promise<unknown>, Record<string, unknown>][] = [
    ["get, client off", () => whole.get("pods", "a", { namespace: "ns" }), { type: "api.get", name: "a", resource: "pods", namespace: "ns" }],
    ["list, client off", () => whole.list("pods"), { type: "api.list", resource: "pods" }],
    ["watch, client off", () => whole.watch("pods", { watcher: "me" }), { type: "api.watch", resource: "pods", watcher: "me" }],
    ["get, call off", () => lean.get("pods", "a", { omitManagedFields: false }), { type: "api.get", name: "a", resource: "pods" }],
    ["list, call off", () => lean.list("pods", { omitManagedFields: false }), { type: "api.list", resource: "pods" }],
    ["watch, call off", () => lean.watch("pods", { watcher: "me", omitManagedFields: false }), { type: "api.watch", resource: "pods", watcher: "me" }],
    ["list, call on", () => whole.list("pods", { omitManagedFields: true }), { type: "api.list", resource: "pods", omitManagedFields: true }],
    ["create, client off", () => whole.create("pods", pod("a")), { type: "api.create", object: pod("a"), resource: "pods", namespace: "default" }],
    ["update, client off", () => whole.update("pods", pod("a")), { type: "api.update", object: pod("a"), resource: "pods", namespace: "default" }],
  ];
  for (const [name, call, want] of cases) {
    rec.seen.length = 0;
    await call();
    assert.equal(rec.seen, [want], name);
  }
});

test("a get returns the apiserver's answer", async () => {
  const { sys } = await setup(() => pod("a"));
  assert.equal(await new ApiClient(sys).get("pods", "a", { namespace: "default" }), pod("a"));
});

test("errors keep their Status code and the helpers recognise them", async () => {
  const cases = [
    { err: notFound("pods", "a"), check: isNotFound, code: "NotFound" },
    { err: conflict("pods", "a", "stale"), check: isConflict, code: "Conflict" },
    { err: alreadyExists("pods", "a"), check: isAlreadyExists, code: "AlreadyExists" },
    { err: expired("too old"), check: isExpired, code: "Expired" },
  ];
  const helpers = [isNotFound, isConflict, isAlreadyExists, isExpired];
  for (const { err, check, code } of cases) {
    const { sys } = await setup(() => {
      throw err;
    });
    const got = await new ApiClient(sys).get("pods", "a").catch((e: unknown) => e);
    assert.is(errorCode(got), code);
    for (const h of helpers) assert.is(h(got), h === check, `${code} / ${h.name}`);
    // Across a worker the class is gone; the plain wire shape must still be recognised.
    const wire = { name: "ActorError", code, message: "x", details: err.status };
    assert.ok(check(wire), `${code} on the wire`);
  }
});

test("an ask to a silent apiserver times out on the injected clock", async () => {
  const { sys, clock } = await setup(() => new Promise(() => {}));
  const c = new ApiClient(sys, { timeoutMs: 1_000 });
  let err: unknown;
  const p = c.get("pods", "a").catch((e: unknown) => (err = e));
  await clock.advance(900);
  assert.is(err, undefined);
  await clock.advance(200);
  await p;
  assert.is(errorCode(err), "Timeout");
});

test("retryOnConflict retries conflicts only, up to the attempt limit", async () => {
  let calls = 0;
  const ok = await retryOnConflict(async () => {
    if (++calls < 3) throw conflict("pods", "a", "stale");
    return "done";
  });
  assert.is(ok, "done");
  assert.is(calls, 3);

  calls = 0;
  const gaveUp = await retryOnConflict(async () => {
    calls++;
    throw conflict("pods", "a", "stale");
  }, 4).catch((e: unknown) => e);
  assert.ok(isConflict(gaveUp));
  assert.is(calls, 4);

  calls = 0;
  const other = await retryOnConflict(async () => {
    calls++;
    throw notFound("pods", "a");
  }).catch((e: unknown) => e);
  assert.ok(isNotFound(other));
  assert.is(calls, 1);
});

test.run();
