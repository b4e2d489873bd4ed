/**
 * Discovery: the documents kubectl reads to map kinds to URLs (`/api`,
 * `/api/v1`, `/apis`, `/apis/<g>`, `/apis/<g>/<v>`), built from the
 * apiserver's `api.discovery` answer. Only the legacy (unaggregated) form is
 * served: kubectl asks for aggregated discovery first and falls back when the
 * answer's Content-Type is plain `application/json`.
 */
import type { Messenger } from "../../../runtime/actor.ts";
import type { DiscoveredResource } from "../../api/protocol.ts";

/** How long a discovery answer is reused before asking the apiserver again. */
const TTL_MS = 2_000;

/** A cached view of what the apiserver serves. */
export class DiscoveryCache {
  readonly #messenger: Messenger;
  readonly #apiserver: string;
  readonly #timeoutMs: number;
  #resources: DiscoveredResource[] = [];
  #fetchedAt = -Infinity;
  #inflight?: Promise<DiscoveredResource[]>;

  constructor(messenger: Messenger, apiserver: string, timeoutMs: number) {
    this.#messenger = messenger;
    this.#apiserver = apiserver;
    this.#timeoutMs = timeoutMs;
  }

  /** The served resources; `fresh` forces a new ask (used on a lookup miss, so new kinds appear at once). */
  async resources(fresh = false): Promise<DiscoveredResource[]> {
    if (!fresh && Date.now() - this.#fetchedAt < TTL_MS) return this.#resources;
    this.#inflight ??= this.#messenger
      .ask<DiscoveredResource[]>(this.#apiserver, { type: "api.discovery" }, { timeoutMs: this.#timeoutMs })
      .then((r) => {
        this.#resources = r;
        this.#fetchedAt = Date.now();
        return r;
      })
      .finally(() => (this.#inflight = undefined));
    return this.#inflight;
  }

  /** The resource `plural` in group/version, asking again once on a miss. */
  async find(group: string, version: string, plural: string): Promise<DiscoveredResource | undefined> {
    const match = (rs: DiscoveredResource[]) => rs.find((r) => r.group === group && r.version === version && r.plural === plural);
    return match(await this.resources()) ?? match(await this.resources(true));
  }
}

/** `apps/v1`, or `v1` for the core group. */
export function groupVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** GET /api */
export function apiVersions(serverAddress: string): Record<string, unknown> {
  return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }] };
}

/** The named groups with their versions, in discovery order. */
function groups(resources: DiscoveredResource[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of resources) {
    if (!r.group) continue;
    const versions = out.get(r.group) ?? [];
    if (!versions.includes(r.version)) versions.push(r.version);
    out.set(r.group, versions);
  }
  return out;
}

function apiGroup(name: string, versions: string[]): Record<string, unknown> {
  const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

/** GET /apis */
export function apiGroupList(resources: DiscoveredResource[]): Record<string, unknown> {
  return { kind: "APIGroupList", apiVersion: "v1", groups: [...groups(resources)].map(([g, vs]) => apiGroup(g, vs)) };
}

/** GET /apis/<group>, or undefined when the group is not served. */
export function apiGroupDoc(resources: DiscoveredResource[], group: string): Record<string, unknown> | undefined {
  const versions = groups(resources).get(group);
  return versions ? { kind: "APIGroup", apiVersion: "v1", ...apiGroup(group, versions) } : undefined;
}

/** What a subresource answers with and which verbs it takes, as kube-apiserver publishes them. */
const SUBRESOURCES: Record<string, { group?: string; version?: string; kind?: string; verbs: string[] }> = {
  status: { verbs: ["get", "patch", "update"] },
  scale: { group: "autoscaling", version: "v1", kind: "Scale", verbs: ["get", "patch", "update"] },
  binding: { kind: "Binding", version: "v1", group: "", verbs: ["create"] },
  eviction: { group: "policy", version: "v1", kind: "Eviction", verbs: ["create"] },
  log: { kind: "Pod", verbs: ["get"] },
  finalize: { verbs: ["update"] },
  approval: { verbs: ["get", "patch", "update"] },
};

/** GET /api/v1 or /apis/<g>/<v>, or undefined when nothing is served there. */
export function apiResourceList(resources: DiscoveredResource[], group: string, version: string): Record<string, unknown> | undefined {
  const here = resources.filter((r) => r.group === group && r.version === version);
  if (here.length === 0) return undefined;
  const list: Record<string, unknown>[] = [];
  for (const r of here) {
    const entry: Record<string, unknown> = { name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs };
    if (r.shortNames.length) entry.shortNames = r.shortNames;
    if (r.categories.length) entry.categories = r.categories;
    list.push(entry);
    for (const sub of r.subresources) {
      const s = SUBRESOURCES[sub] ?? { verbs: ["get"] };
      const e: Record<string, unknown> = { name: `${r.plural}/${sub}`, singularName: "", namespaced: r.namespaced, kind: s.kind ?? r.kind, verbs: s.verbs };
      // Like kube-apiserver: a subresource of another group's kind names that group and version.
      if (s.group !== undefined && (s.group !== group || s.version !== version)) {
        e.group = s.group;
        e.version = s.version;
      }
      list.push(e);
    }
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: groupVersion(group, version), resources: list };
}

/** What a subresource's published kind is (for Table/Scale answers). */
export function subresourceKind(sub: string): { group?: string; version?: string; kind?: string } | undefined {
  return SUBRESOURCES[sub];
}
