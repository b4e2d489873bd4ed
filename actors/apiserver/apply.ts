/**
 * Server-side apply (`PATCH` with `application/apply-patch+yaml`): the
 * applied configuration is merged into the live object; fields the same
 * manager applied before and now leaves out are removed (unless someone
 * else owns them); changing a field another manager owns is a conflict
 * (409, listing fields and managers) unless `force` moves the field to the
 * applier. Ownership is recorded in `metadata.managedFields`, which every
 * other write keeps up to date through {@link trackUpdate}.
 */
import type { KubeObject } from "../api/meta.ts";
import { badRequest, failure, StatusError, type StatusCause } from "../api/status.ts";
import { FieldSet, pathString } from "./apply/fieldset.ts";
import { decodeOwners, describeOwner, encodeOwners, sameOwner, trackUpdate, type Owner, type Writer } from "./apply/managed.ts";
import { fieldsOf, mergeApplied, removeAt, valueAt, type Scope } from "./apply/paths.ts";

export { defaultManager, trackUpdate, type Writer } from "./apply/managed.ts";
export type { Scope } from "./apply/paths.ts";

/** The annotation client-side `kubectl apply` keeps its last configuration in. */
export const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/** What an apply needs besides the objects. */
export interface ApplyOptions extends Writer {
  /** Take conflicting fields from their managers instead of failing. */
  force?: boolean;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Checks an applied configuration: an object naming apiVersion and kind
 * (those of the endpoint) and the URL's name. Returns a copy.
 */
export function appliedConfig(patch: unknown, apiVersion: string, kind: string, name: string): KubeObject {
  if (!isObj(patch)) throw badRequest("the applied configuration must be an object");
  const obj = structuredClone(patch) as KubeObject;
  if (typeof obj.apiVersion !== "string" || obj.apiVersion === "") throw badRequest("invalid object type: apiVersion must be set in an applied configuration");
  if (typeof obj.kind !== "string" || obj.kind === "") throw badRequest("invalid object type: kind must be set in an applied configuration");
  if (obj.apiVersion !== apiVersion || obj.kind !== kind) throw badRequest(`the applied configuration's apiVersion/kind (${obj.apiVersion}, ${obj.kind}) does not match the endpoint's (${apiVersion}, ${kind})`);
  if (obj.metadata !== undefined && !isObj(obj.metadata)) throw badRequest("metadata must be an object");
  obj.metadata ??= {};
  if (obj.metadata.name !== undefined && obj.metadata.name !== name) throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
  obj.metadata.name = name;
  delete obj.metadata.managedFields;
  return obj;
}

/** The object a first apply creates, owned entirely by the applier. */
export function applyCreate(applied: KubeObject, w: ApplyOptions): KubeObject {
  const obj = structuredClone(applied);
  if (w.scope.hasStatus) delete obj.status;
  obj.metadata.managedFields = encodeOwners([{ manager: w.manager, operation: "Apply", apiVersion: w.apiVersion, time: w.time, set: fieldsOf(obj, w.scope) }]);
  return obj;
}

/**
 * Applies `applied` to `live`: the merged object with its new managedFields,
 * or a 409 naming every conflicting field and its manager.
 */
export function applyTo(live: KubeObject, applied: KubeObject, w: ApplyOptions): KubeObject {
  const mine: Owner = { manager: w.manager, operation: "Apply", apiVersion: w.apiVersion, time: w.time, set: fieldsOf(applied, w.scope), ...(w.subresource ? { subresource: w.subresource } : {}) };
  const owners = decodeOwners(live.metadata.managedFields) ?? [];
  const previous = owners.find((o) => sameOwner(o, mine))?.set ?? new FieldSet();
  const others = owners.filter((o) => !sameOwner(o, mine));

  const config = scoped(applied, w.scope);
  const merged = mergeApplied(live, config) as KubeObject;
  merged.metadata = { ...merged.metadata, name: live.metadata.name, resourceVersion: live.metadata.resourceVersion };

  // Fields this manager applied before and no longer sets go, unless another manager owns them.
  const ownedByOthers = others.reduce((acc, o) => acc.union(o.set), new FieldSet());
  const removed: string[][] = [];
  for (const path of previous.difference(mine.set).difference(ownedByOthers).paths()) {
    // Parents come first: an item goes whole (its children with it), and one another manager still has fields under stays.
    if (removed.some((r) => startsWith(path, r)) || ownsBelow(ownedByOthers, path)) continue;
    if (removeAt(merged as unknown as Obj, path)) removed.push(path);
  }

  const conflicts: { owner: Owner; path: string[] }[] = [];
  for (const path of mine.set.paths()) {
    const leaf = isLeaf(mine.set, path);
    const before = valueAt(live, path);
    const after = valueAt(merged, path);
    if (leaf ? same(before, after) : (before === undefined) === (after === undefined)) continue;
    for (const o of others) if (o.set.has(path)) conflicts.push({ owner: o, path });
  }
  if (conflicts.length && !w.force) {
    // kubectl taking over from its own client-side apply: fields of the last applied configuration change hands freely.
    const allowed = w.manager === "kubectl" ? lastAppliedFields(live, w.scope) : undefined;
    const blocking = allowed ? conflicts.filter((c) => !allowed.has(c.path)) : conflicts;
    if (blocking.length) throw applyConflict(blocking);
  }
  for (const c of conflicts) c.owner.set = c.owner.set.difference(single(c.path));

  const result = [...others, mine];
  // Nobody owns what is no longer there.
  for (const o of result) o.set = keepExisting(o.set, merged);
  merged.metadata.managedFields = encodeOwners(orderOwners(owners, result, mine));
  updateLastApplied(merged, applied);
  return merged;
}

/** The part of an applied configuration a write in `scope` may set. */
function scoped(applied: KubeObject, scope: Scope): KubeObject {
  const c = structuredClone(applied);
  if (scope.status) return { apiVersion: c.apiVersion, kind: c.kind, metadata: { name: c.metadata.name }, status: c.status };
  if (scope.hasStatus) delete c.status;
  return c;
}

function isLeaf(set: FieldSet, path: string[]): boolean {
  let node: FieldSet | undefined = set;
  for (const e of path) node = node?.children.get(e);
  return !node || node.children.size === 0;
}

function startsWith(path: string[], prefix: string[]): boolean {
  return prefix.length <= path.length && prefix.every((e, i) => path[i] === e);
}

function ownsBelow(set: FieldSet, path: string[]): boolean {
  let node: FieldSet | undefined = set;
  for (const e of path) node = node?.children.get(e);
  return node !== undefined && !node.empty();
}

function single(path: string[]): FieldSet {
  const s = new FieldSet();
  s.insert(path);
  return s;
}

function keepExisting(set: FieldSet, obj: KubeObject): FieldSet {
  const out = new FieldSet();
  for (const p of set.paths()) if (valueAt(obj, p) !== undefined) out.insert(p);
  return out;
}

/** Keeps entries where they were; a new Apply entry goes last. */
function orderOwners(before: Owner[], after: Owner[], mine: Owner): Owner[] {
  const at = before.findIndex((o) => sameOwner(o, mine));
  const rest = after.filter((o) => o !== mine);
  if (at < 0) return [...rest, mine];
  const out = [...rest];
  out.splice(Math.min(at, out.length), 0, mine);
  return out;
}

/** The fields of the client-side apply annotation, if the object has a readable one. */
function lastAppliedFields(obj: KubeObject, scope: Scope): FieldSet | undefined {
  const text = obj.metadata.annotations?.[LAST_APPLIED];
  if (!text) return undefined;
  try {
    const last = JSON.parse(text) as unknown;
    return isObj(last) ? fieldsOf(last, scope) : undefined;
  } catch {
    return undefined;
  }
}

/** A client-side apply's annotation, when present, follows what was applied so `kubectl apply` keeps working. */
function updateLastApplied(obj: KubeObject, applied: KubeObject): void {
  const annotations = obj.metadata.annotations;
  if (!annotations || !(LAST_APPLIED in annotations)) return;
  const copy = structuredClone(applied);
  if (copy.metadata.annotations) {
    delete copy.metadata.annotations[LAST_APPLIED];
    if (Object.keys(copy.metadata.annotations).length === 0) delete copy.metadata.annotations;
  }
  obj.metadata.annotations = { ...annotations, [LAST_APPLIED]: JSON.stringify(copy) + "\n" };
}

/** 409 with kube-apiserver's message: `Apply failed with 1 conflict: conflict with "kubectl" using apps/v1: .spec.replicas`. */
function applyConflict(conflicts: { owner: Owner; path: string[] }[]): StatusError {
  const causes: StatusCause[] = conflicts.map((c) => ({ reason: "FieldManagerConflict", message: `conflict with ${describeOwner(c.owner)}`, field: pathString(c.path) }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${describeOwner(conflicts[0]!.owner)}: ${pathString(conflicts[0]!.path)}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      const who = describeOwner(c.owner);
      byManager.set(who, [...(byManager.get(who) ?? []), pathString(c.path)]);
    }
    const lines: string[] = [];
    for (const who of [...byManager.keys()].sort()) lines.push(`conflicts with ${who}:`, ...byManager.get(who)!.map((p) => `- ${p}`));
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
  }
  return new StatusError(failure("Conflict", message, { causes }));
}
