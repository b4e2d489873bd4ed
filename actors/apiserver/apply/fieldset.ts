/**
 * Field sets, as server-side apply tracks ownership: a tree whose edges are
 * path elements (`f:name` a field, `k:{"name":"web"}` a list item by its
 * keys, `v:"x"` a set member, `i:0` a position) and whose nodes may be
 * members themselves. `metadata.managedFields[].fieldsV1` is this tree as
 * JSON: a member with children carries `".": {}`, a leaf member is `{}`.
 */

/** One node of a field set. */
export class FieldSet {
  /** Whether the path leading here is in the set. */
  member = false;
  readonly children = new Map<string, FieldSet>();

  /** The child at `element`, made if missing. */
  child(element: string): FieldSet {
    let c = this.children.get(element);
    if (!c) this.children.set(element, (c = new FieldSet()));
    return c;
  }

  /** Inserts the path `elements`. */
  insert(elements: readonly string[]): void {
    let node: FieldSet = this;
    for (const e of elements) node = node.child(e);
    node.member = true;
  }

  /** True when the path is in the set. */
  has(elements: readonly string[]): boolean {
    let node: FieldSet | undefined = this;
    for (const e of elements) {
      node = node.children.get(e);
      if (!node) return false;
    }
    return node.member;
  }

  /** True when nothing is in the set. */
  empty(): boolean {
    if (this.member) return false;
    for (const c of this.children.values()) if (!c.empty()) return false;
    return true;
  }

  /** Every member path, parents before children. */
  *paths(prefix: string[] = []): Generator<string[]> {
    if (this.member) yield prefix;
    for (const [e, c] of this.children) yield* c.paths([...prefix, e]);
  }

  /** A deep copy. */
  clone(): FieldSet {
    const out = new FieldSet();
    out.member = this.member;
    for (const [e, c] of this.children) out.children.set(e, c.clone());
    return out;
  }

  /** Adds every member of `other` to this set (in place). */
  add(other: FieldSet): void {
    mergeMembers(this, other);
  }

  /** The node at `elements` below this one, made if missing. */
  at(elements: readonly string[]): FieldSet {
    let node: FieldSet = this;
    for (const e of elements) node = node.child(e);
    return node;
  }

  /** This ∪ other (a new set); branches of other without members are not copied. */
  union(other: FieldSet): FieldSet {
    const out = this.clone();
    mergeMembers(out, other);
    return out;
  }

  /** This − other (a new set): members of other are dropped, empty branches pruned. */
  difference(other: FieldSet): FieldSet {
    return combine(this, other, false) ?? new FieldSet();
  }

  /** Members of both (a new set), empty branches pruned. */
  intersection(other: FieldSet): FieldSet {
    return combine(this, other, true) ?? new FieldSet();
  }

  /** The `fieldsV1` JSON of this set. */
  toJSON(): Record<string, unknown> {
    return encode(this) ?? {};
  }

  /** Reads `fieldsV1`; throws on a malformed tree. */
  static fromJSON(json: unknown, root = true): FieldSet {
    if (typeof json !== "object" || json === null || Array.isArray(json)) throw new Error("fieldsV1 must be an object tree");
    const out = new FieldSet();
    const entries = Object.entries(json as Record<string, unknown>);
    out.member = !root && (entries.length === 0 || Object.hasOwn(json, "."));
    for (const [k, v] of entries) {
      if (k === ".") continue;
      if (!/^[fkvi]:/.test(k)) throw new Error(`fieldsV1: unknown path element ${JSON.stringify(k)}`);
      out.children.set(k, FieldSet.fromJSON(v, false));
    }
    return out;
  }
}

// The walks below visit each node once (set operations by path would walk from the root for every member).

/** Members of `a` that are (keep = true) or are not (keep = false) members of `b`; undefined when none. */
function combine(a: FieldSet, b: FieldSet | undefined, keep: boolean): FieldSet | undefined {
  if (keep && !b) return undefined;
  const out = new FieldSet();
  out.member = a.member && (b?.member ?? false) === keep;
  for (const [e, c] of a.children) {
    const r = combine(c, b?.children.get(e), keep);
    if (r) out.children.set(e, r);
  }
  return out.member || out.children.size > 0 ? out : undefined;
}

/** Adds every member path of `from` to `into`. */
function mergeMembers(into: FieldSet, from: FieldSet): void {
  if (from.member) into.member = true;
  for (const [e, c] of from.children) {
    const have = into.children.get(e);
    if (have) mergeMembers(have, c);
    else {
      const copy = combine(c, undefined, false);
      if (copy) into.children.set(e, copy);
    }
  }
}

/** `fieldsV1` of a node, children sorted; undefined for a node without members. */
function encode(node: FieldSet): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  let members = node.member;
  if (node.member && node.children.size > 0) out["."] = {};
  const keys = [...node.children.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const e of keys) {
    const c = encode(node.children.get(e)!);
    if (c) {
      out[e] = c;
      members = true;
    }
  }
  return members ? out : undefined;
}

/** `f:name` */
export const fieldElement = (name: string) => `f:${name}`;

/** `k:{"containerPort":80,"protocol":"TCP"}` (keys sorted, as structured-merge-diff writes them). */
export function keyElement(keys: Record<string, unknown>): string {
  const sorted = Object.keys(keys).sort();
  return `k:{${sorted.map((k) => `${JSON.stringify(k)}:${JSON.stringify(keys[k])}`).join(",")}}`;
}

/** `v:"value"` */
export const valueElement = (v: unknown) => `v:${JSON.stringify(v)}`;

/** A path as Kubernetes prints it in conflicts: `.spec.template.spec.containers[name="web"].image`. */
export function pathString(elements: readonly string[]): string {
  return elements
    .map((e) => {
      const body = e.slice(2);
      switch (e[0]) {
        case "f":
          return `.${body}`;
        case "k": {
          const keys = JSON.parse(body) as Record<string, unknown>;
          return `[${Object.keys(keys).sort().map((k) => `${k}=${JSON.stringify(keys[k])}`).join(",")}]`;
        }
        case "v":
          return `[=${body}]`;
        default:
          return `[${body}]`;
      }
    })
    .join("");
}
