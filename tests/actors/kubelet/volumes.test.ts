import { test } from "uvu";
import * as assert from "uvu/assert";
import { SimulatedClock } from "../../../runtime/clock.ts";
import { NodeFiles } from "../../../actors/kubelet/cri/files.ts";
import { VolumeManager } from "../../../actors/kubelet/volumes.ts";
import { MountError, volumeFiles, type ContentDeps } from "../../../actors/kubelet/volume-contents.ts";
import type { ObjectLookup } from "../../../actors/kubelet/config-objects.ts";
import type { EventRecorder } from "../../../actors/api/events.ts";
import type { KubeObject } from "../../../actors/api/meta.ts";
import type { Pod, Volume } from "../../../actors/api/types/index.ts";

function world() {
  const objects = new Map<string, KubeObject>();
  const lookup: ObjectLookup = {
    configMap: async (ns, name) => objects.get(`configmaps/${ns}/${name}`) as never,
    secret: async (ns, name) => objects.get(`secrets/${ns}/${name}`) as never,
    get: async (resource, name, ns) => objects.get(`${resource}/${ns ?? ""}/${name}`) as never,
  };
  return { objects, lookup };
}
const facts = { hostIPs: ["172.18.0.2"], podIPs: [], allocatable: {} };
const pod = (volumes: Volume[], uid = "u1"): Pod => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "default", uid, labels: { a: "1" } }, spec: { volumes, containers: [{ name: "c", image: "x" }] } });

test("volume contents: items, optional sources, secret decoding, projected errors aggregated", async () => {
  const { objects, lookup } = world();
  const d: ContentDeps = { lookup, facts, token: (aud, exp) => `token(${aud ?? "-"},${exp})` };
  objects.set("configmaps/default/cm", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" }, data: { a: "A", b: "B" }, binaryData: { bin: btoa("raw") } } as KubeObject);
  objects.set("secrets/default/s", { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { k: btoa("v") } } as KubeObject);
  assert.equal(await volumeFiles(pod([]), { name: "v", configMap: { name: "cm" } }, d), { a: "A", b: "B", bin: "raw" });
  assert.equal(await volumeFiles(pod([]), { name: "v", configMap: { name: "cm", items: [{ key: "b", path: "dir/b.txt" }] } }, d), { "dir/b.txt": "B" });
  assert.equal(await volumeFiles(pod([]), { name: "v", configMap: { name: "nope", optional: true } }, d), {});
  assert.equal(await volumeFiles(pod([]), { name: "v", secret: { secretName: "s" } }, d), { k: "v" });
  assert.equal(await volumeFiles(pod([]), { name: "v", downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }] } }, d), { labels: 'a="1"' });
  const failures: Array<[Volume, string]> = [
    [{ name: "v", configMap: { name: "nope" } }, 'configmap "nope" not found'],
    [{ name: "v", configMap: { name: "cm", items: [{ key: "zz", path: "z" }] } }, "configmap references non-existent config key: zz"],
    [{ name: "v", secret: { secretName: "nope" } }, 'secret "nope" not found'],
    [{ name: "v", secret: { secretName: "s", items: [{ key: "zz", path: "z" }] } }, "references non-existent secret key: zz"],
    [{ name: "v", projected: { sources: [{ configMap: { name: "x" } }, { secret: { name: "y" } }, { serviceAccountToken: { path: "t" } }] } }, '[configmap "x" not found, secret "y" not found]'],
  ];
  for (const [v, message] of failures) {
    try {
      await volumeFiles(pod([]), v, d);
      assert.unreachable(message);
    } catch (err) {
      assert.instance(err, MountError);
      assert.is((err as Error).message, message);
    }
  }
  assert.equal(await volumeFiles(pod([]), { name: "v", projected: { sources: [{ serviceAccountToken: { path: "t", audience: "vault", expirationSeconds: 600 } }, { configMap: { name: "cm", items: [{ key: "a", path: "a" }] } }] } }, d), { t: "token(vault,600)", a: "A" });
});

test("failed set-ups back off from 500 ms doubling, each an event; the 2 min 3 s timeout event repeats", async () => {
  const { objects, lookup } = world();
  const clock = new SimulatedClock(0);
  const files = new NodeFiles();
  const events: string[] = [];
  const inUse: string[][] = [];
  const recorder = { record: async (_o: unknown, type: string, reason: string, message: string) => void events.push(`${clock.now()} ${type} ${reason} ${message}`) } as unknown as EventRecorder;
  const vm = new VolumeManager({ clock, files, events: recorder, lookup: () => lookup, getNode: async () => undefined, token: () => "t", volumesInUse: (n) => inUse.push(n) });
  const p = pod([{ name: "cfg", configMap: { name: "cm" } }, { name: "tmp", emptyDir: {} }]);
  const tries: number[] = [];
  for (let t = 0; t <= 130_000; t += 250) {
    await clock.advance(t - clock.now());
    const before = events.length;
    const r = await vm.mount(p, facts);
    assert.is(r.ready, false);
    if (events.length > before && events.at(-1)!.includes("SetUp failed")) tries.push(t);
  }
  // 0, +0.5, +1, +2, +4, +8, +16, +32, +64 s (then 128 s would pass the end).
  assert.equal(tries, [0, 500, 1500, 3500, 7500, 15500, 31500, 63500, 127500]);
  const timeouts = events.filter((e) => e.includes("Unable to attach or mount volumes"));
  assert.equal(timeouts, ["123000 Warning FailedMount Unable to attach or mount volumes: unmounted volumes=[cfg], unattached volumes=[], failed to process volumes=[]: timed out waiting for the condition"]);
  assert.ok(files.isDir("/var/lib/kubelet/pods/u1/volumes/kubernetes.io~empty-dir/tmp"), "what could be mounted is");
  objects.set("configmaps/default/cm", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" }, data: { k: "v" } } as KubeObject);
  await clock.advance(128_000);
  const r = await vm.mount(p, facts);
  assert.ok(r.ready);
  if (r.ready) assert.is(r.paths.get("cfg"), "/var/lib/kubelet/pods/u1/volumes/kubernetes.io~configmap/cfg");
  assert.is(files.read("/var/lib/kubelet/pods/u1/volumes/kubernetes.io~configmap/cfg/k"), "v");
  vm.unmount("u1");
  assert.is(files.size, 0, "unmount removes the pod's files");
  assert.equal(inUse, [], "no attachable volumes here");
});

test.run();
