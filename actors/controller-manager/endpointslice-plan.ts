/**
 * What the EndpointSlice controller decides, free of I/O so it can be tested
 * case by case: the endpoints a Service's pods give (conditions ready,
 * serving, terminating; nodeName; zone; hostname), grouped by the ports each
 * pod resolves, then spread over slices as Kubernetes' reconciler does —
 * keep endpoints where they are, update the ones that changed, fill slices
 * being written anyway, then nearly-full untouched ones, then new slices of
 * at most `maxEndpointsPerSlice`; an empty placeholder slice when there is
 * nothing to list; creations turned into updates of slices about to go.
 */
import { newControllerRef } from "./controller-ref.ts";
import type { KubeObject } from "../api/meta.ts";
import type { Node } from "../api/types/core-node.ts";
import type { Pod } from "../api/types/core-pod.ts";
import type { Service } from "../api/types/core-service.ts";
import type { AddressType, Endpoint, EndpointSlice, EndpointSlicePort } from "../api/types/discovery.ts";
import { findPort, HEADLESS_LABEL, isPodReady, isServiceIPSet, jsonEqual, podIPv4s, podRef, shouldPodBeInEndpoints, shouldSetHostname } from "./endpoints-common.ts";

/** The label that ties a slice to its service. */
export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";
/** The label naming the controller that manages a slice. */
export const MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
/** This controller's name in {@link MANAGED_BY_LABEL}. */
export const CONTROLLER_NAME = "endpointslice-controller.k8s.io";
/** kube-controller-manager's `--max-endpoints-per-slice` default. */
export const DEFAULT_MAX_ENDPOINTS_PER_SLICE = 100;
/** The node label an endpoint's zone comes from. */
export const ZONE_LABEL = "topology.kubernetes.io/zone";

/** The writes that bring a service's slices in line. */
export interface SlicePlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
  /** Pods left out because their node is not known yet: sync again later. */
  missingNodes: string[];
}

/** Kubernetes' podToEndpoint. */
export function podToEndpoint(pod: Pod, node: Node | undefined, svc: Service): Endpoint {
  const serving = isPodReady(pod);
  const terminating = Boolean(pod.metadata.deletionTimestamp);
  // "ready" is never true for a terminating pod, unless not-ready addresses are published.
  const ready = svc.spec.publishNotReadyAddresses === true || (serving && !terminating);
  const ep: Endpoint = { addresses: podIPv4s(pod), conditions: { ready, serving, terminating }, targetRef: podRef(pod) };
  if (pod.spec.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata.labels?.[ZONE_LABEL];
  if (zone) ep.zone = zone;
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec.hostname;
  return ep;
}

/** The slice ports a pod gives a service: each service port whose target port resolves on the pod. */
export function endpointPorts(svc: Service, pod: Pod): EndpointSlicePort[] {
  const out: EndpointSlicePort[] = [];
  for (const sp of svc.spec.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const p: EndpointSlicePort = { name: sp.name ?? "", port, protocol: sp.protocol ?? "TCP" };
    if (sp.appProtocol) p.appProtocol = sp.appProtocol;
    out.push(p);
  }
  return out;
}

const reserved = new Set([SERVICE_NAME_LABEL, MANAGED_BY_LABEL, HEADLESS_LABEL]);

function userLabels(labels: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(labels ?? {}).filter(([k]) => !reserved.has(k)));
}

/** Kubernetes' setEndpointSliceLabels: the service's labels plus the reserved ones; `changed` when the service's differ from the slice's. */
export function sliceLabels(svc: Service, slice?: EndpointSlice): { labels: Record<string, string>; changed: boolean } {
  const mine = userLabels(svc.metadata.labels);
  const changed = slice ? !jsonEqual(userLabels(slice.metadata.labels), mine) : false;
  const labels = { ...mine };
  if (!isServiceIPSet(svc)) labels[HEADLESS_LABEL] = "";
  labels[SERVICE_NAME_LABEL] = svc.metadata.name!;
  labels[MANAGED_BY_LABEL] = CONTROLLER_NAME;
  return { labels, changed };
}

/** A new, unnamed slice of `svc` (generateName `<service>-`), owned by it. */
export function newSlice(svc: Service, ports: EndpointSlicePort[], addressType: AddressType): EndpointSlice {
  const name = svc.metadata.name!;
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      generateName: `${name}-`,
      namespace: svc.metadata.namespace,
      labels: sliceLabels(svc).labels,
      ownerReferences: [newControllerRef(svc as unknown as KubeObject)],
    },
    addressType,
    endpoints: [],
    ports,
  };
}

/** True when the slice is owned by exactly this service (same uid). */
export function ownedBy(slice: EndpointSlice, svc: Service): boolean {
  return (slice.metadata.ownerReferences ?? []).some((o) => o.uid === svc.metadata.uid && o.kind === "Service" && o.apiVersion === "v1");
}

const portMapKey = (ports: EndpointSlicePort[] | undefined) =>
  JSON.stringify([...(ports ?? [])].map((p) => [p.name ?? "", p.port ?? 0, p.protocol ?? "TCP", p.appProtocol ?? ""]).sort());

/** Kubernetes' endpoint identity: addresses, hostname and the pod it points at. */
const endpointKey = (e: Endpoint) => `${[...e.addresses].sort().join(",")}|${e.hostname ?? ""}|${e.targetRef?.namespace ?? ""}/${e.targetRef?.name ?? ""}`;

function compareEndpoints(a: Endpoint, b: Endpoint): number {
  const ka = a.addresses[0] ?? "";
  const kb = b.addresses[0] ?? "";
  const pa = ka.split(".").map(Number);
  const pb = kb.split(".").map(Number);
  for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return endpointKey(a).localeCompare(endpointKey(b));
}

/** The address types a service's slices carry (its IP families; IPv4 when unset). */
export function addressTypesOf(svc: Service): AddressType[] {
  const fams = svc.spec.ipFamilies ?? [];
  return fams.length ? fams.map((f) => (f === "IPv6" ? "IPv6" : "IPv4")) : ["IPv4"];
}

/**
 * The writes that make `existing` (the service's managed slices) list the
 * endpoints of `pods` (the pods it selects).
 */
export function planSlices(svc: Service, pods: Pod[], nodeOf: (name: string) => Node | undefined, existing: EndpointSlice[], maxPerSlice = DEFAULT_MAX_ENDPOINTS_PER_SLICE): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], delete: [], missingNodes: [] };
  const types = addressTypesOf(svc);
  for (const s of existing) if (!types.includes(s.addressType)) plan.delete.push(s);
  for (const type of types) {
    const mine = existing.filter((s) => s.addressType === type);
    const part = planAddressType(svc, pods, nodeOf, mine, type, maxPerSlice, plan.missingNodes);
    plan.create.push(...part.create);
    plan.update.push(...part.update);
    plan.delete.push(...part.delete);
  }
  return plan;
}

function planAddressType(svc: Service, pods: Pod[], nodeOf: (n: string) => Node | undefined, existing: EndpointSlice[], type: AddressType, max: number, missing: string[]) {
  const toDelete: EndpointSlice[] = [];
  const byPorts = new Map<string, EndpointSlice[]>();
  for (const s of existing) {
    if (!ownedBy(s, svc)) toDelete.push(s);
    else byPorts.set(portMapKey(s.ports), [...(byPorts.get(portMapKey(s.ports)) ?? []), s]);
  }
  const desired = new Map<string, { ports: EndpointSlicePort[]; endpoints: Map<string, Endpoint> }>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const node = pod.spec.nodeName ? nodeOf(pod.spec.nodeName) : undefined;
    if (pod.spec.nodeName && !node && !svc.spec.publishNotReadyAddresses) {
      missing.push(pod.spec.nodeName);
      continue;
    }
    const ep = podToEndpoint(pod, node, svc);
    if (type !== "IPv4" || ep.addresses.length === 0) continue;
    const ports = endpointPorts(svc, pod);
    const k = portMapKey(ports);
    let d = desired.get(k);
    if (!d) desired.set(k, (d = { ports, endpoints: new Map() }));
    d.endpoints.set(endpointKey(ep), ep);
  }
  const create: EndpointSlice[] = [];
  const update: EndpointSlice[] = [];
  for (const [k, d] of desired) {
    const r = planPortMapping(svc, byPorts.get(k) ?? [], d.endpoints, d.ports, type, max);
    create.push(...r.create);
    update.push(...r.update);
    toDelete.push(...r.delete);
  }
  for (const [k, slices] of byPorts) if (!desired.has(k)) toDelete.push(...slices);
  // Nothing to list: keep (or make) one empty placeholder slice.
  if (existing.length === toDelete.length && create.length === 0) {
    const placeholder = newSlice(svc, [], type);
    const keep = toDelete.length === 1 && ownedBy(toDelete[0], svc) && isPlaceholderOf(toDelete[0], placeholder);
    if (keep) toDelete.length = 0;
    else create.push(placeholder);
  }
  // Creations become updates of owned slices that would be deleted (fewer writes, stable names).
  while (create.length && toDelete.some((s) => ownedBy(s, svc))) {
    const i = toDelete.findIndex((s) => ownedBy(s, svc));
    const victim = toDelete.splice(i, 1)[0];
    const fresh = create.pop()!;
    update.push({ ...fresh, metadata: { ...victim.metadata, labels: fresh.metadata.labels, ownerReferences: fresh.metadata.ownerReferences } });
  }
  return { create, update, delete: toDelete };
}

function isPlaceholderOf(slice: EndpointSlice, placeholder: EndpointSlice): boolean {
  return (
    slice.metadata.namespace === placeholder.metadata.namespace &&
    jsonEqual(slice.metadata.labels ?? {}, placeholder.metadata.labels) &&
    slice.addressType === placeholder.addressType &&
    (slice.endpoints ?? []).length === 0 &&
    (slice.ports ?? []).length === 0
  );
}

function planPortMapping(svc: Service, existing: EndpointSlice[], desired: Map<string, Endpoint>, ports: EndpointSlicePort[], type: AddressType, max: number) {
  const byName = new Map<string, EndpointSlice>();
  const unchanged = new Set<string>();
  const toUpdate = new Set<string>();
  const toDelete = new Set<string>();
  // 1. Keep what is still desired, take the desired version of what changed.
  for (const slice of existing) {
    const name = slice.metadata.name!;
    byName.set(name, slice);
    const kept: Endpoint[] = [];
    let changed = false;
    for (const ep of slice.endpoints ?? []) {
      const want = desired.get(endpointKey(ep));
      if (!want) continue;
      kept.push(want);
      if (!jsonEqual(want, ep)) changed = true;
      desired.delete(endpointKey(ep));
    }
    const { labels, changed: labelsChanged } = sliceLabels(svc, slice);
    if (changed || kept.length !== (slice.endpoints ?? []).length) {
      if (kept.length === 0) toDelete.add(name);
      else {
        byName.set(name, { ...slice, metadata: { ...slice.metadata, labels }, endpoints: kept });
        toUpdate.add(name);
      }
    } else if (labelsChanged || !jsonEqual(slice.metadata.labels ?? {}, labels)) {
      byName.set(name, { ...slice, metadata: { ...slice.metadata, labels } });
      toUpdate.add(name);
    } else unchanged.add(name);
  }
  const remaining = [...desired.values()].sort(compareEndpoints);
  // 2. Fill the slices being written anyway, fullest first.
  if (remaining.length && toUpdate.size) {
    const slices = [...toUpdate].map((n) => byName.get(n)!).sort((a, b) => b.endpoints.length - a.endpoints.length);
    for (const s of slices) while (remaining.length && s.endpoints.length < max) s.endpoints = [...s.endpoints, remaining.shift()!];
  }
  // 3. Then the untouched slice that ends up closest to full, else new slices.
  const create: EndpointSlice[] = [];
  while (remaining.length) {
    let fill: EndpointSlice | undefined;
    if (remaining.length < max && unchanged.size) {
      let best = max;
      for (const n of unchanged) {
        const diff = max - (remaining.length + byName.get(n)!.endpoints.length);
        if (diff >= 0 && diff < best) {
          best = diff;
          fill = byName.get(n);
        }
      }
    }
    if (fill) {
      fill = { ...fill, endpoints: [...fill.endpoints] };
      byName.set(fill.metadata.name!, fill);
      unchanged.delete(fill.metadata.name!);
      toUpdate.add(fill.metadata.name!);
    } else {
      fill = newSlice(svc, ports, type);
      create.push(fill);
    }
    while (remaining.length && fill.endpoints.length < max) fill.endpoints.push(remaining.shift()!);
  }
  return { create, update: [...toUpdate].map((n) => byName.get(n)!), delete: [...toDelete].map((n) => byName.get(n)!) };
}
