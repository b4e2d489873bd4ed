/**
 * What a pod asks of a node, counted as kube-scheduler counts it: the sum
 * over app containers and sidecars, or the largest init container (plus the
 * sidecars started before it) if that is larger, plus the pod overhead.
 * CPU is in millicores; every other resource in base units (bytes, counts).
 */
import { isQuantity, parseCPU, parseQuantity } from "./quantity.ts";
import type { ResourceList } from "./types/core-common.ts";
import type { Container } from "./types/core-container.ts";
import type { PodSpec } from "./types/core-pod.ts";

/** resource name → amount; `cpu` in millicores, the rest in base units. */
export type ResourceTotals = Record<string, number>;

/** The request the scheduler assumes for a container that sets no cpu request, in millicores. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
/** The request the scheduler assumes for a container that sets no memory request, in bytes. */
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** Options for {@link computePodRequests}. */
export interface PodRequestsOptions {
  /**
   * Count a missing cpu/memory request as 100m / 200Mi, as the scheduler's
   * scoring does so that best-effort pods still spread. Default false.
   */
  nonZero?: boolean;
}

/** A resource list in numbers: cpu in millicores, the rest in base units; malformed entries are skipped. */
export function toTotals(list: ResourceList | undefined): ResourceTotals {
  const out: ResourceTotals = {};
  for (const [name, q] of Object.entries(list ?? {})) {
    if (isQuantity(q)) out[name] = name === "cpu" ? parseCPU(q) : parseQuantity(q);
  }
  return out;
}

/** A container's requests; a resource with only a limit requests its limit, as defaulting does. */
export function containerRequests(c: Container, opts: PodRequestsOptions = {}): ResourceTotals {
  const out = { ...toTotals(c.resources?.limits), ...toTotals(c.resources?.requests) };
  if (opts.nonZero) {
    if (!out.cpu) out.cpu = DEFAULT_MILLI_CPU_REQUEST;
    if (!out.memory) out.memory = DEFAULT_MEMORY_REQUEST;
  }
  return out;
}

/** A container's limits. */
export function containerLimits(c: Container): ResourceTotals {
  return toTotals(c.resources?.limits);
}

function addInto(into: ResourceTotals, add: ResourceTotals): void {
  for (const [k, v] of Object.entries(add)) into[k] = (into[k] ?? 0) + v;
}

function maxInto(into: ResourceTotals, other: ResourceTotals): void {
  for (const [k, v] of Object.entries(other)) if (v > (into[k] ?? 0)) into[k] = v;
}

function aggregate(spec: Pick<PodSpec, "containers" | "initContainers" | "overhead">, of: (c: Container) => ResourceTotals, limits = false): ResourceTotals {
  const total: ResourceTotals = {};
  for (const c of spec.containers ?? []) addInto(total, of(c));
  const sidecars: ResourceTotals = {};
  const initPeak: ResourceTotals = {};
  for (const c of spec.initContainers ?? []) {
    const own = of(c);
    if (c.restartPolicy === "Always") {
      // A sidecar keeps running: it adds to everything started after it.
      addInto(sidecars, own);
      maxInto(initPeak, sidecars);
    } else {
      const during = { ...sidecars };
      addInto(during, own);
      maxInto(initPeak, during);
    }
  }
  addInto(total, sidecars);
  maxInto(total, initPeak);
  const overhead = toTotals(spec.overhead);
  // A missing limit means unbounded; overhead must not turn it into a bound.
  if (limits) for (const k of Object.keys(overhead)) if (total[k] === undefined) delete overhead[k];
  addInto(total, overhead);
  return total;
}

/** Pod-level cpu/memory (PodLevelResources) replace the containers' sum for those two resources. */
function withPodLevel(total: ResourceTotals, podLevel: ResourceList | undefined, overhead: ResourceList | undefined): ResourceTotals {
  const level = toTotals(podLevel);
  const extra = toTotals(overhead);
  for (const name of ["cpu", "memory"]) {
    if (level[name] !== undefined) total[name] = level[name] + (extra[name] ?? 0);
  }
  return total;
}

/** The effective requests of a pod, as the scheduler's NodeResourcesFit counts them. */
export function computePodRequests(pod: { spec?: PodSpec }, opts: PodRequestsOptions = {}): ResourceTotals {
  if (!pod.spec) return {};
  const r = pod.spec.resources;
  const podLevel = r ? { ...r.limits, ...r.requests } : undefined;
  return withPodLevel(aggregate(pod.spec, (c) => containerRequests(c, opts)), podLevel, pod.spec.overhead);
}

/** The effective limits of a pod, aggregated the same way as requests. */
export function computePodLimits(pod: { spec?: PodSpec }): ResourceTotals {
  if (!pod.spec) return {};
  return withPodLevel(aggregate(pod.spec, containerLimits, true), pod.spec.resources?.limits, pod.spec.overhead);
}
