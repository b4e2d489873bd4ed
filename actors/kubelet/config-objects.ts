/**
 * How a kubelet reads the ConfigMaps, Secrets and claims its pods refer to:
 * straight from the apiserver, once per pod sync (a lookup is memoised for
 * the sync, so three containers naming one Secret cost one read). NotFound
 * reads as undefined; other failures are thrown with the apiserver's words.
 */
import { isNotFound, type ApiClient } from "../api/client.ts";
import type { KubeObject } from "../api/meta.ts";
import type { ConfigMap, Secret } from "../api/types/index.ts";

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
