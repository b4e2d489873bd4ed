/**
 * OpenAPI documents for kubectl: `/openapi/v3` (index + one document per
 * group version) and `/openapi/v2` (JSON only). kubectl reads them to learn
 * that the server validates fields itself (a `fieldValidation` parameter on
 * each kind's PATCH, matched by `x-kubernetes-group-version-kind`), so it
 * sends `fieldValidation=Strict` instead of validating client-side. Schemas
 * are open (`x-kubernetes-preserve-unknown-fields`): the apiserver's registry
 * validates. The PATCH request body lists no strategic-merge media type on
 * purpose: with open schemas kubectl would compute strategic patches with
 * every list atomic, so it must use its built-in patch metadata instead.
 */
import type { DiscoveredResource } from "../../api/protocol.ts";
import { groupVersion } from "./discovery.ts";

/** The server version every document names. */
export const OPENAPI_VERSION = "v1.32.0-actorkube";

const WRITE_PARAMS = ["dryRun", "fieldManager", "fieldValidation"];
const PATCH_MEDIA = ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"];

interface Operation {
  path: string;
  method: "get" | "put" | "patch" | "post" | "delete";
  action: string;
  params: string[];
  consumes?: string[];
  resource: DiscoveredResource;
}

function schemaName(r: Pick<DiscoveredResource, "group" | "version" | "kind">): string {
  return `io.actorkube.${r.group || "core"}.${r.version}.${r.kind}`;
}

function urlPrefix(r: DiscoveredResource): string {
  return r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
}

function operations(r: DiscoveredResource): Operation[] {
  const base = urlPrefix(r) + (r.namespaced ? "/namespaces/{namespace}" : "") + `/${r.plural}`;
  const item = `${base}/{name}`;
  const out: Operation[] = [];
  const op = (path: string, method: Operation["method"], action: string, verb: string, params: string[], consumes?: string[]) => {
    if (r.verbs.includes(verb)) out.push({ path, method, action, params, consumes, resource: r });
  };
  op(base, "get", "list", "list", ["labelSelector", "fieldSelector", "limit", "continue", "resourceVersion", "watch", "timeoutSeconds"]);
  op(base, "post", "post", "create", WRITE_PARAMS);
  op(base, "delete", "deletecollection", "deletecollection", ["labelSelector", "fieldSelector", "dryRun"]);
  op(item, "get", "get", "get", []);
  op(item, "put", "put", "update", WRITE_PARAMS);
  op(item, "patch", "patch", "patch", [...WRITE_PARAMS, "force"], PATCH_MEDIA);
  op(item, "delete", "delete", "delete", ["dryRun", "gracePeriodSeconds", "propagationPolicy"]);
  return out;
}

function gvk(r: DiscoveredResource): { group: string; version: string; kind: string } {
  return { group: r.group, version: r.version, kind: r.kind };
}

function objectSchema(r: DiscoveredResource): Record<string, unknown> {
  const open = { type: "object", "x-kubernetes-preserve-unknown-fields": true };
  return {
    type: "object",
    description: `${r.kind} (${groupVersion(r.group, r.version)}); validated by the apiserver.`,
    properties: { apiVersion: { type: "string" }, kind: { type: "string" }, metadata: open, spec: open, status: open },
    "x-kubernetes-preserve-unknown-fields": true,
    "x-kubernetes-group-version-kind": [gvk(r)],
  };
}

/** The `/openapi/v3` index: one entry per group version, named as kubectl expects (`api/v1`, `apis/apps/v1`). */
export function openApiV3Index(resources: DiscoveredResource[]): Record<string, unknown> {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const r of resources) {
    const key = r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`;
    paths[key] ??= { serverRelativeURL: `/openapi/v3/${key}?hash=${hash(JSON.stringify(openApiV3(resources, r.group, r.version)))}` };
  }
  return { paths };
}

/** The OpenAPI v3 document of one group version, or undefined when it is not served. */
export function openApiV3(resources: DiscoveredResource[], group: string, version: string): Record<string, unknown> | undefined {
  const here = resources.filter((r) => r.group === group && r.version === version);
  if (here.length === 0) return undefined;
  const paths: Record<string, Record<string, unknown>> = {};
  const schemas: Record<string, unknown> = {};
  for (const r of here) {
    schemas[schemaName(r)] = objectSchema(r);
    const ref = { $ref: `#/components/schemas/${schemaName(r)}` };
    for (const o of operations(r)) {
      const entry: Record<string, unknown> = {
        operationId: `${o.action}${r.kind}`,
        "x-kubernetes-action": o.action,
        "x-kubernetes-group-version-kind": gvk(r),
        parameters: o.params.map((name) => ({ name, in: "query", schema: { type: "string", uniqueItems: true } })),
        responses: { "200": { description: "OK", content: { "application/json": { schema: ref } } } },
      };
      const media = o.consumes ?? (o.method === "post" || o.method === "put" ? ["application/json", "application/yaml"] : undefined);
      if (media) entry.requestBody = { content: Object.fromEntries(media.map((m) => [m, { schema: o.method === "patch" ? { type: "object" } : ref }])) };
      paths[o.path] ??= {};
      paths[o.path]![o.method] = entry;
    }
  }
  return { openapi: "3.0.0", info: { title: "Kubernetes", version: OPENAPI_VERSION }, paths, components: { schemas } };
}

/** The OpenAPI v2 (swagger) document of everything served. */
export function openApiV2(resources: DiscoveredResource[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const definitions: Record<string, unknown> = {};
  for (const r of resources) {
    definitions[schemaName(r)] = objectSchema(r);
    for (const o of operations(r)) {
      const entry: Record<string, unknown> = {
        operationId: `${o.action}${r.kind}`,
        "x-kubernetes-action": o.action,
        "x-kubernetes-group-version-kind": gvk(r),
        produces: ["application/json", "application/yaml"],
        parameters: o.params.map((name) => ({ name, in: "query", type: "string", uniqueItems: true })),
        responses: { "200": { description: "OK", schema: { $ref: `#/definitions/${schemaName(r)}` } } },
      };
      if (o.consumes) entry.consumes = o.consumes;
      paths[o.path] ??= {};
      paths[o.path]![o.method] = entry;
    }
  }
  return { swagger: "2.0", info: { title: "Kubernetes", version: OPENAPI_VERSION }, paths, definitions };
}

// FNV-1a: a stable content hash for the index's cache-busting `hash` query; no security role.
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).toUpperCase().padStart(8, "0");
}
