import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ReplicaSet } from "../../../../actors/api/types/index.ts";
import { replicaSetResource } from "../../../../actors/apiserver/registry/replicasets.ts";
import { created, createErrors, texts, updateErrors, variant } from "./helpers.ts";

const def = replicaSetResource;

const base: ReplicaSet = {
  apiVersion: "apps/v1",
  kind: "ReplicaSet",
  metadata: { name: "web-5d8f", namespace: "default" },
  spec: {
    selector: { matchLabels: { app: "web", "pod-template-hash": "5d8f" } },
    template: { metadata: { labels: { app: "web", "pod-template-hash": "5d8f" } }, spec: { containers: [{ name: "app", image: "nginx:1.25" }] } },
  },
};

test("defaults: one replica, template defaults, status reset on create", () => {
  const rs = created(def, variant(base, (r) => (r.status = { replicas: 7 })));
  assert.is(rs.spec.replicas, 1);
  assert.is(rs.spec.template.spec.restartPolicy, "Always");
  assert.is(rs.spec.template.spec.containers[0].imagePullPolicy, "IfNotPresent");
  assert.equal(rs.status, {});
  assert.is(created(def, variant(base, (r) => (r.spec.replicas = 3))).spec.replicas, 3);
});

const invalidCases: Array<{ name: string; edit: (r: ReplicaSet) => void; want: string[] }> = [
  { name: "negative replicas", edit: (r) => (r.spec.replicas = -1), want: ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"] },
  { name: "negative minReadySeconds", edit: (r) => (r.spec.minReadySeconds = -5), want: ["spec.minReadySeconds: Invalid value: -5: must be greater than or equal to 0"] },
  {
    name: "selector does not match",
    edit: (r) => (r.spec.template.metadata!.labels = { app: "web" }),
    want: ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`'],
  },
  {
    name: "Never restart",
    edit: (r) => (r.spec.template.spec.restartPolicy = "Never"),
    want: ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
  },
  {
    name: "bad selector expression",
    edit: (r) => (r.spec.selector = { matchExpressions: [{ key: "app", operator: "In" }] }),
    want: [
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"app", Operator:"In", Values:[]string(nil)}}}: invalid label selector',
    ],
  },
];

test("validate", () => {
  assert.equal(createErrors(def, base), []);
  for (const c of invalidCases) assert.equal(createErrors(def, variant(base, c.edit)), c.want, c.name);
});

test("update: selector immutable, status kept", () => {
  const old = created(def, base);
  old.status = { replicas: 1, readyReplicas: 1 };
  assert.equal(updateErrors(def, variant(old, (r) => (r.spec.replicas = 4)), old), []);
  const moved = updateErrors(def, variant(old, (r) => (r.spec.selector = { matchLabels: { app: "web" } })), old);
  assert.equal(moved, ['spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable']);
  const next = variant(old, (r) => (r.status = { replicas: 99 }));
  def.prepareForUpdate(next, old);
  assert.equal(next.status, old.status);
});

test("status validation", () => {
  const old = created(def, base);
  const cases: Array<[ReplicaSet["status"], string[]]> = [
    [{ replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 1 }, []],
    [{ replicas: 1, fullyLabeledReplicas: 2 }, ["status.fullyLabeledReplicas: Invalid value: 2: cannot be greater than status.replicas"]],
    [{ replicas: 1, readyReplicas: 3 }, ["status.readyReplicas: Invalid value: 3: cannot be greater than status.replicas"]],
    [{ replicas: 2, readyReplicas: 1, availableReplicas: 2 }, ["status.availableReplicas: Invalid value: 2: cannot be greater than readyReplicas"]],
    [{ observedGeneration: -1 }, ["status.observedGeneration: Invalid value: -1: must be greater than or equal to 0"]],
  ];
  for (const [status, want] of cases) assert.equal(texts(def.validateStatusUpdate(variant(old, (r) => (r.status = status)), old)), want, JSON.stringify(status));
  assert.is(def.fieldSelectors["status.replicas"](variant(old, (r) => (r.status = { replicas: 3 }))), "3");
});

test.run();
