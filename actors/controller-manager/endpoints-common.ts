/**
 * What the Endpoints and EndpointSlice controllers share, as Kubernetes'
 * endpointslice util does: which pods a Service selects, which of them
 * belong in its endpoints, how a named target port resolves on one pod, and
 * the watch handlers that turn Service and Pod changes into Service keys.
 */
import type { Informer } from "../api/informer.ts";
import type { ObjectReference } from "../api/types/core-common.ts";
import type { Pod } from "../api/types/core-pod.ts";
import type { Service, ServicePort } from "../api/types/core-service.ts";
import { keyOf, type Reconciler } from "./controller.ts";
import { isPodReady } from "./pod-ranking.ts";

export { isPodReady };

/** The label Kubernetes puts on the endpoints of headless services. */
export const HEADLESS_LABEL = "service.kubernetes.io/headless";

/** True when the service has a non-empty selector (selectorless services are left to the user). */
export function hasSelector(svc: Service): boolean {
  return Object.keys(svc.spec?.selector ?? {}).length > 0;
}

/** True when this controller manages endpoints for the service: it selects pods and is not an ExternalName. */
export function managesEndpoints(svc: Service): boolean {
  return svc.spec?.type !== "ExternalName" && hasSelector(svc);
}

/** True when the service has a cluster IP (not headless, not ExternalName). */
export function isServiceIPSet(svc: Service): boolean {
  return Boolean(svc.spec?.clusterIP) && svc.spec.clusterIP !== "None";
}

/** True when every selector entry is among the pod's labels. */
export function selects(svc: Service, pod: Pod): boolean {
  if (!hasSelector(svc) || pod.metadata.namespace !== svc.metadata.namespace) return false;
  const labels = pod.metadata.labels ?? {};
  return Object.entries(svc.spec.selector!).every(([k, v]) => labels[k] === v);
}

/** Kubernetes' ShouldPodBeInEndpoints: has an IP, not finished, and not terminating unless asked. */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed") return false;
  if (!pod.status?.podIP && !pod.status?.podIPs?.length) return false;
  return includeTerminating || !pod.metadata.deletionTimestamp;
}

/** The pod's IPv4 addresses (podIPs, else podIP). */
export function podIPv4s(pod: Pod): string[] {
  const ips = pod.status?.podIPs?.length ? pod.status.podIPs.map((p) => p.ip) : pod.status?.podIP ? [pod.status.podIP] : [];
  return ips.filter((ip) => /^\d+\.\d+\.\d+\.\d+$/.test(ip));
}

/** Kubernetes' FindPort: a number as is, a name looked up in the containers' (and sidecars') ports of the same protocol. */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === "number") return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = sp.protocol ?? "TCP";
  const sidecars = (pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === "Always");
  for (const c of [...pod.spec.containers, ...sidecars]) {
    const p = (c.ports ?? []).find((cp) => cp.name === target && (cp.protocol ?? "TCP") === protocol);
    if (p) return p.containerPort;
  }
  return undefined;
}

/** A pod gets a hostname in its service's endpoints when its subdomain names that service. */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return Boolean(pod.spec.hostname) && pod.spec.subdomain === svc.metadata.name && pod.metadata.namespace === svc.metadata.namespace;
}

/** The endpoint's reference to its pod. */
export function podRef(pod: Pod): ObjectReference {
  return { kind: "Pod", namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid };
}

/** Deep equality of JSON values, key order ignored; undefined fields count as absent. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((v, i) => jsonEqual(v, (b as unknown[])[i]));
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** What about a pod its endpoints depend on; a pod update that leaves it unchanged needs no sync. */
function endpointFacts(pod: Pod): unknown {
  return [
    pod.metadata.labels,
    pod.status?.podIP,
    pod.status?.podIPs,
    isPodReady(pod),
    Boolean(pod.metadata.deletionTimestamp),
    pod.status?.phase,
    pod.spec.nodeName,
    pod.spec.hostname,
    pod.spec.subdomain,
    pod.spec.containers.map((c) => c.ports),
  ];
}

/** The services of `pod`'s namespace that select it. */
export function servicesSelecting(services: Informer<Service>, pod: Pod): Service[] {
  return services.byIndex("namespace", pod.metadata.namespace ?? "").filter((s) => selects(s, pod));
}

/**
 * Watch handlers that only enqueue Service keys: every Service change, and
 * for a pod, the services selecting it before and after the change.
 */
export function enqueueOnServiceAndPodChanges(services: Informer<Service>, pods: Informer<Pod>, reconciler: Reconciler): void {
  services.addEventHandler({
    onAdd: (s) => reconciler.enqueue(s),
    onUpdate: (_old, s) => reconciler.enqueue(s),
    onDelete: (s) => reconciler.enqueue(s),
  });
  const touch = (pod: Pod) => {
    for (const s of servicesSelecting(services, pod)) reconciler.enqueue(keyOf(s));
  };
  pods.addEventHandler({
    onAdd: touch,
    onUpdate: (old, cur) => {
      if (jsonEqual(endpointFacts(old), endpointFacts(cur))) return;
      touch(cur);
      if (!jsonEqual(old.metadata.labels, cur.metadata.labels)) touch(old);
    },
    onDelete: touch,
  });
}
