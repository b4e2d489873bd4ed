import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scanStaticPods, staticPodFromManifest } from "../../../actors/kubelet/static-pods.ts";
import type { LocalPod } from "../../../actors/kubelet/pods.ts";
import type { Node } from "../../../actors/api/types/core-node.ts";
import type { Pod } from "../../../actors/api/types/core-pod.ts";
import { simCluster } from "./sim-cluster.ts";

const manifest = (image = "registry.k8s.io/etcd:3.5.15-0", name = "etcd") => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: kube-system
  labels: { component: ${name} }
spec:
  hostNetwork: true
  containers:
    - name: ${name}
      image: ${image}
      command: [${name}, --data-dir=/var/lib/etcd]
`;

test("a manifest becomes <name>-<node>, bound to the node, tolerating NoExecute, with a hash uid", () => {
  const t = Date.parse("2026-05-01T00:00:00Z");
  const p = staticPodFromManifest(manifest(), "n1", t);
  assert.is(p.metadata.name, "etcd-n1");
  assert.is(p.metadata.namespace, "kube-system");
  assert.is(p.spec.nodeName, "n1");
  assert.match(p.metadata.uid!, /^[0-9a-f]{32}$/);
  assert.equal(p.metadata.annotations, { "kubernetes.io/config.hash": p.metadata.uid, "kubernetes.io/config.source": "file", "kubernetes.io/config.seen": "2026-05-01T00:00:00.000Z" });
  assert.ok(p.spec.tolerations!.some((x) => x.operator === "Exists" && x.effect === "NoExecute"));
  assert.is(p.spec.restartPolicy, "Always", "defaults applied");
  assert.is(staticPodFromManifest(manifest(), "n1", t + 60_000).metadata.uid, p.metadata.uid, "same file, same pod");
  assert.is.not(staticPodFromManifest(manifest("registry.k8s.io/etcd:3.5.16-0"), "n1", t).metadata.uid, p.metadata.uid, "an edit is a new pod");
  assert.is.not(staticPodFromManifest(manifest(), "n2", t).metadata.uid, p.metadata.uid, "another node, another pod");
  const json = staticPodFromManifest(JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "j" }, spec: { containers: [{ name: "c", image: "x:1" }] } }), "n1", t);
  assert.is(json.metadata.namespace, "default");
  const bad: Array<[string, RegExp]> = [
    ["apiVersion: v1\nkind: Service\nmetadata: { name: x }\n", /expected apiVersion v1, kind Pod/],
    ["apiVersion: v1\nkind: Pod\nspec: { containers: [{ name: c, image: x }] }\n", /metadata.name: Required value/],
    ["apiVersion: v1\nkind: Pod\nmetadata: { name: x }\nspec: { containers: [] }\n", /spec.containers: Required value/],
    [`${manifest()}---\n${manifest()}`, /expected one Pod, found 2 documents/],
    ["kind: Pod\n  bad: [", /.+/],
  ];
  for (const [text, err] of bad) assert.throws(() => staticPodFromManifest(text, "n1", t), err, text);
});

test("a scan reads YAML and JSON manifests, skips dotfiles, reports bad files and treats a missing folder as empty", async () => {
  const dir = await mkdtemp(join(tmpdir(), "static-"));
  try {
    await writeFile(join(dir, "etcd.yaml"), manifest());
    await writeFile(join(dir, "api.json"), JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "api" }, spec: { containers: [{ name: "c", image: "x:1" }] } }));
    await writeFile(join(dir, ".swp"), "garbage");
    await writeFile(join(dir, "broken.yaml"), "apiVersion: v1\nkind: Pod\n");
    const scan = await scanStaticPods(dir, "n1", 0);
    assert.equal([...scan.pods.values()].map((p) => p.metadata.name).sort(), ["api-n1", "etcd-n1"]);
    assert.is(scan.errors.length, 1);
    assert.match(scan.errors[0], /broken\.yaml.*metadata\.name: Required value/);
    assert.equal(await scanStaticPods(join(dir, "nope"), "n1", 0), { pods: new Map(), errors: [] });
    const one = await scanStaticPods(join(dir, "etcd.yaml"), "n1", 0);
    assert.is(one.pods.size, 1, "a single file works too");
  } finally {
    await rm(dir, { recursive: true });
  }
});

test("static pods run without the apiserver, are mirrored once it answers, survive mirror deletion and follow file edits", async () => {
  const dir = await mkdtemp(join(tmpdir(), "static-"));
  await writeFile(join(dir, "etcd.yaml"), manifest());
  const c = await simCluster({ noApiserver: true, kubelet: { staticPodPath: dir, staticPodPollMs: 1000 } });
  try {
    const local = () => c.sys.ask<LocalPod[]>("kubelet/n1", { type: "kubelet.pods" });
    const first = await c.until("running without an apiserver", async () => {
      const ps = await local();
      return ps.length === 1 && ps[0].containers[0].state === "Running" && ps[0];
    });
    assert.is(first.name, "etcd-n1");
    assert.is(first.static, true);
    assert.is(first.podIP, "172.18.0.2", "host network: the node's address");

    await c.startApiserver();
    const mirror = await c.until("mirror pod", async () => {
      const p = await c.getPod("etcd-n1", "kube-system");
      return p.status?.phase === "Running" && p;
    }, { stepMs: 500 });
    const node = await c.api.get<Node>("nodes", "n1");
    assert.is(mirror.metadata.annotations!["kubernetes.io/config.mirror"], first.uid);
    assert.is(mirror.metadata.annotations!["kubernetes.io/config.source"], "file");
    assert.equal(mirror.metadata.ownerReferences, [{ apiVersion: "v1", kind: "Node", name: "n1", uid: node.metadata.uid!, controller: false }]);
    assert.is.not(mirror.metadata.uid, first.uid, "the mirror is the apiserver's own object");
    assert.is(mirror.status!.podIP, "172.18.0.2");
    assert.is(mirror.status!.containerStatuses![0].name, "etcd");

    // Deleting the mirror through the API does not stop the static pod: the mirror comes back.
    await c.api.delete("pods", "etcd-n1", "kube-system");
    const again = await c.until("mirror re-created", async () => {
      const p = await c.getPod("etcd-n1", "kube-system").catch(() => undefined);
      return p && p.metadata.uid !== mirror.metadata.uid && !p.metadata.deletionTimestamp && p.status?.phase === "Running" && p;
    }, { stepMs: 500 });
    assert.is(again.metadata.annotations!["kubernetes.io/config.mirror"], first.uid);
    const still = await local();
    assert.is(still[0].uid, first.uid);
    assert.is(still[0].containers[0].restartCount, 0, "the static pod kept running");

    // A mirror of nothing is removed.
    await c.api.create("pods", { metadata: { name: "ghost-n1", annotations: { "kubernetes.io/config.mirror": "0".repeat(32) } }, spec: { nodeName: "n1", containers: [{ name: "c", image: "x:1" }] } }, "kube-system");
    await c.until("orphan mirror deleted", async () => !(await c.getPod("ghost-n1", "kube-system").catch(() => undefined)), { stepMs: 500 });

    // An edited manifest is a new pod: the old one stops, a new mirror replaces the old.
    await writeFile(join(dir, "etcd.yaml"), manifest("registry.k8s.io/etcd:3.5.16-0"));
    const edited = await c.until("new static pod", async () => {
      const ps = await local();
      return ps.length === 1 && ps[0].uid !== first.uid && ps[0].containers[0].state === "Running" && ps[0];
    }, { stepMs: 500 });
    const replaced = await c.until("mirror replaced", async () => {
      const p = await c.getPod("etcd-n1", "kube-system").catch(() => undefined);
      return p?.metadata.annotations?.["kubernetes.io/config.mirror"] === edited.uid && p.status?.phase === "Running" && p;
    }, { stepMs: 500 });
    assert.is(replaced.spec.containers[0].image, "registry.k8s.io/etcd:3.5.16-0");

    // The file goes: the static pod stops and its mirror goes.
    await rm(join(dir, "etcd.yaml"));
    await c.until("stopped and unmirrored", async () => (await local()).length === 0 && !(await c.getPod("etcd-n1", "kube-system").catch(() => undefined)), { stepMs: 500 });
    const pods = await c.api.list<Pod>("pods", "kube-system");
    assert.equal(pods.map((p) => p.metadata.name), []);
  } finally {
    await c.sys.stopAll();
    await rm(dir, { recursive: true });
  }
});

test.run();
