/**
 * Names of kinds as people type them (`po`, `pod`, `Pod`, `deployments.apps`,
 * `deploy`) and as manifests carry them (`apiVersion` + `kind`), resolved
 * against the apiserver's discovery, as kubectl's RESTMapper does.
 */
import type { Messenger } from "../../runtime/actor.ts";
import type { DiscoveredResource } from "../../actors/api/protocol.ts";

/** A resolved resource: what to put in an `api.*` message. */
export interface ResourceInfo {
  /** `pods`, `deployments.apps`: what ApiClient methods take. */
  resource: string;
  plural: string;
  group: string;
  version: string;
  kind: string;
  namespaced: boolean;
  /** `pod`, `deployment.apps`: kubectl's prefix in `deployment.apps/web created`. */
  singularRef: string;
}

/** The apiserver's kinds, looked up by the names people and manifests use. */
export class Resources {
  readonly all: readonly ResourceInfo[];

  constructor(discovered: readonly DiscoveredResource[]) {
    this.all = discovered
      .filter((d) => !d.plural.includes("/"))
      .map((d) => ({
        resource: d.group ? `${d.plural}.${d.group}` : d.plural,
        plural: d.plural,
        group: d.group,
        version: d.version,
        kind: d.kind,
        namespaced: d.namespaced,
        singularRef: d.group ? `${d.singular || d.kind.toLowerCase()}.${d.group}` : d.singular || d.kind.toLowerCase(),
      }));
    this.#discovered = discovered;
  }

  readonly #discovered: readonly DiscoveredResource[];

  /** Reads discovery from the apiserver. */
  static async load(messenger: Pick<Messenger, "ask">, apiserver = "apiserver"): Promise<Resources> {
    return new Resources(await messenger.ask<DiscoveredResource[]>(apiserver, { type: "api.discovery" }));
  }

  /** The kind a manifest names, or undefined when the server has no such kind in that version. */
  forManifest(apiVersion: string, kind: string): ResourceInfo | undefined {
    const slash = apiVersion.lastIndexOf("/");
    const group = slash < 0 ? "" : apiVersion.slice(0, slash);
    const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
    return this.all.find((r) => r.kind === kind && r.group === group && r.version === version);
  }

  /** A kind as typed: plural, singular, short name or Kind, optionally `.group`; throws a clear error. */
  resolve(name: string): ResourceInfo {
    const lower = name.toLowerCase();
    const dot = lower.indexOf(".");
    const base = dot < 0 ? lower : lower.slice(0, dot);
    const group = dot < 0 ? undefined : lower.slice(dot + 1);
    const matches = this.#discovered.filter(
      (d) =>
        !d.plural.includes("/") &&
        (group === undefined || d.group === group) &&
        (d.plural === base || d.singular === base || d.kind.toLowerCase() === base || d.shortNames.includes(base)),
    );
    // Core wins over other groups, as kubectl prefers the legacy group (events vs events.events.k8s.io).
    const d = matches.find((m) => m.group === "") ?? matches[0];
    if (!d) throw new Error(`the server doesn't have a resource type "${name}"`);
    return this.all.find((r) => r.plural === d.plural && r.group === d.group)!;
  }

  /** Every name a person could type, for tab completion. */
  names(): string[] {
    const out = new Set<string>();
    for (const d of this.#discovered) {
      if (d.plural.includes("/")) continue;
      out.add(d.plural);
      if (d.singular) out.add(d.singular);
      for (const s of d.shortNames) out.add(s);
    }
    return [...out].sort();
  }
}
