/**
 * `fieldValidation` (Strict / Warn / Ignore), as kube-apiserver applies it
 * to POST, PUT and PATCH bodies: unknown fields are an error (Strict), a
 * `Warning` header each (Warn, the default), or silently dropped (Ignore).
 * Unknown fields never reach the store.
 */
import { badRequest } from "../errors.ts";
import { roots, types, type FieldTable } from "./known.ts";

/** The three `fieldValidation` directives. */
export type FieldValidation = "Strict" | "Warn" | "Ignore";

/** Reads the query parameter; 400 for anything but the three values (absent = Warn, as kube-apiserver). */
export function fieldValidationOf(value: string | null): FieldValidation {
  if (value === null || value === "" || value === "Warn") return "Warn";
  if (value === "Strict" || value === "Ignore") return value;
  throw badRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict", got ${JSON.stringify(value)}`);
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Removes the fields `kind` does not declare from `body` (in place) and
 * returns their paths (`spec.template.spec.containers[0].imagee`).
 * `patch` skips strategic-merge directives (`$patch`, `$setElementOrder/…`).
 */
export function dropUnknownFields(group: string, kind: string, body: unknown, patch = false): string[] {
  const root = roots[`${group}/${kind}`];
  if (!root || !isObj(body)) return [];
  const unknown: string[] = [];
  walk(root, body, "", unknown, patch);
  return unknown;
}

function walk(table: FieldTable, obj: Record<string, unknown>, path: string, unknown: string[], patch: boolean): void {
  for (const key of Object.keys(obj)) {
    if (patch && key.startsWith("$")) continue;
    const here = path ? `${path}.${key}` : key;
    const type = table[key];
    if (type === undefined) {
      unknown.push(here);
      delete obj[key];
      continue;
    }
    if (type === "") continue;
    const value = obj[key];
    if (type.startsWith("[")) {
      const inner = types[type.slice(1, -1)];
      if (!inner || !Array.isArray(value)) continue;
      value.forEach((item, i) => {
        if (isObj(item)) walk(inner, item, `${here}[${i}]`, unknown, patch);
      });
    } else if (isObj(value) && types[type]) walk(types[type]!, value, here, unknown, patch);
  }
}

/** The Strict error: 400 naming every unknown field, in kube-apiserver's words. */
export function strictError(kind: string, version: string, unknown: string[]): Error {
  const list = unknown.map((f) => `unknown field ${JSON.stringify(f)}`).join(", ");
  return badRequest(`${kind} in version ${JSON.stringify(version)} cannot be handled as a ${kind}: strict decoding error: ${list}`);
}

/** The `Warning` header values for Warn (RFC 7234 warn-code 299). */
export function unknownFieldWarnings(unknown: string[]): string[] {
  return unknown.map((f) => `299 - ${JSON.stringify(`unknown field ${JSON.stringify(f)}`)}`);
}
