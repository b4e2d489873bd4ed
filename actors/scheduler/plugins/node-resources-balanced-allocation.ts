/**
 * NodeResourcesBalancedAllocation: prefers nodes whose cpu and memory would
 * be used in similar fractions with the pod placed, so neither runs out
 * while the other idles. Score = (1 - standard deviation of the fractions) * 100.
 */
import type { ResourceTotals } from "../../api/pod-resources.ts";
import type { Pod } from "../../api/types/index.ts";
import { MAX_NODE_SCORE, newStatus, type CycleState, type NodeInfo, type ScorePlugin } from "../framework/types.ts";
import { allocationWithPod, DEFAULT_SCORED_RESOURCES, scoredPodRequests, type Allocation } from "./resource-allocation.ts";

const NAME = "NodeResourcesBalancedAllocation";

/** The score for a node's load: more balanced fractions, higher score. */
export function balancedAllocationScore(allocs: readonly Allocation[]): number {
  const fractions = allocs.map((a) => Math.min(1, a.requested / a.allocatable));
  let std = 0;
  if (fractions.length === 2) {
    std = Math.abs((fractions[0]! - fractions[1]!) / 2);
  } else if (fractions.length > 2) {
    const mean = fractions.reduce((s, f) => s + f, 0) / fractions.length;
    std = Math.sqrt(fractions.reduce((s, f) => s + (f - mean) ** 2, 0) / fractions.length);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

/** Scores nodes by how evenly cpu and memory would be used; skipped for pods requesting nothing. */
export const nodeResourcesBalancedAllocation = {
  name: NAME,
  preScore(state: CycleState, pod: Pod) {
    const req = scoredPodRequests(pod, false);
    // A best-effort pod changes no fraction, so it has nothing to balance.
    if (DEFAULT_SCORED_RESOURCES.every((r) => !req[r.name])) return newStatus("Skip");
    state.write(NAME, req);
    return undefined;
  },
  score(state: CycleState, pod: Pod, node: NodeInfo) {
    const req = state.read<ResourceTotals>(NAME) ?? scoredPodRequests(pod, false);
    return balancedAllocationScore(allocationWithPod(req, node, DEFAULT_SCORED_RESOURCES, false));
  },
} satisfies ScorePlugin;
