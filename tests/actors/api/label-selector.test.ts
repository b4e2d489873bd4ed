import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  everythingLabelSelector,
  exactLabelValue,
  exactLabelValues,
  formatLabelSelector,
  isQualifiedName,
  isValidLabelValue,
  labelSelectorFromObject,
  labelSelectorFromSet,
  matchesLabels,
  newLabelRequirement,
  nothingLabelSelector,
  parseLabelSelector,
  type Labels,
} from "../../../actors/api/label-selector.ts";
import type { LabelSelector } from "../../../actors/api/meta.ts";
import { statusOf } from "../../../actors/api/status.ts";

// Kubernetes' validation messages, spelled once.
const NAME_RE =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE_RE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const SUBDOMAIN_RE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const UNABLE = "unable to parse requirement: ";

/** Runs `fn`, expecting a 400 StatusError, and returns its message. */
function badRequestMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    const status = statusOf(err);
    assert.ok(status, `expected a Status error, got ${String(err)}`);
    assert.is(status.code, 400);
    assert.is(status.reason, "BadRequest");
    assert.is((err as { code?: string }).code, "BadRequest");
    return status.message ?? "";
  }
  assert.unreachable("expected an error");
  return "";
}

const valid: [input: string, canonical: string][] = [
  ["", ""],
  ["   ", ""],
  ["x=a", "x=a"],
  ["x==a", "x==a"],
  ["x!=a", "x!=a"],
  ["x", "x"],
  ["!x", "!x"],
  ["! x", "!x"],
  ["x>1", "x>1"],
  ["x<10", "x<10"],
  ["x>01", "x>01"],
  ["x=", "x="],
  ["x!=", "x!="],
  ["x=,y=b", "x=,y=b"],
  ["y=b,x=a", "x=a,y=b"],
  [" x = a , y in ( b , c ) ", "x=a,y in (b,c)"],
  ["x\tin\n(a)\r", "x in (a)"],
  ["x in (c,b,a,b)", "x in (a,b,c)"],
  ["x notin (a)", "x notin (a)"],
  ["x in ()", "x in ()"],
  ["x in (,a)", "x in (,a)"],
  ["x in (a,)", "x in (,a)"],
  ["x in (a,,b)", "x in (,a,b)"],
  ["x in (,)", "x in ()"],
  ["x notin (a),!y,z", "x notin (a),!y,z"],
  ["in=notin", "in=notin"],
  ["x in (in,notin)", "x in (in,notin)"],
  ["example.com/app=web", "example.com/app=web"],
  ["app.kubernetes.io/name in (web,api),tier", "app.kubernetes.io/name in (api,web),tier"],
  ["a-b_c.d=E-f_G.h", "a-b_c.d=E-f_G.h"],
  ["x=a,x!=b", "x=a,x!=b"],
  ["constructor", "constructor"],
  // A NUL where a token starts ends the input, as in Kubernetes' byte lexer.
  ["a=b,c\u0000", "a=b,c"],
  [`k=${"v".repeat(63)}`, `k=${"v".repeat(63)}`],
];

test("parse: valid selectors print in canonical form", () => {
  for (const [input, canonical] of valid) {
    assert.is(parseLabelSelector(input).toString(), canonical, JSON.stringify(input));
    // The canonical form parses back to the same thing.
    assert.is(parseLabelSelector(canonical).toString(), canonical, `round trip of ${JSON.stringify(canonical)}`);
  }
});

const invalid: [input: string, message: string][] = [
  ["a=b=c", "found '=', expected: ',' or 'end of string'"],
  ["x=a b", "found 'b', expected: ',' or 'end of string'"],
  ["!x=a", "found '=', expected: ',' or 'end of string'"],
  ["x,", "found '', expected: identifier after ','"],
  ["x,,y", "found ',', expected: identifier after ','"],
  [",x", "found ',', expected: !, identifier, or 'end of string'"],
  ["=a", "found '=', expected: !, identifier, or 'end of string'"],
  ["(x)", "found '(', expected: !, identifier, or 'end of string'"],
  ["x===a", `${UNABLE}found '=', expected: identifier`],
  ["x=(a)", `${UNABLE}found '(', expected: identifier`],
  ["x in a", `${UNABLE}found 'a' expected: '('`],
  ["x notin", `${UNABLE}found '' expected: '('`],
  ["x in (a b)", `${UNABLE}found 'b', expected: ',' or ')'`],
  ["x in (a", `${UNABLE}found '', expected: ',' or ')'`],
  ["x in (", `${UNABLE}found '', expected: ',', ')' or identifier`],
  ["x in ((", `${UNABLE}found '(', expected: ',', ')' or identifier`],
  ["x in (a,=)", `${UNABLE}found '=', expected: ',', or identifier`],
  ["x y", `${UNABLE}found 'y', expected: in, notin, =, ==, !=, gt, lt`],
  ["x (a)", `${UNABLE}found '(', expected: in, notin, =, ==, !=, gt, lt`],
  ["x !", `${UNABLE}found '!', expected: in, notin, =, ==, !=, gt, lt`],
  ["!", `${UNABLE}found '', expected: identifier`],
  ["!!x", `${UNABLE}found '!', expected: identifier`],
  ["x>a", `${UNABLE}values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`],
  ["x<", `${UNABLE}values[0]: Invalid value: "": for 'Gt', 'Lt' operators, the value must be an integer`],
  ["x>1.5", `${UNABLE}values[0]: Invalid value: "1.5": for 'Gt', 'Lt' operators, the value must be an integer`],
  ["x>99999999999999999999", `${UNABLE}values[0]: Invalid value: "99999999999999999999": for 'Gt', 'Lt' operators, the value must be an integer`],
  ["a$=b", `${UNABLE}<nil>: Invalid value: "a$": name part ${NAME_RE}`],
  ["app:web", `${UNABLE}<nil>: Invalid value: "app:web": name part ${NAME_RE}`],
  ["-x", `${UNABLE}<nil>: Invalid value: "-x": name part ${NAME_RE}`],
  [
    "a/b/c ?=? def",
    `${UNABLE}<nil>: Invalid value: "a/b/c": a qualified name ${NAME_RE} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
  ],
  ["/a", `${UNABLE}<nil>: Invalid value: "/a": prefix part must be non-empty`],
  ["a/", `${UNABLE}<nil>: Invalid value: "a/": name part must be non-empty; name part ${NAME_RE}`],
  ["Example.com/a", `${UNABLE}<nil>: Invalid value: "Example.com/a": prefix part ${SUBDOMAIN_RE}`],
  [`${"k".repeat(64)}`, `${UNABLE}<nil>: Invalid value: "${"k".repeat(64)}": name part must be no more than 63 characters`],
  ["x=bar$", `${UNABLE}values[0][x]: Invalid value: "bar$": ${VALUE_RE}`],
  [`x=${"z".repeat(64)}`, `${UNABLE}values[0][x]: Invalid value: "${"z".repeat(64)}": must be no more than 63 characters`],
  ["x in (a,b$)", `${UNABLE}values[1][x]: Invalid value: "b$": ${VALUE_RE}`],
  ["x in (a$,b$)", `${UNABLE}[values[0][x]: Invalid value: "a$": ${VALUE_RE}, values[1][x]: Invalid value: "b$": ${VALUE_RE}]`],
  ["x>-1", `${UNABLE}values[0][x]: Invalid value: "-1": ${VALUE_RE}`],
];

test("parse: invalid selectors throw 400 with Kubernetes' message", () => {
  for (const [input, message] of invalid) {
    assert.is(badRequestMessage(() => parseLabelSelector(input)), message, JSON.stringify(input));
  }
});

test("parse: requirements are exposed sorted by key with sorted values", () => {
  const sel = parseLabelSelector("tier notin (b,a),app=web,!canary,n>3");
  assert.equal(
    sel.requirements.map((r) => [r.key, r.operator, [...r.values]]),
    [["app", "=", ["web"]], ["canary", "!", []], ["n", "gt", ["3"]], ["tier", "notin", ["a", "b"]]],
  );
  assert.ok(Object.isFrozen(sel.requirements));
});

const labelSets: Record<string, Labels | undefined> = {
  none: undefined,
  empty: {},
  xa: { x: "a" },
  xb: { x: "b" },
  xEmpty: { x: "" },
  ya: { y: "a" },
  x10: { x: "10" },
};
const sets = Object.keys(labelSets);

// For each selector, the label sets (by name above) it matches; all others must not match.
const truth: [selector: string, matching: string[]][] = [
  ["", sets],
  ["x=a", ["xa"]],
  ["x==a", ["xa"]],
  ["x!=a", ["none", "empty", "xb", "xEmpty", "ya", "x10"]],
  ["x in (a,b)", ["xa", "xb"]],
  ["x notin (a)", ["none", "empty", "xb", "xEmpty", "ya", "x10"]],
  ["x notin (a,b)", ["none", "empty", "xEmpty", "ya", "x10"]],
  ["x", ["xa", "xb", "xEmpty", "x10"]],
  ["!x", ["none", "empty", "ya"]],
  ["x=", ["xEmpty"]],
  ["x in ()", ["xEmpty"]],
  ["x>5", ["x10"]],
  ["x<11", ["x10"]],
  ["x<10", []],
  ["x>10", []],
  ["x,y", []],
  ["!x,!y", ["none", "empty"]],
  ["x in (a,b),x!=b", ["xa"]],
  ["x in (a,b,c,d,e,f,g,h,i,j)", ["xa", "xb"]],
  ["x notin (a,c,d,e,f,g,h,i,j,k)", ["none", "empty", "xb", "xEmpty", "ya", "x10"]],
  ["x in (,a,c,d,e,f,g,h,i,j)", ["xa", "xEmpty"]],
];

test("matches: truth table (absent keys satisfy !=, notin and !)", () => {
  for (const [selector, matching] of truth) {
    const sel = parseLabelSelector(selector);
    for (const name of sets) {
      const want = matching.includes(name);
      assert.is(sel.matches(labelSets[name]), want, `${JSON.stringify(selector)} on ${name}`);
      assert.is(matchesLabels(sel, labelSets[name]), want);
    }
  }
});

test("matches: only own labels count, not Object.prototype's", () => {
  assert.is(parseLabelSelector("constructor").matches({}), false);
  assert.is(parseLabelSelector("!constructor").matches({}), true);
  assert.is(parseLabelSelector("toString!=x").matches({}), true);
  assert.is(parseLabelSelector("constructor=x").matches({ constructor: "x" }), true);
  assert.is(parseLabelSelector("hasOwnProperty").matches({ hasOwnProperty: "" }), true);
});

const numeric: [selector: string, value: string, want: boolean][] = [
  ["x>5", "6", true],
  ["x>5", "5", false],
  ["x>5", "+7", true],
  ["x>5", "007", true],
  ["x>5", "1e3", false],
  ["x>5", " 7", false],
  ["x>5", "", false],
  ["x>5", "-", false],
  ["x>5", "0x10", false],
  ["x<5", "-3", true],
  ["x<0", "-0", false],
  ["x<1", "-9223372036854775808", true],
  ["x<1", "-9223372036854775809", false],
  ["x>9223372036854775806", "9223372036854775807", true],
  ["x>9223372036854775806", "9223372036854775808", false],
  ["x>9007199254740992", "9007199254740993", true],
  ["x<9007199254740993", "9007199254740992", true],
  ["x>123456789012345", "123456789012346", true],
];

test("matches: gt/lt compare as 64-bit integers; non-integers never match", () => {
  for (const [selector, value, want] of numeric) {
    assert.is(parseLabelSelector(selector).matches({ x: value }), want, `${selector} on ${JSON.stringify(value)}`);
  }
});

test("object: null and undefined are Nothing, {} is Everything", () => {
  for (const nothing of [null, undefined]) {
    const sel = labelSelectorFromObject(nothing);
    assert.is(sel, nothingLabelSelector);
    assert.ok(sel.isNothing);
    assert.not.ok(sel.isEverything);
    assert.is(sel.matches({}), false);
    assert.is(sel.matches(undefined), false);
    assert.is(sel.matches({ app: "web" }), false);
    assert.is(sel.toString(), "");
    assert.is(formatLabelSelector(nothing), "<none>");
  }
  const empties: LabelSelector[] = [{}, { matchLabels: {} }, { matchExpressions: [] }, { matchLabels: {}, matchExpressions: [] }];
  for (const empty of empties) {
    const sel = labelSelectorFromObject(empty);
    assert.is(sel, everythingLabelSelector);
    assert.ok(sel.isEverything);
    assert.is(sel.matches(undefined), true);
    assert.is(sel.matches({ app: "web" }), true);
    assert.is(formatLabelSelector(empty), "<none>");
  }
});

const objects: [selector: LabelSelector, canonical: string][] = [
  [{ matchLabels: { b: "2", a: "1" } }, "a=1,b=2"],
  [{ matchLabels: { app: "" } }, "app="],
  [
    {
      matchLabels: { app: "web" },
      matchExpressions: [
        { key: "tier", operator: "In", values: ["fe", "be"] },
        { key: "env", operator: "NotIn", values: ["prod"] },
        { key: "canary", operator: "DoesNotExist" },
        { key: "team", operator: "Exists" },
      ],
    },
    "app=web,!canary,env notin (prod),team,tier in (be,fe)",
  ],
  [{ matchExpressions: [{ key: "x", operator: "In", values: ["b", "a", "b"] }] }, "x in (a,b,b)"],
  [{ matchExpressions: [{ key: "x", operator: "Exists", values: [] }] }, "x"],
];

test("object: converts to the same requirements and prints like FormatLabelSelector", () => {
  for (const [obj, canonical] of objects) {
    const sel = labelSelectorFromObject(obj);
    assert.is(sel.toString(), canonical, JSON.stringify(obj));
    assert.is(formatLabelSelector(obj), canonical);
  }
  const sel = labelSelectorFromObject(objects[2]![0]);
  assert.is(sel.matches({ app: "web", tier: "fe", team: "a" }), true);
  assert.is(sel.matches({ app: "web", tier: "fe", team: "a", env: "prod" }), false);
  assert.is(sel.matches({ app: "web", tier: "fe", team: "a", canary: "1" }), false);
  assert.is(sel.matches({ app: "web", tier: "fe" }), false);
  assert.is(sel.matches({ app: "web", tier: "qa", team: "a" }), false);
});

const badObjects: [selector: unknown, message: string][] = [
  [{ matchExpressions: [{ key: "x", operator: "Equals", values: ["a"] }] }, `"Equals" is not a valid label selector operator`],
  [{ matchExpressions: [{ key: "x", operator: "in", values: ["a"] }] }, `"in" is not a valid label selector operator`],
  [{ matchExpressions: [{ key: "x", operator: "constructor" }] }, `"constructor" is not a valid label selector operator`],
  [{ matchExpressions: [{ key: "x", operator: "In" }] }, "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty"],
  [{ matchExpressions: [{ key: "x", operator: "NotIn", values: [] }] }, "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty"],
  [{ matchExpressions: [{ key: "x", operator: "Exists", values: ["a"] }] }, `values: Invalid value: ["a"]: values set must be empty for exists and does not exist`],
  [{ matchLabels: { "a b": "x" } }, `key: Invalid value: "a b": name part ${NAME_RE}`],
  [{ matchLabels: { app: "a b" } }, `values[0][app]: Invalid value: "a b": ${VALUE_RE}`],
  [
    { matchExpressions: [{ key: "$", operator: "In", values: ["%"] }] },
    `[key: Invalid value: "$": name part ${NAME_RE}, values[0][$]: Invalid value: "%": ${VALUE_RE}]`,
  ],
  [{ matchLabels: { app: 3 } }, "label selector value 3 must be a string"],
  [{ matchExpressions: [{ key: "x", operator: "In", values: "a" }] }, `label selector values for "x" must be a list`],
];

test("object: invalid selectors throw 400; FormatLabelSelector prints <error>", () => {
  for (const [obj, message] of badObjects) {
    const sel = obj as LabelSelector;
    assert.is(badRequestMessage(() => labelSelectorFromObject(sel)), message, JSON.stringify(obj));
    assert.is(formatLabelSelector(sel), "<error>");
  }
});

test("newLabelRequirement validates like NewRequirement", () => {
  assert.equal(newLabelRequirement("x", "gt", ["3"]), { key: "x", operator: "gt", values: ["3"] });
  assert.is(
    badRequestMessage(() => newLabelRequirement("x", "=", ["a", "b"])),
    `values: Invalid value: ["a","b"]: exact-match compatibility requires one single value`,
  );
  assert.is(
    badRequestMessage(() => newLabelRequirement("x", "lt", ["1", "2"])),
    `values: Invalid value: ["1","2"]: for 'Gt', 'Lt' operators, exactly one value is required`,
  );
  assert.is(
    badRequestMessage(() => newLabelRequirement("x", "like", ["a"])),
    `operator: Unsupported value: "like": supported values: "in", "notin", "=", "==", "!=", "gt", "lt", "exists", "!"`,
  );
  assert.is(badRequestMessage(() => newLabelRequirement("x\t", "exists", [])), `key: Invalid value: "x\\t": name part ${NAME_RE}`);
});

test("exact-match helpers: the value indexes can look up", () => {
  const sel = parseLabelSelector("app=web,tier in (fe),env in (a,b),zone==z1,x!=y,team");
  assert.is(exactLabelValue(sel, "app"), "web");
  assert.is(exactLabelValue(sel, "tier"), "fe");
  assert.is(exactLabelValue(sel, "zone"), "z1");
  assert.is(exactLabelValue(sel, "env"), undefined);
  assert.is(exactLabelValue(sel, "x"), undefined);
  assert.is(exactLabelValue(sel, "team"), undefined);
  assert.is(exactLabelValue(sel, "missing"), undefined);
  assert.equal([...exactLabelValues(sel)], [["app", "web"], ["tier", "fe"], ["zone", "z1"]]);
  // Like RequiresExactMatch, only the first requirement on a key is consulted.
  assert.is(exactLabelValue(parseLabelSelector("a in (x,y),a=x"), "a"), undefined);
  assert.is(exactLabelValue(nothingLabelSelector, "a"), undefined);
  assert.equal([...exactLabelValues(everythingLabelSelector)], []);
});

test("labelSelectorFromSet: key=value per entry, empty is Everything", () => {
  assert.is(labelSelectorFromSet(undefined), everythingLabelSelector);
  assert.is(labelSelectorFromSet({}), everythingLabelSelector);
  const sel = labelSelectorFromSet({ tier: "fe", app: "web" });
  assert.is(sel.toString(), "app=web,tier=fe");
  assert.is(sel.matches({ app: "web", tier: "fe", extra: "1" }), true);
  assert.is(sel.matches({ app: "web" }), false);
});

const keys: [key: string, ok: boolean][] = [
  ["a", true],
  ["A.b-c_d9", true],
  ["example.com/name", true],
  ["a".repeat(63), true],
  [`${"a".repeat(63)}.com/x`, true],
  ["a".repeat(64), false],
  ["", false],
  ["-a", false],
  ["a-", false],
  ["a b", false],
  ["EXAMPLE.com/x", false],
  ["a/b/c", false],
  ["é", false],
];

test("isQualifiedName and isValidLabelValue", () => {
  for (const [key, ok] of keys) assert.is(isQualifiedName(key).length === 0, ok, JSON.stringify(key));
  assert.equal(isQualifiedName(""), ["name part must be non-empty", `name part ${NAME_RE}`]);
  assert.equal(isValidLabelValue(""), []);
  assert.equal(isValidLabelValue("a".repeat(63)), []);
  assert.equal(isValidLabelValue("a".repeat(64)), ["must be no more than 63 characters"]);
  assert.equal(isValidLabelValue("a b"), [VALUE_RE]);
  // Lengths count UTF-8 bytes, as Go does.
  assert.equal(isValidLabelValue("é".repeat(32)), ["must be no more than 63 characters", VALUE_RE]);
});

test.run();
