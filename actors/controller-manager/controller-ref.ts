/**
 * Controller references (the ownerReference with `controller: true`) and
 * Kubernetes' ControllerRefManager: a controller claims the objects its
 * selector matches. It keeps what it owns and still matches, adopts matching
 * orphans (patching in its controllerRef), releases what it owns but no
 * longer matches (patching the reference out), and never touches objects
 * another controller owns.
 */
import type { ApiClient } from "../api/client.ts";
import { isNotFound } from "../api/client.ts";
import type { IndexFunc } from "../api/cache.ts";
import type { KubeObject, OwnerReference } from "../api/meta.ts";

/** Informer index: objects by the UID of their controller. */
export const CONTROLLER_UID_INDEX = "controller-ref/uid";
/** Informer index: objects without a controller, by namespace. */
export const ORPHAN_INDEX = "controller-ref/orphans";

/** The controller reference of `obj`, if it has one. */
export function controllerRefOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** The indexers every controller of owned objects uses (same names, same functions, so informers share them). */
export const controllerIndexers: Record<string, IndexFunc<KubeObject>> = {
  [CONTROLLER_UID_INDEX]: (obj) => {
    const ref = controllerRefOf(obj);
    return ref ? [ref.uid] : [];
  },
  [ORPHAN_INDEX]: (obj) => (controllerRefOf(obj) ? [] : [obj.metadata.namespace ?? ""]),
};

/** `metav1.NewControllerRef`: a reference to `owner` marked controller and blocking its deletion. */
export function newControllerRef(owner: KubeObject): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

/** What {@link claimObjects} needs. */
export interface ClaimOptions<T extends KubeObject> {
  client: ApiClient;
  /** The claimed objects' resource (`pods`, `replicasets.apps`). */
  resource: string;
  /** The controller claiming them. */
  owner: KubeObject;
  /** Whether the owner's selector (and any other rule) matches an object. */
  match(obj: T): boolean;
  /** Objects owned by the owner or orphaned, in its namespace; others' objects are ignored. */
  candidates: T[];
  /** Checked once before the first adoption; throws to refuse (owner deleted meanwhile). */
  canAdopt(): Promise<void>;
}

/**
 * Kubernetes' `ClaimObject` over every candidate: resolves with the objects
 * the owner now controls. Failed adoptions and releases (other than NotFound)
 * are thrown together after every candidate was tried, so the caller's sync
 * is retried.
 */
export async function claimObjects<T extends KubeObject>(o: ClaimOptions<T>): Promise<T[]> {
  const uid = o.owner.metadata.uid!;
  const ownerDeleting = Boolean(o.owner.metadata.deletionTimestamp);
  const claimed: T[] = [];
  const errors: unknown[] = [];
  let adoptable: Promise<void> | undefined;
  for (const obj of o.candidates) {
    const ref = controllerRefOf(obj);
    if (ref) {
      if (ref.uid !== uid) continue;
      if (o.match(obj)) {
        claimed.push(obj);
        continue;
      }
      if (ownerDeleting) continue;
      try {
        await release(o, obj);
      } catch (err) {
        if (!isNotFound(err)) errors.push(err);
      }
      continue;
    }
    if (ownerDeleting || !o.match(obj) || obj.metadata.deletionTimestamp) continue;
    if (o.owner.metadata.namespace && o.owner.metadata.namespace !== obj.metadata.namespace) continue;
    try {
      adoptable ??= o.canAdopt();
      await adoptable;
      claimed.push(await adopt(o, obj));
    } catch (err) {
      if (!isNotFound(err)) errors.push(err);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, errors.map((e) => (e as Error)?.message ?? String(e)).join("; "));
  return claimed;
}

// A strategic merge patch keyed by uid, with the object's uid as precondition (a re-created namesake is not touched).
async function adopt<T extends KubeObject>(o: ClaimOptions<T>, obj: T): Promise<T> {
  const patch = { metadata: { ownerReferences: [newControllerRef(o.owner)], uid: obj.metadata.uid } };
  return o.client.patch<T>(o.resource, obj.metadata.name!, "strategic", patch, { namespace: obj.metadata.namespace });
}

async function release<T extends KubeObject>(o: ClaimOptions<T>, obj: T): Promise<void> {
  const patch = { metadata: { ownerReferences: [{ $patch: "delete", uid: o.owner.metadata.uid }], uid: obj.metadata.uid } };
  await o.client.patch(o.resource, obj.metadata.name!, "strategic", patch, { namespace: obj.metadata.namespace });
}

/**
 * Kubernetes' `RecheckDeletionTimestamp`: reads the owner fresh from the
 * apiserver and refuses adoption if it is gone, replaced, or being deleted.
 */
export function recheckDeletion(client: ApiClient, resource: string, owner: KubeObject): () => Promise<void> {
  return async () => {
    const { name, namespace, uid } = owner.metadata;
    const fresh = await client.get(resource, name!, { namespace });
    if (fresh.metadata.uid !== uid) throw new Error(`original ${owner.kind} ${namespace}/${name} is gone: got uid ${fresh.metadata.uid}, wanted ${uid}`);
    if (fresh.metadata.deletionTimestamp) throw new Error(`${owner.kind} ${namespace}/${name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
  };
}
