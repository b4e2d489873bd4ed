/**
 * NodeName: a pod that names its node (spec.nodeName) fits only there.
 */
import type { Pod } from "../../api/types/index.ts";
import { newStatus, type CycleState, type FilterPlugin, type NodeInfo } from "../framework/types.ts";

/** The message kube-scheduler shows for a node other than the requested one. */
export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";

/** Filters out every node but `spec.nodeName` when set. */
export const nodeName = {
  name: "NodeName",
  filter(_state: CycleState, pod: Pod, node: NodeInfo) {
    const want = pod.spec?.nodeName;
    if (!want || want === node.name) return undefined;
    return newStatus("UnschedulableAndUnresolvable", ERR_REASON_NODE_NAME);
  },
} satisfies FilterPlugin;
