/**
 * What an object costs against a ResourceQuota, as Kubernetes' quota
 * evaluators count it: pods (count and compute resources, terminal pods
 * free), services (count, node ports, load balancers), claims (count and
 * storage), and an object count (`count/<resource>[.<group>]`) for every
 * namespaced kind.
 */
import type { KubeObject } from "../../api/meta.ts";
import type { Container, Pod, ResourceList, ResourceQuota } from "../../api/types/index.ts";
import type { ResourceDef } from "../registry/resource.ts";
import { computeQOSClass } from "../../api/pod-qos.ts";
import { addLists, milli, quantityString } from "./resource-list.ts";

/** The resources every container must set when a quota limits them. */
export const POD_COMPUTE_NAMES = new Set(["cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"]);

const LEGACY_COUNTED = new Set(["pods", "services", "configmaps", "secrets", "persistentvolumeclaims", "replicationcontrollers", "resourcequotas"]);

/** `count/pods`, `count/deployments.apps`. */
export function countName(def: Pick<ResourceDef, "plural" | "group">): string {
  return def.group ? `count/${def.plural}.${def.group}` : `count/${def.plural}`;
}

function isPods(def: ResourceDef): boolean {
  return def.group === "" && def.plural === "pods";
}

/** True when a quota resource name is one this kind's usage can fill. */
export function matchesResource(def: ResourceDef, name: string): boolean {
  if (name === countName(def)) return true;
  if (def.group !== "") return false;
  if (LEGACY_COUNTED.has(def.plural) && name === def.plural) return true;
  if (def.plural === "pods") {
    return POD_COMPUTE_NAMES.has(name) || name === "ephemeral-storage" || name.startsWith("requests.") || name.startsWith("limits.") || name.startsWith("hugepages-");
  }
  if (def.plural === "services") return name === "services.nodeports" || name === "services.loadbalancers";
  if (def.plural === "persistentvolumeclaims") return name === "requests.storage" || name.endsWith(".storageclass.storage.k8s.io/requests.storage") || name.endsWith(".storageclass.storage.k8s.io/persistentvolumeclaims");
  return false;
}

/** A pod that has finished, or whose grace period has run out, no longer counts. */
export function podIsTerminal(pod: Pod, now: number): boolean {
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed") return true;
  const del = pod.metadata.deletionTimestamp;
  if (del && pod.metadata.deletionGracePeriodSeconds !== undefined) {
    return now > Date.parse(del) + pod.metadata.deletionGracePeriodSeconds * 1000;
  }
  return false;
}

function maxLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = { ...a };
  for (const [k, v] of Object.entries(b)) if (!(k in out) || milli(v) > milli(out[k])) out[k] = quantityString(v);
  return out;
}

/**
 * Requests or limits of a pod, aggregated as actors/api/pod-resources.ts does
 * for the scheduler (kept as quantity strings, which quota status prints): the
 * containers plus the sidecars, or — if larger — the peak while init
 * containers run, each counted with the sidecars started before it; plus overhead.
 */
export function podResourceList(pod: Pod, which: "requests" | "limits"): ResourceList {
  const of = (c: Container): ResourceList => c.resources?.[which] ?? {};
  let total: ResourceList = {};
  for (const c of pod.spec?.containers ?? []) total = addLists(total, of(c));
  let sidecars: ResourceList = {};
  let initPeak: ResourceList = {};
  for (const c of pod.spec?.initContainers ?? []) {
    if (c.restartPolicy === "Always") {
      sidecars = addLists(sidecars, of(c));
      initPeak = maxLists(initPeak, sidecars);
    } else initPeak = maxLists(initPeak, addLists(sidecars, of(c)));
  }
  total = maxLists(addLists(total, sidecars), initPeak);
  const overhead = pod.spec?.overhead;
  if (overhead) {
    const extra = which === "limits" ? Object.fromEntries(Object.entries(overhead).filter(([k]) => k in total)) : overhead;
    total = addLists(total, extra);
  }
  return total;
}

/** podComputeUsageHelper: one container's or one pod's compute usage, named as quota names it. */
export function computeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(requests)) {
    const q = quantityString(v);
    if (k === "cpu" || k === "memory" || k === "ephemeral-storage") {
      out[k] = q;
      out[`requests.${k}`] = q;
    } else if (k.startsWith("hugepages-")) {
      out[`requests.${k}`] = q;
      out[k] = q;
    } else if (k.includes("/")) {
      out[`requests.${k}`] = q;
    }
  }
  for (const [k, v] of Object.entries(limits)) {
    if (k === "cpu" || k === "memory" || k === "ephemeral-storage") out[`limits.${k}`] = quantityString(v);
  }
  return out;
}

function podUsage(pod: Pod, now: number): ResourceList {
  if (podIsTerminal(pod, now)) return {};
  return { pods: "1", "count/pods": "1", ...computeUsage(podResourceList(pod, "requests"), podResourceList(pod, "limits")) };
}

function serviceUsage(svc: KubeObject): ResourceList {
  const spec = (svc.spec ?? {}) as { type?: string; ports?: { nodePort?: number }[]; allocateLoadBalancerNodePorts?: boolean };
  const out: ResourceList = { services: "1", "count/services": "1" };
  const type = spec.type ?? "ClusterIP";
  if (type === "LoadBalancer") out["services.loadbalancers"] = "1";
  if (type === "NodePort" || (type === "LoadBalancer" && spec.allocateLoadBalancerNodePorts !== false)) {
    out["services.nodeports"] = String((spec.ports ?? []).length);
  } else if (type === "LoadBalancer" || type === "NodePort") out["services.nodeports"] = "0";
  return out;
}

function claimUsage(pvc: KubeObject): ResourceList {
  const spec = (pvc.spec ?? {}) as { storageClassName?: string; resources?: { requests?: ResourceList } };
  const out: ResourceList = { persistentvolumeclaims: "1", "count/persistentvolumeclaims": "1" };
  const storage = spec.resources?.requests?.storage;
  if (storage !== undefined) out["requests.storage"] = quantityString(storage);
  const sc = spec.storageClassName;
  if (sc) {
    out[`${sc}.storageclass.storage.k8s.io/persistentvolumeclaims`] = "1";
    if (storage !== undefined) out[`${sc}.storageclass.storage.k8s.io/requests.storage`] = quantityString(storage);
  }
  return out;
}

/** What one object uses, by quota resource name. */
export function usageOf(def: ResourceDef, obj: KubeObject, now: number): ResourceList {
  if (!def.namespaced) return {};
  if (isPods(def)) return podUsage(obj as Pod, now);
  if (def.group === "" && def.plural === "services") return serviceUsage(obj);
  if (def.group === "" && def.plural === "persistentvolumeclaims") return claimUsage(obj);
  const out: ResourceList = { [countName(def)]: "1" };
  if (def.group === "" && LEGACY_COUNTED.has(def.plural)) out[def.plural] = "1";
  return out;
}

/**
 * The pod quota constraint: with cpu or memory under quota, every container
 * must set them (`must specify limits.cpu for: c; requests.memory for: c`).
 * Returns the message, or undefined when satisfied.
 */
export function podConstraintError(pod: Pod, restricted: Iterable<string>): string | undefined {
  const required = [...restricted].filter((n) => POD_COMPUTE_NAMES.has(n));
  if (required.length === 0) return undefined;
  const missing = new Map<string, Set<string>>();
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    const have = computeUsage(c.resources?.requests ?? {}, c.resources?.limits ?? {});
    for (const r of required) {
      if (r in have) continue;
      if (!missing.has(r)) missing.set(r, new Set());
      missing.get(r)!.add(c.name);
    }
  }
  if (missing.size === 0) return undefined;
  const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(",")}`);
  return `must specify ${parts.join("; ")}`;
}

/** True when the quota's scopes select this object (scoped quotas only ever select pods). */
export function quotaSelects(quota: ResourceQuota, def: ResourceDef, obj: KubeObject): boolean {
  const selectors = [
    ...(quota.spec?.scopes ?? []).map((s) => ({ scopeName: s, operator: "Exists", values: [] as string[] })),
    ...(quota.spec?.scopeSelector?.matchExpressions ?? []),
  ];
  if (selectors.length === 0) return true;
  if (!isPods(def)) return false;
  const pod = obj as Pod;
  for (const s of selectors) {
    let scoped: boolean;
    switch (s.scopeName) {
      case "Terminating":
        scoped = pod.spec?.activeDeadlineSeconds !== undefined && pod.spec.activeDeadlineSeconds >= 0;
        break;
      case "NotTerminating":
        scoped = !(pod.spec?.activeDeadlineSeconds !== undefined && pod.spec.activeDeadlineSeconds >= 0);
        break;
      case "BestEffort":
        scoped = computeQOSClass(pod) === "BestEffort";
        break;
      case "NotBestEffort":
        scoped = computeQOSClass(pod) !== "BestEffort";
        break;
      case "PriorityClass": {
        const pc = pod.spec?.priorityClassName ?? "";
        const values = s.values ?? [];
        if (s.operator === "Exists") scoped = pc !== "";
        else if (s.operator === "DoesNotExist") scoped = pc === "";
        else if (s.operator === "In") scoped = values.includes(pc);
        else scoped = !values.includes(pc);
        break;
      }
      case "CrossNamespacePodAffinity":
        scoped = false;
        break;
      default:
        scoped = false;
    }
    // The boolean scopes take only Exists (the scope) and DoesNotExist (its negation).
    if (s.scopeName !== "PriorityClass" && s.operator === "DoesNotExist") scoped = !scoped;
    if (!scoped) return false;
  }
  return true;
}
