import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Deployment } from "../../../../actors/api/types/index.ts";
import { deploymentResource } from "../../../../actors/apiserver/registry/deployments.ts";
import { created, createErrors, texts, updateErrors, variant } from "./helpers.ts";

const def = deploymentResource;

const base: Deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default" },
  spec: {
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web", tier: "fe" } },
      spec: { containers: [{ name: "app", image: "nginx", resources: { limits: { cpu: "1" } } }] },
    },
  },
};

test("defaults: replicas, strategy, history, deadline, and template defaults (but not pod-only ones)", () => {
  const d = created(def, base);
  assert.is(d.spec.replicas, 1);
  assert.equal(d.spec.strategy, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } });
  assert.is(d.spec.revisionHistoryLimit, 10);
  assert.is(d.spec.progressDeadlineSeconds, 600);
  const pod = d.spec.template.spec;
  assert.is(pod.restartPolicy, "Always");
  assert.is(pod.dnsPolicy, "ClusterFirst");
  assert.is(pod.schedulerName, "default-scheduler");
  assert.is(pod.terminationGracePeriodSeconds, 30);
  assert.is(pod.containers[0].imagePullPolicy, "Always");
  // Requests-from-limits and enableServiceLinks are SetDefaults_Pod only: templates keep what was sent.
  assert.equal(pod.containers[0].resources, { limits: { cpu: "1" } });
  assert.is(pod.enableServiceLinks, undefined);
  assert.equal(d.status, {});
});

test("defaults: explicit values are kept; Recreate gets no rollingUpdate", () => {
  const d = created(def, variant(base, (x) => {
    x.spec.replicas = 0;
    x.spec.strategy = { type: "Recreate" };
    x.spec.revisionHistoryLimit = 2;
  }));
  assert.is(d.spec.replicas, 0);
  assert.equal(d.spec.strategy, { type: "Recreate" });
  assert.is(d.spec.revisionHistoryLimit, 2);
  const partial = created(def, variant(base, (x) => (x.spec.strategy = { rollingUpdate: { maxSurge: 1 } })));
  assert.equal(partial.spec.strategy, { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: "25%" } });
});

const invalidCases: Array<{ name: string; edit: (d: Deployment) => void; want: string[] }> = [
  { name: "negative replicas", edit: (d) => (d.spec.replicas = -1), want: ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"] },
  {
    name: "selector does not match template labels",
    edit: (d) => (d.spec.selector = { matchLabels: { app: "api" } }),
    want: ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"web", "tier":"fe"}: `selector` does not match template `labels`'],
  },
  {
    name: "template without labels",
    edit: (d) => delete d.spec.template.metadata,
    want: ["spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`"],
  },
  { name: "no selector", edit: (d) => delete (d.spec as Partial<Deployment["spec"]>).selector, want: ["spec.selector: Required value"] },
  {
    name: "empty selector",
    edit: (d) => (d.spec.selector = {}),
    want: ["spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment"],
  },
  {
    name: "template restartPolicy must be Always",
    edit: (d) => (d.spec.template.spec.restartPolicy = "OnFailure"),
    want: ['spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"'],
  },
  { name: "template without containers", edit: (d) => (d.spec.template.spec.containers = []), want: ["spec.template.spec.containers: Required value"] },
  { name: "template container image", edit: (d) => delete d.spec.template.spec.containers[0].image, want: ["spec.template.spec.containers[0].image: Required value"] },
  {
    name: "activeDeadlineSeconds in a template",
    edit: (d) => (d.spec.template.spec.activeDeadlineSeconds = 10),
    want: ["spec.template.spec.activeDeadlineSeconds: Invalid value: 10: activeDeadlineSeconds in ReplicaSet is not Supported"],
  },
  {
    name: "rollingUpdate with Recreate",
    edit: (d) => (d.spec.strategy = { type: "Recreate", rollingUpdate: { maxSurge: 1 } }),
    want: ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"],
  },
  {
    name: "unknown strategy type",
    edit: (d) => (d.spec.strategy = { type: "BlueGreen" as "Recreate" }),
    want: ['spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"BlueGreen", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate"'],
  },
  {
    name: "both surge and unavailable zero",
    edit: (d) => (d.spec.strategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: "0%" } }),
    want: ["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0%: may not be 0 when `maxSurge` is 0"],
  },
  {
    name: "bad percentage",
    edit: (d) => (d.spec.strategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: "ten", maxUnavailable: 1 } }),
    want: ["spec.strategy.rollingUpdate.maxSurge: Invalid value: ten: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"],
  },
  {
    name: "maxUnavailable over 100%",
    edit: (d) => (d.spec.strategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: "150%" } }),
    want: ["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 150%: must not be greater than 100%"],
  },
  {
    name: "negative maxSurge",
    edit: (d) => (d.spec.strategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: -1, maxUnavailable: 1 } }),
    want: ["spec.strategy.rollingUpdate.maxSurge: Invalid value: -1: must be greater than or equal to 0"],
  },
  {
    name: "progress deadline not above minReadySeconds",
    edit: (d) => {
      d.spec.minReadySeconds = 30;
      d.spec.progressDeadlineSeconds = 30;
    },
    want: ["spec.progressDeadlineSeconds: Invalid value: 30: must be greater than minReadySeconds"],
  },
  { name: "negative revisionHistoryLimit", edit: (d) => (d.spec.revisionHistoryLimit = -2), want: ["spec.revisionHistoryLimit: Invalid value: -2: must be greater than or equal to 0"] },
  {
    name: "bad template label",
    edit: (d) => {
      d.spec.template.metadata!.labels = { app: "web", "bad key!": "x" };
    },
    want: [
      `spec.template.metadata.labels: Invalid value: "bad key!": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    ],
  },
];

test("validate: each invalid deployment yields Kubernetes' field path and message", () => {
  assert.equal(createErrors(def, base), []);
  for (const c of invalidCases) assert.equal(createErrors(def, variant(base, c.edit)), c.want, c.name);
  const expr = variant(base, (d) => (d.spec.selector = { matchExpressions: [{ key: "tier", operator: "In", values: ["fe", "be"] }] }));
  assert.equal(createErrors(def, expr), [], "matchExpressions selectors match too");
});

test("update: the selector is immutable; spec changes are allowed; status is kept", () => {
  const old = created(def, base);
  old.status = { replicas: 1, readyReplicas: 1, observedGeneration: 1 };
  assert.equal(updateErrors(def, variant(old, (d) => (d.spec.replicas = 5)), old), []);
  assert.equal(
    updateErrors(def, variant(old, (d) => {
      d.spec.selector = { matchLabels: { app: "web", tier: "fe" } };
    }), old),
    ['spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"fe"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable'],
  );
  const next = variant(old, (d) => (d.status = {}));
  def.prepareForUpdate(next, old);
  assert.equal(next.status, old.status);
  assert.ok(def.generation);
});

test("status update validation", () => {
  const old = created(def, base);
  old.status = { collisionCount: 2 };
  const cases: Array<[Deployment["status"], string[]]> = [
    [{ replicas: 3, readyReplicas: 2, availableReplicas: 2, updatedReplicas: 3, collisionCount: 2 }, []],
    [
      { replicas: -1, collisionCount: 2 },
      // As in Kubernetes, the caps compare against the negative count too.
      [
        "status.replicas: Invalid value: -1: must be greater than or equal to 0",
        "status.updatedReplicas: Invalid value: 0: cannot be greater than status.replicas",
        "status.readyReplicas: Invalid value: 0: cannot be greater than status.replicas",
        "status.availableReplicas: Invalid value: 0: cannot be greater than status.replicas",
      ],
    ],
    [{ replicas: 1, updatedReplicas: 2, collisionCount: 2 }, ["status.updatedReplicas: Invalid value: 2: cannot be greater than status.replicas"]],
    [{ replicas: 3, readyReplicas: 1, availableReplicas: 2, collisionCount: 2 }, ["status.availableReplicas: Invalid value: 2: cannot be greater than readyReplicas"]],
    [{ replicas: 1, collisionCount: 1 }, ["status.collisionCount: Invalid value: 1: cannot be decremented"]],
  ];
  for (const [status, want] of cases) assert.equal(texts(def.validateStatusUpdate(variant(old, (d) => (d.status = status)), old)), want, JSON.stringify(status));
});

test.run();
