/**
 * Field errors worded as Kubernetes words them (apimachinery's
 * `field.Required`, `field.Invalid`, ...), so clients and users see the
 * messages they know: `spec.containers[0].image: Required value`.
 */
import type { FieldError } from "./resource.ts";

/** A value already printed the way Go's `%#v` prints it (maps, structs). */
export interface GoRepr {
  goRepr: string;
}

/** Marks text as an already-formatted Go value. */
export function goRepr(text: string): GoRepr {
  return { goRepr: text };
}

function isGoRepr(v: unknown): v is GoRepr {
  return typeof v === "object" && v !== null && typeof (v as GoRepr).goRepr === "string";
}

function sortedEntries(m: Record<string, unknown>): Array<[string, unknown]> {
  return Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** `map[string]string{"a":"b"}`, or `map[string]string(nil)` for none, as Go prints a label map. */
export function goStringMap(m: Record<string, string> | undefined): GoRepr {
  if (!m) return goRepr("map[string]string(nil)");
  return goRepr(`map[string]string{${sortedEntries(m).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(", ")}}`);
}

/** `[]string{"a", "b"}`, or `[]string(nil)`. */
export function goStringSlice(s: readonly string[] | undefined): GoRepr {
  if (!s) return goRepr("[]string(nil)");
  return goRepr(`[]string{${s.map((v) => JSON.stringify(v)).join(", ")}}`);
}

/** A value as field.Error prints it: strings quoted, numbers bare, label maps and string lists Go-style. */
export function goValue(v: unknown): string {
  if (v === undefined || v === null) return "null";
  if (isGoRepr(v)) return v.goRepr;
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return goStringSlice(v).goRepr;
  if (typeof v === "object" && Object.values(v).every((x) => typeof x === "string")) {
    return goStringMap(v as Record<string, string>).goRepr;
  }
  return JSON.stringify(v);
}

function withDetail(head: string, detail: string): string {
  return detail ? `${head}: ${detail}` : head;
}

/** `Required value[: detail]` */
export function required(field: string, detail = ""): FieldError {
  return { reason: "FieldValueRequired", field, message: withDetail("Required value", detail) };
}

/** `Invalid value: <value>[: detail]` */
export function invalid(field: string, value: unknown, detail = ""): FieldError {
  return { reason: "FieldValueInvalid", field, message: withDetail(`Invalid value: ${goValue(value)}`, detail) };
}

/** `Unsupported value: "x": supported values: "a", "b"` */
export function notSupported(field: string, value: unknown, supported: readonly string[]): FieldError {
  const detail = supported.length ? `supported values: ${supported.map((s) => JSON.stringify(s)).join(", ")}` : "";
  return { reason: "FieldValueNotSupported", field, message: withDetail(`Unsupported value: ${goValue(value)}`, detail) };
}

/** `Duplicate value: <value>` */
export function duplicate(field: string, value: unknown): FieldError {
  return { reason: "FieldValueDuplicate", field, message: `Duplicate value: ${goValue(value)}` };
}

/** `Forbidden[: detail]` */
export function forbidden(field: string, detail = ""): FieldError {
  return { reason: "FieldValueForbidden", field, message: withDetail("Forbidden", detail) };
}

/** `Too long: must have at most N bytes` */
export function tooLong(field: string, maxLength: number): FieldError {
  return { reason: "FieldValueTooLong", field, message: `Too long: must have at most ${maxLength} bytes` };
}

/** `Too many: N: must have at most M items` */
export function tooMany(field: string, actual: number, max: number): FieldError {
  return { reason: "FieldValueTooMany", field, message: `Too many: ${actual}: must have at most ${max} items` };
}

/** `Not found: <value>` */
export function notFound(field: string, value: unknown): FieldError {
  return { reason: "FieldValueNotFound", field, message: `Not found: ${goValue(value)}` };
}

/** `parent.name`, or `name` at the root. */
export function child(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

/** `path[i]` for list items, `path[key]` for map entries. */
export function at(path: string, indexOrKey: number | string): string {
  return `${path}[${indexOrKey}]`;
}

/** The `path: message` line Kubernetes prints for an error. */
export function errorText(e: FieldError): string {
  return e.field ? `${e.field}: ${e.message}` : e.message;
}
