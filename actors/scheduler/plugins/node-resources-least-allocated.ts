/**
 * NodeResourcesLeastAllocated: prefers nodes with the most room left, as
 * NodeResourcesFit's default LeastAllocated scoring strategy does.
 * Per resource: (allocatable - requested) * 100 / allocatable, then the
 * weighted mean, all in integer arithmetic as kube-scheduler.
 */
import type { ResourceTotals } from "../../api/pod-resources.ts";
import type { Pod } from "../../api/types/index.ts";
import { MAX_NODE_SCORE, type CycleState, type NodeInfo, type ScorePlugin } from "../framework/types.ts";
import { DEFAULT_SCORED_RESOURCES, scoredPodRequests, type Allocation } from "./resource-allocation.ts";

const NAME = "NodeResourcesLeastAllocated";

/** One resource's score: the share of it left free, 0–100. */
function resourceScore(requested: number, allocatable: number): number {
  return requested > allocatable ? 0 : Math.trunc(((allocatable - requested) * MAX_NODE_SCORE) / allocatable);
}

/** The score for a node's load: more free capacity, higher score. */
export function leastAllocatedScore(allocs: readonly Allocation[]): number {
  let total = 0;
  let weights = 0;
  for (const a of allocs) {
    total += resourceScore(a.requested, a.allocatable) * a.resource.weight;
    weights += a.resource.weight;
  }
  return weights === 0 ? 0 : Math.trunc(total / weights);
}

/** Scores nodes by the fraction of cpu and memory left free. */
export const nodeResourcesLeastAllocated = {
  name: NAME,
  preScore(state: CycleState, pod: Pod) {
    state.write(NAME, scoredPodRequests(pod, true));
    return undefined;
  },
  // The same arithmetic as leastAllocatedScore(allocationWithPod(...)), without building the list: it runs for every scored node.
  score(state: CycleState, pod: Pod, node: NodeInfo) {
    const req = state.read<ResourceTotals>(NAME) ?? scoredPodRequests(pod, true);
    const onNode = node.nonZeroRequested;
    const allocatable = node.allocatable;
    let total = 0;
    let weights = 0;
    for (const r of DEFAULT_SCORED_RESOURCES) {
      const alloc = allocatable[r.name] ?? 0;
      if (alloc === 0) continue;
      const requested = (onNode[r.name] ?? 0) + (req[r.name] ?? 0);
      total += resourceScore(requested, alloc) * r.weight;
      weights += r.weight;
    }
    return weights === 0 ? 0 : Math.trunc(total / weights);
  },
} satisfies ScorePlugin;
