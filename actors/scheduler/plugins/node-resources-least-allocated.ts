/**
 * NodeResourcesLeastAllocated: prefers nodes with the most room left, as
 * NodeResourcesFit's default LeastAllocated scoring strategy does.
 * Per resource: (allocatable - requested) * 100 / allocatable, then the
 * weighted mean, all in integer arithmetic as kube-scheduler.
 */
import type { ResourceTotals } from "../../api/pod-resources.ts";
import type { Pod } from "../../api/types/index.ts";
import { MAX_NODE_SCORE, type CycleState, type NodeInfo, type ScorePlugin } from "../framework/types.ts";
import { allocationWithPod, DEFAULT_SCORED_RESOURCES, scoredPodRequests, type Allocation } from "./resource-allocation.ts";

const NAME = "NodeResourcesLeastAllocated";

/** The score for a node's load: more free capacity, higher score. */
export function leastAllocatedScore(allocs: readonly Allocation[]): number {
  let total = 0;
  let weights = 0;
  for (const a of allocs) {
    const s = a.requested > a.allocatable ? 0 : Math.trunc(((a.allocatable - a.requested) * MAX_NODE_SCORE) / a.allocatable);
    total += s * a.resource.weight;
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
  score(state: CycleState, pod: Pod, node: NodeInfo) {
    const req = state.read<ResourceTotals>(NAME) ?? scoredPodRequests(pod, true);
    return leastAllocatedScore(allocationWithPod(req, node, DEFAULT_SCORED_RESOURCES, true));
  },
} satisfies ScorePlugin;
