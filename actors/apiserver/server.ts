/**
 * The apiserver's request handling, free of workers so it can be tested in
 * process: registry strategy (defaulting, validation, create/update rules)
 * in front of the store, optimistic concurrency, finalizers and graceful
 * deletion, selectors and paging, watches through per-resource hubs.
 */
import type { KubeList, KubeObject } from "../api/meta.ts";
import type { DeleteOptions, DiscoveredResource, ListOptions, PatchType, WatchStarted } from "../api/protocol.ts";
import { alreadyExists, badRequest, conflict, expired, forbidden, invalid, notFound, StatusError, failure, type StatusCause } from "../api/status.ts";
import { hasCode } from "../../runtime/errors.ts";
import type { Clock } from "../../runtime/clock.ts";
import type { Store } from "./store/store.ts";
import { StoreCodes } from "./store/store.ts";
import { Registry, registry as builtinRegistry } from "./registry/index.ts";
import { apiVersionOf, storeKey, storePrefix, type FieldError, type ResourceDef } from "./registry/resource.ts";
import { validateObjectMeta, validateObjectMetaUpdate } from "./registry/validation.ts";
import { compileFilter, decodeContinue, encodeContinue, generatedName, sameJson, timestamp, withRV } from "./objects.ts";
import { jsonPatch, mergePatch, strategicMergePatch } from "./patch.ts";
import { WatchHub, type HubWatcher } from "./watch-hub.ts";

/** Options of an {@link ApiServer}. */
export interface ApiServerOptions {
  store: Store;
  clock: Clock;
  registry?: Registry;
  /** Events each resource's watch window keeps (default 20 000). */
  watchWindow?: number;
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
  async get(t: Target, name: string): Promise<KubeObject> {
    if (!name) throw badRequest("a name is required");
    const kv = await this.store.get(storeKey(t.def, this.#ns(t), name));
    if (!kv) throw notFound(t.def.plural, name, t.def.group);
    return withRV(kv);
  }

  /** LIST with selectors and limit/continue paging at one consistent revision. */
  async list(t: Target, opts: ListOptions = {}): Promise<KubeList> {
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
          items.push(withRV(kv));
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
  async watch(t: Target, opts: ListOptions, w: Omit<HubWatcher, "filter" | "fromRevision" | "namespace">): Promise<{ started: WatchStarted; cancel: () => void }> {
    const filter = compileFilter(t.def, opts.labelSelector, opts.fieldSelector);
    const hub = await this.#hub(t.def);
    const rv = opts.resourceVersion;
    let fromRevision: number;
    let initial: KubeObject[] = [];
    if (!rv || rv === "0") {
      const list = await this.list(t, { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector });
      fromRevision = Number(list.metadata.resourceVersion);
      initial = list.items;
    } else {
      fromRevision = Number(rv);
      if (!Number.isInteger(fromRevision) || fromRevision < 0) throw badRequest(`invalid resource version: ${rv}`);
    }
    const watcher: HubWatcher = { ...w, filter, fromRevision, namespace: t.namespace };
    if (initial.length) w.send(initial.map((object) => ({ type: "ADDED", object })));
    hub.add(watcher);
    return { started: { watchId: w.id, resourceVersion: String(fromRevision) }, cancel: () => hub.remove(watcher) };
  }

  /** Bookmarks for every watch that asked for them. */
  hubs(): Iterable<[ResourceDef, WatchHub]> {
    return this.#hubs.entries();
  }

  // ---- writes -------------------------------------------------------------

  /** POST: create. */
  async create(t: Target, input: unknown, dryRun = false): Promise<KubeObject> {
    const obj = this.#decode(t, input);
    const meta = obj.metadata;
    if (!meta.name && meta.generateName) meta.name = generatedName(meta.generateName);
    if (t.def.namespaced) {
      const ns = this.#ns(t, meta.namespace)!;
      meta.namespace = ns;
      await this.#checkNamespace(ns, t.def);
    } else delete meta.namespace;
    meta.uid = crypto.randomUUID();
    meta.creationTimestamp = timestamp(this.clock.now());
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if (t.def.generation) meta.generation = 1;
    else delete meta.generation;
    t.def.defaults?.(obj);
    t.def.prepareForCreate?.(obj);
    this.#validate(t.def, obj, [...validateObjectMeta(meta, t.def.namespaced, t.def.validateName), ...t.def.validate(obj)]);
    if (dryRun) return obj;
    const key = storeKey(t.def, meta.namespace, meta.name!);
    const r = await this.store.txn({ compare: [{ key, target: "version", op: "=", value: 0 }], success: [{ type: "put", key, value: obj }] });
    if (!r.succeeded) throw alreadyExists(t.def.plural, meta.name!, t.def.group);
    return withRV(r.results[0].kv!);
  }

  /** PUT: update the object, or its status or scale subresource. */
  async update(t: Target, input: unknown, subresource?: "status" | "scale", dryRun = false): Promise<KubeObject> {
    const obj = subresource === "scale" ? this.#decodeScale(input) : this.#decode(t, input);
    const name = obj.metadata.name;
    if (!name) throw invalid(t.def.kind, "", [{ reason: "FieldValueRequired", field: "metadata.name", message: "Required value: name is required" }], t.def.group);
    const key = storeKey(t.def, this.#ns(t, obj.metadata.namespace), name);
    const cur = await this.store.get(key);
    if (!cur) throw notFound(t.def.plural, name, t.def.group);
    const old = cur.value as KubeObject;
    const rv = obj.metadata.resourceVersion;
    if (rv && rv !== String(cur.modRevision)) {
      throw conflict(t.def.plural, name, "the object has been modified; please apply your changes to the latest version and try again", t.def.group);
    }
    if (obj.metadata.uid && obj.metadata.uid !== old.metadata.uid) {
      throw conflict(t.def.plural, name, `Precondition failed: UID in precondition: ${obj.metadata.uid}, UID in object meta: ${old.metadata.uid}`, t.def.group);
    }
    let next: KubeObject;
    if (subresource === "status") {
      next = { ...structuredClone(old), status: obj.status };
      t.def.prepareForStatusUpdate?.(next, old);
      const errs = t.def.validateStatusUpdate ? t.def.validateStatusUpdate(next, old) : t.def.validate(next);
      this.#validate(t.def, next, errs);
    } else if (subresource === "scale") {
      next = this.#applyScale(t, old, obj);
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
      t.def.prepareForUpdate?.(next, old);
      if (t.def.generation && !sameJson(next.spec, old.spec)) m.generation = (old.metadata.generation ?? 0) + 1;
      this.#validate(t.def, next, [
        ...validateObjectMetaUpdate(m, old.metadata),
        ...t.def.validate(next),
        ...(t.def.validateUpdate?.(next, old) ?? []),
      ]);
    }
    delete next.metadata.resourceVersion;
    // The last finalizer removed from an object being deleted deletes it.
    if (next.metadata.deletionTimestamp && !(next.metadata.finalizers?.length) && !this.#awaitsKubelet(t.def, next)) {
      if (dryRun) return withRV(cur);
      const r = await this.store.txn({ compare: [{ key, target: "modRevision", op: "=", value: cur.modRevision }], success: [{ type: "delete", key }] });
      if (!r.succeeded) throw conflict(t.def.plural, name, "the object has been modified; please apply your changes to the latest version and try again", t.def.group);
      return { ...next, metadata: { ...next.metadata, resourceVersion: String(r.revision) } };
    }
    if (sameJson(next, old) || dryRun) return dryRun ? next : withRV(cur);
    const r = await this.store.txn({ compare: [{ key, target: "modRevision", op: "=", value: cur.modRevision }], success: [{ type: "put", key, value: next }] });
    if (!r.succeeded) throw conflict(t.def.plural, name, "the object has been modified; please apply your changes to the latest version and try again", t.def.group);
    const out = withRV(r.results[0].kv!);
    return subresource === "scale" ? this.#scaleOf(t, out) : out;
  }

  /** PATCH: merge, JSON, strategic merge, or apply (server-side apply as a strategic merge that may create). */
  async patch(t: Target, name: string, type: PatchType, patch: unknown, subresource?: "status" | "scale", dryRun = false): Promise<KubeObject> {
    let current: KubeObject;
    try {
      current = subresource === "scale" ? this.#scaleOf(t, await this.get(t, name)) : await this.get(t, name);
    } catch (err) {
      if (type === "apply" && hasCode(err, "NotFound")) {
        const obj = structuredClone(patch) as KubeObject;
        obj.metadata = { ...(obj?.metadata ?? {}), name, ...(t.namespace ? { namespace: t.namespace } : {}) };
        return this.create(t, obj, dryRun);
      }
      throw err;
    }
    const base = structuredClone(current);
    let next: unknown;
    if (type === "merge") next = mergePatch(base, patch);
    else if (type === "json") next = jsonPatch(base, patch);
    else if (type === "strategic" || type === "apply") next = strategicMergePatch(base, patch);
    else throw new StatusError(failure("UnsupportedMediaType", `the patch type "${String(type)}" is not supported`));
    const obj = next as KubeObject;
    if (!obj || typeof obj !== "object" || !obj.metadata) throw badRequest("the patch removed the object's metadata");
    // A resourceVersion in the patch is a precondition; otherwise the patch applies to what was read.
    const patchRV = (patch as { metadata?: { resourceVersion?: string } })?.metadata?.resourceVersion;
    obj.metadata.resourceVersion = patchRV ?? current.metadata.resourceVersion;
    if (obj.metadata.name !== name) throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
    if (subresource === "scale") return this.update(t, obj, "scale", dryRun);
    return this.update(t, obj, subresource, dryRun);
  }

  /** DELETE: graceful for bound pods, two-phase when finalizers are present. */
  async delete(t: Target, name: string, options: DeleteOptions = {}): Promise<KubeObject> {
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
    const finalizers = [...(old.metadata.finalizers ?? [])];
    const policy = options.propagationPolicy;
    if (policy === "Orphan" && !finalizers.includes("orphan")) finalizers.push("orphan");
    if (policy === "Foreground" && !finalizers.includes("foregroundDeletion")) finalizers.push("foregroundDeletion");
    const grace = this.#gracePeriod(t.def, old, options.gracePeriodSeconds);
    const extraFinalizers = t.def.kind === "Namespace" ? (((old.spec as { finalizers?: string[] })?.finalizers ?? []).length > 0) : false;
    if (finalizers.length > 0 || grace > 0 || extraFinalizers) {
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
      if (!r.succeeded) throw conflict(t.def.plural, name, "the object has been modified; please apply your changes to the latest version and try again", t.def.group);
      return withRV(r.results[0].kv!);
    }
    if (dryRun) return withRV(cur);
    const r = await this.store.txn({ compare: [{ key, target: "modRevision", op: "=", value: cur.modRevision }], success: [{ type: "delete", key }] });
    if (!r.succeeded) throw conflict(t.def.plural, name, "the object has been modified; please apply your changes to the latest version and try again", t.def.group);
    return withRV(cur, r.revision);
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
      const next = structuredClone(pod);
      (next.spec as { nodeName?: string }).nodeName = node;
      const status = (next.status ?? {}) as { conditions?: { type: string; status: string; lastTransitionTime?: string; lastProbeTime?: null }[] };
      status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== "PodScheduled"), { type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: timestamp(this.clock.now()) }];
      next.status = status;
      const key = storeKey(t.def, namespace, name);
      delete next.metadata.resourceVersion;
      const r = await this.store.txn({ compare: [{ key, target: "modRevision", op: "=", value: Number(pod.metadata.resourceVersion) }], success: [{ type: "put", key, value: next }] });
      if (r.succeeded) return withRV(r.results[0].kv!);
      if (attempt > 3) throw conflict("pods", name, "the object has been modified; please apply your changes to the latest version and try again");
    }
  }

  /** Every kind served, for discovery. */
  discovery(): DiscoveredResource[] {
    return this.registry.list().map((d) => ({
      group: d.group,
      version: d.version,
      kind: d.kind,
      plural: d.plural,
      singular: d.singular,
      namespaced: d.namespaced,
      shortNames: d.shortNames ?? [],
      categories: d.categories ?? [],
      subresources: d.subresources,
      verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
    }));
  }

  // ---- internals ----------------------------------------------------------

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

  #decode(t: Target, input: unknown): KubeObject {
    if (input === null || typeof input !== "object" || Array.isArray(input)) throw badRequest(`the body of a ${t.def.kind} must be a JSON object`);
    const obj = structuredClone(input) as KubeObject;
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

  async #checkNamespace(namespace: string, def: ResourceDef): Promise<void> {
    if (def.kind === "Namespace") return;
    const ns = await this.store.get(`/registry/namespaces/${namespace}`);
    if (!ns) throw notFound("namespaces", namespace);
    const n = ns.value as KubeObject;
    if (n.metadata.deletionTimestamp || (n.status as { phase?: string } | undefined)?.phase === "Terminating") {
      throw forbidden(def.plural, "", `unable to create new content in namespace ${namespace} because it is being terminated`, def.group);
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
