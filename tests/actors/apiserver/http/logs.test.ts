import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ActorFactory, AnyMessage } from "../../../../runtime/actor.ts";
import { ActorError } from "../../../../runtime/errors.ts";
import { pod, startFake, type FakeCluster } from "./fake-apiserver.ts";

interface Line {
  time: number;
  text: string;
}
const lines: Line[] = [];
const asks: AnyMessage[] = [];
const T0 = Date.parse("2026-03-01T10:00:00Z");

// The node's kubelet: answers `kubelet.logs` from `lines` (or the previous instance's).
const kubelet: ActorFactory = () => ({
  handlers: {
    "kubelet.logs": (m: AnyMessage) => {
      asks.push(m);
      if (m.container === "sidecar") throw new ActorError("BadRequest", `container "sidecar" in pod "two" is waiting to start: ContainerCreating`);
      if (m.previous) return [{ time: T0 - 1000, text: "previous life" }];
      const tail = typeof m.tailLines === "number" ? m.tailLines : Infinity;
      return lines.slice(-tail === -Infinity ? 0 : Math.max(0, lines.length - tail));
    },
  },
});

let c: FakeCluster;
test.before(async () => {
  c = await startFake({ followPollMs: 30 });
  await c.system.spawn("kubelet/node-1", kubelet, {});
  c.state.objects.set("/pods/default/one", pod("one"));
  c.state.objects.set("/pods/default/two", pod("two", "default", { spec: { nodeName: "node-1", containers: [{ name: "main", image: "x" }, { name: "sidecar", image: "y" }] } }));
  c.state.objects.set("/pods/default/pending", pod("pending", "default", { spec: { containers: [{ name: "c", image: "x" }] }, status: { phase: "Pending" } }));
  for (let i = 0; i < 5; i++) lines.push({ time: T0 + i * 1000, text: `line ${i}` });
});
test.after(async () => {
  await c.stop();
});

test("logs returns the container's lines as plain text; tailLines and container reach the kubelet", async () => {
  const r = await fetch(c.url("/api/v1/namespaces/default/pods/one/log?tailLines=2"));
  assert.is(r.status, 200);
  assert.match(r.headers.get("content-type") ?? "", /^text\/plain/);
  assert.is(await r.text(), "line 3\nline 4\n");
  const m = asks[asks.length - 1]!;
  assert.equal({ namespace: m.namespace, name: m.name, container: m.container, tailLines: m.tailLines }, { namespace: "default", name: "one", container: "c", tailLines: 2 });
  assert.is(c.last("api.get")!.subresource, "log", "the pod is read as pods/log, so authorization sees the subresource");
});

test("timestamps, sinceTime and limitBytes shape the answer", async () => {
  const t = await (await fetch(c.url("/api/v1/namespaces/default/pods/one/log?timestamps=true&sinceTime=2026-03-01T10:00:03Z"))).text();
  assert.is(t, "2026-03-01T10:00:03.000000000Z line 3\n2026-03-01T10:00:04.000000000Z line 4\n");
  assert.is(await (await fetch(c.url("/api/v1/namespaces/default/pods/one/log?limitBytes=9"))).text(), "line 0\nli");
});

test("previous asks for the previous instance", async () => {
  assert.is(await (await fetch(c.url("/api/v1/namespaces/default/pods/one/log?previous=true"))).text(), "previous life\n");
  assert.is(asks[asks.length - 1]!.previous, true);
});

test("bad requests: several containers and none named, an unknown container, a pod not yet on a node, a waiting container", async () => {
  const cases: [string, number, RegExp][] = [
    ["/api/v1/namespaces/default/pods/two/log", 400, /a container name must be specified for pod two, choose one of: \[main sidecar\]/],
    ["/api/v1/namespaces/default/pods/two/log?container=nope", 400, /container nope is not valid for pod two/],
    ["/api/v1/namespaces/default/pods/pending/log", 400, /container "c" in pod "pending" is waiting to start: ContainerCreating/],
    ["/api/v1/namespaces/default/pods/two/log?container=sidecar", 400, /is waiting to start/],
    ["/api/v1/namespaces/default/pods/missing/log", 404, /pods "missing" not found/],
    ["/api/v1/namespaces/default/pods/one/log?tailLines=-1", 400, /tailLines/],
  ];
  for (const [path, code, msg] of cases) {
    const r = await fetch(c.url(path));
    const body = (await r.json()) as { kind: string; message: string };
    assert.is(r.status, code, path);
    assert.is(body.kind, "Status");
    assert.match(body.message, msg);
  }
});

test("follow streams new lines until the container stops", async () => {
  const ac = new AbortController();
  const r = await fetch(c.url("/api/v1/namespaces/default/pods/one/log?follow=true&tailLines=1"), { signal: ac.signal });
  const reader = r.body!.getReader();
  let got = "";
  const readUntil = async (want: string) => {
    const deadline = Date.now() + 3000;
    while (!got.includes(want)) {
      if (Date.now() > deadline) throw new Error(`never saw ${JSON.stringify(want)}; got ${JSON.stringify(got)}`);
      const { value, done } = await reader.read();
      if (done) break;
      got += new TextDecoder().decode(value);
    }
  };
  await readUntil("line 4\n");
  lines.push({ time: T0 + 5000, text: "line 5" }, { time: T0 + 5000, text: "line 5b" });
  await readUntil("line 5b\n");
  assert.is(got, "line 4\nline 5\nline 5b\n", "each line once, in order");
  // The container stops: the stream ends.
  c.state.objects.set("/pods/default/one", pod("one", "default", { status: { phase: "Succeeded", containerStatuses: [{ name: "c", state: { terminated: { exitCode: 0 } } }] } }));
  const deadline = Date.now() + 3000;
  for (;;) {
    const { done } = await reader.read();
    if (done) break;
    if (Date.now() > deadline) throw new Error("the stream did not end");
  }
  ac.abort();
});

test.run();
