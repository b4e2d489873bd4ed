/**
 * The apiserver's request handling, free of workers so it can be tested in
 * process: registry strategy (defaulting, validation, create/update rules)
 * in front of the store, optimistic concurrency, finalizers and graceful
 * deletion, selectors and paging, watches through per-resource hubs.
 */
import type { KubeList, KubeObject } from "../api/meta.ts";
import type { DeleteOptions, DiscoveredResource, ListOptions, PatchType, ReadOptions, WatchStarted } from "../api/protocol.ts";
import { alreadyExists, badRequest, conflict, expired, forbidden, invalid, notFound, StatusError, failure, type StatusCause } from "../api/status.ts";
import { hasCode } from "../../runtime/errors.ts";
import type { Clock } from "../../runtime/clock.ts";
import type { KeyValue, Store } from "./store/store.ts";
import { StoreCodes } from "./store/store.ts";
import { Registry, registry as builtinRegistry } from "./registry/index.ts";
import { apiVersionOf, storeKey, storePrefix, type FieldError, type ResourceDef } from "./registry/resource.ts";
import { validateObjectMeta, validateObjectMetaUpdate } from "./registry/validation.ts";
import { compileFilter, decodeContinue, encodeContinue, generatedName, sameJson, timestamp, withRV } from "./objects.ts";
import { jsonPatch, mergePatch, strategicMergePatch } from "./patch.ts";
import { appliedConfig, applyCreate, applyTo, defaultManager, trackUpdate, type Writer } from "./apply.ts";
import { WatchHub, withoutManagedFields, type HubWatcher } from "./watch-hub.ts";
import type { Admission, AdmissionRequest } from "./admission/types.ts";

/** Options of an {@link ApiServer}. */
export interface ApiServerOptions {
  store: Store;
  clock: Clock;
  registry?: Registry;
  /** Events each resource's watch window keeps (default 20 000). */
  watchWindow?: number;
}

/** What a write hook reserved: kept when the write lands, undone when it does not. */
export interface WriteReservation {
  commit(): void;
  revert(): void;
}

/** Work a kind needs around its writes beyond its strategy (Service IP and port allocation). */
export interface WriteHooks {
  /** After a create validated, before it is stored; may fill fields or throw a Status error. */
  create?(obj: KubeObject, dryRun: boolean): WriteReservation;
  /** After an update of the main resource validated, before it is stored. */
  update?(obj: KubeObject, old: KubeObject, dryRun: boolean): WriteReservation;
  /** Once an object has left the store. */
  deleted?(obj: KubeObject): void;
}

/** Who writes, for managedFields and server-side apply. */
export interface WriteMeta {
  /** The field manager (default: the user, else "unknown"). */
  fieldManager?: string;
  user?: string;
  /** Server-side apply: take conflicting fields. */
  force?: boolean;
  /** managedFields were already computed (by server-side apply). */
  applied?: boolean;
  /** The body is the server's to keep and change (no one else holds it): it is not copied first. */
  owned?: boolean;
}

/** How discovery describes one kind. */
export function discoveredResource(d: ResourceDef): DiscoveredResource {
  return {
    group: d.group,
    version: d.version,
    kind: d.kind,
    plural: d.plural,
    singular: d.singular,
    namespaced: d.namespaced,
    shortNames: d.shortNames ?? [],
    categories: d.categories ?? [],
    subresources: d.subresources,
    verbs: d.verbs ?? ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
  };
}

/** Resolves `pods`, `deployments.apps` (+ group) to a kind; 404 otherwise. */
export function resolveResource(reg: Registry, resource: string, group?: string): ResourceDef {
  const def = group !== undefined ? reg.byPlural(resource, group) : reg.resolve(resource);
  if (!def) throw new StatusError(failure("NotFound", `the server could not find the requested resource (${group ? `${resource}.${group}` : resource})`));
  return def;
}

/** Where a request points. */
interface Target {
  def: ResourceDef;
  namespace?: string;
}

/** Handles API requests against a store. */
export class ApiServer {
  readonly store: Store;
  readonly clock: Clock;
  readonly registry: Registry;
  /** Per-kind write hooks (see service-allocation.ts). */
  readonly hooks = new Map<ResourceDef, WriteHooks>();
  /** The admission chain run on every create, update and delete (see admission/chain.ts); none when unset. */
  admission?: Admission;
  #hubs = new Map<ResourceDef, WatchHub>();
  #watchWindow: number;

  constructor(options: ApiServerOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.registry = options.registry ?? builtinRegistry;
    this.#watchWindow = options.watchWindow ?? 20_000;
  }

  /** Starts a watch hub for every kind, so list-then-watch from the list's revision always works. */
  async start(): Promise<void> {
    for (const def of this.registry.list()) await this.#hub(def);
  }

  /** Stops every watch. */
  stop(): void {
    for (const hub of this.#hubs.values()) hub.stop();
  }

  /** The target of a request; namespace rules checked. */
  target(resource: string, group: string | undefined, namespace: string | undefined): Target {
    const def = resolveResource(this.registry, resource, group);
    return { def, namespace: def.namespaced ? namespace || undefined : undefined };
  }

  // ---- reads --------------------------------------------------------------

  /** GET one object. */
  async get(t: Target, name: string, opts: ReadOptions = {}): Promise<KubeObject> {
    if (!name) throw badRequest("a name is required");
    const kv = await this.store.get(storeKey(t.def, this.#ns(t), name));
    if (!kv) throw notFound(t.def.plural, name, t.def.group);
    const obj = withRV(kv);
    return opts.omitManagedFields ? withoutManagedFields(obj) : obj;
  }

  /** LIST with selectors and limit/continue paging at one consistent revision. */
  async list(t: Target, opts: ListOptions & ReadOptions = {}): Promise<KubeList> {
    const filter = compileFilter(t.def, opts.labelSelector, opts.fieldSelector);
    const prefix = storePrefix(t.def, t.namespace);
    const limit = opts.limit && opts.limit > 0 ? Math.floor(opts.limit) : 0;
    let revision: number | undefined;
    let startKey: string | undefined;
    if (opts.continue) {
      const c = decodeContinue(opts.continue);
      if (!c.start.startsWith(prefix)) throw badRequest("continue key does not belong to this list");
      revision = c.rv;
      startKey = c.start;
    }
    const items: KubeObject[] = [];
    let more = false;
    let nextKey = "";
    let atRevision = 0;
    let remaining: number | undefined;
    try {
      for (;;) {
        const chunk = limit ? Math.max(limit - items.length, 50) : 0;
        const r = await this.store.range(prefix, { prefix: true, limit: chunk, startKey, revision });
        revision = r.revision;
        atRevision = r.revision;
        for (let i = 0; i < r.kvs.length; i++) {
          const kv = r.kvs[i];
          if (!filter.matches(kv.value as KubeObject)) continue;
          if (limit && items.length === limit) {
            more = true;
            nextKey = kv.key;
            if (r.remaining !== undefined) remaining = r.kvs.length - i + r.remaining;
            break;
          }
          const obj = withRV(kv);
          items.push(opts.omitManagedFields ? withoutManagedFields(obj) : obj);
        }
        if (more || !r.more) {
          if (!more && limit && items.length === limit && r.more) {
            more = true;
            nextKey = r.kvs[r.kvs.length - 1].key + "\u0000";
            remaining = r.remaining;
          }
          if (filter.labels || filter.fields) remaining = undefined;
          break;
        }
        startKey = r.kvs[r.kvs.length - 1].key + "\u0000";
      }
    } catch (err) {
      if (hasCode(err, StoreCodes.Compacted) && opts.continue) {
        throw expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.");
      }
      throw err;
    }
    const metadata: KubeList["metadata"] = { resourceVersion: String(atRevision) };
    if (more) {
      metadata.continue = encodeContinue(atRevision, nextKey);
      if (remaining !== undefined) metadata.remainingItemCount = remaining;
    }
    return { apiVersion: apiVersionOf(t.def), kind: t.def.listKind, metadata, items };
  }

  /** Starts a watch; events go to `w.send`. Without a resourceVersion (or "0"), current objects come first as ADDED. */
  async watch(t: Target, opts: ListOptions & ReadOptions, w: Omit<HubWatcher, "filter" | "fromRevision" | "namespace" | "omitManagedFields">): Promise<{ started: WatchStarted; cancel: () => void; revision: () => number }> {
    const filter = compileFilter(t.def, opts.labelSelector, opts.fieldSelector);
    const hub = await this.#hub(t.def);
    const rv = opts.resourceVersion;
    let fromRevision: number;
    let initial: KubeObject[] = [];
    if (!rv || rv === "0") {
      const list = await this.list(t, { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, omitManagedFields: opts.omitManagedFields });
      fromRevision = Number(list.metadata.resourceVersion);
      initial = list.items;
    } else {
      fromRevision = Number(rv);
      if (!Number.isInteger(fromRevision) || fromRevision < 0) throw badRequest(`invalid resource version: ${rv}`);
    }
    const watcher: HubWatcher = { ...w, filter, fromRevision, namespace: t.namespace };
    if (opts.omitManagedFields) watcher.omitManagedFields = true;
    if (initial.length) w.send(initial.map((object) => ({ type: "ADDED", object })));
    hub.add(watcher);
    // revision: the newest the watch's hub has seen, for bookmarks.
    return { started: { watchId: w.id, resourceVersion: String(fromRevision) }, cancel: () => hub.remove(watcher), revision: () => hub.revision };
  }

  // ---- writes -------------------------------------------------------------

  /** POST: create. */
  async create(t: Target, input: unknown, dryRun = false, writer: WriteMeta = {}): Promise<KubeObject> {
    const obj = this.#decode(t, input, writer.owned);
    const meta = obj.metadata;
    if (!meta.name && meta.generateName) meta.name = generatedName(meta.generateName);
    if (t.def.namespaced) {
      const ns = this.#ns(t, meta.namespace)!;
      meta.namespace = ns;
      await this.#checkNamespace(ns, t.def, meta.name ?? meta.generateName);
    } else delete meta.namespace;
    meta.uid = crypto.randomUUID();
    meta.creationTimestamp = timestamp(this.clock.now());
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if (t.def.generation) meta.generation = 1;
    else delete meta.generation;
    t.def.defaults?.(obj);
    const admission: AdmissionRequest = { operation: "CREATE", def: t.def, namespace: meta.namespace ?? "", name: meta.name ?? "", object: obj, dryRun, user: writer.user };
    await this.admission?.admit(admission);
    t.def.prepareForCreate?.(obj);
    if (!writer.applied) setManaged(obj, trackUpdate(undefined, obj, this.#writer(t, writer)));
    this.#validate(t.def, obj, [...validateObjectMeta(meta, t.def.namespaced, t.def.validateName), ...t.def.validate(obj)]);
    const joined = await this.admission?.validate(admission);
    const held = this.hooks.get(t.def)?.create?.(obj, dryRun);
    if (dryRun) return obj;
    const key = storeKey(t.def, meta.namespace, meta.name!);
    const compare = [{ key, target: "version" as const, op: "=" as const, value: 0 }, ...(joined?.compare ?? [])];
    const r = await this.#reserved(held, () => this.store.txn({ compare, success: [{ type: "put", key, value: obj }, ...(joined?.success ?? [])] }));
    if (!r.succeeded) throw joined && !(await this.store.get(key)) ? joined.conflict() : alreadyExists(t.def.plural, meta.name!, t.def.group);
    return withRV(r.results[0].kv!);
  }

  /** PUT: update the object, or its status, scale or (namespaces) finalize subresource. */
  async update(t: Target, input: unknown, subresource?: "status" | "scale" | "finalize", dryRun = false, meta: WriteMeta = {}): Promise<KubeObject> {
    const obj = subresource === "scale" ? this.#decodeScale(input) : this.#decode(t, input, meta.owned);
    const name = obj.metadata.name;
    if (!name) throw invalid(t.def.kind, "", [{ reason: "FieldValueRequired", field: "metadata.name", message: "Required value: name is required" }], t.def.group);
    const key = storeKey(t.def, this.#ns(t, obj.metadata.namespace), name);
    const cur = await this.store.get(key);
    if (!cur) throw notFound(t.def.plural, name, t.def.group);
    const old = cur.value as KubeObject;
    const rv = obj.metadata.resourceVersion;
    if (rv && rv !== String(cur.modRevision)) {
      throw modified(t.def, name);
    }
    if (obj.metadata.uid && obj.metadata.uid !== old.metadata.uid) {
      throw conflict(t.def.plural, name, `Precondition failed: UID in precondition: ${obj.metadata.uid}, UID in object meta: ${old.metadata.uid}`, t.def.group);
    }
    let next: KubeObject;
    let held: WriteReservation | undefined;
    let joined: Awaited<ReturnType<Admission["validate"]>>;
    if (subresource === "status") {
      // Stored objects are never changed in place: the new one shares the old one's parts but metadata and status.
      next = { ...old, metadata: { ...old.metadata }, status: obj.status };
      t.def.prepareForStatusUpdate?.(next, old);
      const errs = t.def.validateStatusUpdate ? t.def.validateStatusUpdate(next, old) : t.def.validate(next);
      this.#validate(t.def, next, errs);
      // Validating admission sees status writes too (NodeRestriction: a kubelet writes only its own).
      if (meta.user) joined = await this.admission?.validate({ operation: "UPDATE", def: t.def, namespace: old.metadata.namespace ?? "", name, subresource: "status", object: next, oldObject: old, dryRun, user: meta.user });
    } else if (subresource === "scale") {
      next = this.#applyScale(t, old, obj);
    } else if (subresource === "finalize") {
      next = this.#applyFinalize(t, old, obj);
    } else {
      next = obj;
      const m = next.metadata;
      m.namespace = old.metadata.namespace;
      m.uid = old.metadata.uid;
      m.creationTimestamp = old.metadata.creationTimestamp;
      m.deletionTimestamp = old.metadata.deletionTimestamp;
      m.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
      if (m.deletionTimestamp === undefined) delete m.deletionTimestamp;
      if (m.deletionGracePeriodSeconds === undefined) delete m.deletionGracePeriodSeconds;
      if (!m.namespace) delete m.namespace;
      m.generation = old.metadata.generation;
      if (m.generation === undefined) delete m.generation;
      t.def.defaults?.(next);
      const admission: AdmissionRequest = { operation: "UPDATE", def: t.def, namespace: old.metadata.namespace ?? "", name, object: next, oldObject: old, dryRun, user: meta.user };
      await this.admission?.admit(admission);
      t.def.prepareForUpdate?.(next, old);
      if (t.def.generation && !sameJson(next.spec, old.spec)) m.generation = (old.metadata.generation ?? 0) + 1;
      this.#validate(t.def, next, [
        ...validateObjectMetaUpdate(m, old.metadata),
        ...t.def.validate(next),
        ...(t.def.validateUpdate?.(next, old) ?? []),
      ]);
      joined = await this.admission?.validate(admission);
      held = this.hooks.get(t.def)?.update?.(next, old, dryRun);
    }
    delete next.metadata.resourceVersion;
    setManaged(next, meta.applied ? obj.metadata.managedFields : trackUpdate(old, next, this.#writer(t, meta, subresource)));
    // The last finalizer removed from an object being deleted deletes it.
    if (next.metadata.deletionTimestamp && !(next.metadata.finalizers?.length) && !this.#awaitsKubelet(t.def, next) && !hasSpecFinalizers(t.def, next)) {
      held?.revert();
      if (dryRun) return withRV(cur);
      const revision = await this.#deleteStored(t.def, key, cur, name);
      return { ...next, metadata: { ...next.metadata, resourceVersion: String(revision) } };
    }
    if (sameJson(next, old) || dryRun) {
      held?.revert();
      const out = dryRun ? next : withRV(cur);
      return subresource === "scale" ? this.#scaleOf(t, out) : out;
    }
    const compare = [{ key, target: "modRevision" as const, op: "=" as const, value: cur.modRevision }, ...(joined?.compare ?? [])];
    const r = await this.#reserved(held, () => this.store.txn({ compare, success: [{ type: "put", key, value: next }, ...(joined?.success ?? [])] }));
    if (!r.succeeded) throw joined && (await this.store.get(key))?.modRevision === cur.modRevision ? joined.conflict() : modified(t.def, name);
    const out = withRV(r.results[0].kv!);
    return subresource === "scale" ? this.#scaleOf(t, out) : out;
  }

  /**
   * PATCH: merge, JSON, strategic merge, or server-side apply. A patch that
   * does not pin a resourceVersion is retried when another write lands
   * between its read and its write, as kube-apiserver's update loop does.
   */
  async patch(t: Target, name: string, type: PatchType, patch: unknown, subresource?: "status" | "scale", dryRun = false, meta: WriteMeta = {}): Promise<KubeObject> {
    const pinned = (patch as { metadata?: { resourceVersion?: unknown } } | null)?.metadata?.resourceVersion !== undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        if (type === "apply") return await this.#apply(t, name, patch, subresource, dryRun, meta);
        return await this.#patchOnce(t, name, type, patch, subresource, dryRun, meta);
      } catch (err) {
        if (pinned || attempt >= 4 || !hasCode(err, "Conflict") || !String((err as Error).message).includes(MODIFIED)) throw err;
      }
    }
  }

  async #apply(t: Target, name: string, patch: unknown, subresource: "status" | "scale" | undefined, dryRun: boolean, meta: WriteMeta): Promise<KubeObject> {
    if (subresource === "scale") throw badRequest("server-side apply is not supported on the scale subresource");
    if (!meta.fieldManager) throw badRequest(`PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch`);
    const applied = appliedConfig(patch, apiVersionOf(t.def), t.def.kind, name);
    const w = { ...this.#writer(t, meta, subresource), force: meta.force };
    let live: KubeObject | undefined;
    try {
      live = await this.get(t, name);
    } catch (err) {
      if (!hasCode(err, "NotFound") || subresource) throw err;
    }
    if (!live) return this.create(t, applyCreate(applied, w), dryRun, { ...meta, applied: true });
    const next = applyTo(live, applied, w);
    if (applied.metadata.resourceVersion) next.metadata.resourceVersion = applied.metadata.resourceVersion;
    return this.update(t, next, subresource, dryRun, { ...meta, applied: true });
  }

  #writer(t: Target, meta: WriteMeta, subresource?: string): Writer {
    return {
      manager: meta.fieldManager || defaultManager(meta.user),
      apiVersion: apiVersionOf(t.def),
      time: timestamp(this.clock.now()),
      subresource,
      scope: { status: subresource === "status", hasStatus: t.def.subresources.includes("status") },
    };
  }

  async #patchOnce(t: Target, name: string, type: Exclude<PatchType, "apply">, patch: unknown, subresource: "status" | "scale" | undefined, dryRun: boolean, meta: WriteMeta): Promise<KubeObject> {
    const live = await this.get(t, name);
    const current = subresource === "scale" ? this.#scaleOf(t, live) : live;
    const base = structuredClone(current);
    let next: unknown;
    if (type === "merge") next = mergePatch(base, patch);
    else if (type === "json") next = jsonPatch(base, patch);
    else if (type === "strategic") next = strategicMergePatch(base, patch);
    else throw new StatusError(failure("UnsupportedMediaType", `the patch type "${String(type)}" is not supported`));
    const obj = next as KubeObject;
    if (!obj || typeof obj !== "object" || !obj.metadata) throw badRequest("the patch removed the object's metadata");
    // A resourceVersion in the patch is a precondition; otherwise the patch applies to what was read.
    const patchRV = (patch as { metadata?: { resourceVersion?: string } })?.metadata?.resourceVersion;
    obj.metadata.resourceVersion = patchRV ?? current.metadata.resourceVersion;
    if (obj.metadata.name !== name) throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
    return this.update(t, obj, subresource, dryRun, meta);
  }

  /** DELETE: graceful for bound pods, two-phase when finalizers are present. */
  async delete(t: Target, name: string, options: DeleteOptions = {}, user?: string): Promise<KubeObject> {
    const key = storeKey(t.def, this.#ns(t), name);
    const cur = await this.store.get(key);
    if (!cur) throw notFound(t.def.plural, name, t.def.group);
    const old = cur.value as KubeObject;
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid) {
      throw conflict(t.def.plural, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`, t.def.group);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== String(cur.modRevision)) {
      throw conflict(t.def.plural, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${cur.modRevision}`, t.def.group);
    }
    const dryRun = options.dryRun === "All";
    await this.admission?.validate({ operation: "DELETE", def: t.def, namespace: old.metadata.namespace ?? "", name, oldObject: old, dryRun, user });
    const finalizers = [...(old.metadata.finalizers ?? [])];
    const policy = options.propagationPolicy;
    if (policy === "Orphan" && !finalizers.includes("orphan")) finalizers.push("orphan");
    if (policy === "Foreground" && !finalizers.includes("foregroundDeletion")) finalizers.push("foregroundDeletion");
    const grace = this.#gracePeriod(t.def, old, options.gracePeriodSeconds);
    if (finalizers.length > 0 || grace > 0 || hasSpecFinalizers(t.def, old)) {
      const next = structuredClone(old);
      const now = this.clock.now();
      if (!next.metadata.deletionTimestamp || grace < (next.metadata.deletionGracePeriodSeconds ?? Infinity)) {
        next.metadata.deletionTimestamp = timestamp(now + grace * 1000);
        next.metadata.deletionGracePeriodSeconds = grace;
      }
      next.metadata.finalizers = finalizers.length ? finalizers : undefined;
      if (!next.metadata.finalizers) delete next.metadata.finalizers;
      if (t.def.kind === "Namespace") next.status = { ...(next.status as object), phase: "Terminating" };
      if (dryRun) return next;
      const r = await this.store.txn({ compare: [{ key, target: "modRevision", op: "=", value: cur.modRevision }], success: [{ type: "put", key, value: next }] });
      if (!r.succeeded) throw modified(t.def, name);
      return withRV(r.results[0].kv!);
    }
    if (dryRun) return withRV(cur);
    return withRV(cur, await this.#deleteStored(t.def, key, cur, name));
  }

  /** DELETE on a collection: every object the selectors match. */
  async deleteCollection(t: Target, opts: ListOptions, options: DeleteOptions = {}): Promise<KubeList> {
    const list = await this.list(t, { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector });
    const items: KubeObject[] = [];
    for (const o of list.items) {
      const sub = { def: t.def, namespace: o.metadata.namespace };
      try {
        items.push(await this.delete(sub, o.metadata.name!, options));
      } catch (err) {
        if (!hasCode(err, "NotFound")) throw err;
      }
    }
    return { ...list, items };
  }

  /** POST pods/<name>/binding: sets spec.nodeName once. */
  async bind(namespace: string, name: string, binding: unknown): Promise<KubeObject> {
    const b = binding as { target?: { name?: string; kind?: string } };
    const node = b?.target?.name;
    if (!node) throw invalid("Binding", name, [{ reason: "FieldValueRequired", field: "target.name", message: "Required value" }]);
    const t = this.target("pods", "", namespace);
    for (let attempt = 0; ; attempt++) {
      const pod = await this.get(t, name);
      const spec = pod.spec as { nodeName?: string };
      if (pod.metadata.deletionTimestamp) throw conflict("pods", name, "pod is being deleted, cannot be assigned to a host");
      if (spec.nodeName) throw conflict("pods", name, `pod ${name} is already assigned to node "${spec.nodeName}"`);
      // Stored objects are never changed in place, so the new one shares every part the binding leaves alone.
      const { resourceVersion: _, ...metadata } = pod.metadata;
      const status = (pod.status ?? {}) as { conditions?: { type: string; status: string; lastTransitionTime?: string; lastProbeTime?: null }[] };
      const conditions = [...(status.conditions ?? []).filter((c) => c.type !== "PodScheduled"), { type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: timestamp(this.clock.now()) }];
      const next: KubeObject = { ...pod, metadata, spec: { ...(pod.spec as object), nodeName: node }, status: { ...status, conditions } };
      const key = storeKey(t.def, namespace, name);
      const r = await this.store.txn({ compare: [{ key, target: "modRevision", op: "=", value: Number(pod.metadata.resourceVersion) }], success: [{ type: "put", key, value: next }] });
      if (r.succeeded) return withRV(r.results[0].kv!);
      if (attempt > 3) throw modified(t.def, name);
    }
  }

  /**
   * POST pods/<name>/eviction: a policy/v1 Eviction deletes the pod
   * gracefully with the eviction's deleteOptions. No PodDisruptionBudgets
   * are served, so no eviction is refused for disruption; 201 + Success.
   */
  async evict(namespace: string, name: string, eviction: unknown, dryRun = false): Promise<unknown> {
    const e = (eviction ?? {}) as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown }; deleteOptions?: DeleteOptions };
    if (e.kind !== undefined && e.kind !== "Eviction") throw badRequest(`the body of an eviction must be an Eviction, got ${String(e.kind)}`);
    if (e.apiVersion !== undefined && e.apiVersion !== "policy/v1" && e.apiVersion !== "policy/v1beta1") throw badRequest(`unsupported Eviction version ${String(e.apiVersion)}: use policy/v1`);
    if (e.metadata?.name !== undefined && e.metadata.name !== name) throw badRequest(`name in URL does not match name in Eviction object`);
    const options: DeleteOptions = { ...(e.deleteOptions ?? {}) };
    if (dryRun) options.dryRun = "All";
    await this.delete(this.target("pods", "", namespace), name, options);
    return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 };
  }

  /** Every kind served, for discovery. */
  discovery(): DiscoveredResource[] {
    return this.registry.list().map(discoveredResource);
  }

  // ---- internals ----------------------------------------------------------

  // A hook's reservation is kept when the store write lands and undone when it fails.
  async #reserved<R extends { succeeded: boolean }>(held: WriteReservation | undefined, write: () => Promise<R>): Promise<R> {
    let r: R;
    try {
      r = await write();
    } catch (err) {
      held?.revert();
      throw err;
    }
    if (r.succeeded) held?.commit();
    else held?.revert();
    return r;
  }

  // Deletes the object read as `cur` unless it changed since; the kind's hooks learn it is gone. The delete's revision.
  async #deleteStored(def: ResourceDef, key: string, cur: KeyValue, name: string): Promise<number> {
    const r = await this.store.txn({ compare: [{ key, target: "modRevision", op: "=", value: cur.modRevision }], success: [{ type: "delete", key }] });
    if (!r.succeeded) throw modified(def, name);
    this.hooks.get(def)?.deleted?.(cur.value as KubeObject);
    return r.revision;
  }

  async #hub(def: ResourceDef): Promise<WatchHub> {
    let hub = this.#hubs.get(def);
    if (!hub) {
      const isPods = def.plural === "pods" && def.group === "";
      hub = new WatchHub(this.store, storePrefix(def), {
        windowSize: this.#watchWindow,
        indexField: isPods ? "spec.nodeName" : undefined,
        indexValue: isPods ? (o) => (o.spec as { nodeName?: string } | undefined)?.nodeName ?? "" : undefined,
      });
      this.#hubs.set(def, hub);
      await hub.start();
    }
    return hub;
  }

  #ns(t: Target, fromObject?: string): string | undefined {
    if (!t.def.namespaced) return undefined;
    if (t.namespace && fromObject && fromObject !== t.namespace) {
      throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    return t.namespace ?? fromObject ?? "default";
  }

  #decode(t: Target, input: unknown, owned = false): KubeObject {
    if (input === null || typeof input !== "object" || Array.isArray(input)) throw badRequest(`the body of a ${t.def.kind} must be a JSON object`);
    const obj = (owned ? input : structuredClone(input)) as KubeObject;
    const want = apiVersionOf(t.def);
    if (obj.apiVersion !== undefined && obj.apiVersion !== want) throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${want})`);
    if (obj.kind !== undefined && obj.kind !== t.def.kind) throw badRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${t.def.kind})`);
    obj.apiVersion = want;
    obj.kind = t.def.kind;
    if (obj.metadata === undefined) obj.metadata = {};
    if (obj.metadata === null || typeof obj.metadata !== "object" || Array.isArray(obj.metadata)) throw badRequest("metadata must be an object");
    return obj;
  }

  #decodeScale(input: unknown): KubeObject {
    if (input === null || typeof input !== "object" || Array.isArray(input)) throw badRequest("the body of a Scale must be a JSON object");
    const obj = structuredClone(input) as KubeObject;
    if (!obj.metadata || typeof obj.metadata !== "object") obj.metadata = {};
    return obj;
  }

  // NamespaceLifecycle's create half, always on so no object is orphaned; its words are Kubernetes'.
  async #checkNamespace(namespace: string, def: ResourceDef, name = ""): Promise<void> {
    if (def.kind === "Namespace") return;
    const ns = await this.store.get(`/registry/namespaces/${namespace}`);
    if (!ns) throw notFound("namespaces", namespace);
    const n = ns.value as KubeObject;
    if (n.metadata.deletionTimestamp || (n.status as { phase?: string } | undefined)?.phase === "Terminating") {
      const err = forbidden(def.plural, name, `unable to create new content in namespace ${namespace} because it is being terminated`, def.group);
      err.status.details!.causes = [{ reason: "NamespaceTerminating", message: `namespace ${namespace} is being terminated`, field: "metadata.namespace" }];
      throw err;
    }
  }

  #validate(def: ResourceDef, obj: KubeObject, errors: FieldError[]): void {
    if (errors.length === 0) return;
    const causes: StatusCause[] = errors.map((e) => ({ reason: e.reason, field: e.field, message: e.message }));
    throw invalid(def.kind, obj.metadata.name ?? obj.metadata.generateName ?? "", causes, def.group);
  }

  // A pod on a node is deleted gracefully: the kubelet stops it, then deletes with grace 0.
  #gracePeriod(def: ResourceDef, obj: KubeObject, requested?: number): number {
    if (def.kind !== "Pod" || def.group !== "") return 0;
    const spec = obj.spec as { nodeName?: string; terminationGracePeriodSeconds?: number };
    const phase = (obj.status as { phase?: string } | undefined)?.phase;
    if (!spec?.nodeName || phase === "Succeeded" || phase === "Failed") return 0;
    const g = requested ?? spec.terminationGracePeriodSeconds ?? 30;
    return Math.max(0, g);
  }

  #awaitsKubelet(def: ResourceDef, obj: KubeObject): boolean {
    return def.kind === "Pod" && (obj.metadata.deletionGracePeriodSeconds ?? 0) > 0;
  }

  #scaleOf(t: Target, obj: KubeObject): KubeObject {
    const spec = obj.spec as { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
    const status = (obj.status ?? {}) as { replicas?: number };
    const selector = Object.entries(spec.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(",");
    return {
      apiVersion: "autoscaling/v1",
      kind: "Scale",
      metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion, creationTimestamp: obj.metadata.creationTimestamp },
      spec: { replicas: spec.replicas ?? 0 },
      status: { replicas: status.replicas ?? 0, selector },
    };
  }

  // namespaces/<name>/finalize: only spec.finalizers change (the namespace controller removes `kubernetes`).
  #applyFinalize(t: Target, old: KubeObject, input: KubeObject): KubeObject {
    if (!t.def.subresources.includes("finalize")) throw notFound(`${t.def.plural}/finalize`, old.metadata.name!, t.def.group);
    const next = structuredClone(old);
    const finalizers = (input.spec as { finalizers?: unknown } | undefined)?.finalizers;
    if (finalizers !== undefined && (!Array.isArray(finalizers) || finalizers.some((f) => typeof f !== "string"))) {
      throw invalid(t.def.kind, old.metadata.name!, [{ reason: "FieldValueTypeInvalid", field: "spec.finalizers", message: "Invalid value: expected a list of strings" }], t.def.group);
    }
    next.spec = { ...(old.spec as object), finalizers: (finalizers as string[] | undefined) ?? [] };
    this.#validate(t.def, next, t.def.validate(next));
    return next;
  }

  #applyScale(t: Target, old: KubeObject, scale: KubeObject): KubeObject {
    if (!t.def.subresources.includes("scale")) throw notFound(`${t.def.plural}/scale`, old.metadata.name!, t.def.group);
    const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
    if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
      throw invalid("Scale", old.metadata.name!, [{ reason: "FieldValueInvalid", field: "spec.replicas", message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` }], "autoscaling");
    }
    const next = structuredClone(old);
    (next.spec as { replicas?: number }).replicas = replicas;
    if (!sameJson(next.spec, old.spec)) next.metadata.generation = (old.metadata.generation ?? 0) + 1;
    return next;
  }
}

const MODIFIED = "the object has been modified; please apply your changes to the latest version and try again";

/** 409: the object changed between read and write (patch retries these). */
function modified(def: ResourceDef, name: string): StatusError {
  return conflict(def.plural, name, MODIFIED, def.group);
}

// A namespace stays while its spec.finalizers (the namespace controller's `kubernetes`) remain.
function hasSpecFinalizers(def: ResourceDef, obj: KubeObject): boolean {
  return def.kind === "Namespace" && def.group === "" && (((obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).length > 0);
}

/** Sets (or, when there is none, removes) an object's managedFields. */
function setManaged(obj: KubeObject, entries: KubeObject["metadata"]["managedFields"]): void {
  if (entries && entries.length) obj.metadata.managedFields = entries;
  else delete obj.metadata.managedFields;
}
