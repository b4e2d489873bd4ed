/**
 * The kubelet's admission of a pod bound to its node (lifecycle/predicate.go):
 * the pod must fit in what the node's allocatable leaves after the pods
 * already admitted (pods, cpu, memory, ephemeral-storage, extended
 * resources; init containers counted as the scheduler counts them), match
 * the node's selector/affinity, name this node, find its host ports free and
 * tolerate the node's NoExecute taints. The first failure is the reason.
 */
import { computePodRequests } from "../api/pod-resources.ts";
import type { Node, Pod } from "../api/types/index.ts";
import { NodeInfo, podHostPorts } from "../scheduler/framework/node-info.ts";
import { ERR_REASON_NODE_AFFINITY, podMatchesNodeSelectorAndAffinity } from "../scheduler/plugins/node-affinity.ts";
import { ERR_REASON_NODE_PORTS } from "../scheduler/plugins/node-ports.ts";
import { fitsRequest } from "../scheduler/plugins/node-resources-fit.ts";
import { tolerated } from "../scheduler/plugins/tolerations.ts";

/** Admitted, or rejected with a one-word reason and a message (the pod's status says `Pod was rejected: <message>`). */
export type AdmitResult = { admit: true } | { admit: false; reason: string; message: string };

const OUT_OF: Record<string, string> = { cpu: "OutOfcpu", memory: "OutOfmemory", "ephemeral-storage": "OutOfephemeral-storage", pods: "OutOfpods" };

/**
 * Whether `pod` may run on `node` next to `admitted` (the node's other
 * active pods). Static pods skip the taint check, as in Kubernetes.
 */
export function admitPod(pod: Pod, node: Node, admitted: readonly Pod[], isStatic = false): AdmitResult {
  const labels = node.metadata.labels ?? {};
  const os = pod.metadata.labels?.["kubernetes.io/os"];
  if (os !== undefined && os !== (labels["kubernetes.io/os"] ?? "linux")) {
    return { admit: false, reason: "PodOSSelectorNodeLabelDoesNotMatch", message: "Failed to admit pod as the `kubernetes.io/os` label doesn't match node label" };
  }
  // The node as the scheduler sees it, so both count requests, pods and host ports the same way.
  const info = new NodeInfo(node);
  for (const p of admitted) info.addPod(p);
  const insufficient = insufficientResource(pod, info);
  if (insufficient) return insufficient;
  const failed = (name: string, desc: string): AdmitResult => ({ admit: false, reason: name, message: `Predicate ${name} failed: ${desc}` });
  if (!podMatchesNodeSelectorAndAffinity(pod, info)) return failed("NodeAffinity", ERR_REASON_NODE_AFFINITY);
  if (pod.spec.nodeName && pod.spec.nodeName !== node.metadata.name) return failed("NodeName", "node(s) didn't match the requested node name");
  if (podHostPorts(pod).some((want) => info.portConflicts(want))) return failed("NodePorts", ERR_REASON_NODE_PORTS);
  if (!isStatic) {
    const untolerated = (node.spec?.taints ?? []).some((t) => t.effect === "NoExecute" && !tolerated(pod.spec.tolerations, t));
    if (untolerated) return failed("TaintToleration", "node(s) had taints that the pod didn't tolerate");
  }
  return { admit: true };
}

// The first shortage NodeResourcesFit finds: pods first (the count), then cpu, memory, ephemeral-storage and extended resources.
function insufficientResource(pod: Pod, info: NodeInfo): AdmitResult | undefined {
  // An extended resource the node does not advertise is a cluster-level one: not the kubelet's to check.
  const short = fitsRequest(computePodRequests(pod), info).find((b) => NODE_RESOURCES.has(b.resource) || info.allocatable[b.resource] !== undefined);
  if (!short) return undefined;
  const { resource, requested, used, capacity } = short;
  return {
    admit: false,
    reason: OUT_OF[resource] ?? `OutOf${resource}`,
    message: `Node didn't have enough resource: ${resource}, requested: ${Math.ceil(requested)}, used: ${Math.ceil(used)}, capacity: ${Math.floor(capacity)}`,
  };
}

const NODE_RESOURCES = new Set(["pods", "cpu", "memory", "ephemeral-storage"]);
