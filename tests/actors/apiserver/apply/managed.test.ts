import { test } from "uvu";
import * as assert from "uvu/assert";
import { FieldSet } from "../../../../actors/apiserver/apply/fieldset.ts";
import { diffFields, fieldsOf, fieldsV1Of, valueAt, type Scope } from "../../../../actors/apiserver/apply/paths.ts";
import { sameJson } from "../../../../actors/apiserver/objects.ts";
import { decodeOwners, encodeOwners, sameOwner, trackUpdate, type Writer } from "../../../../actors/apiserver/apply/managed.ts";
import type { KubeObject } from "../../../../actors/api/meta.ts";

type Obj = Record<string, unknown>;

// A small deterministic generator, so a failure reproduces.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const keys = (s: FieldSet) => [...s.paths()].map((p) => JSON.stringify(p)).sort();

/** The definition: set algebra on both objects' whole field sets, leaves compared by value. */
function expectedChanges(a: Obj, b: Obj, scope: Scope): { changed: string[]; removed: string[] } {
  const before = fieldsOf(a, scope);
  const after = fieldsOf(b, scope);
  const both = after.intersection(before);
  const modified = new FieldSet();
  for (const p of both.paths()) {
    let node: FieldSet = both;
    for (const e of p) node = node.children.get(e)!;
    if (node.children.size === 0 && !sameJson(valueAt(a, p), valueAt(b, p))) modified.insert(p);
  }
  return { changed: keys(after.difference(before).union(modified)), removed: keys(before.difference(after)) };
}

/** A pod-shaped object whose fields vary with `next`. */
function randomPod(next: () => number): Obj {
  const pick = <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)]!;
  const maybe = (p: number) => next() < p;
  const containers = ["web", "side", "init"].filter(() => maybe(0.7)).map((name) => ({
    name,
    image: pick(["nginx:1", "nginx:2", "busybox"]),
    ...(maybe(0.5) ? { ports: [{ containerPort: pick([80, 443]) }, ...(maybe(0.3) ? [{ containerPort: 8080, protocol: pick(["TCP", "UDP"]) }] : [])] } : {}),
    ...(maybe(0.5) ? { env: [{ name: "A", value: pick(["1", "2"]) }] } : {}),
    ...(maybe(0.3) ? { args: pick([["a"], ["a", "b"], []]) } : {}),
    ...(maybe(0.3) ? { resources: pick([{}, { requests: { cpu: pick(["1", "2"]) } }, { limits: { memory: "1Gi" }, requests: { cpu: "1" } }]) } : {}),
  }));
  const conditions = ["Ready", "Initialized", "PodScheduled"].filter(() => maybe(0.6)).map((type) => ({ type, status: pick(["True", "False"]), ...(maybe(0.4) ? { reason: pick(["A", "B"]) } : {}) }));
  const pod: Obj = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: "p",
      namespace: "default",
      resourceVersion: String(Math.floor(next() * 100)),
      ...(maybe(0.6) ? { labels: pick([{ app: "web" }, { app: "web", tier: "x" }, { app: "db" }, {}]) } : {}),
      ...(maybe(0.4) ? { finalizers: pick([["a"], ["a", "b"], ["b"]]) } : {}),
      ...(maybe(0.2) ? { annotations: pick(["flat", { note: "x" }]) } : {}),
    },
    spec: {
      ...(containers.length ? { containers: maybe(0.1) ? [...containers, containers[0]] : containers } : {}),
      ...(maybe(0.5) ? { nodeName: pick(["n1", "n2"]) } : {}),
      ...(maybe(0.3) ? { selector: pick([{ matchLabels: { a: "1" } }, { matchLabels: { a: "2" } }, { other: { x: 1 } }]) } : {}),
      ...(maybe(0.3) ? { tolerations: pick([[{ key: "a" }], [{ key: "b" }], []]) } : {}),
    },
    status: {
      ...(maybe(0.8) ? { phase: pick(["Pending", "Running"]) } : {}),
      ...(conditions.length ? { conditions } : {}),
      ...(maybe(0.5) ? { podIP: pick(["10.0.0.1", "10.0.0.2"]) } : {}),
      ...(maybe(0.3) ? { containerStatuses: [{ name: "web", ready: maybe(0.5), state: pick([{ running: {} }, { waiting: { reason: "X" } }]) }] } : {}),
    },
  };
  return pod;
}

test("diffFields finds exactly the fields set algebra on both objects finds", () => {
  const next = rng(11);
  const scopes: Scope[] = [{}, { hasStatus: true }, { status: true }];
  let changedSome = 0;
  for (let round = 0; round < 3000; round++) {
    const a = randomPod(next);
    // Half the rounds change a few fields of `a`; the others compare two unrelated pods.
    const b = next() < 0.5 ? randomPod(next) : { ...structuredClone(a), status: { ...(a.status as Obj), phase: "Running" } };
    for (const scope of scopes) {
      const got = diffFields(a, b, scope);
      const want = expectedChanges(a, b, scope);
      assert.equal({ changed: keys(got.changed), removed: keys(got.removed) }, want, `round ${round} scope ${JSON.stringify(scope)}\na=${JSON.stringify(a)}\nb=${JSON.stringify(b)}`);
      if (want.changed.length) changedSome++;
    }
  }
  assert.ok(changedSome > 3000, "most rounds change something");
});

test("fieldsV1Of writes exactly the fieldsV1 of the object's field set, keys in the same order", () => {
  const next = rng(17);
  for (let round = 0; round < 2000; round++) {
    const a = randomPod(next);
    for (const scope of [{}, { hasStatus: true }, { status: true }] as Scope[]) {
      const set = fieldsOf(a, scope);
      const want = set.empty() ? undefined : JSON.stringify(set.toJSON());
      const got = fieldsV1Of(a, scope);
      assert.is(got === undefined ? undefined : JSON.stringify(got), want, `round ${round} ${JSON.stringify(scope)}\n${JSON.stringify(a)}`);
    }
  }
});

test("diffFields of an object and itself, or of a copy with keys reordered, is empty", () => {
  const next = rng(3);
  for (let round = 0; round < 200; round++) {
    const a = randomPod(next);
    const reordered = JSON.parse(JSON.stringify(a, Object.keys(a).reverse())) as Obj;
    for (const b of [a, structuredClone(a), { ...reordered, metadata: a.metadata, spec: a.spec, status: a.status }]) {
      const d = diffFields(a, b);
      assert.ok(d.changed.empty() && d.removed.empty(), `round ${round}`);
    }
  }
});

/** The definition of an Update's managedFields: decode every owner, move the changed fields, encode them all. */
function expectedManaged(old: KubeObject | undefined, next: KubeObject, w: Writer): unknown {
  const scope = w.scope;
  const d = expectedChanges((old ?? {}) as Obj, next as unknown as Obj, scope);
  const setOf = (paths: string[]) => {
    const s = new FieldSet();
    for (const p of paths) s.insert(JSON.parse(p) as string[]);
    return s;
  };
  const changed = setOf(d.changed);
  const removed = setOf(d.removed);
  if (changed.empty() && removed.empty()) return old?.metadata.managedFields;
  const taken = changed.union(removed);
  const mine = { manager: w.manager, operation: "Update" as const, apiVersion: w.apiVersion, subresource: w.subresource };
  const owners = decodeOwners(old?.metadata.managedFields) ?? [];
  for (const o of owners) if (!sameOwner(o, mine)) o.set = o.set.difference(taken);
  let self = owners.find((o) => sameOwner(o, mine));
  if (!self) owners.push((self = { ...mine, set: new FieldSet() }));
  self.set = self.set.union(changed).difference(removed);
  self.time = w.time;
  if (!w.subresource) delete self.subresource;
  return encodeOwners(owners);
}

test("a chain of updates by several managers records the same managedFields as moving every owner's fields would", () => {
  const next = rng(5);
  const writers: Writer[] = [
    { manager: "kubectl", apiVersion: "v1", time: "2026-01-01T00:00:00Z", scope: { hasStatus: true } },
    { manager: "kubelet", apiVersion: "v1", time: "2026-01-01T00:00:01Z", subresource: "status", scope: { status: true } },
    { manager: "scheduler", apiVersion: "v1", time: "2026-01-01T00:00:02Z", scope: { hasStatus: true } },
    { manager: "kubelet", apiVersion: "v1", time: "2026-01-01T00:00:03Z", scope: { hasStatus: true } },
  ];
  let owners = 0;
  for (let chain = 0; chain < 100; chain++) {
    let cur: KubeObject | undefined;
    for (let step = 0; step < 12; step++) {
      const w = writers[Math.floor(next() * writers.length)]!;
      // A status write keeps the rest of the object; a main write keeps the status.
      const fresh = randomPod(next) as unknown as KubeObject;
      const body = !cur ? fresh : w.scope.status ? { ...cur, status: fresh.status } : { ...fresh, status: cur.status };
      const nextObj = { ...body, metadata: { ...body.metadata, managedFields: cur?.metadata.managedFields } } as KubeObject;
      if (!cur) delete nextObj.metadata.managedFields;
      const want = expectedManaged(cur, nextObj, w);
      const got = trackUpdate(cur, nextObj, w);
      assert.equal(got, want, `chain ${chain} step ${step} by ${w.manager}`);
      nextObj.metadata.managedFields = got;
      owners = Math.max(owners, got?.length ?? 0);
      cur = nextObj;
    }
  }
  assert.ok(owners >= 3, "several managers own fields at once");
});

test("an update that changes nothing keeps the managedFields it had, the same array", () => {
  const w: Writer = { manager: "kubelet", apiVersion: "v1", time: "t", subresource: "status", scope: { status: true } };
  const old = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", managedFields: [{ manager: "x", operation: "Update", apiVersion: "v1", fieldsType: "FieldsV1", fieldsV1: { "f:status": { "f:phase": {} } } }] }, status: { phase: "Running" } } as KubeObject;
  const next = structuredClone(old);
  assert.is(trackUpdate(old, next, w), old.metadata.managedFields);
  next.status = { phase: "Succeeded" };
  const after = trackUpdate(old, next, w)!;
  assert.equal(after.map((e) => e.manager), ["kubelet"], "the status field moved from x to the kubelet");
  assert.equal(after[0]!.fieldsV1, { "f:status": { "f:phase": {} } });
});

test.run();
