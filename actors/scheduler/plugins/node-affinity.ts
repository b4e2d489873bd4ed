/**
 * NodeAffinity: `spec.nodeSelector` and required node affinity filter nodes;
 * preferred node affinity terms add their weights to a node's score.
 */
import type { Pod } from "../../api/types/index.ts";
import {
  defaultNormalizeScore,
  MAX_NODE_SCORE,
  newStatus,
  type CycleState,
  type FilterPlugin,
  type NodeInfo,
  type NodeScore,
  type PreFilterPlugin,
  type ScorePlugin,
} from "../framework/types.ts";
import { nodeSelectorMatches, termMatches } from "./node-selector.ts";

/** The message kube-scheduler shows for a node the pod's selector or affinity rules out. */
export const ERR_REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";

/** Whether a node satisfies the pod's nodeSelector and required node affinity. */
export function podMatchesNodeSelectorAndAffinity(pod: Pod, node: NodeInfo): boolean {
  const n = node.node;
  if (!n) return false;
  const labels = n.metadata.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) {
    if (labels[k] !== v) return false;
  }
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return !required || nodeSelectorMatches(required, n);
}

/** Filters on nodeSelector + required affinity; scores by matching preferred terms. */
export const nodeAffinity = {
  name: "NodeAffinity",
  preFilter(_state: CycleState, pod: Pod) {
    const hasSelector = Object.keys(pod.spec?.nodeSelector ?? {}).length > 0;
    const hasRequired = !!pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    return hasSelector || hasRequired ? undefined : newStatus("Skip");
  },
  filter(_state: CycleState, pod: Pod, node: NodeInfo) {
    return podMatchesNodeSelectorAndAffinity(pod, node) ? undefined : newStatus("UnschedulableAndUnresolvable", ERR_REASON_NODE_AFFINITY);
  },
  preScore(_state: CycleState, pod: Pod) {
    const preferred = pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    return preferred.length === 0 ? newStatus("Skip") : undefined;
  },
  score(_state: CycleState, pod: Pod, node: NodeInfo) {
    if (!node.node) return 0;
    let total = 0;
    for (const p of pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
      // A zero weight is allowed by the API but means nothing.
      if (p.weight !== 0 && termMatches(p.preference, node.node)) total += p.weight;
    }
    return total;
  },
  normalizeScore(_state: CycleState, _pod: Pod, scores: NodeScore[]) {
    defaultNormalizeScore(MAX_NODE_SCORE, false, scores);
  },
} satisfies PreFilterPlugin & FilterPlugin & ScorePlugin;
