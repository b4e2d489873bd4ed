/**
 * Validation shared by every kind: object metadata on create and update,
 * labels, annotations, label selectors, name rules, and the small numeric
 * and immutability checks. Field errors and formats are re-exported so a
 * registry file needs one import.
 */
import type { LabelSelector, ObjectMeta } from "../../api/meta.ts";
import { at, child, forbidden, goRepr, goStringMap, goStringSlice, invalid, required, tooLong, type GoRepr } from "./field-errors.ts";
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isLabelValue, isQualifiedName } from "./formats.ts";
import type { FieldError } from "./resource.ts";

export * from "./field-errors.ts";
export * from "./formats.ts";

/** Kubernetes' ValidateNameFunc: messages for a bad name; `prefix` for a generateName prefix. */
export type NameValidator = (name: string, prefix: boolean) => string[];

/** A generateName prefix may end in '-', since random characters follow. */
function maskTrailingDash(name: string, prefix: boolean): string {
  return prefix && name.length > 1 && name.endsWith("-") ? `${name.slice(0, -1)}a` : name;
}

/** Names that must be DNS subdomains (most kinds). */
export const nameIsDNSSubdomain: NameValidator = (name, prefix) => isDNS1123Subdomain(maskTrailingDash(name, prefix));
/** Names that must be DNS labels (namespaces). */
export const nameIsDNSLabel: NameValidator = (name, prefix) => isDNS1123Label(maskTrailingDash(name, prefix));
/** Names that must be DNS-1035 labels (services). */
export const nameIsDNS1035Label: NameValidator = (name, prefix) => isDNS1035Label(maskTrailingDash(name, prefix));

/** `must be greater than or equal to 0` when negative. */
export function validateNonnegative(value: number | undefined, path: string): FieldError[] {
  return value !== undefined && value < 0 ? [invalid(path, value, "must be greater than or equal to 0")] : [];
}

/** `must be greater than 0` unless positive. */
export function validatePositive(value: number | undefined, path: string): FieldError[] {
  return value !== undefined && !(value > 0) ? [invalid(path, value, "must be greater than 0")] : [];
}

/** `field is immutable` when the value changed (semantically). */
export function validateImmutable(value: unknown, old: unknown, path: string, shown: unknown = value): FieldError[] {
  return semanticEqual(value, old) ? [] : [invalid(path, shown, "field is immutable")];
}

/** Each label key a qualified name, each value a label value. */
export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const m of isQualifiedName(k)) errs.push(invalid(path, k, m));
    for (const m of isLabelValue(String(v))) errs.push(invalid(path, v, m));
  }
  return errs;
}

/** The most all annotations of an object may hold, keys plus values. */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** Annotation keys are qualified names (case-insensitively); all together at most 256 KiB. */
export function validateAnnotations(annotations: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(invalid(path, k, m));
    size += byteLength(k) + byteLength(String(v));
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

/** UTF-8 length, the unit Kubernetes' size limits count in. */
export function byteLength(s: string): number {
  return new TextEncoder().encode(s).length;
}

const goSelectorOps = new Set(["In", "NotIn", "Exists", "DoesNotExist"]);

/** A label selector: matchLabels as labels, each expression's operator, key and values. */
export function validateLabelSelector(sel: LabelSelector | undefined, path: string): FieldError[] {
  if (!sel) return [];
  const errs = validateLabels(sel.matchLabels, child(path, "matchLabels"));
  (sel.matchExpressions ?? []).forEach((r, i) => {
    const p = at(child(path, "matchExpressions"), i);
    if (r.operator === "In" || r.operator === "NotIn") {
      if (!r.values?.length) errs.push(required(child(p, "values"), "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (r.operator === "Exists" || r.operator === "DoesNotExist") {
      if (r.values?.length) errs.push(forbidden(child(p, "values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      errs.push(invalid(child(p, "operator"), r.operator, "not a valid selector operator"));
    }
    for (const m of isQualifiedName(r.key ?? "")) errs.push(invalid(child(p, "key"), r.key, m));
    (r.values ?? []).forEach((v, j) => {
      for (const m of isLabelValue(v)) errs.push(invalid(at(child(p, "values"), j), v, m));
    });
  });
  return errs;
}

/** True when a selector selects by nothing (and so, for workloads, selects everything). */
export function selectorIsEmpty(sel: LabelSelector | undefined): boolean {
  return !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0);
}

/** Whether a valid selector matches a label set. */
export function selectorMatches(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const r of sel.matchExpressions ?? []) {
    const has = Object.hasOwn(l, r.key);
    const inValues = has && (r.values ?? []).includes(l[r.key]);
    if (r.operator === "In" && !inValues) return false;
    if (r.operator === "NotIn" && inValues) return false;
    if (r.operator === "Exists" && !has) return false;
    if (r.operator === "DoesNotExist" && has) return false;
    if (!goSelectorOps.has(r.operator)) return false;
  }
  return true;
}

/** A selector printed as Go prints a `metav1.LabelSelector` in error messages. */
export function goLabelSelector(sel: LabelSelector): GoRepr {
  const exprs = sel.matchExpressions
    ? `[]v1.LabelSelectorRequirement{${sel.matchExpressions
        .map((r) => `v1.LabelSelectorRequirement{Key:${JSON.stringify(r.key)}, Operator:${JSON.stringify(r.operator)}, Values:${goStringSlice(r.values).goRepr}}`)
        .join(", ")}}`
    : "[]v1.LabelSelectorRequirement(nil)";
  return goRepr(`v1.LabelSelector{MatchLabels:${goStringMap(sel.matchLabels).goRepr}, MatchExpressions:${exprs}}`);
}

/** Object metadata on create, as ValidateObjectMeta: name, namespace, labels, annotations, owners, finalizers. */
export function validateObjectMeta(meta: ObjectMeta, namespaced: boolean, nameFn: NameValidator = nameIsDNSSubdomain, path = "metadata"): FieldError[] {
  const errs: FieldError[] = [];
  if (meta.generateName) for (const m of nameFn(meta.generateName, true)) errs.push(invalid(child(path, "generateName"), meta.generateName, m));
  if (!meta.name) errs.push(required(child(path, "name"), "name or generateName is required"));
  else for (const m of nameFn(meta.name, false)) errs.push(invalid(child(path, "name"), meta.name, m));
  if (namespaced) {
    if (!meta.namespace) errs.push(required(child(path, "namespace")));
    else for (const m of isDNS1123Label(meta.namespace)) errs.push(invalid(child(path, "namespace"), meta.namespace, m));
  } else if (meta.namespace) {
    errs.push(forbidden(child(path, "namespace"), "not allowed on this type"));
  }
  errs.push(...validateNonnegative(meta.generation, child(path, "generation")));
  errs.push(...validateMetaCommon(meta, path));
  return errs;
}

function validateMetaCommon(meta: ObjectMeta, path: string): FieldError[] {
  const errs = [...validateLabels(meta.labels, child(path, "labels")), ...validateAnnotations(meta.annotations, child(path, "annotations"))];
  const owners = child(path, "ownerReferences");
  let controller = "";
  for (const ref of meta.ownerReferences ?? []) {
    const version = (ref.apiVersion ?? "").split("/").pop() ?? "";
    if (!version) errs.push(invalid(child(owners, "apiVersion"), ref.apiVersion ?? "", "version must not be empty"));
    if (!ref.kind) errs.push(invalid(child(owners, "kind"), ref.kind ?? "", "must not be empty"));
    if (!ref.name) errs.push(invalid(child(owners, "name"), ref.name ?? "", "must not be empty"));
    if (!ref.uid) errs.push(invalid(child(owners, "uid"), ref.uid ?? "", "must not be empty"));
    if (ref.apiVersion === "v1" && ref.kind === "Event") errs.push(invalid(owners, goRepr(JSON.stringify(ref)), "/v1, Kind=Event is disallowed from being an owner"));
    if (ref.controller) {
      const name = `${ref.kind}/${ref.name}`;
      if (controller) {
        errs.push(
          invalid(owners, goRepr(JSON.stringify(meta.ownerReferences)), `Only one reference can have Controller set to true. Found "true" in references for ${controller} and ${name}`),
        );
      } else controller = name;
    }
  }
  const fins = child(path, "finalizers");
  for (const f of meta.finalizers ?? []) for (const m of isQualifiedName(f)) errs.push(invalid(fins, f, m));
  if (meta.finalizers?.includes("orphan") && meta.finalizers.includes("foregroundDeletion")) {
    errs.push(invalid(fins, meta.finalizers, "finalizer orphan and foregroundDeletion cannot be both set"));
  }
  return errs;
}

/** Object metadata on update, as ValidateObjectMetaUpdate: identity fields are immutable. */
export function validateObjectMetaUpdate(meta: ObjectMeta, old: ObjectMeta, path = "metadata"): FieldError[] {
  const errs: FieldError[] = [];
  if (old.deletionTimestamp) {
    const added = (meta.finalizers ?? []).filter((f) => !(old.finalizers ?? []).includes(f));
    if (added.length) {
      errs.push(forbidden(child(path, "finalizers"), `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice([...new Set(added)].sort()).goRepr}`));
    }
  }
  if ((meta.generation ?? 0) < (old.generation ?? 0)) errs.push(invalid(child(path, "generation"), meta.generation ?? 0, "must not be decremented"));
  for (const f of ["name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"] as const) {
    errs.push(...validateImmutable(meta[f], old[f], child(path, f), meta[f] ?? ""));
  }
  errs.push(...validateMetaCommon(meta, path));
  return errs;
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === "" || v === false || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === "object") return Object.values(v as object).every(isEmpty);
  return false;
}

/**
 * Equality as Kubernetes' semantic DeepEqual sees decoded Go values: an
 * absent field equals its zero value, and an empty list or map equals none.
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isEmpty(a) && isEmpty(b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => semanticEqual(x, b[i]));
  }
  if (typeof a === "object" && typeof b === "object" && a && b) {
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    for (const k of new Set([...Object.keys(ra), ...Object.keys(rb)])) if (!semanticEqual(ra[k], rb[k])) return false;
    return true;
  }
  return false;
}

/** A deep copy of plain JSON data. */
export function clone<T>(v: T): T {
  return v === undefined ? v : (structuredClone(v) as T);
}
