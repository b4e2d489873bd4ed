/**
 * What an update may change in a running pod (ValidatePodUpdate) and in
 * its status (ValidatePodStatusUpdate). A pod's spec is immutable except
 * container images, a shrinking activeDeadlineSeconds, added tolerations and
 * a negative grace period raised to 1.
 */
import type { ContainerStatus, Pod, PodSpec, RestartPolicy, Toleration } from "../../api/types/index.ts";
import type { FieldError } from "./resource.ts";
import { validateTolerations } from "./scheduling-validation.ts";
import { at, child, clone, forbidden, invalid, ipFamilyOf, isDNS1123Subdomain, isValidIP, required, semanticEqual, validateImmutable } from "./validation.ts";

/** The lead of Kubernetes' message when a pod update touches a frozen field. */
export const POD_UPDATE_FORBIDDEN =
  "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

const MAX_INT32 = 2147483647;

function sameToleration(a: Toleration, b: Toleration): boolean {
  return semanticEqual({ ...a, tolerationSeconds: undefined }, { ...b, tolerationSeconds: undefined });
}

/** Every old toleration must survive (its tolerationSeconds may change); new ones are validated. */
export function validateOnlyAddedTolerations(next: Toleration[] | undefined, old: Toleration[] | undefined, path: string): FieldError[] {
  for (const o of old ?? []) {
    if (!(next ?? []).some((n) => sameToleration(o, n))) return [forbidden(path, "existing toleration can not be modified except its tolerationSeconds")];
  }
  return validateTolerations(next, path);
}

/** Leaf-level differences between two JSON values, as "- path: old" / "+ path: new" lines. */
function diffLines(a: unknown, b: unknown, path: string, out: string[]): void {
  if (semanticEqual(a, b)) return;
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) diffLines(a[k], b[k], `${path}.${k}`, out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((x, i) => diffLines(x, b[i], `${path}[${i}]`, out));
    return;
  }
  out.push(`- ${path}: ${JSON.stringify(a) ?? "null"}`, `+ ${path}: ${JSON.stringify(b) ?? "null"}`);
}

function validateImages(next: PodSpec, old: PodSpec, field: "containers" | "initContainers"): { errs: FieldError[]; stop: boolean } {
  const n = next[field] ?? [];
  const o = old[field] ?? [];
  const path = child("spec", field);
  if (n.length !== o.length) return { errs: [forbidden(path, "pod updates may not add or remove containers")], stop: true };
  const errs: FieldError[] = [];
  n.forEach((c, i) => {
    const p = child(at(path, i), "image");
    if (!c.image) errs.push(required(p));
    else if (c.image.trim() !== c.image) errs.push(invalid(p, c.image, "must not have leading or trailing whitespace"));
  });
  return { errs, stop: false };
}

/** Spec rules of a pod update (metadata is the apiserver's; `validate` runs separately). */
export function validatePodUpdate(pod: Pod, old: Pod): FieldError[] {
  const next = pod.spec;
  const prev = old.spec;
  const errs: FieldError[] = [];
  for (const field of ["containers", "initContainers"] as const) {
    const r = validateImages(next, prev, field);
    errs.push(...r.errs);
    if (r.stop) return errs;
  }
  const ads = child("spec", "activeDeadlineSeconds");
  if (next.activeDeadlineSeconds !== undefined) {
    const v = next.activeDeadlineSeconds;
    if (v < 0 || v > MAX_INT32) return [...errs, invalid(ads, v, `must be between 0 and ${MAX_INT32}, inclusive`)];
    if (prev.activeDeadlineSeconds !== undefined && prev.activeDeadlineSeconds < v) return [...errs, invalid(ads, v, "must be less than or equal to previous value")];
  } else if (prev.activeDeadlineSeconds !== undefined) {
    errs.push(invalid(ads, null, "must not update from a positive integer to nil value"));
  }
  errs.push(...validateOnlyAddedTolerations(next.tolerations, prev.tolerations, child("spec", "tolerations")));
  if (semanticEqual(next, prev)) return errs;
  // Take the updatable fields from the old spec; whatever still differs is forbidden.
  const munged = clone(next);
  for (const field of ["containers", "initContainers"] as const) {
    (munged[field] ?? []).forEach((c, i) => (c.image = prev[field]?.[i]?.image));
  }
  munged.activeDeadlineSeconds = prev.activeDeadlineSeconds;
  munged.tolerations = prev.tolerations;
  if ((prev.terminationGracePeriodSeconds ?? 0) < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = prev.terminationGracePeriodSeconds;
  }
  if (!semanticEqual(munged, prev)) {
    const lines: string[] = [];
    diffLines(prev, munged, "spec", lines);
    errs.push(forbidden("spec", `${POD_UPDATE_FORBIDDEN}\n${lines.join("\n")}`));
  }
  return errs;
}

function validateIPs(ips: Array<{ ip: string }> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (ips ?? []).forEach((e, i) => errs.push(...isValidIP(e.ip ?? "").map((m) => invalid(at(path, i), e.ip ?? "", m))));
  if (errs.length === 0 && (ips?.length ?? 0) > 1) {
    const families = new Set(ips?.map((e) => ipFamilyOf(e.ip)));
    if (ips?.length !== 2 || families.size !== 2) errs.push(invalid(path, ips?.map((e) => e.ip), "may specify no more than one IP for each IP family"));
  }
  return errs;
}

function isTerminalForever(s: ContainerStatus | undefined, policy: RestartPolicy | undefined): boolean {
  const t = s?.state?.terminated;
  if (!t) return false;
  return policy === "Never" || (policy === "OnFailure" && t.exitCode === 0);
}

function validateStateTransitions(next: ContainerStatus[] | undefined, old: ContainerStatus[] | undefined, path: string, policy: RestartPolicy | undefined): FieldError[] {
  const errs: FieldError[] = [];
  (next ?? []).forEach((s, i) => {
    const before = (old ?? []).find((o) => o.name === s.name);
    if (isTerminalForever(before, policy) && !s.state?.terminated) {
      errs.push(forbidden(child(at(path, i), "state"), "may not be transitioned to non-terminated state"));
    }
  });
  return errs;
}

/** Rules of a `pods/status` update. */
export function validatePodStatusUpdate(pod: Pod, old: Pod): FieldError[] {
  const errs: FieldError[] = [];
  const s = pod.status ?? {};
  if ((pod.spec?.nodeName ?? "") !== (old.spec?.nodeName ?? "")) errs.push(forbidden("status.nodeName", "may not be changed directly"));
  if (s.nominatedNodeName && s.nominatedNodeName !== old.status?.nominatedNodeName) {
    errs.push(...isDNS1123Subdomain(s.nominatedNodeName).map((m) => invalid("status.nominatedNodeName", s.nominatedNodeName, m)));
  }
  const policy = old.spec?.restartPolicy;
  errs.push(...validateStateTransitions(s.containerStatuses, old.status?.containerStatuses, "status.containerStatuses", policy));
  // Init containers never run again once done, whatever the pod's policy.
  errs.push(...validateStateTransitions(s.initContainerStatuses, old.status?.initContainerStatuses, "status.initContainerStatuses", policy === "Always" ? "OnFailure" : policy));
  errs.push(...validateIPs(s.podIPs, "status.podIPs"), ...validateIPs(s.hostIPs, "status.hostIPs"));
  if (old.status?.qosClass) errs.push(...validateImmutable(s.qosClass, old.status.qosClass, "status.qosClass", s.qosClass ?? ""));
  return errs;
}
