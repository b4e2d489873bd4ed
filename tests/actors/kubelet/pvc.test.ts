import { test } from "uvu";
import * as assert from "uvu/assert";
import { simCluster } from "./sim-cluster.ts";
import type { Node } from "../../../actors/api/types/core-node.ts";
import type { PersistentVolume, PersistentVolumeClaim } from "../../../actors/api/types/core-storage.ts";

const UNIQUE = "kubernetes.io/csi/ebs.csi.actorkube.io^vol-0abc";

test("a claim volume waits to be bound, then attached (node.status.volumesAttached), then the pod runs", async () => {
  const c = await simCluster();
  await c.api.create("persistentvolumeclaims", { metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } });
  await c.pod("db", {
    volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data" } }],
    containers: [{ name: "postgres", image: "postgres:16", volumeMounts: [{ name: "data", mountPath: "/var/lib/postgresql/data" }] }],
  });
  // Unbound: the claim cannot be processed.
  await c.until("unbound event", async () =>
    (await c.events("db")).some((e) => e.reason === "FailedMount" && e.message === "Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[], failed to process volumes=[data]: error processing PVC default/data: PVC is not bound"));
  assert.is(c.waiting(await c.getPod("db"))!.reason, "ContainerCreating");

  // The provisioner's work, written directly: a CSI PV bound to the claim.
  await c.api.create("persistentvolumes", {
    metadata: { name: "pvc-1234" },
    spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], csi: { driver: "ebs.csi.actorkube.io", volumeHandle: "vol-0abc" }, claimRef: { namespace: "default", name: "data" } },
  });
  const pvc = await c.api.get<PersistentVolumeClaim>("persistentvolumeclaims", "data", "default");
  await c.sys.ask("apiserver", { type: "api.update", resource: "persistentvolumeclaims", namespace: "default", object: { ...pvc, spec: { ...pvc.spec, volumeName: "pvc-1234" } } });
  const bound = await c.api.get<PersistentVolumeClaim>("persistentvolumeclaims", "data", "default");
  await c.api.updateStatus("persistentvolumeclaims", { ...bound, status: { phase: "Bound", accessModes: ["ReadWriteOnce"], capacity: { storage: "1Gi" } } });
  const pv = await c.api.get<PersistentVolume>("persistentvolumes", "pvc-1234");
  await c.api.updateStatus("persistentvolumes", { ...pv, status: { phase: "Bound" } });

  // Bound but not attached: the kubelet reports the volume in use and waits for the attach/detach controller.
  const inUse = await c.until("volumesInUse", async () => {
    const n = await c.api.get<Node>("nodes", "n1");
    return n.status?.volumesInUse?.includes(UNIQUE) && n;
  }, { stepMs: 1000 });
  assert.equal(inUse.status!.volumesInUse, [UNIQUE]);
  await c.until("attach timeout event", async () =>
    (await c.events("db")).some((e) => e.message === "Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[data], failed to process volumes=[]: timed out waiting for the condition"), { stepMs: 1000 });
  assert.is((await c.getPod("db")).status!.phase, "Pending");

  // The attach/detach controller's work: the volume appears in node.status.volumesAttached.
  const node = await c.api.get<Node>("nodes", "n1");
  await c.api.updateStatus("nodes", { ...node, status: { ...node.status, volumesAttached: [{ name: UNIQUE, devicePath: "" }] } });
  await c.until("running", async () => c.running(await c.getPod("db")), { stepMs: 500 });
  assert.is((await c.exec("db", ["ls", "/var/lib/postgresql/data"])).exitCode, 0);

  // Deleting the pod releases the volume: it leaves volumesInUse.
  await c.api.delete("pods", "db", "default", { gracePeriodSeconds: 1 });
  await c.until("released", async () => ((await c.api.get<Node>("nodes", "n1")).status?.volumesInUse ?? []).length === 0, { stepMs: 500 });
  await c.sys.stopAll();
});

test("a claim that does not exist is reported as such", async () => {
  const c = await simCluster();
  await c.pod("lost", { volumes: [{ name: "data", persistentVolumeClaim: { claimName: "nope" } }], containers: [{ name: "c", image: "busybox:1" }] });
  await c.until("event", async () =>
    (await c.events("lost")).some((e) => e.message === 'Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[], failed to process volumes=[data]: error processing PVC default/nope: failed to fetch PVC from API server: persistentvolumeclaims "nope" not found'));
  await c.sys.stopAll();
});

test.run();
