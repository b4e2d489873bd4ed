/**
 * A pod's quality-of-service class, computed as Kubernetes' GetPodQOS does:
 * only cpu and memory count, zero quantities are ignored, and requests are
 * expected to be defaulted from limits already.
 */
import { compareQuantities, isQuantity, parseQuantity } from "./quantity.ts";
import type { ResourceList, ResourceRequirements } from "./types/core-common.ts";
import type { PodSpec } from "./types/core-pod.ts";
import type { PodQOSClass } from "./types/core-pod-status.ts";

const qosResources = ["cpu", "memory"];

/** Sums of the positive cpu/memory quantities of some requirements, in base units. */
function add(into: Map<string, number>, list: ResourceList | undefined): Set<string> {
  const found = new Set<string>();
  for (const name of qosResources) {
    const q = list?.[name];
    // Malformed quantities are validation's to report; QoS runs before it.
    if (!isQuantity(q) || compareQuantities(q, 0) <= 0) continue;
    found.add(name);
    into.set(name, (into.get(name) ?? 0) + parseQuantity(q));
  }
  return found;
}

function classOf(all: ResourceRequirements[]): PodQOSClass {
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let guaranteed = true;
  for (const r of all) {
    add(requests, r.requests);
    if (add(limits, r.limits).size < qosResources.length) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return "BestEffort";
  if (guaranteed) {
    for (const [name, v] of requests) if (limits.get(name) !== v) guaranteed = false;
  }
  return guaranteed && requests.size === limits.size ? "Guaranteed" : "Burstable";
}

/** Guaranteed, Burstable or BestEffort for a pod (pod-level resources win when set). */
export function computeQOSClass(pod: { spec?: Pick<PodSpec, "containers" | "initContainers" | "resources"> }): PodQOSClass {
  const spec = pod.spec;
  if (!spec) return "BestEffort";
  const podLevel = spec.resources;
  if (podLevel && qosResources.some((n) => podLevel.requests?.[n] !== undefined || podLevel.limits?.[n] !== undefined)) {
    return classOf([podLevel]);
  }
  return classOf([...(spec.initContainers ?? []), ...(spec.containers ?? [])].map((c) => c.resources ?? {}));
}
