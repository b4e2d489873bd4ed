/**
 * NodeUnschedulable: a cordoned node (spec.unschedulable) takes only pods
 * that tolerate the node.kubernetes.io/unschedulable:NoSchedule taint.
 */
import type { Pod, Taint } from "../../api/types/index.ts";
import { newStatus, type CycleState, type FilterPlugin, type NodeInfo } from "../framework/types.ts";
import { tolerated } from "./tolerations.ts";

/** The message kube-scheduler shows for a cordoned node. */
export const ERR_REASON_UNSCHEDULABLE = "node(s) were unschedulable";
/** Shown when the node object is not known yet. */
export const ERR_REASON_UNKNOWN_CONDITION = "node(s) had unknown conditions";

/** The taint a cordoned node behaves as if it had. */
export const UNSCHEDULABLE_TAINT: Taint = { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" };

/** Rejects cordoned nodes unless the pod tolerates the unschedulable taint. */
export const nodeUnschedulable = {
  name: "NodeUnschedulable",
  filter(_state: CycleState, pod: Pod, node: NodeInfo) {
    if (!node.node) return newStatus("UnschedulableAndUnresolvable", ERR_REASON_UNKNOWN_CONDITION);
    if (!node.node.spec?.unschedulable) return undefined;
    if (tolerated(pod.spec?.tolerations, UNSCHEDULABLE_TAINT)) return undefined;
    return newStatus("UnschedulableAndUnresolvable", ERR_REASON_UNSCHEDULABLE);
  },
} satisfies FilterPlugin;
