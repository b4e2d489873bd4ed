/**
 * The messages the apiserver actor answers: CRUD, watch and discovery over
 * the actor transport. The typed client (`client.ts`) speaks this; so does
 * the HTTP front. Errors come back as `StatusError`s (code = Status reason).
 */
import type { KubeObject, WatchEvent } from "./meta.ts";
import type { Status } from "./status.ts";

/** Which resource: `pods`, `deployments`, `deployments.apps`; group when ambiguous. */
export interface ResourceRef {
  resource: string;
  group?: string;
  namespace?: string;
}

/** Options every write takes. */
export interface WriteOptions {
  /** `All` runs every step but the store write (kubectl's --dry-run=server). */
  dryRun?: "All";
  /** Who writes, recorded in managedFields. */
  fieldManager?: string;
  /** The identity the apiserver authorises the request as (set by the HTTP front; actors default to their address). */
  user?: string;
  /** The authenticated user's groups (set by the HTTP front). */
  groups?: string[];
}

/** Who a read or delete runs as (set by the HTTP front; actors default to their address). */
export interface RequestIdentity {
  user?: string;
  groups?: string[];
}

/** meta/v1 DeleteOptions */
export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: "All";
}

/** Options of list and watch. */
export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** List: at most this many items; more come through `continue`. */
  limit?: number;
  continue?: string;
  /**
   * List: "" or absent = latest; "0" = any (served from the latest);
   * a number = at least that fresh (Kubernetes' NotOlderThan semantics).
   * Watch: events after this revision ("0"/absent = start with ADDED for every existing object).
   */
  resourceVersion?: string;
}

/** Options of get, list and watch; writes take them for the object they answer with. */
export interface ReadOptions {
  /**
   * Leave `metadata.managedFields` out of the objects returned (list items,
   * watch events and the answers to writes included). The cluster's own components set it (see
   * `client.ts`): they never read field ownership, and it is about half of
   * a pod. An update that carries no managedFields keeps the stored ones.
   */
  omitManagedFields?: boolean;
}

/** The apiserver's message union. */
export type ApiRequest =
  | ({ type: "api.get"; name: string; subresource?: string } & ResourceRef & ReadOptions & RequestIdentity)
  | ({ type: "api.list" } & ResourceRef & ListOptions & ReadOptions & RequestIdentity)
  | ({ type: "api.create"; object: KubeObject; subresource?: "binding" | "eviction"; name?: string } & ResourceRef & WriteOptions & ReadOptions)
  | ({ type: "api.update"; object: KubeObject; subresource?: "status" | "scale" | "finalize" } & ResourceRef & WriteOptions & ReadOptions)
  | ({ type: "api.patch"; name: string; patchType: PatchType; patch: unknown; subresource?: "status" | "scale"; force?: boolean } & ResourceRef & WriteOptions & ReadOptions)
  | ({ type: "api.delete"; name: string; options?: DeleteOptions } & ResourceRef & RequestIdentity & ReadOptions)
  | ({ type: "api.deletecollection"; options?: DeleteOptions } & ResourceRef & ListOptions & RequestIdentity)
  | ({ type: "api.watch"; watcher: string; allowWatchBookmarks?: boolean; timeoutSeconds?: number } & ResourceRef & ListOptions & ReadOptions & RequestIdentity)
  | { type: "api.unwatch"; watchId: string }
  | { type: "api.discovery" };

/** Who a bearer token stands for (kube-apiserver's user.Info). */
export interface AuthenticatedUser {
  username: string;
  uid?: string;
  groups: string[];
}

/**
 * Authentication and authorization, asked of the apiserver by its HTTP
 * front: `auth.authenticate` answers an {@link AuthenticatedUser} or a 401
 * Unauthorized; `auth.authorize` answers `{ allowed, reason? }` for a
 * resource or non-resource request (what a SubjectAccessReview's spec holds).
 */
export type AuthRequest =
  | { type: "auth.authenticate"; token: string }
  | {
      type: "auth.authorize";
      user: string;
      groups?: string[];
      resourceAttributes?: { namespace?: string; verb?: string; group?: string; resource?: string; subresource?: string; name?: string };
      nonResourceAttributes?: { path?: string; verb?: string };
    };

/** `application/merge-patch+json`, `application/json-patch+json`, strategic merge, server-side apply. */
export type PatchType = "merge" | "json" | "strategic" | "apply";

/** What `api.watch` answers: the id events will carry. */
export interface WatchStarted {
  watchId: string;
  /** The revision the watch starts after. */
  resourceVersion: string;
}

/** Told to the watcher with a batch of events, in revision order. */
export interface WatchEventsMessage {
  type: "api.watch.events";
  watchId: string;
  events: WatchEvent[];
}

/** Told to the watcher when its watch ends (timeout, Expired, unwatch); `status` says why when it failed. */
export interface WatchClosedMessage {
  type: "api.watch.closed";
  watchId: string;
  status?: Status;
}

/** What a watcher must handle. */
export type WatchMessage = WatchEventsMessage | WatchClosedMessage;

/** One entry of `api.discovery`. */
export interface DiscoveredResource {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  subresources: string[];
  verbs: string[];
}
