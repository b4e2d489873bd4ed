import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  checkFieldsSupported,
  defaultFieldResolver,
  escapeFieldValue,
  everythingFieldSelector,
  exactFieldValue,
  fieldSelectorFromSet,
  matchesFields,
  nothingFieldSelector,
  parseFieldSelector,
  unescapeFieldValue,
  type FieldResolver,
} from "../../../actors/api/field-selector.ts";
import type { KubeObject } from "../../../actors/api/meta.ts";
import { statusOf } from "../../../actors/api/status.ts";
import * as selectors from "../../../actors/api/selectors.ts";

/** Runs `fn`, expecting a 400 StatusError, and returns its message. */
function badRequestMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    const status = statusOf(err);
    assert.ok(status, `expected a Status error, got ${String(err)}`);
    assert.is(status.code, 400);
    assert.is((err as { code?: string }).code, "BadRequest");
    return status.message ?? "";
  }
  assert.unreachable("expected an error");
  return "";
}

const valid: [input: string, canonical: string, requirements: [string, "=" | "!=", string][]][] = [
  ["", "", []],
  ["metadata.name=foo", "metadata.name=foo", [["metadata.name", "=", "foo"]]],
  ["metadata.name==foo", "metadata.name=foo", [["metadata.name", "=", "foo"]]],
  ["spec.nodeName!=node-1", "spec.nodeName!=node-1", [["spec.nodeName", "!=", "node-1"]]],
  ["b=1,a=2", "a=2,b=1", [["a", "=", "2"], ["b", "=", "1"]]],
  ["a!=1,a=2", "a!=1,a=2", [["a", "!=", "1"], ["a", "=", "2"]]],
  ["spec.nodeName=", "spec.nodeName=", [["spec.nodeName", "=", ""]]],
  ["a==", "a=", [["a", "=", ""]]],
  ["a=x\\,y", "a=x\\,y", [["a", "=", "x,y"]]],
  ["a=x\\=y", "a=x\\=y", [["a", "=", "x=y"]]],
  ["a=x\\\\y", "a=x\\\\y", [["a", "=", "x\\y"]]],
  ["a=x\\,y,b=z", "a=x\\,y,b=z", [["a", "=", "x,y"], ["b", "=", "z"]]],
  // Whitespace is not trimmed: it belongs to the field and the value.
  ["a = b", "a = b", [["a ", "=", " b"]]],
  // Empty terms are skipped, and so is a bare `=`, as in Kubernetes.
  ["a=b,", "a=b", [["a", "=", "b"]]],
  [",,a=b", "a=b", [["a", "=", "b"]]],
  ["=", "", []],
  ["a=b,=", "a=b", [["a", "=", "b"]]],
  ["=x", "=x", [["", "=", "x"]]],
  ["status.phase=Running,metadata.namespace=default", "metadata.namespace=default,status.phase=Running", [
    ["metadata.namespace", "=", "default"],
    ["status.phase", "=", "Running"],
  ]],
];

test("parse: valid selectors, their requirements and canonical form", () => {
  for (const [input, canonical, reqs] of valid) {
    const sel = parseFieldSelector(input);
    assert.is(sel.toString(), canonical, JSON.stringify(input));
    assert.equal(sel.requirements.map((r) => [r.field, r.operator, r.value]), reqs, JSON.stringify(input));
    assert.is(parseFieldSelector(canonical).toString(), canonical, `round trip of ${JSON.stringify(canonical)}`);
  }
  assert.is(parseFieldSelector(""), everythingFieldSelector);
  assert.ok(parseFieldSelector("=").isEverything);
  assert.not.ok(parseFieldSelector("a=b").isEverything);
});

const invalid: [input: string, message: string][] = [
  ["ab", "invalid selector: 'ab'; can't understand 'ab'"],
  ["a=b,cd", "invalid selector: 'a=b,cd'; can't understand 'cd'"],
  ["a<b", "invalid selector: 'a<b'; can't understand 'a<b'"],
  ["a in (b)", "invalid selector: 'a in (b)'; can't understand 'a in (b)'"],
  ["a=b=c", "invalid field selector: unescaped character in value: 61"],
  ["a!==b", "invalid field selector: unescaped character in value: 61"],
  ["a=b\\", "invalid field selector: invalid escape sequence: \\"],
  ["a=\\x", "invalid field selector: invalid escape sequence: \\x"],
  ["a=\\é", "invalid field selector: invalid escape sequence: \\é"],
];

test("parse: invalid selectors throw 400 with Kubernetes' message", () => {
  for (const [input, message] of invalid) {
    assert.is(badRequestMessage(() => parseFieldSelector(input)), message, JSON.stringify(input));
  }
});

interface Pod extends KubeObject {
  spec: { nodeName?: string };
  status: { phase?: string };
}

function pod(name: string, nodeName?: string, namespace = "default"): Pod {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace }, spec: nodeName ? { nodeName } : {}, status: { phase: "Running" } };
}

/** What the apiserver would supply for pods: the metadata fields plus a few of the pod's own. */
const podFields: FieldResolver<Pod> = (p, field) => {
  switch (field) {
    case "spec.nodeName":
      return p.spec.nodeName ?? "";
    case "status.phase":
      return p.status.phase ?? "";
    default:
      return defaultFieldResolver(p, field);
  }
};

const pods = { web: pod("web", "node-1"), api: pod("api", "node-2", "prod"), pending: pod("pending") };

const truth: [selector: string, matching: (keyof typeof pods)[]][] = [
  ["", ["web", "api", "pending"]],
  ["metadata.name=web", ["web"]],
  ["metadata.name!=web", ["api", "pending"]],
  ["metadata.namespace=default", ["web", "pending"]],
  ["metadata.namespace=default,spec.nodeName=node-1", ["web"]],
  ["spec.nodeName=", ["pending"]],
  ["spec.nodeName!=", ["web", "api"]],
  ["spec.nodeName!=node-1,status.phase=Running", ["api", "pending"]],
  ["status.phase==Failed", []],
  // A field the resolver does not know reads as "", as Kubernetes' Fields.Get does.
  ["spec.unknown=", ["web", "api", "pending"]],
  ["spec.unknown=x", []],
];

test("matches: truth table through a per-kind resolver", () => {
  for (const [selector, matching] of truth) {
    const sel = parseFieldSelector(selector);
    for (const [name, p] of Object.entries(pods)) {
      const want = (matching as string[]).includes(name);
      assert.is(sel.matches(p, podFields), want, `${selector} on ${name}`);
      assert.is(matchesFields(sel, p, podFields), want);
    }
  }
});

test("matches: the default resolver knows metadata.name and metadata.namespace only", () => {
  const p = pods.web;
  assert.is(matchesFields(parseFieldSelector("metadata.name=web,metadata.namespace=default"), p), true);
  assert.is(matchesFields(parseFieldSelector("metadata.name=api"), p), false);
  assert.is(defaultFieldResolver(p, "spec.nodeName"), undefined);
  assert.is(defaultFieldResolver({ metadata: {} }, "metadata.namespace"), "");
  assert.is(defaultFieldResolver({}, "metadata.name"), "");
  assert.is(matchesFields(nothingFieldSelector, p), false);
  assert.is(matchesFields(everythingFieldSelector, p), true);
});

test("exactFieldValue: what an index can look up", () => {
  const sel = parseFieldSelector("spec.nodeName=node-3,metadata.name!=x");
  assert.is(exactFieldValue(sel, "spec.nodeName"), "node-3");
  assert.is(exactFieldValue(sel, "metadata.name"), undefined);
  assert.is(exactFieldValue(sel, "status.phase"), undefined);
  // A `!=` term before an `=` on the same field does not hide it.
  assert.is(exactFieldValue(parseFieldSelector("a!=1,a=2"), "a"), "2");
  assert.is(exactFieldValue(parseFieldSelector("spec.nodeName="), "spec.nodeName"), "");
  assert.is(exactFieldValue(parseFieldSelector("a=x\\,y"), "a"), "x,y");
  assert.is(exactFieldValue(everythingFieldSelector, "a"), undefined);
});

test("checkFieldsSupported: the caller's list decides, with kube-apiserver's 400", () => {
  const supported = new Set(["metadata.name", "metadata.namespace", "spec.nodeName"]);
  checkFieldsSupported(parseFieldSelector("spec.nodeName=n,metadata.name=x"), supported);
  checkFieldsSupported(everythingFieldSelector, supported);
  assert.is(
    badRequestMessage(() => checkFieldsSupported(parseFieldSelector("metadata.name=x,spec.foo=y"), supported)),
    "field label not supported: spec.foo",
  );
  assert.is(
    badRequestMessage(() => checkFieldsSupported(parseFieldSelector("status.phase=Running"), (f) => f.startsWith("metadata."))),
    "field label not supported: status.phase",
  );
});

const escapes: [raw: string, escaped: string][] = [
  ["", ""],
  ["plain", "plain"],
  ["a,b", "a\\,b"],
  ["a=b", "a\\=b"],
  ["a\\b", "a\\\\b"],
  ["\\,=", "\\\\\\,\\="],
  ["ünï", "ünï"],
];

test("escape and unescape are inverses", () => {
  for (const [raw, escaped] of escapes) {
    assert.is(escapeFieldValue(raw), escaped);
    assert.is(unescapeFieldValue(escaped), raw);
    const sel = fieldSelectorFromSet({ f: raw });
    assert.is(parseFieldSelector(sel.toString()).requirements[0]?.value ?? "", raw, JSON.stringify(raw));
  }
  assert.is(badRequestMessage(() => unescapeFieldValue("a,b")), "invalid field selector: unescaped character in value: 44");
});

test("fieldSelectorFromSet: field=value per entry, sorted; empty is Everything", () => {
  assert.is(fieldSelectorFromSet(undefined), everythingFieldSelector);
  assert.is(fieldSelectorFromSet({}), everythingFieldSelector);
  const sel = fieldSelectorFromSet({ "spec.nodeName": "n1", "metadata.name": "a,b" });
  assert.is(sel.toString(), "metadata.name=a\\,b,spec.nodeName=n1");
  assert.is(exactFieldValue(sel, "spec.nodeName"), "n1");
});

test("selectors.ts re-exports both kinds", () => {
  assert.is(selectors.parseFieldSelector, parseFieldSelector);
  assert.is(typeof selectors.parseLabelSelector, "function");
  assert.is(selectors.parseLabelSelector("a=b").toString(), "a=b");
});

test.run();
