/**
 * An `api.*` message as the authorizer sees it: verb, API group, resource
 * and subresource, namespace and name, as kube-apiserver's RequestInfo
 * derives them from a URL.
 */
import { parseFieldSelector } from "../../api/field-selector.ts";
import type { KubeObject } from "../../api/meta.ts";
import type { ApiRequest } from "../../api/protocol.ts";
import type { ResourceDef } from "../registry/resource.ts";
import type { Attributes } from "./rbac-rules.ts";
import type { UserInfo } from "./user.ts";

/** The RBAC verb of each resource message. */
export const VERBS: Partial<Record<ApiRequest["type"], string>> = {
  "api.get": "get",
  "api.list": "list",
  "api.watch": "watch",
  "api.create": "create",
  "api.update": "update",
  "api.patch": "patch",
  "api.delete": "delete",
  "api.deletecollection": "deletecollection",
};

/**
 * The name a list or watch narrows to with `metadata.name=x`, which RBAC's
 * resourceNames can match; a selector that does not parse narrows nothing.
 */
function nameFromFieldSelector(selector: string | undefined): string {
  if (!selector) return "";
  try {
    return parseFieldSelector(selector).exactValue("metadata.name") ?? "";
  } catch {
    return "";
  }
}

/**
 * The attributes of one request; undefined for messages that are not
 * resource requests (`api.unwatch`, `api.discovery`). `def` is the resolved
 * kind when the resource exists.
 */
export function requestAttributes(msg: ApiRequest, user: UserInfo, def: ResourceDef | undefined): Attributes | undefined {
  const verb = VERBS[msg.type];
  if (!verb || !("resource" in msg)) return undefined;
  const object = "object" in msg ? (msg.object as KubeObject | undefined) : undefined;
  let name = "";
  let subresource = "";
  switch (msg.type) {
    case "api.get":
    case "api.patch":
      name = msg.name;
      subresource = msg.subresource ?? "";
      break;
    case "api.delete":
      name = msg.name;
      break;
    case "api.update":
      name = object?.metadata?.name ?? "";
      subresource = msg.subresource ?? "";
      break;
    case "api.create":
      if (msg.subresource) {
        subresource = msg.subresource;
        name = msg.name ?? object?.metadata?.name ?? "";
      }
      break;
    case "api.list":
    case "api.watch":
      name = nameFromFieldSelector(msg.fieldSelector);
      break;
  }
  const namespaced = def ? def.namespaced : Boolean(msg.namespace);
  const collection = msg.type === "api.list" || msg.type === "api.watch" || msg.type === "api.deletecollection";
  let namespace = "";
  if (namespaced) namespace = msg.namespace || object?.metadata?.namespace || (collection ? "" : "default");
  const resource = def?.plural ?? msg.resource;
  const apiGroup = def?.group ?? msg.group ?? "";
  // A namespace is its own namespace, so a RoleBinding there can grant reading it.
  if (apiGroup === "" && resource === "namespaces" && name) namespace = name;
  return { user, verb, resourceRequest: true, apiGroup, resource, subresource, namespace, name, path: "" };
}
