import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Lease } from "../../../../actors/api/types/index.ts";
import { leaseResource } from "../../../../actors/apiserver/registry/leases.ts";
import { createErrors, updateErrors, variant } from "./helpers.ts";

const def = leaseResource;
const base: Lease = {
  apiVersion: "coordination.k8s.io/v1",
  kind: "Lease",
  metadata: { name: "kube-scheduler", namespace: "kube-system" },
  spec: { holderIdentity: "scheduler-0", leaseDurationSeconds: 15, acquireTime: "2024-01-01T00:00:00.000000Z", renewTime: "2024-01-01T00:00:10.123456Z", leaseTransitions: 0 },
};

const cases: Array<{ name: string; edit: (l: Lease) => void; want: string[] }> = [
  { name: "zero duration", edit: (l) => (l.spec!.leaseDurationSeconds = 0), want: ["spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0"] },
  { name: "negative transitions", edit: (l) => (l.spec!.leaseTransitions = -1), want: ["spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0"] },
  { name: "bad renew time", edit: (l) => (l.spec!.renewTime = "yesterday"), want: ['spec.renewTime: Invalid value: "yesterday": must be an RFC 3339 date-time'] },
  {
    name: "unknown strategy",
    edit: (l) => (l.spec!.strategy = "Newest" as "OldestEmulationVersion"),
    want: ['spec.strategy: Unsupported value: "Newest": supported values: "OldestEmulationVersion"'],
  },
  { name: "preferred holder without strategy", edit: (l) => (l.spec!.preferredHolder = "b"), want: ["spec.preferredHolder: Forbidden: may only be specified if `strategy` is defined"] },
];

test("validate", () => {
  assert.equal(createErrors(def, base), []);
  assert.equal(createErrors(def, { ...base, spec: undefined }), [], "an empty lease is valid");
  for (const c of cases) assert.equal(createErrors(def, variant(base, c.edit)), c.want, c.name);
});

test("updates: a new holder takes over", () => {
  const next = variant(base, (l) => Object.assign(l.spec!, { holderIdentity: "scheduler-1", leaseTransitions: 1, renewTime: "2024-01-01T00:01:00Z" }));
  assert.equal(updateErrors(def, next, base), []);
  assert.is(def.group, "coordination.k8s.io");
  assert.is(def.fieldSelectors["spec.holderIdentity"](base), "scheduler-0");
});

test.run();
