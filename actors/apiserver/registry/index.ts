/**
 * The resource registry: every kind the apiserver serves, found by plural,
 * kind (and group), short name, or resource string as kubectl writes it
 * ("deploy", "deployments.apps", "Pod").
 */
import type { KubeObject } from "../../api/meta.ts";
import { configMapResource } from "./configmaps.ts";
import { deploymentResource } from "./deployments.ts";
import { endpointsResource } from "./endpoints.ts";
import { endpointSliceResource } from "./endpointslices.ts";
import { eventResource } from "./events.ts";
import { leaseResource } from "./leases.ts";
import { limitRangeResource } from "./limitranges.ts";
import { namespaceResource } from "./namespaces.ts";
import { nodeResource } from "./nodes.ts";
import { persistentVolumeClaimResource } from "./persistentvolumeclaims.ts";
import { persistentVolumeResource } from "./persistentvolumes.ts";
import { podResource } from "./pods.ts";
import { clusterRoleBindingResource, clusterRoleResource, roleBindingResource, roleResource } from "./rbac.ts";
import { replicaSetResource } from "./replicasets.ts";
import type { ResourceDef } from "./resource.ts";
import { resourceQuotaResource } from "./resourcequotas.ts";
import {
  localSubjectAccessReviewResource,
  selfSubjectAccessReviewResource,
  selfSubjectReviewResource,
  selfSubjectRulesReviewResource,
  subjectAccessReviewResource,
  tokenReviewResource,
} from "./reviews.ts";
import { secretResource } from "./secrets.ts";
import { serviceAccountResource } from "./serviceaccounts.ts";
import { serviceResource } from "./services.ts";
import { storageClassResource } from "./storageclasses.ts";

/**
 * Erases a kind's object type. ResourceDef<T> is not assignable to
 * ResourceDef<KubeObject> (its callbacks take T), but every call the
 * apiserver makes passes an object of the def's own kind.
 */
export function erase<T extends KubeObject>(def: ResourceDef<T>): ResourceDef {
  return def as unknown as ResourceDef;
}

/** The kinds actorkube serves, in discovery order. */
export const builtinResources: readonly ResourceDef[] = [
  erase(podResource),
  erase(serviceResource),
  erase(endpointsResource),
  erase(namespaceResource),
  erase(nodeResource),
  erase(configMapResource),
  erase(secretResource),
  erase(serviceAccountResource),
  erase(eventResource),
  erase(persistentVolumeResource),
  erase(persistentVolumeClaimResource),
  erase(replicaSetResource),
  erase(deploymentResource),
  erase(leaseResource),
  erase(endpointSliceResource),
  erase(storageClassResource),
  erase(limitRangeResource),
  erase(resourceQuotaResource),
  erase(roleResource),
  erase(clusterRoleResource),
  erase(roleBindingResource),
  erase(clusterRoleBindingResource),
  erase(selfSubjectAccessReviewResource),
  erase(subjectAccessReviewResource),
  erase(localSubjectAccessReviewResource),
  erase(selfSubjectRulesReviewResource),
  erase(selfSubjectReviewResource),
  erase(tokenReviewResource),
];

/** Lookup of resource definitions; `register` adds kinds (custom resources, tests). */
export class Registry {
  readonly #defs: ResourceDef[] = [];
  readonly #byPlural = new Map<string, ResourceDef>();
  readonly #byKind = new Map<string, ResourceDef>();
  readonly #byShort = new Map<string, ResourceDef>();

  constructor(defs: readonly ResourceDef[] = builtinResources) {
    for (const d of defs) this.register(d);
  }

  /** Adds a kind; throws when its group/plural or group/kind is taken. */
  register(def: ResourceDef): void {
    const pluralKey = `${def.group}/${def.plural}`;
    const kindKey = `${def.group}/${def.kind}`;
    if (this.#byPlural.has(pluralKey) || this.#byKind.has(kindKey)) {
      throw new Error(`resource ${def.plural}${def.group ? "." + def.group : ""} is already registered`);
    }
    this.#defs.push(def);
    this.#byPlural.set(pluralKey, def);
    this.#byKind.set(kindKey, def);
    for (const s of def.shortNames ?? []) if (!this.#byShort.has(s)) this.#byShort.set(s, def);
  }

  /** By plural (`pods`) in a group; without a group, the core group first, then any group. */
  byPlural(plural: string, group?: string): ResourceDef | undefined {
    if (group !== undefined) return this.#byPlural.get(`${group}/${plural}`);
    return this.#byPlural.get(`/${plural}`) ?? this.#defs.find((d) => d.plural === plural);
  }

  /** By kind (`Deployment`) in a group; without a group, the core group first, then any group. */
  byKind(kind: string, group?: string): ResourceDef | undefined {
    if (group !== undefined) return this.#byKind.get(`${group}/${kind}`);
    return this.#byKind.get(`/${kind}`) ?? this.#defs.find((d) => d.kind === kind);
  }

  /** By apiVersion and kind, as an object names itself: ("apps/v1", "Deployment"). */
  byApiVersionKind(apiVersion: string, kind: string): ResourceDef | undefined {
    const slash = apiVersion.indexOf("/");
    const group = slash < 0 ? "" : apiVersion.slice(0, slash);
    const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
    const def = this.#byKind.get(`${group}/${kind}`);
    return def && def.version === version ? def : undefined;
  }

  /** By short name (`po`, `svc`, `deploy`). */
  byShortName(short: string): ResourceDef | undefined {
    return this.#byShort.get(short);
  }

  /**
   * Resolves what a user types, as kubectl does: plural, singular, short
   * name or kind, case-insensitively, optionally qualified with a group
   * (`deployments.apps`, `deploy.apps`).
   */
  resolve(resource: string): ResourceDef | undefined {
    const lower = resource.toLowerCase();
    const matches = (d: ResourceDef, name: string): boolean =>
      d.plural === name || d.singular === name || d.kind.toLowerCase() === name || (d.shortNames ?? []).includes(name);
    const core = this.#defs.find((d) => d.group === "" && matches(d, lower)) ?? this.#defs.find((d) => matches(d, lower));
    if (core) return core;
    const dot = lower.indexOf(".");
    if (dot < 0) return undefined;
    const name = lower.slice(0, dot);
    const group = lower.slice(dot + 1);
    return this.#defs.find((d) => d.group === group && matches(d, name));
  }

  /** Every registered kind, in registration order. */
  list(): readonly ResourceDef[] {
    return this.#defs;
  }

  /** Kinds in a category (`all` → what `kubectl get all` shows). */
  inCategory(category: string): ResourceDef[] {
    return this.#defs.filter((d) => d.categories?.includes(category));
  }
}

/** The registry of built-in kinds. */
export const registry = new Registry();

export type { FieldError, ResourceDef, Subresource } from "./resource.ts";
export { apiVersionOf, storeKey, storePrefix } from "./resource.ts";
export { validateObjectMeta, validateObjectMetaUpdate } from "./validation.ts";
