/**
 * Shared arithmetic of the resource-based score plugins: per scored
 * resource, what the node would have requested with the pod on it and what
 * it has allocatable. Resources the node does not have are left out.
 */
import { computePodRequests, type ResourceTotals } from "../../api/pod-resources.ts";
import type { Pod } from "../../api/types/index.ts";
import type { NodeInfo } from "../framework/types.ts";

/** A resource scored, with its weight (kube-scheduler's default: cpu and memory, weight 1). */
export interface ResourceSpec {
  readonly name: string;
  readonly weight: number;
}

/** kube-scheduler's default scored resources. */
export const DEFAULT_SCORED_RESOURCES: readonly ResourceSpec[] = [
  { name: "cpu", weight: 1 },
  { name: "memory", weight: 1 },
];

/** Requested-with-pod and allocatable, per resource; entries with no allocatable are omitted. */
export interface Allocation {
  readonly resource: ResourceSpec;
  readonly requested: number;
  readonly allocatable: number;
}

/**
 * The node's load with the pod added. `nonZero` counts missing cpu/memory
 * requests as 100m/200Mi (LeastAllocated does, BalancedAllocation does not).
 */
export function allocationWithPod(podRequests: ResourceTotals, node: NodeInfo, resources: readonly ResourceSpec[], nonZero: boolean): Allocation[] {
  const out: Allocation[] = [];
  const onNode = nonZero ? node.nonZeroRequested : node.requested;
  for (const r of resources) {
    const alloc = node.allocatable[r.name] ?? 0;
    if (alloc === 0) continue;
    out.push({ resource: r, requested: (onNode[r.name] ?? 0) + (podRequests[r.name] ?? 0), allocatable: alloc });
  }
  return out;
}

/** The pod's requests as a score plugin counts them. */
export function scoredPodRequests(pod: Pod, nonZero: boolean): ResourceTotals {
  return computePodRequests(pod, { nonZero });
}
