/**
 * LimitRanger: a namespace's LimitRanges default the requests and limits of
 * new pods' containers (recording what was set in the
 * `kubernetes.io/limit-ranger` annotation), then bound them: min, max and
 * maxLimitRequestRatio per container and per pod, and storage per claim.
 * Refusals carry Kubernetes' wording.
 */
import { canonicalQuantity, compareQuantities, isQuantity } from "../../api/quantity.ts";
import { forbidden } from "../../api/status.ts";
import type { Container, LimitRange, LimitRangeItem, Pod, ResourceList } from "../../api/types/index.ts";
import { storePrefix } from "../registry/resource.ts";
import { aggregate } from "../auth/authorizer.ts";
import { milli } from "./resource-list.ts";
import { podResourceList } from "./quota-usage.ts";
import type { AdmissionContext, AdmissionPlugin, AdmissionRequest } from "./types.ts";

/** The annotation naming what LimitRanger set. */
export const LIMIT_RANGER_ANNOTATION = "kubernetes.io/limit-ranger";

async function limitRanges(a: AdmissionRequest, ctx: AdmissionContext): Promise<LimitRange[]> {
  const r = await ctx.store.range(storePrefix({ group: "", plural: "limitranges" }, a.namespace), { prefix: true });
  return r.kvs.map((kv) => kv.value as LimitRange);
}

function applies(a: AdmissionRequest, plural: string): boolean {
  return a.def.group === "" && a.def.plural === plural && a.operation === "CREATE" && !a.subresource && Boolean(a.object) && Boolean(a.namespace);
}

const show = (q: string | number) => (isQuantity(q) ? canonicalQuantity(q) : String(q));

/** Defaults one container; returns the annotation parts for it. */
function mergeContainer(c: Container, defaults: { requests: ResourceList; limits: ResourceList }, kind: string): string[] {
  const setRequests: string[] = [];
  const setLimits: string[] = [];
  const resources = (c.resources ??= {});
  for (const [k, v] of Object.entries(defaults.limits)) {
    resources.limits ??= {};
    if (resources.limits[k] === undefined) {
      resources.limits[k] = show(v);
      setLimits.push(k);
    }
  }
  for (const [k, v] of Object.entries(defaults.requests)) {
    resources.requests ??= {};
    if (resources.requests[k] === undefined) {
      resources.requests[k] = show(v);
      setRequests.push(k);
    }
  }
  const out: string[] = [];
  if (setRequests.length) out.push(`${setRequests.sort().join(", ")} request for ${kind} ${c.name}`);
  if (setLimits.length) out.push(`${setLimits.sort().join(", ")} limit for ${kind} ${c.name}`);
  return out;
}

function defaultsOf(lr: LimitRange): { requests: ResourceList; limits: ResourceList } {
  const requests: ResourceList = {};
  const limits: ResourceList = {};
  for (const item of lr.spec?.limits ?? []) {
    if (item.type !== "Container") continue;
    Object.assign(requests, item.defaultRequest ?? {});
    Object.assign(limits, item.default ?? {});
  }
  return { requests, limits };
}

function minConstraint(type: string, name: string, enforced: string, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests[name];
  const lim = limits[name];
  if (req === undefined) return `minimum ${name} usage per ${type} is ${show(enforced)}.  No request is specified`;
  if (milli(req) < milli(enforced)) return `minimum ${name} usage per ${type} is ${show(enforced)}, but request is ${show(req)}`;
  if (lim !== undefined && milli(lim) < milli(enforced)) return `minimum ${name} usage per ${type} is ${show(enforced)}, but limit is ${show(lim)}`;
  return undefined;
}

function maxConstraint(type: string, name: string, enforced: string, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests[name];
  const lim = limits[name];
  if (lim === undefined) return `maximum ${name} usage per ${type} is ${show(enforced)}.  No limit is specified`;
  if (milli(lim) > milli(enforced)) return `maximum ${name} usage per ${type} is ${show(enforced)}, but limit is ${show(lim)}`;
  if (req !== undefined && milli(req) > milli(enforced)) return `maximum ${name} usage per ${type} is ${show(enforced)}, but request is ${show(req)}`;
  return undefined;
}

function ratioConstraint(type: string, name: string, enforced: string, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = milli(requests[name]);
  const lim = milli(limits[name]);
  if (requests[name] === undefined || req === 0) return `${name} max limit to request ratio per ${type} is ${show(enforced)}, but no request is specified or request is 0`;
  if (limits[name] === undefined || lim === 0) return `${name} max limit to request ratio per ${type} is ${show(enforced)}, but no limit is specified or limit is 0`;
  const ratio = lim / req;
  if (lim * 1000 > milli(enforced) * req) return `${name} max limit to request ratio per ${type} is ${show(enforced)}, but provided ratio is ${ratio.toFixed(6)}`;
  return undefined;
}

function checkItem(type: string, item: LimitRangeItem, requests: ResourceList, limits: ResourceList, errs: string[]): void {
  const push = (e: string | undefined) => e && errs.push(e);
  for (const [k, v] of Object.entries(item.min ?? {})) push(minConstraint(type, k, v, requests, limits));
  for (const [k, v] of Object.entries(item.max ?? {})) push(maxConstraint(type, k, v, requests, limits));
  for (const [k, v] of Object.entries(item.maxLimitRequestRatio ?? {})) push(ratioConstraint(type, k, v, requests, limits));
}

function validatePod(lr: LimitRange, pod: Pod, errs: string[]): void {
  for (const item of lr.spec?.limits ?? []) {
    if (item.type === "Container") {
      for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
        checkItem("Container", item, c.resources?.requests ?? {}, c.resources?.limits ?? {}, errs);
      }
    } else if (item.type === "Pod") {
      checkItem("Pod", item, podResourceList(pod, "requests"), podResourceList(pod, "limits"), errs);
    }
  }
}

function validateClaim(lr: LimitRange, requests: ResourceList, errs: string[]): void {
  for (const item of lr.spec?.limits ?? []) {
    if (item.type !== "PersistentVolumeClaim") continue;
    for (const [k, v] of Object.entries(item.min ?? {})) {
      const e = minConstraint("PersistentVolumeClaim", k, v, requests, {});
      if (e) errs.push(e);
    }
    for (const [k, v] of Object.entries(item.max ?? {})) {
      const req = requests[k];
      if (req === undefined) errs.push(`maximum ${k} usage per PersistentVolumeClaim is ${show(v)}.  No request is specified`);
      else if (isQuantity(req) && isQuantity(v) && compareQuantities(req, v) > 0) errs.push(`maximum ${k} usage per PersistentVolumeClaim is ${show(v)}, but request is ${show(req)}`);
    }
  }
}

/** The LimitRanger plugin. */
export const limitRanger: AdmissionPlugin = {
  name: "LimitRanger",
  async admit(a, ctx) {
    if (!applies(a, "pods")) return;
    const pod = a.object as Pod;
    if (!pod.spec) return;
    for (const lr of await limitRanges(a, ctx)) {
      const defaults = defaultsOf(lr);
      if (!Object.keys(defaults.requests).length && !Object.keys(defaults.limits).length) continue;
      const notes: string[] = [];
      for (const c of pod.spec.containers ?? []) notes.push(...mergeContainer(c, defaults, "container"));
      for (const c of pod.spec.initContainers ?? []) notes.push(...mergeContainer(c, defaults, "init container"));
      if (notes.length) pod.metadata.annotations = { ...pod.metadata.annotations, [LIMIT_RANGER_ANNOTATION]: `LimitRanger plugin set: ${notes.join("; ")}` };
    }
  },
  async validate(a, ctx) {
    const isPod = applies(a, "pods");
    const isClaim = applies(a, "persistentvolumeclaims");
    if (!isPod && !isClaim) return;
    const errs: string[] = [];
    for (const lr of await limitRanges(a, ctx)) {
      if (isPod) validatePod(lr, a.object as Pod, errs);
      else validateClaim(lr, ((a.object!.spec ?? {}) as { resources?: { requests?: ResourceList } }).resources?.requests ?? {}, errs);
    }
    if (errs.length) throw forbidden(a.def.plural, a.name || "Unknown", aggregate(errs), a.def.group);
  },
};
