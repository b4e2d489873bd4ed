/**
 * What the scheduler knows about one node: the node object, the pods on it
 * (bound or assumed), their summed requests and the host ports they hold.
 * Kept up to date incrementally so a cycle never re-sums a node's pods.
 */
import { computePodRequests, toTotals, type ResourceTotals } from "../../api/pod-resources.ts";
import type { Node, Pod } from "../../api/types/index.ts";


/** An image name with its tag made explicit (`nginx` → `nginx:latest`), as ImageLocality compares them. */
export function normalizedImageName(image: string): string {
  return image.lastIndexOf(":") <= image.lastIndexOf("/") ? `${image}:latest` : image;
}

/** A host port in use: protocol and port, per host IP. */
export interface HostPort {
  readonly ip: string;
  readonly protocol: string;
  readonly port: number;
}

/** The wildcard host IP; a port bound there conflicts with every IP. */
export const ANY_IP = "0.0.0.0";

/** A pod on a node with what it was counted as, so removal subtracts exactly that. */
export interface PodInfo {
  readonly pod: Pod;
  readonly requests: ResourceTotals;
  readonly nonZero: ResourceTotals;
  readonly ports: readonly HostPort[];
}

/** The host ports a pod's containers ask for (hostPort > 0), defaults filled in. */
export function podHostPorts(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ ip: p.hostIP || ANY_IP, protocol: p.protocol || "TCP", port: p.hostPort });
    }
  }
  return out;
}

/** Builds the bookkeeping record for a pod. */
export function newPodInfo(pod: Pod): PodInfo {
  return { pod, requests: computePodRequests(pod), nonZero: computePodRequests(pod, { nonZero: true }), ports: podHostPorts(pod) };
}

/** Whether a pod carries any pod affinity or anti-affinity (needed by InterPodAffinity). */
function hasPodAffinity(pod: Pod): boolean {
  const a = pod.spec?.affinity;
  return !!a && (!!a.podAffinity || !!a.podAntiAffinity);
}

function hasRequiredAntiAffinity(pod: Pod): boolean {
  return (pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0;
}

/** The scheduler's view of one node. */
export class NodeInfo {
  /** The node object; undefined while only pods bound to it are known. */
  node: Node | undefined;
  /** Pods on the node, keyed by uid (or ns/name when uid is absent). */
  readonly pods = new Map<string, PodInfo>();
  /** Sum of the pods' effective requests (cpu in millicores). */
  readonly requested: ResourceTotals = {};
  /** Same, counting missing cpu/memory requests as 100m/200Mi, for scoring. */
  readonly nonZeroRequested: ResourceTotals = {};
  /** host IP → "protocol/port" → count of pods holding it. */
  readonly usedPorts = new Map<string, Map<string, number>>();
  /** Pods with pod (anti-)affinity, and those with required anti-affinity. */
  readonly podsWithAffinity = new Map<string, PodInfo>();
  readonly podsWithRequiredAntiAffinity = new Map<string, PodInfo>();
  #allocatable: ResourceTotals = {};
  #images = new Map<string, number>();
  #imagesByNormalizedName = new Map<string, number>();
  /** The framework's memo of whether `node` (this object) may receive pods, and by which check. */
  candidacy?: { node: Node; by: unknown; ok: boolean };

  constructor(node?: Node) {
    this.setNode(node);
  }

  /** The node's name (from the node, or the first pod's nodeName before the node is known). */
  get name(): string {
    return this.node?.metadata.name ?? "";
  }

  /** status.allocatable (capacity when allocatable is absent), in numbers. */
  get allocatable(): Readonly<ResourceTotals> {
    return this.#allocatable;
  }

  /** image name → size in bytes, from node.status.images. */
  get images(): ReadonlyMap<string, number> {
    return this.#images;
  }

  /** Image sizes by {@link normalizedImageName} (the first name that normalizes to it). */
  get imagesByNormalizedName(): ReadonlyMap<string, number> {
    return this.#imagesByNormalizedName;
  }

  /** Replaces the node object, recomputing what derives from it. */
  setNode(node: Node | undefined): void {
    this.node = node;
    this.#allocatable = toTotals(node?.status?.allocatable ?? node?.status?.capacity);
    this.#images = new Map();
    this.#imagesByNormalizedName = new Map();
    for (const img of node?.status?.images ?? []) {
      for (const n of img.names ?? []) this.#images.set(n, img.sizeBytes ?? 0);
    }
    for (const [name, size] of this.#images) {
      const n = normalizedImageName(name);
      if (!this.#imagesByNormalizedName.has(n)) this.#imagesByNormalizedName.set(n, size);
    }
  }

  /** Adds a pod (replacing an earlier record under the same key). */
  addPod(pod: Pod): void {
    const key = podKey(pod);
    if (this.pods.has(key)) this.removePod(pod);
    const info = newPodInfo(pod);
    this.pods.set(key, info);
    addTotals(this.requested, info.requests, 1);
    addTotals(this.nonZeroRequested, info.nonZero, 1);
    for (const p of info.ports) {
      let byIP = this.usedPorts.get(p.ip);
      if (!byIP) this.usedPorts.set(p.ip, (byIP = new Map()));
      const k = `${p.protocol}/${p.port}`;
      byIP.set(k, (byIP.get(k) ?? 0) + 1);
    }
    if (hasPodAffinity(pod)) this.podsWithAffinity.set(key, info);
    if (hasRequiredAntiAffinity(pod)) this.podsWithRequiredAntiAffinity.set(key, info);
  }

  /** Removes a pod by key; returns whether it was there. */
  removePod(pod: Pod): boolean {
    const key = podKey(pod);
    const info = this.pods.get(key);
    if (!info) return false;
    this.pods.delete(key);
    this.podsWithAffinity.delete(key);
    this.podsWithRequiredAntiAffinity.delete(key);
    addTotals(this.requested, info.requests, -1);
    addTotals(this.nonZeroRequested, info.nonZero, -1);
    for (const p of info.ports) {
      const byIP = this.usedPorts.get(p.ip);
      const k = `${p.protocol}/${p.port}`;
      const n = (byIP?.get(k) ?? 0) - 1;
      if (n > 0) byIP!.set(k, n);
      else byIP?.delete(k);
      if (byIP && byIP.size === 0) this.usedPorts.delete(p.ip);
    }
    return true;
  }

  /** Whether a wanted host port collides with one in use (0.0.0.0 collides with every IP). */
  portConflicts(want: HostPort): boolean {
    const k = `${want.protocol}/${want.port}`;
    if (want.ip === ANY_IP) {
      for (const byIP of this.usedPorts.values()) if (byIP.has(k)) return true;
      return false;
    }
    return !!this.usedPorts.get(want.ip)?.has(k) || !!this.usedPorts.get(ANY_IP)?.has(k);
  }
}

/** The key a pod is tracked under: its uid, or ns/name for objects without one. */
export function podKey(pod: Pod): string {
  return pod.metadata.uid || `${pod.metadata.namespace ?? ""}/${pod.metadata.name ?? ""}`;
}

function addTotals(into: ResourceTotals, add: ResourceTotals, sign: 1 | -1): void {
  for (const [k, v] of Object.entries(add)) {
    const n = (into[k] ?? 0) + sign * v;
    if (n === 0) delete into[k];
    else into[k] = n;
  }
}
