/**
 * NodePorts: a pod asking for host ports fits only where none of them are
 * already taken (same protocol and port, on the same IP or 0.0.0.0).
 */
import type { Pod } from "../../api/types/index.ts";
import { podHostPorts, type HostPort } from "../framework/node-info.ts";
import { newStatus, type CycleState, type FilterPlugin, type NodeInfo, type PreFilterPlugin } from "../framework/types.ts";

/** The message kube-scheduler shows for a port conflict. */
export const ERR_REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";

const NAME = "NodePorts";

/** Rejects nodes where a requested host port is in use; skipped for pods without host ports. */
export const nodePorts = {
  name: NAME,
  preFilter(state: CycleState, pod: Pod) {
    const ports = podHostPorts(pod);
    if (ports.length === 0) return newStatus("Skip");
    state.write(NAME, ports);
    return undefined;
  },
  filter(state: CycleState, pod: Pod, node: NodeInfo) {
    const ports = state.read<HostPort[]>(NAME) ?? podHostPorts(pod);
    for (const p of ports) {
      if (node.portConflicts(p)) return newStatus("Unschedulable", ERR_REASON_NODE_PORTS);
    }
    return undefined;
  },
} satisfies PreFilterPlugin & FilterPlugin;
