/**
 * What the kubelet writes into a pod's configMap, secret, downwardAPI and
 * projected volumes (the volume plugins' SetUp): file path → content. A
 * missing object or key that is not `optional` is a {@link MountError}
 * worded as the plugins word it.
 */
import type { Pod, Volume } from "../api/types/index.ts";
import type { KeyToPath } from "../api/types/core-pod.ts";
import { configMapData, secretData, type ObjectLookup } from "./config-objects.ts";
import { fieldValue, resourceValue, type PodRuntimeFacts } from "./env.ts";

/** A volume that cannot be set up yet; the message follows `MountVolume.SetUp failed for volume "x" : `. */
export class MountError extends Error {
  override name = "MountError";
  readonly code = "FailedMount";
}

/** Everything a volume's contents may depend on besides the pod. */
export interface ContentDeps {
  lookup: ObjectLookup;
  facts: PodRuntimeFacts;
  /** A service account token for the pod (a projected serviceAccountToken source). */
  token(audience: string | undefined, expirationSeconds: number): string;
}

/** The plugin folder name of a volume kind, as under /var/lib/kubelet/pods/<uid>/volumes. */
export function pluginDir(v: Volume): string {
  if (v.configMap) return "kubernetes.io~configmap";
  if (v.secret) return "kubernetes.io~secret";
  if (v.projected) return "kubernetes.io~projected";
  if (v.downwardAPI) return "kubernetes.io~downward-api";
  if (v.persistentVolumeClaim) return "kubernetes.io~csi";
  return "kubernetes.io~empty-dir";
}

/** The files of a configMap, secret, downwardAPI or projected volume; `{}` for other kinds. */
export async function volumeFiles(pod: Pod, v: Volume, d: ContentDeps): Promise<Record<string, string>> {
  const ns = pod.metadata.namespace ?? "default";
  if (v.configMap) return configMapFiles(ns, v.configMap.name ?? "", v.configMap.items, v.configMap.optional, d.lookup);
  if (v.secret) return secretFiles(ns, v.secret.secretName ?? "", v.secret.items, v.secret.optional, d.lookup);
  if (v.downwardAPI) return downwardFiles(pod, v.downwardAPI.items ?? [], d.facts);
  if (v.projected) return projectedFiles(pod, v.projected.sources ?? [], d);
  return {};
}

async function configMapFiles(ns: string, name: string, items: KeyToPath[] | undefined, optional: boolean | undefined, lookup: ObjectLookup): Promise<Record<string, string>> {
  const cm = await lookup.configMap(ns, name);
  if (!cm) {
    if (optional) return {};
    throw new MountError(`configmap "${name}" not found`);
  }
  return pick(configMapData(cm), items, optional, (k) => `configmap references non-existent config key: ${k}`);
}

async function secretFiles(ns: string, name: string, items: KeyToPath[] | undefined, optional: boolean | undefined, lookup: ObjectLookup): Promise<Record<string, string>> {
  const s = await lookup.secret(ns, name);
  if (!s) {
    if (optional) return {};
    throw new MountError(`secret "${name}" not found`);
  }
  return pick(secretData(s), items, optional, (k) => `references non-existent secret key: ${k}`);
}

// All keys, or only `items` (renamed to their paths); a listed key that is missing fails unless optional.
function pick(data: Record<string, string>, items: KeyToPath[] | undefined, optional: boolean | undefined, missing: (key: string) => string): Record<string, string> {
  if (!items?.length) return { ...data };
  const out: Record<string, string> = {};
  for (const it of items) {
    if (!Object.hasOwn(data, it.key)) {
      if (optional) continue;
      throw new MountError(missing(it.key));
    }
    out[it.path] = data[it.key];
  }
  return out;
}

type DownwardItem = { path: string; fieldRef?: { fieldPath: string }; resourceFieldRef?: { containerName?: string; resource: string; divisor?: string } };

function downwardFiles(pod: Pod, items: DownwardItem[], facts: PodRuntimeFacts): Record<string, string> {
  const out: Record<string, string> = {};
  for (const it of items) {
    if (it.fieldRef) out[it.path] = fieldValue(pod, it.fieldRef.fieldPath, facts);
    else if (it.resourceFieldRef) {
      const r = it.resourceFieldRef;
      out[it.path] = resourceValue(pod, r.containerName ?? pod.spec.containers[0]?.name ?? "", r.resource, r.divisor, facts);
    }
  }
  return out;
}

/** The projected volume's sources, merged; every failing source is reported, as one error or `[a, b]`. */
async function projectedFiles(pod: Pod, sources: unknown[], d: ContentDeps): Promise<Record<string, string>> {
  const ns = pod.metadata.namespace ?? "default";
  const out: Record<string, string> = {};
  const errors: string[] = [];
  for (const raw of sources) {
    const src = raw as {
      secret?: { name?: string; items?: KeyToPath[]; optional?: boolean };
      configMap?: { name?: string; items?: KeyToPath[]; optional?: boolean };
      downwardAPI?: { items?: DownwardItem[] };
      serviceAccountToken?: { audience?: string; expirationSeconds?: number; path: string };
    };
    try {
      if (src.secret) Object.assign(out, await secretFiles(ns, src.secret.name ?? "", src.secret.items, src.secret.optional, d.lookup));
      else if (src.configMap) Object.assign(out, await configMapFiles(ns, src.configMap.name ?? "", src.configMap.items, src.configMap.optional, d.lookup));
      else if (src.downwardAPI) Object.assign(out, downwardFiles(pod, src.downwardAPI.items ?? [], d.facts));
      else if (src.serviceAccountToken) out[src.serviceAccountToken.path] = d.token(src.serviceAccountToken.audience, src.serviceAccountToken.expirationSeconds ?? 3600);
    } catch (err) {
      if (!(err instanceof MountError)) throw err;
      errors.push(err.message);
    }
  }
  if (errors.length === 1) throw new MountError(errors[0]);
  if (errors.length > 1) throw new MountError(`[${errors.join(", ")}]`);
  return out;
}

/**
 * A bound service account token for the pod, shaped like the apiserver's
 * (a JWT whose claims name the pod, its service account and node). It is
 * minted by the node, not signed by the apiserver: the simulated container
 * only needs the file to be there.
 */
export function mintServiceAccountToken(pod: Pod, node: string, audience: string | undefined, expirationSeconds: number, nowMs: number, clusterDomain: string): string {
  const iat = Math.floor(nowMs / 1000);
  const ns = pod.metadata.namespace ?? "default";
  const sa = pod.spec.serviceAccountName ?? "default";
  const issuer = `https://kubernetes.default.svc.${clusterDomain}`;
  const claims = {
    aud: [audience ?? issuer],
    exp: iat + Math.max(600, expirationSeconds),
    iat,
    iss: issuer,
    "kubernetes.io": { namespace: ns, node: { name: node }, pod: { name: pod.metadata.name, uid: pod.metadata.uid }, serviceaccount: { name: sa } },
    nbf: iat,
    sub: `system:serviceaccount:${ns}:${sa}`,
  };
  const part = (o: unknown) => base64url(JSON.stringify(o));
  return `${part({ alg: "RS256", kid: "actorkube-node" })}.${part(claims)}.${base64url(`${node}:${pod.metadata.uid}:${iat}`)}`;
}

function base64url(text: string): string {
  let bin = "";
  for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
