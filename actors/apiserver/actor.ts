/**
 * The apiserver actor: owner of the store and the only writer of cluster
 * state. It answers the `api.*` messages of `actors/api/protocol.ts` and
 * pushes watch events to watchers as `api.watch.events` tells.
 */
import type { ActorContext, ActorFactory, Validator } from "../../runtime/actor.ts";
import { need } from "../../runtime/actor.ts";
import type { ApiRequest, AuthRequest, WatchClosedMessage, WatchEventsMessage } from "../api/protocol.ts";
import type { KubeObject, WatchEvent } from "../api/meta.ts";
import { internalError, statusOf } from "../api/status.ts";
import { toWire } from "../../runtime/errors.ts";
import { MemoryStore } from "./store/memory.ts";
import { WalStore } from "./store/wal.ts";
import type { Store } from "./store/store.ts";
import { ApiServer } from "./server.ts";
import { withoutManagedFields } from "./watch-hub.ts";
import { apiVersionOf } from "./registry/resource.ts";
import { ensureKubernetesService, installServiceAllocation, type ServiceAllocationConfig } from "./service-allocation.ts";
import { ApiserverAuth, type AuthConfig } from "./auth/gate.ts";
import { installAdmission } from "./admission/install.ts";

/** Configuration of the apiserver actor (`serviceClusterIPRange`, `serviceNodePortRange`: see service-allocation.ts). */
export interface ApiserverConfig extends ServiceAllocationConfig, AuthConfig {
  /**
   * Admission plugins to run, as `--enable-admission-plugins` (default all: NamespaceLifecycle, LimitRanger,
   * ServiceAccount, DefaultTolerationSeconds, ResourceQuota); `[]` runs none.
   */
  admission?: string[];
  /** Where state lives: in memory (default) or a write-ahead log in this folder. */
  dataDir?: string;
  /** Events kept per resource for watches that start in the past (default 20 000). */
  watchWindow?: number;
  /** How often watches that allow bookmarks get one (default 10 000 ms). */
  bookmarkIntervalMs?: number;
  /** Namespaces created at first start (default: default, kube-system, kube-public, kube-node-lease). */
  namespaces?: string[];
  /** Address the `kubernetes` Service's endpoints point at (default 127.0.0.1). */
  advertiseAddress?: string;
  /** The secure port the `kubernetes` Service targets (default 6443). */
  securePort?: number;
}

interface ActiveWatch {
  cancel: () => void;
  watcher: string;
  bookmarks: boolean;
  apiVersion: string;
  kind: string;
  hubRevision: () => number;
  timer?: { id: number };
}

/** A write's answer, without managedFields when the writer asked for lean objects (a Status passes as it is). */
async function lean(m: { omitManagedFields?: boolean }, result: Promise<unknown>): Promise<unknown> {
  const obj = await result;
  if (m.omitManagedFields !== true || obj === null || typeof obj !== "object" || !("metadata" in obj)) return obj;
  return withoutManagedFields(obj as KubeObject);
}

const BOUND = Object.freeze({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 });

const ref: Validator = (m) => need(m, "resource", "string") ?? (m.namespace !== undefined && typeof m.namespace !== "string" ? "namespace: expected string" : undefined);
const named: Validator = (m) => ref(m) ?? need(m, "name", "string");
const withObject: Validator = (m) => ref(m) ?? need(m, "object", "object");

/** Builds the apiserver actor. */
export const apiserverActor: ActorFactory<ApiserverConfig | undefined, ApiRequest | AuthRequest> = async (ctx: ActorContext, config) => {
  const cfg = config ?? {};
  const store: Store = cfg.dataDir ? await WalStore.open(cfg.dataDir) : new MemoryStore();
  const api = new ApiServer({ store, clock: ctx.clock, watchWindow: cfg.watchWindow });
  await api.start();
  for (const name of cfg.namespaces ?? ["default", "kube-system", "kube-public", "kube-node-lease"]) {
    await api.create(api.target("namespaces", "", undefined), { metadata: { name } }).catch(() => {});
  }
  const services = await installServiceAllocation(api, cfg);
  await ensureKubernetesService(api, services, { address: cfg.advertiseAddress, port: cfg.securePort }).catch((err: unknown) =>
    ctx.log("warn", "the default/kubernetes service could not be written", { error: toWire(err).message }),
  );
  const admission = await installAdmission(api, cfg.admission, (err) => ctx.log("warn", "a quota recount failed", { error: toWire(err).message }));
  const auth = await ApiserverAuth.start(api, cfg, (err) => ctx.log("error", "an auth cache lost its store watch", { error: err.message }));
  const watches = new Map<string, ActiveWatch>();
  let nextWatch = 1;

  const closeWatch = (id: string, err?: unknown) => {
    const w = watches.get(id);
    if (!w) return;
    watches.delete(id);
    w.cancel();
    if (w.timer) ctx.clock.clearTimeout(w.timer);
    const msg: WatchClosedMessage = { type: "api.watch.closed", watchId: id };
    if (err) msg.status = statusOf(err) ?? internalError(toWire(err).message).status;
    ctx.tell(w.watcher, msg);
  };

  const bookmarkEvery = cfg.bookmarkIntervalMs ?? 10_000;
  const bookmark = () => {
    for (const [id, w] of watches) {
      if (!w.bookmarks) continue;
      const object = { apiVersion: w.apiVersion, kind: w.kind, metadata: { resourceVersion: String(w.hubRevision()) } } as KubeObject;
      const msg: WatchEventsMessage = { type: "api.watch.events", watchId: id, events: [{ type: "BOOKMARK", object }] };
      if (!ctx.tell(w.watcher, msg)) closeWatch(id);
    }
    timer = ctx.clock.setTimeout(bookmark, bookmarkEvery);
  };
  let timer = ctx.clock.setTimeout(bookmark, bookmarkEvery);

  return {
    handlers: auth.with({
      "api.get": (m) => api.get(api.target(m.resource, m.group, m.namespace), m.name, { omitManagedFields: m.omitManagedFields === true }),
      "api.list": (m) => api.list(api.target(m.resource, m.group, m.namespace), m),
      // A body that crossed from another thread is the apiserver's own copy: it is written without another.
      "api.create": (m, d) => {
        const t = api.target(m.resource, m.group, m.namespace);
        // A binding is answered as Kubernetes answers it: a Success Status, not the pod.
        if (m.subresource === "binding") return api.bind(m.namespace ?? "default", m.name ?? m.object.metadata?.name ?? "", m.object).then(() => BOUND);
        if (m.subresource === "eviction") return api.evict(m.namespace ?? "default", m.name ?? m.object.metadata?.name ?? "", m.object, m.dryRun === "All");
        return lean(m, api.create(t, m.object, m.dryRun === "All", { fieldManager: m.fieldManager, user: m.user, owned: d.copied }));
      },
      "api.update": (m, d) => lean(m, api.update(api.target(m.resource, m.group, m.namespace), m.object, m.subresource, m.dryRun === "All", { fieldManager: m.fieldManager, user: m.user, owned: d.copied })),
      "api.patch": (m) => lean(m, api.patch(api.target(m.resource, m.group, m.namespace), m.name, m.patchType, m.patch, m.subresource, m.dryRun === "All", { fieldManager: m.fieldManager, user: m.user, force: m.force })),
      "api.delete": (m) => lean(m, api.delete(api.target(m.resource, m.group, m.namespace), m.name, m.options, m.user)),
      "api.deletecollection": (m) => api.deleteCollection(api.target(m.resource, m.group, m.namespace), m, m.options),
      "api.watch": async (m) => {
        const t = api.target(m.resource, m.group, m.namespace);
        const id = `${ctx.self}/w${nextWatch++}`;
        const watcher = m.watcher;
        const { started, cancel, revision } = await api.watch(t, m, {
          id,
          send: (events: WatchEvent[]) => {
            const ok = ctx.tell(watcher, { type: "api.watch.events", watchId: id, events } satisfies WatchEventsMessage);
            if (!ok) queueMicrotask(() => closeWatch(id));
            return ok;
          },
          close: (err?: Error) => closeWatch(id, err),
        });
        const w: ActiveWatch = { cancel, watcher, bookmarks: Boolean(m.allowWatchBookmarks), apiVersion: apiVersionOf(t.def), kind: t.def.kind, hubRevision: revision };
        watches.set(id, w);
        if (m.timeoutSeconds && m.timeoutSeconds > 0) w.timer = ctx.clock.setTimeout(() => closeWatch(id), m.timeoutSeconds * 1000);
        return started;
      },
      "api.unwatch": (m) => {
        const known = watches.has(m.watchId);
        const w = watches.get(m.watchId);
        if (w) {
          watches.delete(m.watchId);
          w.cancel();
          if (w.timer) ctx.clock.clearTimeout(w.timer);
        }
        return known;
      },
      "api.discovery": () => api.discovery(),
    }),
    validate: {
      ...auth.validate,
      "api.get": named,
      "api.list": ref,
      "api.create": withObject,
      "api.update": withObject,
      "api.patch": (m) => named(m) ?? need(m, "patchType", "string"),
      "api.delete": named,
      "api.deletecollection": ref,
      "api.watch": (m) => ref(m) ?? need(m, "watcher", "string"),
      "api.unwatch": (m) => need(m, "watchId", "string"),
    },
    async onStop() {
      ctx.clock.clearTimeout(timer);
      for (const id of [...watches.keys()]) closeWatch(id);
      auth.stop();
      admission.stop();
      api.stop();
      await store.close();
    },
    inspect: () => ({ watches: watches.size, services: services.stats(), ...auth.stats() }),
  };
};
