/**
 * Resource URLs: `/api/v1/...` and `/apis/<group>/<version>/...` split into
 * the resource, namespace, name and subresource they address.
 */
import type { DiscoveredResource } from "../../api/protocol.ts";
import type { DiscoveryCache } from "./discovery.ts";
import { pathNotFound } from "./errors.ts";

/** Where a path points inside an API group version. */
export interface ApiPath {
  group: string;
  version: string;
  /** The segments after the group version. */
  rest: string[];
}

/** A resource URL, resolved against discovery. */
export interface ResourceRoute {
  resource: DiscoveredResource;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/**
 * Splits a path under `/api` or `/apis`; undefined for other paths. Group
 * without version (`/apis/apps`) gives `version: ""`.
 */
export function splitApiPath(pathname: string): ApiPath | undefined {
  const segs = pathname.split("/").filter((s) => s !== "").map(decodeSegment);
  if (segs[0] === "api") {
    if (segs.length === 1) return undefined;
    return { group: "", version: segs[1]!, rest: segs.slice(2) };
  }
  if (segs[0] === "apis" && segs.length >= 2) return { group: segs[1]!, version: segs[2] ?? "", rest: segs.slice(3) };
  return undefined;
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Resolves the resource part of a path; 404 for unknown resources and impossible shapes. */
export async function resolveRoute(path: ApiPath, discovery: DiscoveryCache): Promise<ResourceRoute> {
  const { group, version, rest } = path;
  if (rest.length === 0) throw pathNotFound();
  if (rest[0] === "namespaces" && rest.length >= 3) {
    const inNs = await discovery.find(group, version, rest[2]!);
    if (inNs && inNs.namespaced) {
      if (rest.length > 5) throw pathNotFound();
      return served({ resource: inNs, namespace: rest[1], name: rest[3], subresource: rest[4] });
    }
  }
  const resource = await discovery.find(group, version, rest[0]!);
  if (!resource || rest.length > 3) throw pathNotFound();
  // A namespaced kind has no items outside a namespace, only the all-namespaces collection.
  if (resource.namespaced && rest.length > 1) throw pathNotFound();
  return served({ resource, name: rest[1], subresource: rest[2] });
}

// A subresource the kind does not serve is a path that does not exist.
function served(route: ResourceRoute): ResourceRoute {
  if (route.subresource !== undefined && !route.resource.subresources.includes(route.subresource)) throw pathNotFound();
  return route;
}
