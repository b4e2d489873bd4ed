/**
 * How objects map onto field sets: which lists are associative (items
 * identified by key fields, as `+listType=map` in the Kubernetes types),
 * which are sets of scalars, and which are atomic (everything else, as
 * structured-merge-diff treats lists it has no schema for). Also reading,
 * removing and merging values along such paths.
 */
import { FieldSet, fieldElement, keyElement, valueElement } from "./fieldset.ts";
import { sameJson } from "../objects.ts";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Key fields of associative lists, by `parentField.field` or `field`. */
const LIST_KEYS: Record<string, string[]> = {
  containers: ["name"],
  initContainers: ["name"],
  ephemeralContainers: ["name"],
  "containers.ports": ["containerPort", "protocol"],
  "initContainers.ports": ["containerPort", "protocol"],
  "spec.ports": ["port", "protocol"],
  env: ["name"],
  volumes: ["name"],
  volumeMounts: ["mountPath"],
  volumeDevices: ["devicePath"],
  imagePullSecrets: ["name"],
  hostAliases: ["ip"],
  conditions: ["type"],
  ownerReferences: ["uid"],
  topologySpreadConstraints: ["topologyKey", "whenUnsatisfiable"],
  readinessGates: ["conditionType"],
  resourceClaims: ["name"],
  schedulingGates: ["name"],
};

/** Lists of scalars merged as sets (`+listType=set`). */
const SETS = new Set(["finalizers"]);

/** Key fields a list item may leave out, with the value the apiserver defaults them to. */
const KEY_DEFAULTS: Record<string, unknown> = { protocol: "TCP" };

/** Top-level and metadata fields nobody owns (structured-merge-diff strips them). */
const STRIPPED_META = new Set(["name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"]);

/** What part of an object a write owns: the main resource (without status when the kind has a status subresource) or the status. */
export interface Scope {
  /** The write is to the status subresource. */
  status?: boolean;
  /** The kind serves a status subresource (so the main resource does not own status). */
  hasStatus?: boolean;
}

/** The key fields of the list `field` inside `parent`, "set", or undefined (atomic). */
export function listKind(parent: string, field: string): string[] | "set" | undefined {
  if (SETS.has(field)) return "set";
  return LIST_KEYS[`${parent}.${field}`] ?? LIST_KEYS[field];
}

/** A label selector (matchLabels / matchExpressions) is atomic; other maps are merged field by field. */
function atomicMap(field: string, v: Obj): boolean {
  return field === "selector" && ("matchLabels" in v || "matchExpressions" in v);
}

/** The key of a list item, or undefined when it lacks a key field. */
function itemKey(item: unknown, keys: string[]): Record<string, unknown> | undefined {
  if (!isObj(item)) return undefined;
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = item[k] ?? KEY_DEFAULTS[k];
    if (v === undefined) {
      if (keys.length > 1) continue;
      return undefined;
    }
    out[k] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

/** Item keys of a list, or undefined when some item has no key or two share one (the list is then atomic). */
function keysOf(list: unknown[], keys: string[]): string[] | undefined {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const item of list) {
    const k = itemKey(item, keys);
    if (!k) return undefined;
    const e = keyElement(k);
    if (seen.has(e)) return undefined;
    seen.add(e);
    out.push(e);
  }
  return out;
}

/** The set of fields `obj` sets, in `scope`. */
export function fieldsOf(obj: Obj, scope: Scope = {}): FieldSet {
  const set = new FieldSet();
  for (const [k, v] of Object.entries(obj)) {
    if (k === "apiVersion" || k === "kind" || v === undefined) continue;
    if (scope.status ? k !== "status" : scope.hasStatus && k === "status") continue;
    if (k === "metadata" && isObj(v)) {
      const meta = set.child(fieldElement("metadata"));
      for (const [mk, mv] of Object.entries(v)) if (!STRIPPED_META.has(mk) && mv !== undefined) addValue(meta, "metadata", mk, mv);
      continue;
    }
    addValue(set, "", k, v);
  }
  return set;
}

/**
 * How a value lays out in a field set: a map merged field by field, a set of
 * scalars, an associative list (its items' path elements), or a leaf (atomic).
 */
type Shape = "map" | "set" | "leaf" | string[];

function shapeOf(parent: string, field: string, v: unknown): Shape {
  if (isObj(v)) return Object.keys(v).length > 0 && !atomicMap(field, v) ? "map" : "leaf";
  if (!Array.isArray(v) || v.length === 0) return "leaf";
  const kind = listKind(parent, field);
  if (kind === "set") return "set";
  return (kind ? keysOf(v, kind) : undefined) ?? "leaf";
}

function addValue(node: FieldSet, parent: string, field: string, v: unknown): void {
  const child = node.child(fieldElement(field));
  const shape = shapeOf(parent, field, v);
  if (shape === "map") {
    for (const [k, x] of Object.entries(v as Obj)) if (x !== undefined) addValue(child, field, k, x);
  } else if (shape === "set") {
    for (const x of v as unknown[]) child.child(valueElement(x)).member = true;
  } else if (shape === "leaf") {
    child.member = true;
  } else {
    (v as Obj[]).forEach((item, i) => {
      const itemNode = child.child(shape[i]!);
      itemNode.member = true;
      for (const [k, x] of Object.entries(item)) if (x !== undefined) addValue(itemNode, field, k, x);
    });
  }
}

/**
 * `fieldsOf(obj, scope).toJSON()` written straight from the object, without
 * building the set first: what a create records for its manager. Undefined
 * when the object sets no field.
 */
export function fieldsV1Of(obj: Obj, scope: Scope = {}): Record<string, unknown> | undefined {
  const out: [string, Record<string, unknown>][] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (k === "apiVersion" || k === "kind" || v === undefined) continue;
    if (scope.status ? k !== "status" : scope.hasStatus && k === "status") continue;
    if (k === "metadata" && isObj(v)) {
      const meta: [string, Record<string, unknown>][] = [];
      for (const [mk, mv] of Object.entries(v)) {
        if (STRIPPED_META.has(mk) || mv === undefined) continue;
        const c = valueJSON("metadata", mk, mv);
        if (c) meta.push([fieldElement(mk), c]);
      }
      if (meta.length) out.push([fieldElement("metadata"), sortedObject(meta)]);
      continue;
    }
    const c = valueJSON("", k, v);
    if (c) out.push([fieldElement(k), c]);
  }
  return out.length ? sortedObject(out) : undefined;
}

/** The fieldsV1 node of one field's value (as addValue lays it out, then encoded); undefined when it has no member. */
function valueJSON(parent: string, field: string, v: unknown): Record<string, unknown> | undefined {
  const shape = shapeOf(parent, field, v);
  if (shape === "leaf") return {};
  if (shape === "set") return sortedObject((v as unknown[]).map((x) => [valueElement(x), {}]));
  if (shape === "map") {
    const children = entriesJSON(field, v as Obj);
    return children.length ? sortedObject(children) : undefined;
  }
  return sortedObject(
    (v as Obj[]).map((item, i) => {
      const children = entriesJSON(field, item);
      return [shape[i]!, children.length ? { ".": {}, ...sortedObject(children) } : {}];
    }),
  );
}

/** The fieldsV1 nodes of an object's fields (inside a list item, `parent` is the list's field). */
function entriesJSON(parent: string, obj: Obj): [string, Record<string, unknown>][] {
  const out: [string, Record<string, unknown>][] = [];
  for (const [k, x] of Object.entries(obj)) {
    if (x === undefined) continue;
    const c = valueJSON(parent, k, x);
    if (c) out.push([fieldElement(k), c]);
  }
  return out;
}

/** An object of `entries` with keys in the order fieldsV1 is written (sorted; later duplicates merge as sets do). */
function sortedObject(entries: [string, Record<string, unknown>][]): Record<string, unknown> {
  let sorted = true;
  for (let i = 1; i < entries.length && sorted; i++) sorted = entries[i - 1]![0] <= entries[i]![0];
  if (!sorted) entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) out[k] = v;
  return out;
}


/** What a write changed, as field sets: fields it set or modified, and fields it removed. */
export interface FieldChanges {
  changed: FieldSet;
  removed: FieldSet;
}

/**
 * The fields that differ between `a` and `b` in `scope`: what is
 * `fieldsOf(b) − fieldsOf(a)` plus the leaves of both whose values differ
 * (`changed`), and `fieldsOf(a) − fieldsOf(b)` (`removed`). Both objects are
 * walked side by side and equal branches are skipped, so a write that
 * touches a few fields costs about those fields, not the whole object.
 */
export function diffFields(a: Obj, b: Obj, scope: Scope = {}): FieldChanges {
  const out: FieldChanges = { changed: new FieldSet(), removed: new FieldSet() };
  const path: string[] = [];
  for (const k of unionKeys(a, b)) {
    if (k === "apiVersion" || k === "kind") continue;
    if (scope.status ? k !== "status" : scope.hasStatus && k === "status") continue;
    const va = a[k];
    const vb = b[k];
    if (k === "metadata" && (isObj(va) || isObj(vb))) {
      if (isObj(va) && isObj(vb)) {
        path.push(fieldElement("metadata"));
        for (const mk of unionKeys(va, vb)) if (!STRIPPED_META.has(mk)) diffValue(out, path, "metadata", mk, va[mk], vb[mk]);
        path.pop();
      } else {
        // metadata that is not an object on one side: as fieldsOf reads each side.
        if (va !== undefined) out.removed.add(fieldsOf({ metadata: va }));
        if (vb !== undefined) out.changed.add(fieldsOf({ metadata: vb }));
      }
      continue;
    }
    diffValue(out, path, "", k, va, vb);
  }
  return out;
}

function unionKeys(a: Obj, b: Obj): string[] {
  const keys = Object.keys(a);
  for (const k of Object.keys(b)) if (!(k in a)) keys.push(k);
  return keys;
}

/** A value's children by path element, as fieldsOf lays them out ("set" for a set, undefined for a leaf). */
function layout(parent: string, field: string, v: unknown): Map<string, { parent: string; field: string; value: unknown; member: boolean }> | "set" | undefined {
  const shape = shapeOf(parent, field, v);
  if (shape === "leaf" || shape === "set") return shape === "set" ? "set" : undefined;
  const out = new Map<string, { parent: string; field: string; value: unknown; member: boolean }>();
  if (shape === "map") {
    for (const [k, x] of Object.entries(v as Obj)) if (x !== undefined) out.set(fieldElement(k), { parent: field, field: k, value: x, member: false });
  } else {
    // Inside an item, fields are looked up under the list's own name, as addValue does.
    (v as unknown[]).forEach((item, i) => out.set(shape[i]!, { parent, field, value: item, member: true }));
  }
  return out;
}

/** The field set of one field's value, rooted at the field's own node. */
function subtree(parent: string, field: string, v: unknown): FieldSet {
  const root = new FieldSet();
  addValue(root, parent, field, v);
  return root.children.get(fieldElement(field))!;
}

function diffValue(out: FieldChanges, path: string[], parent: string, field: string, va: unknown, vb: unknown): void {
  if (va === undefined && vb === undefined) return;
  const e = fieldElement(field);
  if (va === undefined) return void out.changed.at(path).child(e).add(subtree(parent, field, vb));
  if (vb === undefined) return void out.removed.at(path).child(e).add(subtree(parent, field, va));
  if (sameJson(va, vb)) return;
  const la = layout(parent, field, va);
  const lb = layout(parent, field, vb);
  path.push(e);
  if (la === undefined && lb === undefined) out.changed.insert(path);
  else if (la === "set" && lb === "set") {
    const ea = new Set((va as unknown[]).map(valueElement));
    const eb = new Set((vb as unknown[]).map(valueElement));
    for (const x of eb) if (!ea.has(x)) out.changed.insert([...path, x]);
    for (const x of ea) if (!eb.has(x)) out.removed.insert([...path, x]);
  } else if (la instanceof Map && lb instanceof Map && (la.values().next().value?.member ?? false) === (lb.values().next().value?.member ?? false)) {
    // Both maps, or both associative lists: child by child.
    for (const [k, ca] of la) {
      const cb = lb.get(k);
      if (ca.member) diffItem(out, path, k, ca.field, ca.value, cb?.value);
      else diffValue(out, path, ca.parent, ca.field, ca.value, cb?.value);
    }
    for (const [k, cb] of lb) {
      if (la.has(k)) continue;
      if (cb.member) diffItem(out, path, k, cb.field, undefined, cb.value);
      else diffValue(out, path, cb.parent, cb.field, undefined, cb.value);
    }
  } else {
    // The value changed shape (a map became a scalar, a list lost its keys): no node is a member on both sides.
    out.removed.at(path.slice(0, -1)).child(e).add(subtree(parent, field, va));
    out.changed.at(path.slice(0, -1)).child(e).add(subtree(parent, field, vb));
  }
  path.pop();
}

/** One item of an associative list (`list` is the list's field name), present on either side or both. */
function diffItem(out: FieldChanges, path: string[], element: string, list: string, a: unknown, b: unknown): void {
  path.push(element);
  if (a === undefined || b === undefined) {
    const node = new FieldSet();
    node.member = true;
    for (const [k, x] of Object.entries((a ?? b) as Obj)) if (x !== undefined) addValue(node, list, k, x);
    (a === undefined ? out.changed : out.removed).at(path.slice(0, -1)).child(element).add(node);
  } else if (!sameJson(a, b)) {
    const ao = a as Obj;
    const bo = b as Obj;
    for (const k of unionKeys(ao, bo)) diffValue(out, path, list, k, ao[k], bo[k]);
  }
  path.pop();
}

/** Finds the item of `list` at path element `e` (`k:…`, `v:…`, `i:…`); -1 when absent. */
function indexOf(list: unknown[], e: string, keys: string[] | "set" | undefined): number {
  if (e.startsWith("i:")) {
    const i = Number(e.slice(2));
    return i < list.length ? i : -1;
  }
  if (e.startsWith("v:")) return list.findIndex((x) => valueElement(x) === e);
  if (!Array.isArray(keys)) return -1;
  return list.findIndex((x) => {
    const k = itemKey(x, keys);
    return k !== undefined && keyElement(k) === e;
  });
}

/** Where a walk down a path stands: the value there and the field names that say how its lists are keyed. */
export interface PathCursor {
  value: unknown;
  parent: string;
  field: string;
}

/** One step of {@link valueAt}: from `c` to path element `e` (value undefined when absent). */
export function stepInto(c: PathCursor, e: string): PathCursor {
  if (e.startsWith("f:")) {
    const field = e.slice(2);
    return { value: isObj(c.value) ? c.value[field] : undefined, parent: c.field, field };
  }
  if (!Array.isArray(c.value)) return { value: undefined, parent: c.parent, field: c.field };
  const i = indexOf(c.value, e, listKind(c.parent, c.field));
  return { value: i < 0 ? undefined : c.value[i], parent: c.parent, field: c.field };
}

/** The value at a path, or undefined. */
export function valueAt(obj: unknown, path: readonly string[]): unknown {
  let cur: unknown = obj;
  let parent = "";
  let field = "";
  for (const e of path) {
    if (e.startsWith("f:")) {
      if (!isObj(cur)) return undefined;
      parent = field;
      field = e.slice(2);
      cur = cur[field];
    } else {
      if (!Array.isArray(cur)) return undefined;
      const i = indexOf(cur, e, listKind(parent, field));
      if (i < 0) return undefined;
      cur = cur[i];
    }
  }
  return cur;
}

/** Removes the value at a path (a field, a list item or a set member); false when it was not there. */
export function removeAt(obj: Obj, path: readonly string[]): boolean {
  if (path.length === 0) return false;
  const last = path[path.length - 1]!;
  const container = valueAt(obj, path.slice(0, -1));
  if (last.startsWith("f:")) {
    if (!isObj(container) || !(last.slice(2) in container)) return false;
    delete container[last.slice(2)];
    return true;
  }
  if (!Array.isArray(container)) return false;
  const fields = path.filter((e) => e.startsWith("f:")).map((e) => e.slice(2));
  const i = indexOf(container, last, listKind(fields[fields.length - 2] ?? "", fields[fields.length - 1] ?? ""));
  if (i < 0) return false;
  container.splice(i, 1);
  return true;
}

/**
 * Merges an applied configuration into a live value: maps field by field,
 * associative lists item by item (live order kept, new items appended),
 * sets as unions; anything else is replaced.
 */
export function mergeApplied(live: unknown, applied: unknown, parent = "", field = ""): unknown {
  if (isObj(applied) && isObj(live) && !atomicMap(field, applied)) {
    const out: Obj = { ...live };
    for (const [k, v] of Object.entries(applied)) out[k] = mergeApplied(live[k], v, field, k);
    return out;
  }
  if (Array.isArray(applied) && Array.isArray(live)) {
    const kind = listKind(parent, field);
    if (kind === "set") return [...live, ...applied.filter((x) => !live.some((y) => valueElement(y) === valueElement(x)))];
    if (kind && keysOf(live, kind) && keysOf(applied, kind)) {
      const out = [...live];
      for (const item of applied) {
        const e = keyElement(itemKey(item, kind)!);
        const i = indexOf(out, e, kind);
        // Inside an item, fields are looked up under the list's own name (`containers.ports`).
        if (i >= 0) out[i] = mergeApplied(out[i], item, parent, field);
        else out.push(structuredClone(item));
      }
      return out;
    }
  }
  return structuredClone(applied);
}
