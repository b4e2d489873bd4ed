/**
 * Label selectors as Kubernetes parses, prints and evaluates them
 * (k8s.io/apimachinery pkg/labels): `a=b`, `a==b`, `a!=b`, `a in (x,y)`,
 * `a notin (x)`, `a`, `!a`, `a>3`, `a<3`; commas AND the terms. Parse or
 * convert once, then `matches` per object: matching allocates nothing.
 * Selectors stay in this worker; the string form is what crosses threads.
 */
import type { LabelSelector } from "./meta.ts";
import { badRequest } from "./status.ts";

/** A requirement's operator, spelled as Kubernetes' `selection.Operator`. */
export type LabelOperator = "=" | "==" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";

/** One ANDed term of a label selector. */
export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** Sorted and de-duplicated when parsed from a string; as given when built from an object. */
  readonly values: readonly string[];
}

/** Labels as objects carry them in `metadata.labels`. */
export type Labels = Readonly<Record<string, string>>;

const IN = 0;
const NOT_IN = 1;
const EXISTS = 2;
const NOT_EXISTS = 3;
const GT = 4;
const LT = 5;

/** Above this many values a Set beats a linear scan. */
const SET_THRESHOLD = 8;

interface Compiled {
  readonly key: string;
  readonly kind: number;
  readonly values: readonly string[];
  readonly set: ReadonlySet<string> | undefined;
  readonly bound: number | bigint;
}

const kindOf: Record<LabelOperator, number> = {
  "=": IN, "==": IN, in: IN, "!=": NOT_IN, notin: NOT_IN, exists: EXISTS, "!": NOT_EXISTS, gt: GT, lt: LT,
};

/** A label selector compiled for matching: requirements ANDed, sorted by key; immutable. */
export class ParsedLabelSelector {
  /** The requirements, sorted by key (empty for Everything and Nothing). */
  readonly requirements: readonly LabelRequirement[];
  /** True only for Nothing (`LabelSelectorAsSelector(nil)`), which matches no labels at all. */
  readonly isNothing: boolean;
  readonly #compiled: readonly Compiled[];

  /** Builds from requirements already validated (see {@link newLabelRequirement}). */
  constructor(requirements: readonly LabelRequirement[], nothing = false) {
    this.requirements = Object.freeze(stableSortByKey(requirements));
    this.isNothing = nothing;
    this.#compiled = this.requirements.map(compile);
  }

  /** True when the selector does not restrict anything (Kubernetes' `Empty()`). */
  get isEverything(): boolean {
    return !this.isNothing && this.requirements.length === 0;
  }

  /** Whether `labels` satisfy every requirement; missing labels satisfy `!=`, `notin` and `!`. */
  matches(labels: Labels | undefined): boolean {
    if (this.isNothing) return false;
    const compiled = this.#compiled;
    for (let i = 0; i < compiled.length; i++) {
      if (!matchOne(compiled[i]!, labels)) return false;
    }
    return true;
  }

  /** The value `key` must equal (`=`, `==`, or `in` with one value), as `RequiresExactMatch`. */
  exactValue(key: string): string | undefined {
    for (const r of this.requirements) {
      if (r.key !== key) continue;
      const exact = (r.operator === "=" || r.operator === "==" || r.operator === "in") && r.values.length === 1;
      return exact ? r.values[0] : undefined;
    }
    return undefined;
  }

  /** Every label with an exact required value, for index lookups. */
  exactValues(): Map<string, string> {
    const out = new Map<string, string>();
    for (const r of this.requirements) {
      if (out.has(r.key)) continue;
      const v = this.exactValue(r.key);
      if (v !== undefined) out.set(r.key, v);
    }
    return out;
  }

  /** The canonical string form, as `labels.Selector.String()` prints it (`""` for Everything and Nothing). */
  toString(): string {
    return this.requirements.map(requirementString).join(",");
  }
}

/** Matches every label set, including none. */
export const everythingLabelSelector: ParsedLabelSelector = new ParsedLabelSelector([]);

/** Matches nothing; what a null or absent selector object means. */
export const nothingLabelSelector: ParsedLabelSelector = new ParsedLabelSelector([], true);

/** Parses the string syntax; throws a 400 `StatusError` with Kubernetes' message on bad input. */
export function parseLabelSelector(selector: string): ParsedLabelSelector {
  const parsed = parseRequirements(selector);
  return parsed.length === 0 ? everythingLabelSelector : new ParsedLabelSelector(parsed);
}

/** Kubernetes' `NewRequirement`: validates key, operator and values; throws a 400 `StatusError`. */
export function newLabelRequirement(key: string, operator: string, values: readonly string[]): LabelRequirement {
  const errs = requirementErrors(key, operator, values);
  if (errs.length > 0) throw badRequest(aggregate(errs));
  return Object.freeze({ key, operator: operator as LabelOperator, values: Object.freeze([...values]) });
}

/**
 * `metav1.LabelSelectorAsSelector`: null or undefined is Nothing (matches no
 * object), `{}` is Everything (matches every object). A bad operator, key or
 * value throws a 400 `StatusError`.
 */
export function labelSelectorFromObject(selector: LabelSelector | null | undefined): ParsedLabelSelector {
  if (selector === null || selector === undefined) return nothingLabelSelector;
  if (typeof selector !== "object") throw badRequest("label selector must be an object");
  const labels = selector.matchLabels ?? {};
  const exprs = selector.matchExpressions ?? [];
  if (typeof labels !== "object" || !Array.isArray(exprs)) throw badRequest("label selector has malformed matchLabels or matchExpressions");
  const keys = Object.keys(labels);
  if (keys.length + exprs.length === 0) return everythingLabelSelector;
  const reqs: LabelRequirement[] = [];
  for (const k of keys) reqs.push(newLabelRequirement(k, "=", [stringValue(labels[k])]));
  for (const e of exprs) {
    const op = objectOperators.get(String(e?.operator));
    if (!op) throw badRequest(`${goQuote(String(e?.operator))} is not a valid label selector operator`);
    const values = e.values ?? [];
    if (!Array.isArray(values)) throw badRequest(`label selector values for ${JSON.stringify(e.key)} must be a list`);
    reqs.push(newLabelRequirement(String(e.key), op, values.map(stringValue)));
  }
  return new ParsedLabelSelector(reqs);
}

/** `metav1.FormatLabelSelector`: the string form, `<none>` when empty, `<error>` when invalid. */
export function formatLabelSelector(selector: LabelSelector | null | undefined): string {
  let s: string;
  try {
    s = labelSelectorFromObject(selector).toString();
  } catch {
    return "<error>";
  }
  return s === "" ? "<none>" : s;
}

/** `labels.SelectorFromSet`: `key=value` for each entry, unvalidated; empty or absent is Everything. */
export function labelSelectorFromSet(set: Labels | null | undefined): ParsedLabelSelector {
  const keys = set ? Object.keys(set) : [];
  if (keys.length === 0) return everythingLabelSelector;
  return new ParsedLabelSelector(keys.map((key) => ({ key, operator: "=" as const, values: [set![key]!] })));
}

/** Whether `selector` matches `labels` (see {@link ParsedLabelSelector.matches}). */
export function matchesLabels(selector: ParsedLabelSelector, labels: Labels | undefined): boolean {
  return selector.matches(labels);
}

/** The exact value `selector` requires for `key`, if any (for indexed lookups). */
export function exactLabelValue(selector: ParsedLabelSelector, key: string): string | undefined {
  return selector.exactValue(key);
}

/** All exact label requirements of `selector` as key → value (for indexed lookups). */
export function exactLabelValues(selector: ParsedLabelSelector): Map<string, string> {
  return selector.exactValues();
}

const objectOperators = new Map<string, LabelOperator>([["In", "in"], ["NotIn", "notin"], ["Exists", "exists"], ["DoesNotExist", "!"]]);

function stringValue(v: unknown): string {
  if (typeof v !== "string") throw badRequest(`label selector value ${JSON.stringify(v)} must be a string`);
  return v;
}

/** Field errors of `NewRequirement`, paths as Kubernetes names them (`key`, `values[0][app]`). */
function requirementErrors(key: string, operator: string, values: readonly string[]): FieldErr[] {
  const errs: FieldErr[] = [];
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length > 0) errs.push(invalidValue("key", key, keyErrs.join("; ")));
  switch (operator) {
    case "in":
    case "notin":
      if (values.length === 0) errs.push(invalidValue("values", values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case "=":
    case "==":
    case "!=":
      if (values.length !== 1) errs.push(invalidValue("values", values, "exact-match compatibility requires one single value"));
      break;
    case "exists":
    case "!":
      if (values.length !== 0) errs.push(invalidValue("values", values, "values set must be empty for exists and does not exist"));
      break;
    case "gt":
    case "lt":
      if (values.length !== 1) errs.push(invalidValue("values", values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (!isInt64(v)) errs.push(invalidValue(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
    default: {
      const supported = ["in", "notin", "=", "==", "!=", "gt", "lt", "exists", "!"].map((s) => JSON.stringify(s)).join(", ");
      errs.push({ field: "operator", body: `Unsupported value: ${JSON.stringify(operator)}: supported values: ${supported}` });
    }
  }
  values.forEach((v, i) => {
    const valueErrs = isValidLabelValue(v);
    if (valueErrs.length > 0) errs.push(invalidValue(`values[${i}][${key}]`, v, valueErrs.join("; ")));
  });
  return errs;
}

function isInt64(s: string): boolean {
  return toInt64(s) !== undefined;
}

function compile(r: LabelRequirement): Compiled {
  const kind = kindOf[r.operator];
  let bound: number | bigint = 0;
  if (kind === GT || kind === LT) bound = toInt64(r.values[0] ?? "") ?? 0;
  const set = r.values.length > SET_THRESHOLD ? new Set(r.values) : undefined;
  return { key: r.key, kind, values: r.values, set, bound };
}

function matchOne(c: Compiled, labels: Labels | undefined): boolean {
  const v = labels === undefined ? undefined : labels[c.key];
  // Own properties only: a label named `constructor` must not find Object.prototype's.
  const has = typeof v === "string" && Object.hasOwn(labels!, c.key);
  switch (c.kind) {
    case IN:
      return has && hasValue(c, v);
    case NOT_IN:
      return !has || !hasValue(c, v);
    case EXISTS:
      return has;
    case NOT_EXISTS:
      return !has;
    default: {
      if (!has) return false;
      const n = toInt64(v);
      if (n === undefined) return false;
      return c.kind === GT ? n > c.bound : n < c.bound;
    }
  }
}

function hasValue(c: Compiled, v: string): boolean {
  if (c.set !== undefined) return c.set.has(v);
  const values = c.values;
  for (let i = 0; i < values.length; i++) if (values[i] === v) return true;
  return false;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Go's `strconv.ParseInt(s, 10, 64)`; a plain number when exact, so the common case allocates nothing. */
function toInt64(s: string): number | bigint | undefined {
  const n = s.length;
  let i = 0;
  const c0 = s.charCodeAt(0);
  if (c0 === 43 || c0 === 45) i = 1; // + or -
  if (i >= n) return undefined;
  let acc = 0;
  for (let j = i; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return undefined;
    acc = acc * 10 + (c - 48);
  }
  if (n - i <= 15) return c0 === 45 ? -acc : acc;
  const big = BigInt(s);
  return big < INT64_MIN || big > INT64_MAX ? undefined : big;
}

function requirementString(r: LabelRequirement): string {
  const prefix = r.operator === "!" ? "!" : "";
  switch (r.operator) {
    case "exists":
    case "!":
      return prefix + r.key;
    case "in":
    case "notin":
      return `${r.key} ${r.operator} (${joinSorted(r.values)})`;
    case "gt":
      return `${r.key}>${joinSorted(r.values)}`;
    case "lt":
      return `${r.key}<${joinSorted(r.values)}`;
    default:
      return `${r.key}${r.operator}${joinSorted(r.values)}`;
  }
}

function joinSorted(values: readonly string[]): string {
  return values.length === 1 ? values[0]! : [...values].sort().join(",");
}

function stableSortByKey(reqs: readonly LabelRequirement[]): LabelRequirement[] {
  return [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

// ---- The string syntax: Kubernetes' lexer and recursive-descent parser, error for error. ----

const T_ERROR = 0;
const T_EOS = 1;
const T_CLOSE = 2;
const T_COMMA = 3;
const T_NOT = 4;
const T_DEQ = 5;
const T_EQ = 6;
const T_GT = 7;
const T_ID = 8;
const T_IN = 9;
const T_LT = 10;
const T_NEQ = 11;
const T_NOTIN = 12;
const T_OPEN = 13;

// Maps, not object literals: an identifier such as `constructor` must not hit Object.prototype.
const symbolTokens = new Map<string, number>([
  [")", T_CLOSE], [",", T_COMMA], ["!", T_NOT], ["==", T_DEQ], ["=", T_EQ],
  [">", T_GT], ["<", T_LT], ["!=", T_NEQ], ["(", T_OPEN],
]);
const keywordTokens = new Map<string, number>([["in", T_IN], ["notin", T_NOTIN]]);

type Item = readonly [tok: number, lit: string];

class SelectorSyntaxError extends Error {}

function fail(message: string): never {
  throw new SelectorSyntaxError(message);
}

const isWhitespace = (c: number): boolean => c === 32 || c === 9 || c === 13 || c === 10;
const isSpecial = (c: number): boolean => c === 61 || c === 33 || c === 40 || c === 41 || c === 44 || c === 62 || c === 60;

/** Tokenizes like Kubernetes' Lexer, down to a NUL byte reading as end of input where a token starts. */
function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  const read = (): number => (pos < s.length ? s.charCodeAt(pos++) : 0);
  for (;;) {
    let ch = read();
    while (isWhitespace(ch)) ch = read();
    if (ch === 0) {
      items.push([T_EOS, ""]);
      return items;
    }
    pos--;
    if (isSpecial(ch)) {
      let buf = "";
      let last: Item | undefined;
      for (;;) {
        const c = read();
        if (c === 0) break;
        if (!isSpecial(c)) {
          pos--;
          break;
        }
        buf += String.fromCharCode(c);
        const tok = symbolTokens.get(buf);
        if (tok !== undefined) last = [tok, buf];
        else if (last) {
          pos--;
          break;
        }
      }
      items.push(last ?? [T_ERROR, `error expected: keyword found '${buf}'`]);
    } else {
      const start = pos;
      let end = s.length;
      while (pos < s.length) {
        const c = s.charCodeAt(pos);
        if (c === 0) {
          end = pos++;
          break;
        }
        if (isSpecial(c) || isWhitespace(c)) {
          end = pos;
          break;
        }
        pos++;
      }
      const lit = s.slice(start, end);
      items.push([keywordTokens.get(lit) ?? T_ID, lit]);
    }
  }
}

/** Parses the string syntax into requirements (unsorted); throws a 400 `StatusError`. */
function parseRequirements(selector: string): LabelRequirement[] {
  const items = lex(selector);
  let p = 0;
  // In value position the keywords `in` and `notin` are plain identifiers.
  const look = (values: boolean): Item => asValue(items[Math.min(p, items.length - 1)]!, values);
  const consume = (values: boolean): Item => asValue(items[Math.min(p++, items.length - 1)]!, values);

  const keyAndOperator = (): { key: string; op: LabelOperator | "" } => {
    let op: LabelOperator | "" = "";
    let [tok, lit] = consume(true);
    if (tok === T_NOT) {
      op = "!";
      [tok, lit] = consume(true);
    }
    if (tok !== T_ID) fail(`found '${lit}', expected: identifier`);
    const keyErrs = isQualifiedName(lit);
    if (keyErrs.length > 0) fail(fieldErrString(invalidValue("<nil>", lit, keyErrs.join("; "))));
    const [next] = look(true);
    if ((next === T_EOS || next === T_COMMA) && op !== "!") op = "exists";
    return { key: lit, op };
  };

  const operator = (): LabelOperator => {
    const [tok, lit] = consume(false);
    const op = binaryOperators.get(tok);
    if (op === undefined) fail(`found '${lit}', expected: in, notin, =, ==, !=, gt, lt`);
    return op;
  };

  const identifiers = (): Set<string> => {
    const set = new Set<string>();
    for (;;) {
      const [tok, lit] = consume(true);
      if (tok === T_ID) {
        set.add(lit);
        const [next, nextLit] = look(true);
        if (next === T_COMMA) continue;
        if (next === T_CLOSE) return set;
        fail(`found '${nextLit}', expected: ',' or ')'`);
      } else if (tok === T_COMMA) {
        // `(,`, `,,` and `,)` each stand for the empty value.
        if (set.size === 0) set.add("");
        const [next] = look(true);
        if (next === T_CLOSE) {
          set.add("");
          return set;
        }
        if (next === T_COMMA) {
          consume(true);
          set.add("");
        }
      } else {
        fail(`found '${lit}', expected: ',', or identifier`);
      }
    }
  };

  const valueSet = (): Set<string> => {
    const [open, openLit] = consume(true);
    if (open !== T_OPEN) fail(`found '${openLit}' expected: '('`);
    const [tok, lit] = look(true);
    if (tok === T_ID || tok === T_COMMA) {
      const set = identifiers();
      if (consume(true)[0] !== T_CLOSE) fail(`found '${lit}', expected: ')'`);
      return set;
    }
    if (tok === T_CLOSE) {
      consume(true);
      return new Set([""]);
    }
    fail(`found '${lit}', expected: ',', ')' or identifier`);
  };

  const exactValue = (): Set<string> => {
    const [next] = look(true);
    if (next === T_EOS || next === T_COMMA) return new Set([""]);
    const [tok, lit] = consume(true);
    if (tok !== T_ID) fail(`found '${lit}', expected: identifier`);
    return new Set([lit]);
  };

  const requirement = (): LabelRequirement => {
    const { key, op: inferred } = keyAndOperator();
    const op = inferred === "exists" || inferred === "!" ? inferred : operator();
    const values = op === "exists" || op === "!" ? [] : [...(op === "in" || op === "notin" ? valueSet() : exactValue())].sort();
    const errs = requirementErrors(key, op, values);
    if (errs.length > 0) fail(aggregate(errs));
    return Object.freeze({ key, operator: op, values: Object.freeze(values) });
  };

  try {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const [tok, lit] = look(true);
      if (tok === T_EOS) return reqs;
      if (tok !== T_ID && tok !== T_NOT) fail(`found '${lit}', expected: !, identifier, or 'end of string'`);
      try {
        reqs.push(requirement());
      } catch (err) {
        if (err instanceof SelectorSyntaxError) fail(`unable to parse requirement: ${err.message}`);
        throw err;
      }
      const [t, l] = consume(true);
      if (t === T_EOS) return reqs;
      if (t !== T_COMMA) fail(`found '${l}', expected: ',' or 'end of string'`);
      const [t2, l2] = look(true);
      if (t2 !== T_ID && t2 !== T_NOT) fail(`found '${l2}', expected: identifier after ','`);
    }
  } catch (err) {
    if (err instanceof SelectorSyntaxError) throw badRequest(err.message);
    throw err;
  }
}

const binaryOperators = new Map<number, LabelOperator>([
  [T_IN, "in"], [T_NOTIN, "notin"], [T_EQ, "="], [T_DEQ, "=="], [T_NEQ, "!="], [T_GT, "gt"], [T_LT, "lt"],
]);

function asValue(item: Item, values: boolean): Item {
  return values && (item[0] === T_IN || item[0] === T_NOTIN) ? [T_ID, item[1]] : item;
}

// ---- Validation: k8s.io/apimachinery/pkg/util/validation, message for message. ----

const qualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const qualifiedNameErrMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const qualifiedNameRe = new RegExp(`^${qualifiedNameFmt}$`);
const labelValueFmt = `(${qualifiedNameFmt})?`;
const labelValueErrMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const labelValueRe = new RegExp(`^${labelValueFmt}$`);
const dns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1123SubdomainErrMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const dns1123SubdomainRe = new RegExp(`^${dns1123SubdomainFmt}$`);

function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(" or ")}regex used for validation is '${fmt}')`;
}

const maxLenError = (n: number): string => `must be no more than ${n} characters`;

/** Length in UTF-8 bytes, as Go's `len` counts it. */
function byteLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c < 0xdc00 ? 4 : c >= 0xdc00 && c < 0xe000 ? 0 : 3;
  }
  return n;
}

/** Kubernetes' `IsDNS1123Subdomain`: the problems with `value`, none when valid. */
export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 253) errs.push(maxLenError(253));
  if (!dns1123SubdomainRe.test(value)) errs.push(regexError(dns1123SubdomainErrMsg, dns1123SubdomainFmt, "example.com"));
  return errs;
}

/** Kubernetes' `IsQualifiedName` (label and annotation keys): the problems, none when valid. */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split("/");
  if (parts.length > 2) {
    return [`a qualified name ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, "MyName", "my.name", "123-abc")} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  const name = parts[parts.length - 1]!;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix.length === 0) errs.push("prefix part must be non-empty");
    else for (const m of isDNS1123Subdomain(prefix)) errs.push(`prefix part ${m}`);
  }
  if (name.length === 0) errs.push("name part must be non-empty");
  else if (byteLength(name) > 63) errs.push(`name part ${maxLenError(63)}`);
  if (!qualifiedNameRe.test(name)) errs.push(`name part ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, "MyName", "my.name", "123-abc")}`);
  return errs;
}

/** Kubernetes' `IsValidLabelValue`: the problems with `value`, none when valid. */
export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 63) errs.push(maxLenError(63));
  if (!labelValueRe.test(value)) errs.push(regexError(labelValueErrMsg, labelValueFmt, "MyValue", "my_value", "12345"));
  return errs;
}

interface FieldErr {
  readonly field: string;
  readonly body: string;
}

/** `field.Invalid`: strings print Go-quoted, lists as JSON (an empty list was a nil slice: `null`). */
function invalidValue(field: string, value: string | readonly string[], detail: string): FieldErr {
  const shown = typeof value === "string" ? goQuote(value) : value.length === 0 ? "null" : JSON.stringify(value);
  return { field, body: `Invalid value: ${shown}: ${detail}` };
}

const fieldErrString = (e: FieldErr): string => `${e.field}: ${e.body}`;

/** `utilerrors.Aggregate`: one error as itself, several de-duplicated in brackets. */
function aggregate(errs: readonly FieldErr[]): string {
  const msgs = [...new Set(errs.map(fieldErrString))];
  return msgs.length === 1 ? msgs[0]! : `[${msgs.join(", ")}]`;
}

const goEscapes: Record<number, string> = { 7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r", 34: '\\"', 92: "\\\\" };

/** Go's `%q` for the ASCII range (control characters escaped); other characters as they are. */
function goQuote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const esc = goEscapes[c];
    if (esc !== undefined) out += esc;
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += s[i];
  }
  return out + '"';
}
