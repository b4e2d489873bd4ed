/**
 * The StorageClass kind (actors/apiserver/registry/storageclasses.ts) and
 * the claim update rule the default-class assignment relies on, through the
 * apiserver as kubectl would meet them.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ApiServer } from "../../../actors/apiserver/server.ts";
import { MemoryStore } from "../../../actors/apiserver/store/memory.ts";
import { SimulatedClock } from "../../../runtime/clock.ts";
import { storageClassResource } from "../../../actors/apiserver/registry/storageclasses.ts";
import { errorText } from "../../../actors/apiserver/registry/validation.ts";
import { statusOf } from "../../../actors/api/status.ts";
import type { StorageClass } from "../../../actors/api/types/storage.ts";

const base: StorageClass = { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "fast" }, provisioner: "disk.actorkube.io" };
const errorsOf = (sc: StorageClass) => {
  const o = structuredClone(sc);
  storageClassResource.defaults(o);
  return storageClassResource.validate(o).map(errorText);
};
const updateErrorsOf = (next: StorageClass, old: StorageClass) => storageClassResource.validateUpdate(next, old).map(errorText);

test("validation and defaults, as storage.k8s.io/v1", () => {
  const d = structuredClone(base);
  storageClassResource.defaults(d);
  assert.equal([d.reclaimPolicy, d.volumeBindingMode], ["Delete", "Immediate"]);
  const cases: Array<[string, (s: StorageClass) => void, string[] | RegExp]> = [
    ["valid", () => {}, []],
    ["no provisioner", (s) => (s.provisioner = ""), ["provisioner: Required value"]],
    ["bad provisioner", (s) => (s.provisioner = "a/b/c"), /^provisioner: Invalid value: "a\/b\/c": a valid label key must consist of/],
    ["reclaim policy", (s) => (s.reclaimPolicy = "Recycle" as "Delete"), ['reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"']],
    ["binding mode", (s) => (s.volumeBindingMode = "Later" as "Immediate"), ['volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"']],
    ["empty parameter key", (s) => (s.parameters = { "": "x" }), ['parameters: Invalid value: "": field can not be empty.']],
  ];
  for (const [name, edit, want] of cases) {
    const s = structuredClone(base);
    edit(s);
    const got = errorsOf(s);
    if (want instanceof RegExp) {
      assert.is(got.length, 1, name);
      assert.match(got[0], want, name);
    } else assert.equal(got, want, name);
  }
  const old = structuredClone(base);
  storageClassResource.defaults(old);
  assert.equal(updateErrorsOf({ ...old, metadata: { ...old.metadata, annotations: { "storageclass.kubernetes.io/is-default-class": "true" } }, allowVolumeExpansion: true }, old), [], "annotations and expansion may change");
  assert.equal(updateErrorsOf({ ...old, provisioner: "x.io/other", reclaimPolicy: "Retain", parameters: { type: "ssd" }, volumeBindingMode: "WaitForFirstConsumer" }, old), [
    "parameters: Forbidden: updates to parameters are forbidden.",
    "provisioner: Forbidden: updates to provisioner are forbidden.",
    "reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.",
    'volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable',
  ]);
});

test("served as storageclasses.storage.k8s.io (short name sc); a claim with no class may be given one later, not changed after", async () => {
  const api = new ApiServer({ store: new MemoryStore(), clock: new SimulatedClock() });
  await api.start();
  for (const name of ["default"]) await api.create(api.target("namespaces", "", undefined), { metadata: { name } });
  const sc = api.target("sc", undefined, undefined);
  assert.is(sc.def.group, "storage.k8s.io");
  assert.is(sc.def.namespaced, false);
  const made = (await api.create(sc, { metadata: { name: "standard" }, provisioner: "disk.actorkube.io" })) as StorageClass;
  assert.equal([made.apiVersion, made.reclaimPolicy, made.volumeBindingMode], ["storage.k8s.io/v1", "Delete", "Immediate"]);
  const bad = await api.create(sc, { metadata: { name: "x" } }).catch((e) => statusOf(e));
  assert.is((bad as { reason?: string }).reason, "Invalid");

  const pvcs = api.target("persistentvolumeclaims", "", "default");
  const claim = await api.create(pvcs, { metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } });
  const withClass = await api.update(pvcs, { ...claim, spec: { ...(claim.spec as object), storageClassName: "standard" } });
  assert.is((withClass.spec as { storageClassName?: string }).storageClassName, "standard");
  const changed = await api.update(pvcs, { ...withClass, spec: { ...(withClass.spec as object), storageClassName: "other" } }).catch((e) => statusOf(e));
  assert.is((changed as { reason?: string }).reason, "Invalid");
  api.stop();
});

test.run();
