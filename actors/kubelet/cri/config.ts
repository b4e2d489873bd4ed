/**
 * From a Kubernetes pod to CRI configs: what the kubelet passes to
 * RunPodSandbox and CreateContainer, so every kubelet builds them one way.
 */
import { parseQuantity } from "../../api/quantity.ts";
import type { Container, Pod } from "../../api/types/index.ts";
import type { ContainerConfig, PodSandboxConfig } from "./types.ts";

/** The sandbox config of a pod; carries the pod's annotations, where behaviour scripts live. */
export function sandboxConfig(pod: Pod, attempt = 0): PodSandboxConfig {
  const m = pod.metadata;
  return {
    metadata: { name: m.name ?? "", namespace: m.namespace ?? "default", uid: m.uid ?? "", attempt },
    hostname: pod.spec.hostname ?? m.name,
    labels: { ...m.labels },
    annotations: { ...m.annotations },
  };
}

/** The container config of one container of a pod; `attempt` counts its restarts. */
export function containerConfig(container: Container, attempt = 0): ContainerConfig {
  const config: ContainerConfig = {
    metadata: { name: container.name, attempt },
    image: container.image ?? "",
    command: container.command,
    args: container.args,
    livenessProbe: container.livenessProbe,
    readinessProbe: container.readinessProbe,
    startupProbe: container.startupProbe,
  };
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
