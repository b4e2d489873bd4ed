/**
 * ServiceAccount admission: a new pod runs as `spec.serviceAccountName`
 * (`default` when unset), which must exist in its namespace; unless
 * automounting is turned off (on the pod, else on the service account) the
 * pod gets the `kube-api-access-<random>` projected volume (a bound token,
 * the cluster CA and the namespace) mounted read-only at
 * /var/run/secrets/kubernetes.io/serviceaccount in every container.
 *
 * A namespace's `default` ServiceAccount is the serviceaccount
 * controller's to create. Where kube-apiserver would wait briefly for it
 * (a pod racing the controller in a new namespace), this plugin creates the
 * missing `default` account itself, the same object the controller would
 * make: an actor that handles one request at a time cannot wait. Any other
 * missing service account refuses the pod, as in Kubernetes. Likewise a
 * missing `kube-root-ca.crt` ConfigMap (the root CA publisher's) is created
 * with an empty `ca.crt`, which the publisher fills in, so the token volume
 * can always be mounted.
 */
import { isAlreadyExists, isNotFound } from "../../api/client.ts";
import type { KubeObject } from "../../api/meta.ts";
import { forbidden } from "../../api/status.ts";
import type { Container, Pod, ServiceAccount, Volume, VolumeMount } from "../../api/types/index.ts";
import { generatedName } from "../objects.ts";
import { storeKey } from "../registry/resource.ts";
import type { AdmissionContext, AdmissionPlugin, AdmissionRequest } from "./types.ts";

/** The default service account's name. */
export const DEFAULT_SERVICE_ACCOUNT = "default";
/** Where the token volume is mounted. */
export const SERVICE_ACCOUNT_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";
/** The token volume's name prefix. */
export const SERVICE_ACCOUNT_VOLUME_PREFIX = "kube-api-access-";
/** Pods mirrored from a kubelet's static manifests carry this annotation and never get a service account. */
export const MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror";
/** Lifetime asked of the projected token (an hour plus the kubelet's refresh margin, as Kubernetes sets). */
export const TOKEN_EXPIRATION_SECONDS = 3607;

/** The ConfigMap with the cluster CA that the token volume projects. */
export const ROOT_CA_CONFIGMAP = "kube-root-ca.crt";

/** The projected volume Kubernetes adds. */
export function tokenVolume(name: string): Volume {
  return {
    name,
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { expirationSeconds: TOKEN_EXPIRATION_SECONDS, path: "token" } },
        { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
        { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
      ],
    },
  };
}

async function lookup(a: AdmissionRequest, ctx: AdmissionContext, name: string): Promise<ServiceAccount | undefined> {
  const kv = await ctx.store.get(storeKey({ group: "", plural: "serviceaccounts" }, a.namespace, name));
  return kv?.value as ServiceAccount | undefined;
}

/** The service account, creating a missing `default` one (not on a dry run). */
async function serviceAccountFor(a: AdmissionRequest, ctx: AdmissionContext, name: string): Promise<ServiceAccount | undefined> {
  const found = await lookup(a, ctx, name);
  if (found || name !== DEFAULT_SERVICE_ACCOUNT) return found;
  const sa: ServiceAccount = { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace: a.namespace } };
  if (a.dryRun) return sa;
  try {
    return (await ctx.create("serviceaccounts", a.namespace, sa as KubeObject)) as ServiceAccount;
  } catch (err) {
    // Someone (the controller) made it meanwhile; anything else is the real answer.
    const again = await lookup(a, ctx, name);
    if (again) return again;
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Creates the namespace's `kube-root-ca.crt` when it is missing. */
async function ensureRootCA(a: AdmissionRequest, ctx: AdmissionContext): Promise<void> {
  if (a.dryRun || (await ctx.store.get(storeKey({ group: "", plural: "configmaps" }, a.namespace, ROOT_CA_CONFIGMAP)))) return;
  const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: ROOT_CA_CONFIGMAP, namespace: a.namespace }, data: { "ca.crt": "" } };
  await ctx.create("configmaps", a.namespace, cm).catch((err: unknown) => {
    if (!isAlreadyExists(err)) throw err;
  });
}

function mountsAt(c: Container, path: string): boolean {
  return (c.volumeMounts ?? []).some((m) => m.mountPath === path);
}

function mountToken(pod: Pod): boolean {
  const spec = pod.spec;
  const volumes = spec.volumes ?? [];
  const existing = volumes.find((v) => v.name.startsWith(SERVICE_ACCOUNT_VOLUME_PREFIX));
  let name = existing?.name;
  if (!name) {
    const taken = new Set(volumes.map((v) => v.name));
    do name = generatedName(SERVICE_ACCOUNT_VOLUME_PREFIX);
    while (taken.has(name));
  }
  const mount: VolumeMount = { name, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH };
  let needed = false;
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    if (mountsAt(c, SERVICE_ACCOUNT_MOUNT_PATH)) continue;
    c.volumeMounts = [...(c.volumeMounts ?? []), { ...mount }];
    needed = true;
  }
  if (!existing && needed) spec.volumes = [...volumes, tokenVolume(name)];
  return needed;
}

/** The ServiceAccount plugin. */
export const serviceAccountAdmission: AdmissionPlugin = {
  name: "ServiceAccount",
  async admit(a, ctx) {
    if (a.def.group !== "" || a.def.plural !== "pods" || a.operation !== "CREATE" || a.subresource || !a.object || !a.namespace) return;
    const pod = a.object as Pod;
    if (!pod.spec || pod.metadata.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return;
    const name = pod.spec.serviceAccountName || DEFAULT_SERVICE_ACCOUNT;
    pod.spec.serviceAccountName = name;
    pod.spec.serviceAccount = name;
    const sa = await serviceAccountFor(a, ctx, name);
    if (!sa) {
      const who = a.name || pod.metadata.generateName || "Unknown";
      throw forbidden("pods", who, `error looking up service account ${a.namespace}/${name}: serviceaccount "${name}" not found`);
    }
    const automount = pod.spec.automountServiceAccountToken ?? sa.automountServiceAccountToken ?? true;
    if (automount && mountToken(pod)) await ensureRootCA(a, ctx);
  },
};
