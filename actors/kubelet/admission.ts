/**
 * The kubelet's admission of a pod bound to its node (lifecycle/predicate.go):
 * the pod must fit in what the node's allocatable leaves after the pods
 * already admitted (pods, cpu, memory, ephemeral-storage, extended
 * resources; init containers counted as the scheduler counts them), match
 * the node's selector/affinity, name this node, find its host ports free and
 * tolerate the node's NoExecute taints. The first failure is the reason.
 */
import { computePodRequests, toTotals } from "../api/pod-resources.ts";
import type { Node, Pod } from "../api/types/index.ts";
import { ANY_IP, podHostPorts, type HostPort } from "../scheduler/framework/node-info.ts";
import { nodeSelectorMatches } from "../scheduler/plugins/node-selector.ts";
import { ERR_REASON_NODE_AFFINITY } from "../scheduler/plugins/node-affinity.ts";
import { ERR_REASON_NODE_PORTS } from "../scheduler/plugins/node-ports.ts";
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
  const insufficient = insufficientResource(pod, node, admitted);
  if (insufficient) return insufficient;
  const failed = (name: string, desc: string): AdmitResult => ({ admit: false, reason: name, message: `Predicate ${name} failed: ${desc}` });
  for (const [k, v] of Object.entries(pod.spec.nodeSelector ?? {})) if (labels[k] !== v) return failed("NodeAffinity", ERR_REASON_NODE_AFFINITY);
  const required = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required && !nodeSelectorMatches(required, node)) return failed("NodeAffinity", ERR_REASON_NODE_AFFINITY);
  if (pod.spec.nodeName && pod.spec.nodeName !== node.metadata.name) return failed("NodeName", "node(s) didn't match the requested node name");
  const used = admitted.flatMap(podHostPorts);
  if (podHostPorts(pod).some((want) => used.some((have) => portsConflict(want, have)))) return failed("NodePorts", ERR_REASON_NODE_PORTS);
  if (!isStatic) {
    const untolerated = (node.spec?.taints ?? []).some((t) => t.effect === "NoExecute" && !tolerated(pod.spec.tolerations, t));
    if (untolerated) return failed("TaintToleration", "node(s) had taints that the pod didn't tolerate");
  }
  return { admit: true };
}

// Pods first (the count), then cpu, memory, ephemeral-storage and extended resources, as noderesources.Fits orders them.
function insufficientResource(pod: Pod, node: Node, admitted: readonly Pod[]): AdmitResult | undefined {
  const allocatable = toTotals(node.status?.allocatable);
  const reject = (name: string, requested: number, used: number, capacity: number): AdmitResult => ({
    admit: false,
    reason: OUT_OF[name] ?? `OutOf${name}`,
    message: `Node didn't have enough resource: ${name}, requested: ${Math.ceil(requested)}, used: ${Math.ceil(used)}, capacity: ${Math.floor(capacity)}`,
  });
  const maxPods = allocatable.pods ?? 110;
  if (admitted.length + 1 > maxPods) return reject("pods", 1, admitted.length, maxPods);
  const want = computePodRequests(pod);
  const used: Record<string, number> = {};
  for (const p of admitted) for (const [k, v] of Object.entries(computePodRequests(p))) used[k] = (used[k] ?? 0) + v;
  const names = ["cpu", "memory", "ephemeral-storage", ...Object.keys(want).filter((k) => !["cpu", "memory", "ephemeral-storage", "pods"].includes(k)).sort()];
  for (const name of names) {
    const w = want[name] ?? 0;
    if (w <= 0) continue;
    // An extended resource the node does not advertise is a cluster-level one: not the kubelet's to check.
    if (!["cpu", "memory", "ephemeral-storage"].includes(name) && allocatable[name] === undefined) continue;
    const cap = allocatable[name] ?? 0;
    const u = used[name] ?? 0;
    if (w > cap - u) return reject(name, w, u, cap);
  }
  return undefined;
}

function portsConflict(a: HostPort, b: HostPort): boolean {
  if (a.port !== b.port || a.protocol !== b.protocol) return false;
  return a.ip === b.ip || a.ip === ANY_IP || b.ip === ANY_IP;
}
