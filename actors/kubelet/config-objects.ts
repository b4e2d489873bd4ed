/**
 * How a kubelet reads the ConfigMaps, Secrets and claims its pods refer to:
 * straight from the apiserver, once per pod sync (a lookup is memoised for
 * the sync, so three containers naming one Secret cost one read). NotFound
 * reads as undefined; other failures are thrown with the apiserver's words.
 */
import { isNotFound, type ApiClient } from "../api/client.ts";
import type { KubeObject } from "../api/meta.ts";
import type { ConfigMap, Secret } from "../api/types/index.ts";
import type { InformerSet } from "../api/informer-set.ts";

/** Reads referenced objects of one namespace-scoped kind. */
export interface ObjectLookup {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  /** Any namespaced object (`persistentvolumeclaims`) or, without a namespace, a cluster-scoped one. */
  get<T extends KubeObject>(resource: string, name: string, namespace?: string): Promise<T | undefined>;
}

/** A lookup that reads each object at most once. */
export function memoLookup(client: ApiClient): ObjectLookup {
  const seen = new Map<string, Promise<KubeObject | undefined>>();
  const get = <T extends KubeObject>(resource: string, name: string, namespace?: string): Promise<T | undefined> => {
    const key = `${resource}/${namespace ?? ""}/${name}`;
    let p = seen.get(key);
    if (!p) {
      p = client.get(resource, name, namespace ? { namespace } : {}).catch((err) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
      seen.set(key, p);
    }
    return p as Promise<T | undefined>;
  };
  return {
    configMap: (ns, name) => get<ConfigMap>("configmaps", name, ns),
    secret: (ns, name) => get<Secret>("secrets", name, ns),
    get,
  };
}

/**
 * The ConfigMaps and Secrets a kubelet's pods use, kept as Kubernetes'
 * default `Watch` change-detection strategy keeps them: the first pod that
 * names an object starts a watch of that one object (`metadata.name=<name>`
 * in its namespace) and is answered by a GET meanwhile; once the watch has
 * listed, reads come from its cache, so a node's pods share one watch of
 * `kube-root-ca.crt` instead of reading it once each. The watch ends when no
 * pod on the node uses the object. Other kinds (claims) are read directly.
 */
export class WatchedObjects {
  readonly #informers: InformerSet;
  readonly #client: ApiClient;
  /** `resource/namespace/name` → uids of the pods that read it. */
  readonly #users = new Map<string, Set<string>>();

  constructor(informers: InformerSet, client: ApiClient) {
    this.#informers = informers;
    this.#client = client;
  }

  /** The lookup for one sync of the pod `podUid`. */
  lookup(podUid: string): ObjectLookup {
    const direct = memoLookup(this.#client);
    return {
      configMap: (ns, name) => this.#read<ConfigMap>("configmaps", ns, name, podUid, direct),
      secret: (ns, name) => this.#read<Secret>("secrets", ns, name, podUid, direct),
      get: direct.get,
    };
  }

  /** The pod is gone: watches no other pod needs end. */
  release(podUid: string): void {
    for (const [key, users] of this.#users) {
      if (!users.delete(podUid) || users.size > 0) continue;
      this.#users.delete(key);
      const [resource, namespace, name] = key.split("/") as [string, string, string];
      void this.#informers.release(watchOf(resource, namespace, name));
    }
  }

  /** Objects watched now, as `resource/namespace/name`. */
  watched(): string[] {
    return [...this.#users.keys()];
  }

  #read<T extends KubeObject>(resource: string, namespace: string, name: string, podUid: string, direct: ObjectLookup): Promise<T | undefined> {
    const key = `${resource}/${namespace}/${name}`;
    let users = this.#users.get(key);
    if (!users) this.#users.set(key, (users = new Set()));
    users.add(podUid);
    const informer = this.#informers.informer<T>(watchOf(resource, namespace, name));
    if (informer.hasSynced) return Promise.resolve(informer.get(`${namespace}/${name}`));
    return direct.get<T>(resource, name, namespace);
  }
}

function watchOf(resource: string, namespace: string, name: string) {
  return { resource, namespace, fieldSelector: `metadata.name=${name}` };
}

/** A Secret's value as text (its `data` is base64). */
export function secretText(b64: string): string {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new TextDecoder().decode(bytes);
}

/** Every key of a Secret, decoded. */
export function secretData(s: Secret): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.data ?? {})) out[k] = secretText(v);
  // stringData is write-only and merged by the apiserver, but a hand-made object may still carry it.
  for (const [k, v] of Object.entries(s.stringData ?? {})) out[k] ??= v;
  return out;
}

/** Every key of a ConfigMap: `data`, then `binaryData` decoded. */
export function configMapData(c: ConfigMap): Record<string, string> {
  const out: Record<string, string> = { ...c.data };
  for (const [k, v] of Object.entries(c.binaryData ?? {})) out[k] = secretText(v);
  return out;
}
