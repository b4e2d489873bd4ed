/**
 * Patches: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and strategic
 * merge patch (lists merged by their Kubernetes merge keys, `$patch`
 * directives, `$setElementOrder` and `$retainKeys` understood).
 */
import { badRequest, invalid } from "../api/status.ts";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** RFC 7386: objects merge, null deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return structuredClone(patch);
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v) as Json;
  }
  return out;
}

/** RFC 6902 over a deep copy; a failed `test` or a bad path is a 422/400. */
export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest("json patch must be an array of operations");
  let doc = structuredClone(target) as Json;
  for (const [i, raw] of ops.entries()) {
    if (!isObj(raw) || typeof raw.op !== "string" || typeof raw.path !== "string") {
      throw badRequest(`json patch operation ${i}: needs "op" and "path"`);
    }
    const { op, path } = raw;
    switch (op) {
      case "add":
        doc = setAt(doc, path, structuredClone(raw.value as Json), "add");
        break;
      case "replace":
        getAt(doc, path);
        doc = setAt(doc, path, structuredClone(raw.value as Json), "replace");
        break;
      case "remove":
        doc = removeAt(doc, path);
        break;
      case "move": {
        const v = getAt(doc, String(raw.from));
        doc = setAt(removeAt(doc, String(raw.from)), path, v, "add");
        break;
      }
      case "copy":
        doc = setAt(doc, path, structuredClone(getAt(doc, String(raw.from))), "add");
        break;
      case "test":
        if (JSON.stringify(getAt(doc, path)) !== JSON.stringify(raw.value)) {
          throw invalid("JSONPatch", path, [{ reason: "FieldValueInvalid", field: path, message: `test operation failed: value at ${path} differs` }]);
        }
        break;
      default:
        throw badRequest(`json patch operation ${i}: unknown op "${op}"`);
    }
  }
  return doc;
}

function pointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw badRequest(`json patch path "${path}" must start with "/"`);
  return path.slice(1).split("/").map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function getAt(doc: Json, path: string): Json {
  let cur: Json = doc;
  for (const part of pointer(path)) {
    if (Array.isArray(cur)) cur = cur[Number(part)];
    else if (isObj(cur)) cur = cur[part];
    else cur = undefined as unknown as Json;
    if (cur === undefined) throw badRequest(`json patch: path "${path}" does not exist`);
  }
  return cur;
}

function setAt(doc: Json, path: string, value: Json, mode: "add" | "replace"): Json {
  const parts = pointer(path);
  if (parts.length === 0) return value;
  const parent = getAt(doc, "/" + parts.slice(0, -1).map((p) => p.replace(/~/g, "~0").replace(/\//g, "~1")).join("/"));
  const last = parts[parts.length - 1];
  if (Array.isArray(parent)) {
    const idx = last === "-" ? parent.length : Number(last);
    if (!Number.isInteger(idx) || idx < 0 || idx > parent.length) throw badRequest(`json patch: index ${last} out of range at "${path}"`);
    if (mode === "add") parent.splice(idx, 0, value);
    else parent[idx] = value;
  } else if (isObj(parent)) parent[last] = value;
  else throw badRequest(`json patch: "${path}" has no parent object`);
  return doc;
}

function removeAt(doc: Json, path: string): Json {
  const parts = pointer(path);
  const parent = getAt(doc, "/" + parts.slice(0, -1).join("/"));
  const last = parts[parts.length - 1];
  getAt(doc, path);
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else if (isObj(parent)) delete parent[last];
  return doc;
}

/**
 * Merge keys of the built-in list fields, by the field's name and (where a
 * name is ambiguous) its parent's: `ports` in a container is keyed by
 * containerPort, in a Service spec by port.
 */
const mergeKeys: Record<string, string> = {
  containers: "name",
  initContainers: "name",
  ephemeralContainers: "name",
  volumes: "name",
  volumeMounts: "mountPath",
  volumeDevices: "devicePath",
  env: "name",
  imagePullSecrets: "name",
  hostAliases: "ip",
  conditions: "type",
  ownerReferences: "uid",
  topologySpreadConstraints: "topologyKey",
  "container.ports": "containerPort",
  "spec.ports": "port",
  readinessGates: "conditionType",
  resourceClaims: "name",
};

/** Lists merged as sets of primitives (patchStrategy merge on a []string). */
const primitiveSets = new Set(["finalizers"]);

/** Strategic merge patch of `patch` onto `target`. */
export function strategicMergePatch(target: unknown, patch: unknown, parent = ""): unknown {
  if (!isObj(patch)) return structuredClone(patch);
  if (patch.$patch === "replace") {
    const { $patch: _, ...rest } = patch;
    return structuredClone(rest);
  }
  if (patch.$patch === "delete") return undefined;
  const out: Obj = isObj(target) ? { ...target } : {};
  const retain = Array.isArray(patch.$retainKeys) ? new Set(patch.$retainKeys as string[]) : undefined;
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith("$setElementOrder/") || k === "$retainKeys" || k === "$patch") continue;
    if (k.startsWith("$deleteFromPrimitiveList/")) {
      const field = k.slice("$deleteFromPrimitiveList/".length);
      const drop = new Set((v as Json[]).map((x) => JSON.stringify(x)));
      if (Array.isArray(out[field])) out[field] = (out[field] as Json[]).filter((x) => !drop.has(JSON.stringify(x)));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const key = mergeKeys[`${parent}.${k}`] ?? mergeKeys[k];
    if (Array.isArray(v) && key && (out[k] === undefined || Array.isArray(out[k]))) {
      out[k] = mergeList((out[k] as Json[] | undefined) ?? [], v, key, childParent(k)) as Json;
    } else if (Array.isArray(v) && primitiveSets.has(k) && Array.isArray(out[k])) {
      const seen = new Set((out[k] as Json[]).map((x) => JSON.stringify(x)));
      out[k] = [...(out[k] as Json[]), ...v.filter((x) => !seen.has(JSON.stringify(x)))];
    } else if (isObj(v)) {
      const merged = strategicMergePatch(out[k], v, childParent(k));
      if (merged === undefined) delete out[k];
      else out[k] = merged as Json;
    } else out[k] = structuredClone(v);
  }
  if (retain) for (const k of Object.keys(out)) if (!retain.has(k)) delete out[k];
  return out;
}

function childParent(field: string): string {
  return field === "containers" || field === "initContainers" || field === "ephemeralContainers" ? "container" : field;
}

function mergeList(current: Json[], patch: Json[], key: string, parent: string): Json[] {
  if (patch.some((p) => isObj(p) && p.$patch === "replace")) {
    return patch.filter((p) => !(isObj(p) && p.$patch === "replace")).map((p) => structuredClone(p));
  }
  const out = [...current];
  for (const item of patch) {
    if (!isObj(item) || item[key] === undefined) {
      throw badRequest(`strategic merge patch: an element of a list merged by "${key}" lacks "${key}"`);
    }
    const i = out.findIndex((c) => isObj(c) && c[key] === item[key]);
    if (item.$patch === "delete") {
      if (i >= 0) out.splice(i, 1);
    } else if (i >= 0) out[i] = strategicMergePatch(out[i], item, parent) as Json;
    else out.push(strategicMergePatch({}, item, parent) as Json);
  }
  return out;
}
