/**
 * NodeResourcesFit: the pod's effective requests (cpu, memory,
 * ephemeral-storage, extended resources) must fit in what the node has left,
 * and the node must have room for one more pod.
 */
import { computePodRequests, type ResourceTotals } from "../../api/pod-resources.ts";
import type { Pod } from "../../api/types/index.ts";
import { newStatus, type CycleState, type FilterPlugin, type NodeInfo, type PreFilterPlugin } from "../framework/types.ts";

/** The message for a full node. */
export const ERR_REASON_TOO_MANY_PODS = "Too many pods";

/** `Insufficient <resource>`, as kube-scheduler words it. */
export function insufficientReason(resource: string): string {
  return `Insufficient ${resource}`;
}

const NAME = "NodeResourcesFit";

/** One resource the pod needs more of than the node has free. */
export interface InsufficientResource {
  readonly resource: string;
  readonly reason: string;
  readonly requested: number;
  readonly used: number;
  readonly capacity: number;
  /** The pod wants more than the node's whole allocatable: preemption cannot help. */
  readonly unresolvable: boolean;
}

/** Every way `request` does not fit on `node` (empty when it fits). */
export function fitsRequest(request: ResourceTotals, node: NodeInfo): InsufficientResource[] {
  const out: InsufficientResource[] = [];
  const alloc = node.allocatable;
  const allowedPods = alloc.pods ?? 0;
  if (node.pods.size + 1 > allowedPods) {
    out.push({ resource: "pods", reason: ERR_REASON_TOO_MANY_PODS, requested: 1, used: node.pods.size, capacity: allowedPods, unresolvable: false });
  }
  for (const r of checkedResources(request)) {
    const want = request[r] ?? 0;
    if (want <= 0) continue;
    const cap = alloc[r] ?? 0;
    const used = node.requested[r] ?? 0;
    if (want > cap - used) {
      out.push({ resource: r, reason: insufficientReason(r), requested: want, used, capacity: cap, unresolvable: want > cap });
    }
  }
  return out;
}

const BASE = new Set(["cpu", "memory", "ephemeral-storage", "pods"]);

/** Resources a request is checked for, once per request (a cycle checks one request against many nodes). */
const checkedByRequest = new WeakMap<ResourceTotals, string[]>();

// cpu, memory, ephemeral-storage first, as kube-scheduler reports them; then extended resources by name.
function checkedResources(request: ResourceTotals): string[] {
  let names = checkedByRequest.get(request);
  if (!names) checkedByRequest.set(request, (names = ["cpu", "memory", "ephemeral-storage", ...Object.keys(request).filter((r) => !BASE.has(r)).sort()]));
  return names;
}

/** Filters out nodes without room for the pod's requests or one more pod. */
export const nodeResourcesFit = {
  name: NAME,
  preFilter(state: CycleState, pod: Pod) {
    state.write(NAME, computePodRequests(pod));
    return undefined;
  },
  filter(state: CycleState, pod: Pod, node: NodeInfo) {
    const request = state.read<ResourceTotals>(NAME) ?? computePodRequests(pod);
    const bad = fitsRequest(request, node);
    if (bad.length === 0) return undefined;
    const code = bad.some((b) => b.unresolvable) ? "UnschedulableAndUnresolvable" : "Unschedulable";
    return newStatus(code, ...bad.map((b) => b.reason));
  },
} satisfies PreFilterPlugin & FilterPlugin;
