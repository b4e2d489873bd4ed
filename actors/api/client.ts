/**
 * The typed client every actor uses to talk to the apiserver: one method per
 * verb of `protocol.ts`, each an ask with a timeout, errors kept as the
 * apiserver's `Status` (checked by `code`, so they work across workers).
 */
import type { Messenger } from "../../runtime/actor.ts";
import { errorCode } from "../../runtime/errors.ts";
import type { KubeList, KubeObject } from "./meta.ts";
import type { ApiRequest, DeleteOptions, ListOptions, PatchType, ReadOptions, ResourceRef, WatchStarted, WriteOptions } from "./protocol.ts";
import { statusOf, type Status } from "./status.ts";
import type { Binding } from "./types/core-pod.ts";

/** Settings of an {@link ApiClient}. */
export interface ApiClientOptions {
  /** Address of the apiserver actor. Default `apiserver`. */
  apiserver?: string;
  /** Per-request timeout. Default 30 000 ms. */
  timeoutMs?: number;
  /** Identity sent with every request, which the apiserver authorizes (none: the apiserver's own, privileged). */
  user?: string;
  /** The identity's groups (`system:nodes` for kubelets); every user is also in `system:authenticated`. */
  groups?: string[];
  /**
   * Ask for objects without `metadata.managedFields` on get, list, watch
   * and in the answers to writes (default true: components never read field ownership, and leaving it
   * out halves what a pod costs to send). False reads objects whole;
   * a single call may also say so through its own `omitManagedFields`.
   */
  omitManagedFields?: boolean;
}

/** Where a namespaced object lives; omit for cluster-scoped resources. */
export interface InNamespace {
  namespace?: string;
}

/** Options of `get`. */
export type ClientGetOptions = InNamespace & ReadOptions;

/** Options of `list`. */
export type ClientListOptions = ListOptions & InNamespace & ReadOptions;

/** Options of `create`, `update` and `updateStatus`; the namespace defaults to the object's. */
export type ClientWriteOptions = WriteOptions & InNamespace;

/** Options of `patch`. */
export type ClientPatchOptions = ClientWriteOptions & { subresource?: "status" | "scale"; force?: boolean };

/** Options of `delete`. */
export type ClientDeleteOptions = DeleteOptions & InNamespace;

/** Options of `watch`: where events go (an actor address) and what to watch. */
export type ClientWatchOptions = ListOptions & InNamespace & ReadOptions & { watcher: string; allowWatchBookmarks?: boolean; timeoutSeconds?: number };

/**
 * Splits `deployments.apps` into plural and group; `pods` stays core.
 * The first dot separates, as kubectl reads `endpointslices.discovery.k8s.io`.
 */
export function resourceRef(resource: string, namespace?: string): ResourceRef {
  const dot = resource.indexOf(".");
  const ref: ResourceRef = dot < 0 ? { resource } : { resource: resource.slice(0, dot), group: resource.slice(dot + 1) };
  if (namespace) ref.namespace = namespace;
  return ref;
}

/** CRUD and watch against the apiserver actor. */
export class ApiClient {
  readonly #messenger: Messenger;
  readonly #apiserver: string;
  readonly #timeoutMs: number;
  readonly #user?: string;
  readonly #groups?: string[];
  readonly #omitManagedFields: boolean;

  /** Builds a client sending through `messenger` (an actor's context or a system). */
  constructor(messenger: Messenger, options: ApiClientOptions = {}) {
    this.#messenger = messenger;
    this.#apiserver = options.apiserver ?? "apiserver";
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    if (options.user !== undefined) this.#user = options.user;
    if (options.groups !== undefined) this.#groups = [...options.groups];
    this.#omitManagedFields = options.omitManagedFields ?? true;
  }

  /** Reads one object; rejects `NotFound` when it does not exist. */
  get<T extends KubeObject = KubeObject>(resource: string, name: string, opts: ClientGetOptions = {}): Promise<T> {
    return this.#send<T>({ type: "api.get", name, ...resourceRef(resource, opts.namespace), ...this.#read(opts), ...this.#who({}) });
  }

  /** Lists objects (one page when `limit` is set; follow `metadata.continue`). */
  list<T extends KubeObject = KubeObject>(resource: string, opts: ClientListOptions = {}): Promise<KubeList<T>> {
    const { namespace, omitManagedFields, ...list } = opts;
    return this.#send<KubeList<T>>({ type: "api.list", ...resourceRef(resource, namespace), ...list, ...this.#read({ omitManagedFields }), ...this.#who({}) });
  }

  /** Creates `obj`; rejects `AlreadyExists` when the name is taken. */
  create<T extends KubeObject = KubeObject>(resource: string, obj: T, opts: ClientWriteOptions = {}): Promise<T> {
    const { namespace, ...write } = opts;
    return this.#send<T>({ type: "api.create", object: obj, ...resourceRef(resource, namespace ?? obj.metadata.namespace), ...this.#read({}), ...this.#who(write) });
  }

  /** Replaces `obj`; rejects `Conflict` when its resourceVersion is stale. */
  update<T extends KubeObject = KubeObject>(resource: string, obj: T, opts: ClientWriteOptions = {}): Promise<T> {
    const { namespace, ...write } = opts;
    return this.#send<T>({ type: "api.update", object: obj, ...resourceRef(resource, namespace ?? obj.metadata.namespace), ...this.#read({}), ...this.#who(write) });
  }

  /** Replaces the status subresource of `obj` (its spec is ignored by the apiserver). */
  updateStatus<T extends KubeObject = KubeObject>(resource: string, obj: T, opts: ClientWriteOptions = {}): Promise<T> {
    const { namespace, ...write } = opts;
    const ref = resourceRef(resource, namespace ?? obj.metadata.namespace);
    return this.#send<T>({ type: "api.update", object: obj, subresource: "status", ...ref, ...this.#read({}), ...this.#who(write) });
  }

  /** Replaces a namespace's `spec.finalizers` through its `finalize` subresource (the namespace controller's last step). */
  finalize<T extends KubeObject = KubeObject>(namespace: T, opts: WriteOptions = {}): Promise<T> {
    return this.#send<T>({ type: "api.update", object: namespace, subresource: "finalize", resource: "namespaces", ...this.#read({}), ...this.#who(opts) });
  }

  /** Patches one object (merge, JSON, strategic or apply). */
  patch<T extends KubeObject = KubeObject>(resource: string, name: string, patchType: PatchType, patch: unknown, opts: ClientPatchOptions = {}): Promise<T> {
    const { namespace, ...write } = opts;
    return this.#send<T>({ type: "api.patch", name, patchType, patch, ...resourceRef(resource, namespace), ...this.#read({}), ...this.#who(write) });
  }

  /**
   * Deletes one object. Resolves with the object when it lingers (finalizers,
   * graceful deletion) or with a Success Status once it is gone.
   */
  delete<T extends KubeObject = KubeObject>(resource: string, name: string, opts: ClientDeleteOptions = {}): Promise<T | Status> {
    const { namespace, ...options } = opts;
    const msg: ApiRequest = { type: "api.delete", name, ...resourceRef(resource, namespace), ...this.#read({}), ...this.#who({}) };
    if (Object.keys(options).length > 0) msg.options = options;
    return this.#send<T | Status>(msg);
  }

  /** Places a pod on a node through the `binding` subresource, as the scheduler does. */
  bind(namespace: string, podName: string, nodeName: string, opts: WriteOptions = {}): Promise<unknown> {
    const binding: Binding = {
      apiVersion: "v1",
      kind: "Binding",
      metadata: { name: podName, namespace },
      target: { apiVersion: "v1", kind: "Node", name: nodeName },
    };
    return this.#send<unknown>({ type: "api.create", object: binding, subresource: "binding", name: podName, resource: "pods", namespace, ...this.#who(opts) });
  }

  /** Starts a watch whose events are told to `opts.watcher` as `api.watch.events`. */
  watch(resource: string, opts: ClientWatchOptions): Promise<WatchStarted> {
    const { namespace, omitManagedFields, ...watch } = opts;
    return this.#send<WatchStarted>({ type: "api.watch", ...resourceRef(resource, namespace), ...watch, ...this.#read({ omitManagedFields }), ...this.#who({}) });
  }

  /** Ends a watch; the apiserver tells the watcher `api.watch.closed`. */
  async unwatch(watchId: string): Promise<void> {
    await this.#send<unknown>({ type: "api.unwatch", watchId });
  }

  // Sent only when true, so a read that wants everything looks as it always did.
  #read(opts: ReadOptions): ReadOptions {
    return (opts.omitManagedFields ?? this.#omitManagedFields) ? { omitManagedFields: true } : {};
  }

  #who<W extends { user?: string; groups?: string[] }>(opts: W): W {
    if (this.#user === undefined || opts.user !== undefined) return opts;
    return this.#groups ? { ...opts, user: this.#user, groups: [...this.#groups] } : { ...opts, user: this.#user };
  }

  // Unset options are left out rather than sent as `undefined`, so shape checks see only what was asked.
  #send<R>(msg: ApiRequest): Promise<R> {
    const sent = Object.fromEntries(Object.entries(msg).filter(([, v]) => v !== undefined)) as ApiRequest;
    return this.#messenger.ask<R, ApiRequest>(this.#apiserver, sent, { timeoutMs: this.#timeoutMs });
  }
}

/** True for a 404 NotFound. */
export function isNotFound(err: unknown): boolean {
  return errorCode(err) === "NotFound";
}

/** True for a 409 Conflict (stale resourceVersion). */
export function isConflict(err: unknown): boolean {
  return errorCode(err) === "Conflict";
}

/** True for a 409 AlreadyExists. */
export function isAlreadyExists(err: unknown): boolean {
  return errorCode(err) === "AlreadyExists";
}

/** True for a 410 (Expired or Gone): the asked-for history was compacted; relist. */
export function isExpired(err: unknown): boolean {
  const code = errorCode(err);
  return code === "Expired" || code === "Gone" || statusOf(err)?.code === 410;
}

/**
 * Runs `fn` again while it fails with Conflict, up to `attempts` times in all;
 * `fn` must re-read the object each time, or it will conflict forever.
 */
export async function retryOnConflict<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (!isConflict(err) || i >= attempts) throw err;
    }
  }
}
