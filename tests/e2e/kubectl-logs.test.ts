/**
 * `kubectl logs` (pods/log from the pod's kubelet) and `kubectl drain`
 * (the eviction subresource) against a real cluster.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { eventually, kubeEnv, type KubeEnv } from "./helpers.ts";

let env: KubeEnv;
test.before(async () => {
  env = await kubeEnv();
  const pods = `apiVersion: v1
kind: Pod
metadata:
  name: talker
  annotations:
    actorkube.io/behavior.main: 'log-every:200ms:"tick"'
    actorkube.io/behavior.side: 'log:"side ready"'
spec:
  containers:
  - name: main
    image: busybox
  - name: side
    image: busybox
---
apiVersion: v1
kind: Pod
metadata:
  name: crashy
spec:
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "echo first life; sleep 0.3; exit 1"]
`;
  const r = await env.kubectl("apply", "-f", env.file("pods.yaml", pods));
  assert.is(r.code, 0, r.stderr);
  await eventually("talker running", async () => /Running/.test((await env.kubectl("get", "pod", "talker")).stdout));
});
test.after(async () => {
  await env?.stop();
});

test("logs -c picks the container; --tail keeps the last lines; without -c kubectl defaults to the first", async () => {
  await eventually("a few ticks", async () => (await env.kubectl("logs", "talker", "-c", "main")).stdout.split("\n").length > 4);
  const tail = await env.kubectl("logs", "talker", "-c", "main", "--tail=2");
  assert.is(tail.code, 0, tail.stderr);
  assert.is(tail.stdout, "tick\ntick\n");
  const side = await env.kubectl("logs", "talker", "-c", "side");
  assert.is(side.stdout, "side ready\n");
  const dflt = await env.kubectl("logs", "talker", "--tail=1");
  assert.is(dflt.stdout, "tick\n");
  assert.match(dflt.stderr, /Defaulted container "main" out of: main, side/);
});

test("logs --timestamps stamps each line in RFC 3339 with nanoseconds", async () => {
  const r = await env.kubectl("logs", "talker", "-c", "main", "--tail=1", "--timestamps");
  assert.match(r.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z tick\n$/);
});

test("logs -f streams new lines as they are written", async () => {
  const follow = env.kubectlStream("logs", "-f", "talker", "-c", "main", "--tail=1");
  try {
    await eventually("several new lines while following", () => follow.output().split("\n").filter((l) => l === "tick").length >= 4, 8000);
  } finally {
    follow.child.kill();
  }
});

test("logs --previous reads the instance before a restart; unknown pods and containers are errors", async () => {
  const prev = await eventually("crashy restarted", async () => {
    const r = await env.kubectl("logs", "crashy", "--previous");
    return r.code === 0 ? r : undefined;
  });
  assert.is(prev.stdout, "first life\n");
  const missing = await env.kubectl("logs", "nope");
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /pods "nope" not found/);
  const bad = await env.kubectl("logs", "talker", "-c", "nope");
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /container nope is not valid for pod talker/);
  const none = await env.kubectl("logs", "talker", "-c", "side", "--previous");
  assert.is(none.code, 1);
  assert.match(none.stderr, /BadRequest.*previous terminated container "side" in pod "talker" not found/);
});

test("drain evicts the node's pods through the eviction subresource and cordons it", async () => {
  const node = (await env.kubectl("get", "pod", "talker", "-o", "jsonpath={.spec.nodeName}")).stdout;
  assert.match(node, /^node-\d$/);
  const r = await env.kubectl("drain", node, "--force", "--ignore-daemonsets", "--timeout=20s");
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`node/${node} cordoned`));
  assert.match(r.stdout + r.stderr, /evicting pod default\/talker/);
  assert.match(r.stdout, /pod\/talker evicted/);
  assert.match(r.stdout, new RegExp(`node/${node} drained`));
  const gone = await env.kubectl("get", "pod", "talker");
  assert.match(gone.stderr, /pods "talker" not found/);
  assert.match((await env.kubectl("get", "node", node)).stdout, /Ready,SchedulingDisabled/);
  assert.is((await env.kubectl("uncordon", node)).code, 0);
});

test.run();
