import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  duplicate,
  errorText,
  forbidden,
  goLabelSelector,
  goValue,
  invalid,
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isLabelValue,
  isQualifiedName,
  isValidCIDR,
  isValidIP,
  isValidPortName,
  nameIsDNSLabel,
  notSupported,
  required,
  semanticEqual,
  tooLong,
  validateAnnotations,
  validateLabelSelector,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from "../../../../actors/apiserver/registry/validation.ts";
import { base64EncodeText, base64ErrorIndex } from "../../../../actors/apiserver/registry/base64.ts";
import { texts } from "./helpers.ts";

const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

test("field errors are worded as apimachinery words them", () => {
  const cases: Array<[ReturnType<typeof required>, string, string]> = [
    [required("spec.containers"), "spec.containers: Required value", "FieldValueRequired"],
    [required("metadata.name", "name or generateName is required"), "metadata.name: Required value: name or generateName is required", "FieldValueRequired"],
    [invalid("spec.replicas", -1, "must be greater than or equal to 0"), "spec.replicas: Invalid value: -1: must be greater than or equal to 0", "FieldValueInvalid"],
    [invalid("spec.x", "a b", "bad"), 'spec.x: Invalid value: "a b": bad', "FieldValueInvalid"],
    [invalid("spec.x", null, "gone"), "spec.x: Invalid value: null: gone", "FieldValueInvalid"],
    [invalid("l", { b: "2", a: "1" }, "m"), 'l: Invalid value: map[string]string{"a":"1", "b":"2"}: m', "FieldValueInvalid"],
    [notSupported("spec.type", "X", ["A", "B"]), 'spec.type: Unsupported value: "X": supported values: "A", "B"', "FieldValueNotSupported"],
    [duplicate("spec.containers[1].name", "c"), 'spec.containers[1].name: Duplicate value: "c"', "FieldValueDuplicate"],
    [forbidden("metadata.namespace", "not allowed on this type"), "metadata.namespace: Forbidden: not allowed on this type", "FieldValueForbidden"],
    [tooLong("data", 1048576), "data: Too long: must have at most 1048576 bytes", "FieldValueTooLong"],
  ];
  for (const [err, text, reason] of cases) {
    assert.is(errorText(err), text);
    assert.is(err.reason, reason, text);
  }
  assert.is(goValue(["a", "b"]), '[]string{"a", "b"}');
  assert.is(goValue(true), "true");
});

const nameChecks: Array<[(v: string) => string[], string, string[]]> = [
  [isDNS1123Label, "my-name", []],
  [isDNS1123Label, "123-abc", []],
  [isDNS1123Label, "My-Name", [LABEL_MSG]],
  [isDNS1123Label, "a.b", ["must not contain dots"]],
  [isDNS1123Label, "a".repeat(64), ["must be no more than 63 characters"]],
  [isDNS1123Label, "-a", [LABEL_MSG]],
  [isDNS1123Subdomain, "example.com", []],
  [isDNS1123Subdomain, "Example", [SUBDOMAIN_MSG]],
  [isDNS1123Subdomain, "a".repeat(254), ["must be no more than 253 characters"]],
  [isDNS1035Label, "web", []],
  [
    isDNS1035Label,
    "1web",
    [
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ],
  ],
  [isQualifiedName, "app.kubernetes.io/name", []],
  [isQualifiedName, "/x", ["prefix part must be non-empty"]],
  [isQualifiedName, "x/", ["name part must be non-empty", "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"]],
  [isLabelValue, "", []],
  [isLabelValue, "v1.2_x", []],
  [
    isLabelValue,
    "bad value",
    [
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ],
  ],
  [isConfigMapKey, "key.name", []],
  [isConfigMapKey, "..x", ["must not start with '..'"]],
  [isValidPortName, "http", []],
  [isValidPortName, "http--x", ["must not contain consecutive hyphens"]],
  [isValidPortName, "80", ["must contain at least one letter (a-z)"]],
  [isValidIP, "10.0.0.1", []],
  [isValidIP, "2001:db8::ffff", []],
  [isValidIP, "::ffff:10.0.0.1", []],
  [isValidIP, "10.0.0.256", ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"]],
  [isValidIP, "1:2:3:4:5:6:7:8:9", ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"]],
  [isValidCIDR, "10.244.0.0/24", []],
  [isValidCIDR, "fd00::/64", []],
  [isValidCIDR, "10.244.0.0/33", ["must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"]],
];

test("format checks return Kubernetes' messages", () => {
  for (const [fn, v, want] of nameChecks) assert.equal(fn(v), want, `${fn.name}(${JSON.stringify(v)})`);
  assert.equal(nameIsDNSLabel("web-", true), [], "a generateName prefix may end in '-'");
  assert.equal(nameIsDNSLabel("web-", false), [LABEL_MSG]);
});

const metaCases: Array<{ name: string; meta: Parameters<typeof validateObjectMeta>[0]; namespaced: boolean; want: string[] }> = [
  { name: "valid", meta: { name: "web", namespace: "default", labels: { app: "web" } }, namespaced: true, want: [] },
  { name: "no name", meta: { namespace: "default" }, namespaced: true, want: ["metadata.name: Required value: name or generateName is required"] },
  { name: "no namespace", meta: { name: "web" }, namespaced: true, want: ["metadata.namespace: Required value"] },
  { name: "namespace on cluster kind", meta: { name: "n1", namespace: "x" }, namespaced: false, want: ["metadata.namespace: Forbidden: not allowed on this type"] },
  { name: "bad name", meta: { name: "Web", namespace: "default" }, namespaced: true, want: [`metadata.name: Invalid value: "Web": ${SUBDOMAIN_MSG}`] },
  { name: "bad namespace", meta: { name: "w", namespace: "a.b" }, namespaced: true, want: ['metadata.namespace: Invalid value: "a.b": must not contain dots'] },
  { name: "bad generateName", meta: { generateName: "Web-", name: "web-x1", namespace: "d" }, namespaced: true, want: [`metadata.generateName: Invalid value: "Web-": ${SUBDOMAIN_MSG}`] },
  { name: "bad label value", meta: { name: "w", namespace: "d", labels: { app: "a b" } }, namespaced: true, want: [`metadata.labels: Invalid value: "a b": ${isLabelValue("a b")[0]}`] },
  { name: "bad label key", meta: { name: "w", namespace: "d", labels: { "a/b/c": "x" } }, namespaced: true, want: [`metadata.labels: Invalid value: "a/b/c": ${isQualifiedName("a/b/c")[0]}`] },
  { name: "negative generation", meta: { name: "w", namespace: "d", generation: -1 }, namespaced: true, want: ["metadata.generation: Invalid value: -1: must be greater than or equal to 0"] },
  {
    name: "owner reference without uid",
    meta: { name: "w", namespace: "d", ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: "" }] },
    namespaced: true,
    want: ['metadata.ownerReferences.uid: Invalid value: "": must not be empty'],
  },
  {
    name: "bad finalizer",
    meta: { name: "w", namespace: "d", finalizers: ["a b"] },
    namespaced: true,
    want: [`metadata.finalizers: Invalid value: "a b": ${isQualifiedName("a b")[0]}`],
  },
];

test("validateObjectMeta", () => {
  for (const c of metaCases) assert.equal(texts(validateObjectMeta(c.meta, c.namespaced)), c.want, c.name);
});

test("annotations: qualified keys, 256 KiB in all", () => {
  assert.equal(validateAnnotations({ "Example.com/Key": "v" }, "metadata.annotations"), []);
  assert.equal(texts(validateAnnotations({ big: "x".repeat(256 * 1024) }, "metadata.annotations")), ["metadata.annotations: Too long: must have at most 262144 bytes"]);
});

test("validateObjectMetaUpdate: identity fields are immutable", () => {
  const old = { name: "w", namespace: "d", uid: "u1", creationTimestamp: "2024-01-01T00:00:00Z", generation: 2, resourceVersion: "5" };
  assert.equal(validateObjectMetaUpdate({ ...old, labels: { a: "b" } }, old), []);
  assert.equal(texts(validateObjectMetaUpdate({ ...old, name: "x" }, old)), ['metadata.name: Invalid value: "x": field is immutable']);
  assert.equal(texts(validateObjectMetaUpdate({ ...old, uid: "u2" }, old)), ['metadata.uid: Invalid value: "u2": field is immutable']);
  assert.equal(texts(validateObjectMetaUpdate({ ...old, namespace: "e" }, old)), ['metadata.namespace: Invalid value: "e": field is immutable']);
  assert.equal(texts(validateObjectMetaUpdate({ ...old, creationTimestamp: "2025-01-01T00:00:00Z" }, old)), [
    'metadata.creationTimestamp: Invalid value: "2025-01-01T00:00:00Z": field is immutable',
  ]);
  assert.equal(texts(validateObjectMetaUpdate({ ...old, generation: 1 }, old)), ["metadata.generation: Invalid value: 1: must not be decremented"]);
  const deleting = { ...old, deletionTimestamp: "2024-02-01T00:00:00Z", finalizers: ["a.io/x"] };
  assert.equal(texts(validateObjectMetaUpdate({ ...deleting, finalizers: ["a.io/x", "b.io/y"] }, deleting)), [
    'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"b.io/y"}',
  ]);
});

test("label selectors", () => {
  const p = "spec.selector";
  assert.equal(validateLabelSelector({ matchLabels: { app: "x" }, matchExpressions: [{ key: "tier", operator: "In", values: ["fe"] }] }, p), []);
  assert.equal(texts(validateLabelSelector({ matchExpressions: [{ key: "tier", operator: "In" }] }, p)), [
    "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
  ]);
  assert.equal(texts(validateLabelSelector({ matchExpressions: [{ key: "tier", operator: "Exists", values: ["a"] }] }, p)), [
    "spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
  ]);
  assert.equal(texts(validateLabelSelector({ matchExpressions: [{ key: "tier", operator: "Near" as "In" }] }, p)), [
    'spec.selector.matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator',
  ]);
  assert.is(goLabelSelector({ matchLabels: { app: "web" } }).goRepr, 'v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}');
});

test("semanticEqual treats absent, empty and zero alike", () => {
  assert.ok(semanticEqual({ a: [] }, {}));
  assert.ok(semanticEqual({ a: { b: undefined } }, { a: {} }));
  assert.ok(semanticEqual({ x: false }, {}));
  assert.not.ok(semanticEqual({ a: [1] }, { a: [2] }));
  assert.not.ok(semanticEqual({ a: "x" }, {}));
});

test("base64 as Go decodes it", () => {
  const cases: Array<[string, number]> = [
    ["", -1],
    ["aGVsbG8=", -1],
    ["aGVsbG8h", -1],
    ["aGk=", -1],
    ["aGVsbG8", 4],
    ["abc", 0],
    ["a===", 1],
    ["ab=c", 2],
    ["abcd=", 4],
    ["ab!d", 2],
    ["aGVs\nbG8h", -1],
  ];
  for (const [s, want] of cases) assert.is(base64ErrorIndex(s), want, JSON.stringify(s));
  assert.is(base64EncodeText("hello"), "aGVsbG8=");
  assert.is(base64EncodeText("héllo!"), "aMOpbGxvIQ==");
});

test.run();
