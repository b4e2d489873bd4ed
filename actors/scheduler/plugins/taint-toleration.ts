/**
 * TaintToleration: NoSchedule/NoExecute taints the pod does not tolerate
 * rule a node out; untolerated PreferNoSchedule taints lower its score.
 */
import type { Pod, Taint, Toleration } from "../../api/types/index.ts";
import {
  defaultNormalizeScore,
  MAX_NODE_SCORE,
  newStatus,
  type CycleState,
  type FilterPlugin,
  type NodeInfo,
  type NodeScore,
  type ScorePlugin,
} from "../framework/types.ts";
import { tolerated } from "./tolerations.ts";

/** The message kube-scheduler shows: `node(s) had untolerated taint {key: value}`. */
export function untoleratedTaintReason(taint: Taint): string {
  return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ""}}`;
}

const NAME = "TaintToleration";

/** Filters on hard taints; scores by untolerated PreferNoSchedule taints, fewer is better. */
export const taintToleration = {
  name: NAME,
  filter(_state: CycleState, pod: Pod, node: NodeInfo) {
    for (const taint of node.node?.spec?.taints ?? []) {
      if (taint.effect !== "NoSchedule" && taint.effect !== "NoExecute") continue;
      if (!tolerated(pod.spec?.tolerations, taint)) {
        return newStatus("UnschedulableAndUnresolvable", untoleratedTaintReason(taint));
      }
    }
    return undefined;
  },
  preScore(state: CycleState, pod: Pod) {
    // Only tolerations that can apply to PreferNoSchedule count for scoring.
    const prefer = (pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === "PreferNoSchedule");
    state.write(NAME, prefer);
    return undefined;
  },
  score(state: CycleState, _pod: Pod, node: NodeInfo) {
    const tols = state.read<Toleration[]>(NAME) ?? [];
    let count = 0;
    for (const taint of node.node?.spec?.taints ?? []) {
      if (taint.effect === "PreferNoSchedule" && !tolerated(tols, taint)) count++;
    }
    return count;
  },
  normalizeScore(_state: CycleState, _pod: Pod, scores: NodeScore[]) {
    defaultNormalizeScore(MAX_NODE_SCORE, true, scores);
  },
} satisfies FilterPlugin & ScorePlugin;
