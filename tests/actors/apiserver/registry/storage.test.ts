import { test } from "uvu";
import * as assert from "uvu/assert";
import type { PersistentVolume, PersistentVolumeClaim } from "../../../../actors/api/types/index.ts";
import { persistentVolumeResource } from "../../../../actors/apiserver/registry/persistentvolumes.ts";
import { persistentVolumeClaimResource, PVC_UPDATE_FORBIDDEN } from "../../../../actors/apiserver/registry/persistentvolumeclaims.ts";
import { created, createErrors, updateErrors, variant } from "./helpers.ts";

const pv: PersistentVolume = {
  apiVersion: "v1",
  kind: "PersistentVolume",
  metadata: { name: "pv-1" },
  spec: { capacity: { storage: "10Gi" }, accessModes: ["ReadWriteOnce"], hostPath: { path: "/data/pv-1" } },
};

const pvCases: Array<{ name: string; edit: (v: PersistentVolume) => void; want: string[] }> = [
  { name: "no access modes", edit: (v) => (v.spec.accessModes = []), want: ["spec.accessModes: Required value"] },
  {
    name: "unknown access mode",
    edit: (v) => (v.spec.accessModes = ["ReadWriteSometimes" as "ReadWriteOnce"]),
    want: ['spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"'],
  },
  { name: "no capacity", edit: (v) => delete v.spec.capacity, want: ["spec.capacity: Required value"] },
  { name: "zero storage", edit: (v) => (v.spec.capacity = { storage: "0" }), want: ['spec.capacity[storage]: Invalid value: "0": must be greater than zero'] },
  { name: "no source", edit: (v) => delete v.spec.hostPath, want: ["spec: Required value: must specify a volume type"] },
  { name: "local without node affinity", edit: (v) => ((v.spec.local = { path: "/mnt" }), delete v.spec.hostPath), want: ["spec.nodeAffinity: Required value: Local volume requires node affinity"] },
];

test("persistentvolumes", () => {
  const v = created(persistentVolumeResource, pv);
  assert.is(v.spec.persistentVolumeReclaimPolicy, "Retain");
  assert.is(v.spec.volumeMode, "Filesystem");
  assert.equal(v.status, { phase: "Pending" });
  assert.equal(createErrors(persistentVolumeResource, pv), []);
  for (const c of pvCases) assert.equal(createErrors(persistentVolumeResource, variant(pv, c.edit)), c.want, c.name);
  const old = created(persistentVolumeResource, pv);
  assert.equal(updateErrors(persistentVolumeResource, variant(old, (x) => (x.spec.hostPath = { path: "/elsewhere" })), old), [
    "spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation",
  ]);
  assert.equal(updateErrors(persistentVolumeResource, variant(old, (x) => (x.spec.claimRef = { name: "c", namespace: "d" })), old), []);
});

const pvc: PersistentVolumeClaim = {
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name: "data", namespace: "default" },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
};

test("persistentvolumeclaims", () => {
  const c = created(persistentVolumeClaimResource, pvc);
  assert.is(c.spec.volumeMode, "Filesystem");
  assert.equal(c.status, { phase: "Pending" });
  assert.equal(createErrors(persistentVolumeClaimResource, pvc), []);
  assert.equal(createErrors(persistentVolumeClaimResource, variant(pvc, (x) => delete x.spec.resources)), ["spec.resources[storage]: Required value"]);
  const old = created(persistentVolumeClaimResource, pvc);
  assert.equal(updateErrors(persistentVolumeClaimResource, variant(old, (x) => (x.spec.volumeName = "pv-1")), old), [], "binding sets volumeName once");
  assert.equal(updateErrors(persistentVolumeClaimResource, variant(old, (x) => (x.spec.accessModes = ["ReadWriteMany"])), old), [`spec: Forbidden: ${PVC_UPDATE_FORBIDDEN}`]);
  assert.equal(updateErrors(persistentVolumeClaimResource, variant(old, (x) => (x.spec.resources = { requests: { storage: "2Gi" } })), old), [`spec: Forbidden: ${PVC_UPDATE_FORBIDDEN}`], "unbound claims cannot grow");
  const bound = variant(old, (x) => (x.status = { phase: "Bound" }));
  assert.equal(updateErrors(persistentVolumeClaimResource, variant(bound, (x) => (x.spec.resources = { requests: { storage: "2Gi" } })), bound), [], "bound claims can grow");
  assert.equal(updateErrors(persistentVolumeClaimResource, variant(bound, (x) => (x.spec.resources = { requests: { storage: "512Mi" } })), bound), [
    "spec.resources.requests.storage: Forbidden: field can not be less than previous value",
  ]);
});

test.run();
