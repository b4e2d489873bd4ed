/**
 * HTTP verb + resource URL + query + body → the apiserver message, as
 * kube-apiserver's REST handlers decide it (get/list/watch/create/update/
 * patch/delete/deletecollection and the subresources).
 */
import type { KubeObject } from "../../api/meta.ts";
import type { ApiRequest, DeleteOptions, ListOptions, PatchType, ResourceRef, WriteOptions } from "../../api/protocol.ts";
import { isObject, mediaType } from "./body.ts";
import { groupVersion } from "./discovery.ts";
import { badRequest, HttpStatusError, methodNotAllowed } from "./errors.ts";
import type { ResourceRoute } from "./route.ts";

/** A watch request, before the front adds its own address as the watcher. */
export type WatchRequest = Omit<Extract<ApiRequest, { type: "api.watch" }>, "watcher">;

/** `GET pods/<name>/log` options (core/v1 PodLogOptions). */
export interface LogRequest {
  namespace: string;
  name: string;
  container?: string;
  follow?: boolean;
  previous?: boolean;
  tailLines?: number;
  timestamps?: boolean;
  sinceSeconds?: number;
  sinceTime?: number;
  limitBytes?: number;
}

/** What to do for one request. */
export type Plan =
  | { kind: "ask"; request: ApiRequest; successCode: number; asScale?: boolean }
  | { kind: "watch"; request: WatchRequest }
  | { kind: "logs"; request: LogRequest; identity: { user?: string; groups?: string[] } };

/** Everything the mapping reads from an HTTP request. */
export interface RequestInput {
  method: string;
  route: ResourceRoute;
  query: URLSearchParams;
  body: unknown;
  contentType?: string;
  user?: string;
  groups?: string[];
  /** The User-Agent header: the default field manager, as kube-apiserver derives it. */
  userAgent?: string;
}

const PATCH_TYPES: Record<string, PatchType> = {
  "application/merge-patch+json": "merge",
  "application/json-patch+json": "json",
  "application/strategic-merge-patch+json": "strategic",
  "application/apply-patch+yaml": "apply",
  "application/apply-patch+cbor": "apply",
};

/** Maps one HTTP request to what the apiserver must be asked; every ask carries the caller's identity. */
export function planRequest(input: RequestInput): Plan {
  const plan = planFor(input);
  const identity: { user?: string; groups?: string[] } = {};
  if (input.user !== undefined) identity.user = input.user;
  if (input.groups !== undefined) identity.groups = input.groups;
  if (plan.kind === "logs") plan.identity = identity;
  else Object.assign(plan.request, identity);
  return plan;
}

function planFor(input: RequestInput): Plan {
  const { method, route, query } = input;
  const ref: ResourceRef = { resource: route.resource.plural, group: route.resource.group };
  if (route.namespace !== undefined) ref.namespace = route.namespace;
  const { name, subresource } = route;
  const what = `${route.resource.plural}${subresource ? "/" + subresource : ""}`;
  switch (method) {
    case "GET": {
      if (name === undefined) {
        if (isTrue(query.get("watch"))) return { kind: "watch", request: watchRequest(ref, query) };
        return { kind: "ask", request: { type: "api.list", ...ref, ...listOptions(query) }, successCode: 200 };
      }
      if (subresource === "log") return { kind: "logs", request: logRequest(route.namespace ?? "default", name, query), identity: {} };
      const get: ApiRequest = { type: "api.get", ...ref, name };
      if (subresource) get.subresource = subresource;
      return { kind: "ask", request: get, successCode: 200, asScale: subresource === "scale" };
    }
    case "POST": {
      if (name === undefined) {
        const object = bodyObject(input, route, true);
        return { kind: "ask", request: { type: "api.create", ...ref, object, ...writeOptions(query, input) }, successCode: 201 };
      }
      if (subresource === "binding" || subresource === "eviction") {
        const object = bodyObject(input, route, false);
        return { kind: "ask", request: { type: "api.create", ...ref, name, subresource, object, ...writeOptions(query, input) }, successCode: 201 };
      }
      throw methodNotAllowed(method, what);
    }
    case "PUT": {
      if (name === undefined || (subresource !== undefined && subresource !== "status" && subresource !== "scale")) throw methodNotAllowed(method, what);
      const object = bodyObject(input, route, subresource !== "scale");
      object.metadata ??= {};
      if (!object.metadata.name) object.metadata.name = name;
      if (object.metadata.name !== name) throw badRequest(`the name of the object (${object.metadata.name}) does not match the name on the URL (${name})`);
      const request: ApiRequest = { type: "api.update", ...ref, object, ...writeOptions(query, input) };
      if (subresource) request.subresource = subresource;
      return { kind: "ask", request, successCode: 200 };
    }
    case "PATCH": {
      if (name === undefined || (subresource !== undefined && subresource !== "status" && subresource !== "scale")) throw methodNotAllowed(method, what);
      const patchType = patchTypeOf(input.contentType);
      if (input.body === undefined) throw badRequest("the body of a patch request must not be empty");
      if (patchType === "json" ? !Array.isArray(input.body) : !isObject(input.body)) throw badRequest(`the patch body must be a JSON ${patchType === "json" ? "array" : "object"}`);
      const request: ApiRequest = { type: "api.patch", ...ref, name, patchType, patch: input.body, ...writeOptions(query, input, patchType === "apply") };
      if (subresource) request.subresource = subresource;
      if (isTrue(query.get("force"))) request.force = true;
      return { kind: "ask", request, successCode: 200 };
    }
    case "DELETE": {
      if (subresource !== undefined) throw methodNotAllowed(method, what);
      const options = deleteOptions(query, input.body);
      if (name === undefined) return { kind: "ask", request: { type: "api.deletecollection", ...ref, ...listOptions(query), ...options }, successCode: 200 };
      return { kind: "ask", request: { type: "api.delete", ...ref, name, ...options }, successCode: 200 };
    }
    default:
      throw methodNotAllowed(method, what);
  }
}

/** The patch type of a PATCH's Content-Type; 415 for any other media type. */
export function patchTypeOf(contentType: string | undefined): PatchType {
  const patchType = PATCH_TYPES[mediaType(contentType)];
  if (!patchType) throw new HttpStatusError("UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: ${Object.keys(PATCH_TYPES).join(", ")}`);
  return patchType;
}

function isTrue(v: string | null): boolean {
  return v === "1" || v === "true";
}

function int(query: URLSearchParams, key: string): number | undefined {
  const v = query.get(key);
  if (v === null || v === "") return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`invalid value for ${key}: ${JSON.stringify(v)}: must be a non-negative integer`);
  return n;
}

/** labelSelector, fieldSelector, limit, continue, resourceVersion. */
function listOptions(query: URLSearchParams): ListOptions {
  const out: ListOptions = {};
  for (const key of ["labelSelector", "fieldSelector", "continue", "resourceVersion"] as const) {
    const v = query.get(key);
    if (v !== null && v !== "") out[key] = v;
  }
  const limit = int(query, "limit");
  if (limit) out.limit = limit;
  return out;
}

function watchRequest(ref: ResourceRef, query: URLSearchParams): WatchRequest {
  const request: WatchRequest = { type: "api.watch", ...ref, ...listOptions(query) };
  delete request.limit;
  delete request.continue;
  if (isTrue(query.get("allowWatchBookmarks"))) request.allowWatchBookmarks = true;
  const timeout = int(query, "timeoutSeconds");
  if (timeout !== undefined) request.timeoutSeconds = timeout;
  return request;
}

function dryRun(values: unknown[]): "All" | undefined {
  if (values.length === 0) return undefined;
  for (const v of values) if (v !== "All") throw badRequest(`Invalid dry run value: ${JSON.stringify(v)}: supported values: "All"`);
  return "All";
}

/**
 * dryRun and fieldManager. Without a fieldManager the manager is the
 * User-Agent's product name (`kubectl/v1.32 (linux…)` → `kubectl`); an
 * apply must name one.
 */
function writeOptions(query: URLSearchParams, input: RequestInput, apply = false): WriteOptions {
  const out: WriteOptions = {};
  if (dryRun(query.getAll("dryRun"))) out.dryRun = "All";
  const manager = query.get("fieldManager");
  if (manager !== null && manager.length > 128) throw badRequest(`fieldManager: Too long: may not be more than 128 bytes`);
  if (manager) out.fieldManager = manager;
  else if (apply) throw badRequest("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
  else {
    const agent = (input.userAgent ?? "").split("/")[0]!.trim().slice(0, 128);
    if (agent) out.fieldManager = agent;
  }
  return out;
}

function positive(query: URLSearchParams, key: string, min: number): number | undefined {
  const n = int(query, key);
  if (n !== undefined && n < min) throw badRequest(`${key}: Invalid value: ${n}: must be greater than or equal to ${min}`);
  return n;
}

/** PodLogOptions from the query. */
function logRequest(namespace: string, name: string, query: URLSearchParams): LogRequest {
  const out: LogRequest = { namespace, name };
  const container = query.get("container");
  if (container) out.container = container;
  if (isTrue(query.get("follow"))) out.follow = true;
  if (isTrue(query.get("previous"))) out.previous = true;
  if (isTrue(query.get("timestamps"))) out.timestamps = true;
  const tail = int(query, "tailLines");
  if (tail !== undefined) out.tailLines = tail;
  const since = positive(query, "sinceSeconds", 1);
  const sinceTime = query.get("sinceTime");
  if (since !== undefined && sinceTime) throw badRequest("at most one of sinceTime or sinceSeconds may be specified");
  if (since !== undefined) out.sinceSeconds = since;
  if (sinceTime) {
    const t = Date.parse(sinceTime);
    if (Number.isNaN(t)) throw badRequest(`sinceTime: Invalid value: ${JSON.stringify(sinceTime)}: must be an RFC3339 time`);
    out.sinceTime = t;
  }
  const limit = positive(query, "limitBytes", 1);
  if (limit !== undefined) out.limitBytes = limit;
  return out;
}

/** DeleteOptions from the body (kubectl sends one) and the query, the query winning. */
function deleteOptions(query: URLSearchParams, body: unknown): { options?: DeleteOptions } {
  const options: DeleteOptions = {};
  if (body !== undefined) {
    if (!isObject(body)) throw badRequest("the body of a delete request must be a DeleteOptions object");
    if (typeof body.gracePeriodSeconds === "number") options.gracePeriodSeconds = body.gracePeriodSeconds;
    if (typeof body.propagationPolicy === "string") options.propagationPolicy = propagation(body.propagationPolicy);
    if (isObject(body.preconditions)) {
      const p = body.preconditions;
      options.preconditions = {};
      if (typeof p.uid === "string") options.preconditions.uid = p.uid;
      if (typeof p.resourceVersion === "string") options.preconditions.resourceVersion = p.resourceVersion;
    }
    if (Array.isArray(body.dryRun) && dryRun(body.dryRun)) options.dryRun = "All";
    if (body.orphanDependents === true) options.propagationPolicy ??= "Orphan";
  }
  const grace = int(query, "gracePeriodSeconds");
  if (grace !== undefined) options.gracePeriodSeconds = grace;
  const policy = query.get("propagationPolicy");
  if (policy) options.propagationPolicy = propagation(policy);
  if (dryRun(query.getAll("dryRun"))) options.dryRun = "All";
  return Object.keys(options).length ? { options } : {};
}

function propagation(v: string): DeleteOptions["propagationPolicy"] {
  if (v === "Orphan" || v === "Background" || v === "Foreground") return v;
  throw badRequest(`propagationPolicy: Unsupported value: ${JSON.stringify(v)}: supported values: "Foreground", "Background", "Orphan"`);
}

/**
 * The body as an object. For the resource itself (and its status) missing
 * apiVersion/kind default to the endpoint's, as kube-apiserver's decoder
 * does; a different one is refused; the namespace must match the URL's.
 */
function bodyObject(input: RequestInput, route: ResourceRoute, ownKind: boolean): KubeObject {
  const body = input.body;
  if (!isObject(body)) throw badRequest(body === undefined ? "the request body must not be empty" : "the request body must be a JSON or YAML object");
  const object = body as KubeObject;
  if (object.metadata !== undefined && !isObject(object.metadata)) throw badRequest("metadata must be an object");
  object.metadata ??= {};
  if (ownKind) {
    const r = route.resource;
    const apiVersion = groupVersion(r.group, r.version);
    object.apiVersion ??= apiVersion;
    object.kind ??= r.kind;
    if (object.apiVersion !== apiVersion || object.kind !== r.kind) {
      throw badRequest(`the object's apiVersion/kind (${String(object.apiVersion)}, ${String(object.kind)}) does not match the endpoint's (${apiVersion}, ${r.kind})`);
    }
  }
  if (route.namespace !== undefined && ownKind) {
    const ns = object.metadata.namespace;
    if (ns === undefined || ns === "") object.metadata.namespace = route.namespace;
    else if (ns !== route.namespace) throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
  }
  return object;
}
