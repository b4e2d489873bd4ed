/**
 * What a kubelet says about its node: the Node object it registers
 * (capacity, allocatable, labels, taints, conditions, addresses, node info)
 * and the Lease it renews as its heartbeat.
 */
import { timestamp } from "../api/meta.ts";
import type { Node, NodeCondition, Taint } from "../api/types/core-node.ts";
import type { Lease } from "../api/types/coordination.ts";
import { formatQuantity, parseQuantity } from "../api/quantity.ts";

/** A simulated machine's shape. */
export interface NodeShape {
  name: string;
  /** Capacity: cpu ("4"), memory ("16Gi"), pods ("110"), ephemeral-storage. */
  capacity?: Record<string, string>;
  /** Reserved for the system; allocatable = capacity − reserved (default none). */
  reserved?: Record<string, string>;
  labels?: Record<string, string>;
  taints?: Taint[];
  /** The node's address (default derived from its index). */
  internalIP?: string;
}

/** The kubelet version nodes report. */
export const KUBELET_VERSION = "v1.32.0-actorkube";

const defaultCapacity = { cpu: "4", memory: "16Gi", pods: "110", "ephemeral-storage": "100Gi" };

const ts = timestamp;

/** RFC 3339 with microseconds, as Lease times are written. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "000Z");
}

/** The node's conditions: Ready plus the three pressures, all healthy. */
export function healthyConditions(now: number, since = now): NodeCondition[] {
  const c = (type: string, status: "True" | "False", reason: string, message: string): NodeCondition => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: ts(now),
    lastTransitionTime: ts(since),
  });
  return [
    c("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    c("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    c("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    c("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
  ];
}

/** The Node object a kubelet registers. */
export function nodeObject(shape: NodeShape, now: number): Node {
  const capacity = { ...defaultCapacity, ...shape.capacity };
  const allocatable = { ...capacity };
  for (const [k, v] of Object.entries(shape.reserved ?? {})) if (k in allocatable) allocatable[k as keyof typeof allocatable] = subtract(allocatable[k as keyof typeof allocatable], v);
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: shape.name,
      labels: {
        "kubernetes.io/hostname": shape.name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "beta.kubernetes.io/arch": "amd64",
        ...shape.labels,
      },
      annotations: { "node.alpha.kubernetes.io/ttl": "0" },
    },
    spec: shape.taints?.length ? { taints: shape.taints } : {},
    status: {
      capacity,
      allocatable,
      conditions: healthyConditions(now),
      addresses: [
        { type: "InternalIP", address: shape.internalIP ?? "192.168.0.2" },
        { type: "Hostname", address: shape.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: shape.name,
        systemUUID: shape.name,
        bootID: `${shape.name}-boot`,
        kernelVersion: "6.1.0-actorkube",
        osImage: "actorkube simulated node",
        containerRuntimeVersion: "actorkube-sim://1.0.0",
        kubeletVersion: KUBELET_VERSION,
        kubeProxyVersion: KUBELET_VERSION,
        operatingSystem: "linux",
        architecture: "amd64",
      },
    },
  };
}

/** The node's heartbeat Lease in kube-node-lease (40 s duration, as Kubernetes). */
export function leaseObject(node: string, now: number, durationSeconds = 40): Lease {
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { name: node, namespace: "kube-node-lease" },
    spec: { holderIdentity: node, leaseDurationSeconds: durationSeconds, renewTime: microTime(now) },
  };
}

function subtract(total: string, reserved: string): string {
  const left = parseQuantity(total) - parseQuantity(reserved);
  return formatQuantity(Math.max(0, left), /i$/.test(total) ? "BinarySI" : "DecimalSI");
}
