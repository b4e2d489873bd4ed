/**
 * `metadata.managedFields`: who owns which fields. Every write records its
 * manager: an Update takes the fields it changed from everyone else; an
 * Apply owns exactly what its configuration sets (see `../apply.ts`).
 */
import type { KubeObject, ManagedFieldsEntry } from "../../api/meta.ts";
import { FieldSet } from "./fieldset.ts";
import { diffFields, fieldsV1Of, type Scope } from "./paths.ts";

/** A managedFields entry with its field set decoded. */
export interface Owner {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time?: string;
  subresource?: string;
  set: FieldSet;
}

/** Who writes, and when. */
export interface Writer {
  manager: string;
  apiVersion: string;
  /** RFC 3339, seconds. */
  time: string;
  subresource?: string;
  scope: Scope;
}

/** Decodes managedFields; undefined when any entry is malformed (the caller then keeps what it had). */
export function decodeOwners(entries: unknown): Owner[] | undefined {
  if (entries === undefined || entries === null) return [];
  if (!Array.isArray(entries)) return undefined;
  const out: Owner[] = [];
  for (const e of entries) {
    if (typeof e !== "object" || e === null) return undefined;
    const m = e as ManagedFieldsEntry;
    // `[{}]` is how a client clears managedFields.
    if (Object.keys(m).length === 0) continue;
    if (typeof m.manager !== "string" || (m.operation !== "Apply" && m.operation !== "Update")) return undefined;
    if (m.fieldsType !== undefined && m.fieldsType !== "FieldsV1") return undefined;
    let set: FieldSet;
    try {
      set = FieldSet.fromJSON(m.fieldsV1 ?? {});
    } catch {
      return undefined;
    }
    const owner: Owner = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion ?? "", set };
    if (m.time) owner.time = m.time;
    if (m.subresource) owner.subresource = m.subresource;
    out.push(owner);
  }
  return out;
}

/** Encodes owners back into managedFields, dropping those that own nothing; undefined when none is left. */
export function encodeOwners(owners: Owner[]): ManagedFieldsEntry[] | undefined {
  const out: ManagedFieldsEntry[] = [];
  for (const o of owners) {
    if (o.set.empty()) continue;
    const e: ManagedFieldsEntry = { manager: o.manager, operation: o.operation, apiVersion: o.apiVersion };
    if (o.time) e.time = o.time;
    e.fieldsType = "FieldsV1";
    e.fieldsV1 = o.set.toJSON();
    if (o.subresource) e.subresource = o.subresource;
    out.push(e);
  }
  return out.length ? out : undefined;
}

/** The same manager: name, operation and subresource, and for updates the API version (as kube-apiserver keys them). */
export function sameOwner(a: Pick<Owner, "manager" | "operation" | "subresource" | "apiVersion">, b: Pick<Owner, "manager" | "operation" | "subresource" | "apiVersion">): boolean {
  return a.manager === b.manager && a.operation === b.operation && (a.subresource ?? "") === (b.subresource ?? "") && (a.operation === "Apply" || a.apiVersion === b.apiVersion);
}

/** `"kubectl"`, `"kube-controller-manager" using apps/v1 at 2024-01-01T00:00:00Z`, as conflicts name managers. */
export function describeOwner(o: Owner): string {
  let s = JSON.stringify(o.manager);
  if (o.subresource) s += ` with subresource ${JSON.stringify(o.subresource)}`;
  if (o.operation === "Update") s += o.time ? ` using ${o.apiVersion} at ${o.time}` : ` using ${o.apiVersion}`;
  return s;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The managedFields after an Update by `w` turned `old` into `next` (no
 * `old` for a create). A client that sends changed managedFields has them
 * taken as given (that is how ownership is moved or cleared); the fields
 * this write changed then go to its manager and leave every other one.
 */
export function trackUpdate(old: KubeObject | undefined, next: KubeObject, w: Writer): ManagedFieldsEntry[] | undefined {
  const incoming = next.metadata.managedFields;
  const given = incoming !== undefined && (!old || !same(incoming, old.metadata.managedFields)) ? decodeOwners(incoming) : undefined;
  if (!old && !given) {
    // A create: its manager owns every field it sets.
    const fieldsV1 = fieldsV1Of(next as unknown as Record<string, unknown>, w.scope);
    if (!fieldsV1) return undefined;
    const self: ManagedFieldsEntry = { manager: w.manager, operation: "Update", apiVersion: w.apiVersion, time: w.time, fieldsType: "FieldsV1", fieldsV1 };
    if (w.subresource) self.subresource = w.subresource;
    return [self];
  }
  const { changed, removed } = diffFields((old ?? {}) as Record<string, unknown>, next as unknown as Record<string, unknown>, w.scope);
  if (changed.empty() && removed.empty()) return given ? encodeOwners(given) : old?.metadata.managedFields;
  const taken = changed.union(removed);
  if (!given) {
    const kept = updateEntries(old?.metadata.managedFields ?? [], taken, changed, removed, w);
    if (kept) return kept;
  }
  const mine = { manager: w.manager, operation: "Update" as const, apiVersion: w.apiVersion, subresource: w.subresource };
  const owners = given ?? decodeOwners(old?.metadata.managedFields) ?? [];
  for (const o of owners) if (!sameOwner(o, mine)) o.set = o.set.difference(taken);
  let self = owners.find((o) => sameOwner(o, mine));
  if (!self) owners.push((self = { ...mine, set: new FieldSet() }));
  self.set = self.set.union(changed).difference(removed);
  self.time = w.time;
  if (!w.subresource) delete self.subresource;
  return encodeOwners(owners);
}

/**
 * trackUpdate on stored entries, decoding only what the write touches: an
 * entry that owns none of the `taken` fields is kept as it is (most writes
 * leave every other manager alone). Undefined when an entry is malformed.
 */
function updateEntries(entries: ManagedFieldsEntry[], taken: FieldSet, changed: FieldSet, removed: FieldSet, w: Writer): ManagedFieldsEntry[] | undefined {
  const mine = { manager: w.manager, operation: "Update" as const, apiVersion: w.apiVersion, subresource: w.subresource };
  const out: ManagedFieldsEntry[] = [];
  let selfAt = -1;
  let selfSet = new FieldSet();
  for (const e of entries) {
    if (typeof e !== "object" || e === null || typeof e.fieldsV1 !== "object" || e.fieldsV1 === null) return undefined;
    if (typeof e.manager !== "string" || (e.operation !== "Apply" && e.operation !== "Update")) return undefined;
    if (sameOwner({ manager: e.manager, operation: e.operation, apiVersion: e.apiVersion ?? "", subresource: e.subresource }, mine)) {
      selfAt = out.length;
      try {
        selfSet = FieldSet.fromJSON(e.fieldsV1);
      } catch {
        return undefined;
      }
      continue;
    }
    if (!owns(e.fieldsV1, taken)) {
      out.push(e);
      continue;
    }
    let set: FieldSet;
    try {
      set = FieldSet.fromJSON(e.fieldsV1).difference(taken);
    } catch {
      return undefined;
    }
    if (!set.empty()) out.push({ ...e, fieldsV1: set.toJSON() });
  }
  selfSet.add(changed);
  selfSet = selfSet.difference(removed);
  if (!selfSet.empty()) {
    const self: ManagedFieldsEntry = { manager: w.manager, operation: "Update", apiVersion: w.apiVersion, time: w.time, fieldsType: "FieldsV1", fieldsV1: selfSet.toJSON() };
    if (w.subresource) self.subresource = w.subresource;
    if (selfAt < 0) out.push(self);
    else out.splice(selfAt, 0, self);
  }
  return out.length ? out : undefined;
}

/** True when the `fieldsV1` tree `json` has a member that `set` has. */
function owns(json: Record<string, unknown>, set: FieldSet): boolean {
  for (const [e, c] of set.children) {
    const j = json[e];
    if (typeof j !== "object" || j === null) continue;
    if (c.member && (Object.hasOwn(j, ".") || Object.keys(j).length === 0)) return true;
    if (c.children.size > 0 && owns(j as Record<string, unknown>, c)) return true;
  }
  return false;
}

/**
 * The manager name of a write that names none: the component for the
 * control plane's own identities (`system:node:n1` → `kubelet`,
 * `system:kube-scheduler` → `kube-scheduler`), else the user.
 */
export function defaultManager(user: string | undefined): string {
  if (!user) return "unknown";
  if (user.startsWith("system:node:")) return "kubelet";
  if (user === "system:kube-controller-manager" || user === "system:kube-scheduler" || user === "system:kube-proxy") return user.slice("system:".length);
  return user;
}
