/**
 * Small pieces of object handling the apiserver shares: resourceVersion
 * decoration, timestamps, generated names, selector matching per kind.
 */
import type { KubeObject } from "../api/meta.ts";
import type { KeyValue } from "./store/store.ts";
import type { ResourceDef } from "./registry/resource.ts";
import { parseLabelSelector, type ParsedLabelSelector } from "../api/label-selector.ts";
import { checkFieldsSupported, defaultFieldResolver, parseFieldSelector, type ParsedFieldSelector } from "../api/field-selector.ts";
import { badRequest } from "../api/status.ts";

/**
 * The stored object with `metadata.resourceVersion` = its modRevision. The
 * store keeps objects without it (as etcd does); this copies two levels only.
 */
export function withRV(kv: KeyValue, revision = kv.modRevision): KubeObject {
  const obj = kv.value as KubeObject;
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } };
}

export { timestamp } from "../api/meta.ts";

const NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";

/** `generateName` + five random characters from Kubernetes' alphabet. */
export function generatedName(prefix: string): string {
  let s = "";
  for (let i = 0; i < 5; i++) s += NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)];
  return prefix.slice(0, 63 - 5) + s;
}

/** A compiled label + field selector for one kind. */
export interface ObjectFilter {
  labels?: ParsedLabelSelector;
  fields?: ParsedFieldSelector;
  matches(obj: KubeObject): boolean;
}

/** Reads a field-selector field from an object of `def`'s kind. */
export function fieldResolver(def: ResourceDef): (obj: KubeObject, field: string) => string | undefined {
  const extra = def.fieldSelectors ?? {};
  return (obj, field) => {
    const f = extra[field];
    return f ? f(obj) : defaultFieldResolver(obj, field);
  };
}

/** Parses selectors (400 on a bad one or an unsupported field) into one matcher. */
export function compileFilter(def: ResourceDef, labelSelector?: string, fieldSelector?: string): ObjectFilter {
  const labels = labelSelector ? parseLabelSelector(labelSelector) : undefined;
  const fields = fieldSelector ? parseFieldSelector(fieldSelector) : undefined;
  if (fields) {
    const supported = new Set(["metadata.name", "metadata.namespace", ...Object.keys(def.fieldSelectors ?? {})]);
    checkFieldsSupported(fields, supported);
  }
  const resolve = fieldResolver(def);
  return {
    labels: labels && !labels.isEverything ? labels : undefined,
    fields: fields && !fields.isEverything ? fields : undefined,
    matches(obj) {
      if (this.labels && !this.labels.matches(obj.metadata.labels)) return false;
      if (this.fields && !this.fields.matches(obj, resolve)) return false;
      return true;
    },
  };
}

/** Continue tokens: the revision of the first page and the key to start from. */
export function encodeContinue(revision: number, startKey: string): string {
  return btoa(JSON.stringify({ v: "meta.k8s.io/v1", rv: revision, start: startKey }));
}

/** Reverses {@link encodeContinue}; 400 on garbage. */
export function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const d = JSON.parse(atob(token)) as { rv?: unknown; start?: unknown };
    if (typeof d.rv === "number" && typeof d.start === "string") return { rv: d.rv, start: d.start };
  } catch {
    // fall through
  }
  throw badRequest(`continue key is not valid: ${token.slice(0, 40)}`);
}

/** JSON equality of two values (object key order ignored). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => sameJson(v, bb[i]));
  }
  const ak = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const bk = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ak.length !== bk.length) return false;
  return ak.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
