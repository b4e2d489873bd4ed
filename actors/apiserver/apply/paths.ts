/**
 * How objects map onto field sets: which lists are associative (items
 * identified by key fields, as `+listType=map` in the Kubernetes types),
 * which are sets of scalars, and which are atomic (everything else, as
 * structured-merge-diff treats lists it has no schema for). Also reading,
 * removing and merging values along such paths.
 */
import { FieldSet, fieldElement, keyElement, valueElement } from "./fieldset.ts";

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

function addValue(node: FieldSet, parent: string, field: string, v: unknown): void {
  const child = node.child(fieldElement(field));
  if (isObj(v) && Object.keys(v).length > 0 && !atomicMap(field, v)) {
    for (const [k, x] of Object.entries(v)) if (x !== undefined) addValue(child, field, k, x);
    return;
  }
  if (Array.isArray(v) && v.length > 0) {
    const kind = listKind(parent, field);
    if (kind === "set") {
      for (const x of v) child.child(valueElement(x)).member = true;
      return;
    }
    const elements = kind ? keysOf(v, kind) : undefined;
    if (elements) {
      v.forEach((item, i) => {
        const itemNode = child.child(elements[i]!);
        itemNode.member = true;
        for (const [k, x] of Object.entries(item as Obj)) if (x !== undefined) addValue(itemNode, field, k, x);
      });
      return;
    }
  }
  child.member = true;
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
