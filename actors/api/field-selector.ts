/**
 * Field selectors as Kubernetes parses, prints and evaluates them
 * (k8s.io/apimachinery pkg/fields): `metadata.name=x,spec.nodeName!=y`,
 * operators `=`, `==` and `!=` only, commas AND the terms, and `\,` `\=` `\\`
 * escape those characters in values. Which fields exist is per kind, so the
 * caller supplies a resolver and decides what an unsupported field means.
 */
import type { ObjectMeta } from "./meta.ts";
import { badRequest } from "./status.ts";

/** One ANDed term: `field=value` or `field!=value` (`==` parses as `=`). */
export interface FieldRequirement {
  readonly field: string;
  readonly operator: "=" | "!=";
  /** Unescaped. */
  readonly value: string;
}

/**
 * Reads `field` of `obj` as a string. Return `""` for a supported field that
 * is unset (Kubernetes compares unset fields as empty), `undefined` for a
 * field this kind does not support.
 */
export type FieldResolver<T> = (obj: T, field: string) => string | undefined;

/** A field selector ready for matching: requirements ANDed, in Kubernetes' order; immutable. */
export class ParsedFieldSelector {
  /** The requirements, sorted as Kubernetes sorts the raw terms. */
  readonly requirements: readonly FieldRequirement[];
  /** True only for Nothing, which matches no object. */
  readonly isNothing: boolean;

  /** Builds from requirements in the order given. */
  constructor(requirements: readonly FieldRequirement[], nothing = false) {
    this.requirements = Object.freeze(requirements.map((r) => Object.freeze({ ...r })));
    this.isNothing = nothing;
  }

  /** True when the selector does not restrict anything (Kubernetes' `Empty()`). */
  get isEverything(): boolean {
    return !this.isNothing && this.requirements.length === 0;
  }

  /**
   * Whether `obj` satisfies every requirement. A field the resolver does not
   * know compares as `""`, as Kubernetes' `Fields.Get` does; reject such
   * selectors up front with {@link checkFieldsSupported} when that matters.
   */
  matches<T>(obj: T, resolve: FieldResolver<T>): boolean {
    if (this.isNothing) return false;
    const reqs = this.requirements;
    for (let i = 0; i < reqs.length; i++) {
      const r = reqs[i]!;
      const actual = resolve(obj, r.field) ?? "";
      if ((actual === r.value) !== (r.operator === "=")) return false;
    }
    return true;
  }

  /** The value `field` must equal, if some `field=value` term says so (Kubernetes' `RequiresExactMatch`). */
  exactValue(field: string): string | undefined {
    for (const r of this.requirements) if (r.field === field && r.operator === "=") return r.value;
    return undefined;
  }

  /** The canonical string form, values escaped (`""` for Everything and Nothing). */
  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(",");
  }
}

/** Matches every object. */
export const everythingFieldSelector: ParsedFieldSelector = new ParsedFieldSelector([]);

/** Matches no object. */
export const nothingFieldSelector: ParsedFieldSelector = new ParsedFieldSelector([], true);

/** Parses the string syntax; throws a 400 `StatusError` with Kubernetes' message on bad input. */
export function parseFieldSelector(selector: string): ParsedFieldSelector {
  const terms = splitTerms(selector).sort(compareBytes);
  const reqs: FieldRequirement[] = [];
  for (const term of terms) {
    if (term === "") continue;
    const split = splitTerm(term);
    if (!split) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const value = unescapeFieldValue(split.rhs);
    // Kubernetes drops a term whose field and value are both empty (a bare `=`).
    if (split.field === "" && value === "") continue;
    reqs.push({ field: split.field, operator: split.op === "!=" ? "!=" : "=", value });
  }
  return reqs.length === 0 ? everythingFieldSelector : new ParsedFieldSelector(reqs);
}

/** `fields.SelectorFromSet`: `field=value` for each entry, sorted by field; empty or absent is Everything. */
export function fieldSelectorFromSet(set: Readonly<Record<string, string>> | null | undefined): ParsedFieldSelector {
  const fields = set ? Object.keys(set).sort(compareBytes) : [];
  if (fields.length === 0) return everythingFieldSelector;
  return new ParsedFieldSelector(fields.map((field) => ({ field, operator: "=", value: set![field]! })));
}

/** The fields every kind supports: `metadata.name` and `metadata.namespace` (unset reads as `""`). */
export function defaultFieldResolver(obj: { metadata?: ObjectMeta }, field: string): string | undefined {
  switch (field) {
    case "metadata.name":
      return obj.metadata?.name ?? "";
    case "metadata.namespace":
      return obj.metadata?.namespace ?? "";
    default:
      return undefined;
  }
}

/** Whether `obj` matches `selector`, reading fields through `resolve` (default: metadata fields only). */
export function matchesFields<T extends { metadata?: ObjectMeta }>(
  selector: ParsedFieldSelector,
  obj: T,
  resolve: FieldResolver<T> = defaultFieldResolver,
): boolean {
  return selector.matches(obj, resolve);
}

/** The exact value `selector` requires for `field`, if any (e.g. index watches by `spec.nodeName`). */
export function exactFieldValue(selector: ParsedFieldSelector, field: string): string | undefined {
  return selector.exactValue(field);
}

/** Throws a 400 `field label not supported: <field>`, as kube-apiserver does, for the first unknown field. */
export function checkFieldsSupported(selector: ParsedFieldSelector, supported: ReadonlySet<string> | ((field: string) => boolean)): void {
  const ok = typeof supported === "function" ? supported : (f: string) => supported.has(f);
  for (const r of selector.requirements) {
    if (!ok(r.field)) throw badRequest(`field label not supported: ${r.field}`);
  }
}

/** `fields.EscapeValue`: backslash-escapes `\`, `,` and `=` so any string can be a value. */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** `fields.UnescapeValue`; throws a 400 `StatusError` on a bad escape or a bare `,` or `=`. */
export function unescapeFieldValue(value: string): string {
  if (!/[\\,=]/.test(value)) return value;
  let out = "";
  let inSlash = false;
  for (const c of value) {
    if (inSlash) {
      if (c !== "\\" && c !== "," && c !== "=") throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
    } else if (c === "\\") {
      inSlash = true;
    } else if (c === "," || c === "=") {
      // Go prints the rune with %v, i.e. as its number.
      throw badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw badRequest("invalid field selector: invalid escape sequence: \\");
  return out;
}

/** Splits on commas not escaped by a backslash; the backslashes stay for unescaping later. */
function splitTerms(selector: string): string[] {
  if (selector === "") return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === "\\") inSlash = true;
    else if (c === ",") {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

/** Splits at the first operator; at one position `!=` and `==` win over `=`. */
function splitTerm(term: string): { field: string; op: string; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ["!=", "==", "="]) {
      if (term.startsWith(op, i)) return { field: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

/** Go orders strings by UTF-8 bytes; code points order the same way (UTF-16 units do not). */
function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  const ai = a[Symbol.iterator]();
  const bi = b[Symbol.iterator]();
  for (;;) {
    const x = ai.next();
    const y = bi.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}
