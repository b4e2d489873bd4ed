/**
 * A container's environment as the kubelet builds it (makeEnvironmentVariables):
 * `envFrom` sources first, then `env` in order with `$(VAR)` expanded from
 * what came before; values read from ConfigMaps, Secrets, the pod itself
 * (downward API) and its resources. A missing object or key that is not
 * `optional` is a {@link ConfigError} worded as the kubelet words it.
 */
import { parseCPU, parseQuantity } from "../api/quantity.ts";
import type { Container, Pod } from "../api/types/index.ts";
import type { KeyValue } from "./cri/types.ts";
import { expandKubeVars } from "./cri/expand.ts";
import { configMapData, secretData, type ObjectLookup } from "./config-objects.ts";

/** Why a container cannot be configured yet: its waiting message (reason CreateContainerConfigError). */
export class ConfigError extends Error {
  override name = "ConfigError";
  readonly code = "CreateContainerConfigError";
}

/** What the downward API reads besides the pod: addresses and the node's allocatable (for unset limits). */
export interface PodRuntimeFacts {
  hostIPs: readonly string[];
  podIPs: readonly string[];
  /** Node allocatable, by resource name, as quantities. */
  allocatable: Readonly<Record<string, string>>;
}

/** The resolved environment of `container`, in the order Kubernetes builds it. */
export async function containerEnv(pod: Pod, container: Container, lookup: ObjectLookup, facts: PodRuntimeFacts): Promise<KeyValue[]> {
  const ns = pod.metadata.namespace ?? "default";
  const env = new Map<string, string>();
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? "";
    if (from.configMapRef) {
      const name = from.configMapRef.name ?? "";
      const cm = await lookup.configMap(ns, name);
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new ConfigError(`configmap "${name}" not found`);
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) env.set(prefix + k, v);
    } else if (from.secretRef) {
      const name = from.secretRef.name ?? "";
      const s = await lookup.secret(ns, name);
      if (!s) {
        if (from.secretRef.optional) continue;
        throw new ConfigError(`secret "${name}" not found`);
      }
      for (const [k, v] of Object.entries(secretData(s))) env.set(prefix + k, v);
    }
  }
  for (const e of container.env ?? []) {
    const src = e.valueFrom;
    if (!src) {
      env.set(e.name, expandKubeVars(e.value ?? "", (n) => env.get(n)));
      continue;
    }
    if (src.fieldRef) env.set(e.name, fieldValue(pod, src.fieldRef.fieldPath, facts));
    else if (src.resourceFieldRef) env.set(e.name, resourceValue(pod, src.resourceFieldRef.containerName || container.name, src.resourceFieldRef.resource, src.resourceFieldRef.divisor, facts));
    else if (src.configMapKeyRef) {
      const ref = src.configMapKeyRef;
      const cm = await lookup.configMap(ns, ref.name ?? "");
      if (!cm) {
        if (ref.optional) continue;
        throw new ConfigError(`configmap "${ref.name ?? ""}" not found`);
      }
      const data = configMapData(cm);
      if (!Object.hasOwn(data, ref.key)) {
        if (ref.optional) continue;
        throw new ConfigError(`couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name ?? ""}`);
      }
      env.set(e.name, data[ref.key]);
    } else if (src.secretKeyRef) {
      const ref = src.secretKeyRef;
      const s = await lookup.secret(ns, ref.name ?? "");
      if (!s) {
        if (ref.optional) continue;
        throw new ConfigError(`secret "${ref.name ?? ""}" not found`);
      }
      const data = secretData(s);
      if (!Object.hasOwn(data, ref.key)) {
        if (ref.optional) continue;
        throw new ConfigError(`couldn't find key ${ref.key} in Secret ${ns}/${ref.name ?? ""}`);
      }
      env.set(e.name, data[ref.key]);
    }
  }
  return [...env].map(([key, value]) => ({ key, value }));
}

/** A downward-API field of the pod; `metadata.labels`/`annotations` as a whole are `key="value"` lines, sorted. */
export function fieldValue(pod: Pod, path: string, facts: PodRuntimeFacts): string {
  const m = pod.metadata;
  const keyed = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (keyed) return (keyed[1] === "labels" ? m.labels : m.annotations)?.[keyed[2]] ?? "";
  switch (path) {
    case "metadata.name": return m.name ?? "";
    case "metadata.namespace": return m.namespace ?? "default";
    case "metadata.uid": return m.uid ?? "";
    case "metadata.labels": return formatMap(m.labels);
    case "metadata.annotations": return formatMap(m.annotations);
    case "spec.nodeName": return pod.spec.nodeName ?? "";
    case "spec.serviceAccountName": return pod.spec.serviceAccountName ?? "";
    case "status.hostIP": return facts.hostIPs[0] ?? "";
    case "status.hostIPs": return facts.hostIPs.join(",");
    case "status.podIP": return facts.podIPs[0] ?? "";
    case "status.podIPs": return facts.podIPs.join(",");
  }
  return "";
}

/** A container's `limits.*`/`requests.*` in units of `divisor`, rounded up; an unset limit reads as the node's allocatable. */
export function resourceValue(pod: Pod, containerName: string, resource: string, divisor: string | undefined, facts: PodRuntimeFacts): string {
  const c = [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])].find((x) => x.name === containerName);
  const [kind, name] = resource.split(/\.(.*)/s);
  const own = kind === "limits" ? c?.resources?.limits?.[name] : (c?.resources?.requests?.[name] ?? c?.resources?.limits?.[name]);
  const quantity = own ?? (kind === "limits" ? facts.allocatable[name] : undefined) ?? "0";
  if (name === "cpu") {
    const per = divisor ? parseCPU(divisor) : 1000;
    return String(Math.ceil(parseCPU(quantity) / (per || 1000)));
  }
  const per = divisor ? parseQuantity(divisor) : 1;
  return String(Math.ceil(parseQuantity(quantity) / (per || 1)));
}

function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {}).sort().map((k) => `${k}=${JSON.stringify(m![k])}`).join("\n");
}
