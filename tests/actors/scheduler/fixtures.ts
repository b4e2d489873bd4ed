/**
 * Small builders for scheduler tests: nodes and pods with just the fields a case needs.
 */
import type { Node, Pod, Taint, Toleration, Affinity, ContainerPort } from "../../../actors/api/types/index.ts";
import { NodeInfo } from "../../../actors/scheduler/framework/node-info.ts";

/** Options for {@link node}. */
export interface NodeOpts {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  ready?: boolean;
  images?: Array<{ names: string[]; sizeBytes: number }>;
}

/** A Ready node with 4 cpu, 8Gi, 110 pods unless told otherwise. */
export function node(name: string, o: NodeOpts = {}): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name, ...o.labels } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: {
      allocatable: { cpu: o.cpu ?? "4", memory: o.memory ?? "8Gi", pods: o.pods ?? "110" },
      conditions: [{ type: "Ready", status: o.ready === false ? "False" : "True" }],
      ...(o.images ? { images: o.images } : {}),
    },
  };
}

/** Options for {@link pod}. */
export interface PodOpts {
  cpu?: string;
  memory?: string;
  ns?: string;
  labels?: Record<string, string>;
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  affinity?: Affinity;
  ports?: ContainerPort[];
  priority?: number;
  image?: string;
  uid?: string;
}

/** A one-container pod. */
export function pod(name: string, o: PodOpts = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: o.ns ?? "default", uid: o.uid ?? `uid-${o.ns ?? "default"}-${name}`, labels: o.labels ?? {} },
    spec: {
      containers: [{ name: "c", image: o.image ?? "busybox", resources: { requests }, ...(o.ports ? { ports: o.ports } : {}) }],
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
      ...(o.tolerations ? { tolerations: o.tolerations } : {}),
      ...(o.affinity ? { affinity: o.affinity } : {}),
      ...(o.priority !== undefined ? { priority: o.priority } : {}),
    },
  };
}

/** A NodeInfo holding `n` and `pods`. */
export function info(n: Node, ...pods: Pod[]): NodeInfo {
  const i = new NodeInfo(n);
  for (const p of pods) i.addPod({ ...p, spec: { ...p.spec, nodeName: n.metadata.name! } });
  return i;
}
