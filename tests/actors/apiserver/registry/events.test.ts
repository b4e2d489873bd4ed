import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Event } from "../../../../actors/api/types/index.ts";
import { eventResource } from "../../../../actors/apiserver/registry/events.ts";
import { createErrors, variant } from "./helpers.ts";

const def = eventResource;
const base: Event = {
  apiVersion: "v1",
  kind: "Event",
  metadata: { name: "web.17a2b3c4d5e6f708", namespace: "default" },
  involvedObject: { kind: "Pod", namespace: "default", name: "web", uid: "u-1", apiVersion: "v1", fieldPath: "spec.containers{app}" },
  reason: "Pulled",
  message: 'Container image "nginx" already present on machine',
  type: "Normal",
  source: { component: "kubelet", host: "node-1" },
  count: 1,
  firstTimestamp: "2024-01-01T00:00:00Z",
  lastTimestamp: "2024-01-01T00:00:00Z",
};

const cases: Array<{ name: string; edit: (e: Event) => void; want: string[] }> = [
  { name: "namespace mismatch", edit: (e) => (e.involvedObject.namespace = "other"), want: ['involvedObject.namespace: Invalid value: "other": does not match event.namespace'] },
  { name: "cluster object event outside default", edit: (e) => ((e.involvedObject = { kind: "Node", name: "node-1" }), (e.metadata.namespace = "kube-system")), want: ['involvedObject.namespace: Invalid value: "": does not match event.namespace'] },
  {
    name: "new-style event without reporting fields",
    edit: (e) => ((e.eventTime = "2024-01-01T00:00:00.000000Z"), delete e.reason),
    // As in Kubernetes, an empty reportingComponent also fails the qualified-name check.
    want: [
      "reportingComponent: Required value",
      'reportingComponent: Invalid value: "": name part must be non-empty',
      `reportingComponent: Invalid value: "": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
      "reportingInstance: Required value",
      "action: Required value",
      "reason: Required value",
    ],
  },
];

test("validate", () => {
  assert.equal(createErrors(def, base), []);
  assert.equal(createErrors(def, { ...base, involvedObject: { kind: "Node", name: "node-1", uid: "node-1" } }), [], "node events live in default");
  const newStyle = variant(base, (e) => Object.assign(e, { eventTime: "2024-01-01T00:00:00.000000Z", reportingComponent: "kubelet", reportingInstance: "kubelet-node-1", action: "Pulling" }));
  assert.equal(createErrors(def, newStyle), []);
  for (const c of cases) assert.equal(createErrors(def, variant(base, c.edit)), c.want, c.name);
  assert.equal(
    createErrors(def, variant(newStyle, (e) => (e.reportingComponent = "bad component"))).map((l) => l.slice(0, 48)),
    ['reportingComponent: Invalid value: "bad componen'],
  );
});

test("field selectors", () => {
  const fs = def.fieldSelectors;
  assert.is(fs["involvedObject.kind"](base), "Pod");
  assert.is(fs["involvedObject.name"](base), "web");
  assert.is(fs["involvedObject.namespace"](base), "default");
  assert.is(fs["involvedObject.uid"](base), "u-1");
  assert.is(fs.reason(base), "Pulled");
  assert.is(fs.type(base), "Normal");
  assert.is(fs.source(base), "kubelet");
  assert.equal(def.shortNames, ["ev"]);
});

test.run();
