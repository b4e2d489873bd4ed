/**
 * From a Kubernetes pod to CRI configs: what the kubelet passes to
 * RunPodSandbox and CreateContainer, so every kubelet builds them one way.
 */
import { parseQuantity } from "../../api/quantity.ts";
import type { Container, Pod } from "../../api/types/index.ts";
import type { ContainerConfig, DNSConfig, KeyValue, Mount, PodSandboxConfig } from "./types.ts";
import { expandKubeVars } from "./expand.ts";

/** The sandbox config of a pod; carries the pod's annotations, where behaviour scripts live. */
export function sandboxConfig(pod: Pod, attempt = 0, dnsConfig?: DNSConfig): PodSandboxConfig {
  const m = pod.metadata;
  const config: PodSandboxConfig = {
    metadata: { name: m.name ?? "", namespace: m.namespace ?? "default", uid: m.uid ?? "", attempt },
    hostname: pod.spec.hostname ?? m.name,
    labels: { ...m.labels },
    annotations: { ...m.annotations },
  };
  if (dnsConfig) config.dnsConfig = dnsConfig;
  if (pod.spec.hostNetwork) config.hostNetwork = true;
  return config;
}

/** What the kubelet resolved for a container before creating it. */
export interface ResolvedContainer {
  envs?: KeyValue[];
  mounts?: Mount[];
}

/**
 * The container config of one container of a pod; `attempt` counts its
 * restarts. `$(VAR)` in command and args is expanded from the resolved
 * environment, as the kubelet does.
 */
export function containerConfig(container: Container, attempt = 0, resolved: ResolvedContainer = {}): ContainerConfig {
  const env = Object.fromEntries((resolved.envs ?? []).map((e) => [e.key, e.value]));
  const expand = (list: string[] | undefined) => list?.map((a) => expandKubeVars(a, env));
  const config: ContainerConfig = {
    metadata: { name: container.name, attempt },
    image: container.image ?? "",
    command: expand(container.command),
    args: expand(container.args),
    livenessProbe: container.livenessProbe,
    readinessProbe: container.readinessProbe,
    startupProbe: container.startupProbe,
  };
  if (resolved.envs?.length) config.envs = resolved.envs;
  if (resolved.mounts?.length) config.mounts = resolved.mounts;
  const memory = container.resources?.limits?.memory;
  // The apiserver validated the quantity; a bad one here just means "no limit".
  if (memory !== undefined) {
    try {
      config.memoryLimitBytes = Math.floor(parseQuantity(memory));
    } catch {
      /* no limit */
    }
  }
  return config;
}
