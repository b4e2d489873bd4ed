/**
 * Rules shared by the apps/v1 workloads that own pods through a selector
 * and a template (ReplicaSet, Deployment): the selector must be non-empty
 * and match the template's labels, the template's pods must restart Always.
 */
import type { LabelSelector } from "../../api/meta.ts";
import type { PodTemplateSpec } from "../../api/types/index.ts";
import { validatePodTemplateSpec } from "./pod-spec-validation.ts";
import type { FieldError } from "./resource.ts";
import {
  child,
  goLabelSelector,
  goStringMap,
  invalid,
  notSupported,
  required,
  selectorIsEmpty,
  selectorMatches,
  validateImmutable,
  validateLabelSelector,
  validateNonnegative,
} from "./validation.ts";

/** The spec fields every selector-and-template workload has. */
export interface WorkloadSpec {
  replicas?: number;
  minReadySeconds?: number;
  selector?: LabelSelector;
  template?: PodTemplateSpec;
}

/** Replicas, minReadySeconds, selector and template, as ValidateReplicaSetSpec / ValidateDeploymentSpec. */
export function validateWorkloadSpec(spec: WorkloadSpec | undefined, path: string): FieldError[] {
  if (!spec) return [required(path)];
  const errs: FieldError[] = [];
  errs.push(...validateNonnegative(spec.replicas, child(path, "replicas")));
  errs.push(...validateNonnegative(spec.minReadySeconds, child(path, "minReadySeconds")));
  const selPath = child(path, "selector");
  const sel = spec.selector;
  let usable = false;
  if (!sel) errs.push(required(selPath));
  else {
    const selErrs = validateLabelSelector(sel, selPath);
    errs.push(...selErrs);
    // Kubernetes says "for deployment" for both kinds; kept as users see it.
    if (selectorIsEmpty(sel)) errs.push(invalid(selPath, goLabelSelector(sel), "empty selector is invalid for deployment"));
    else if (selErrs.length > 0) errs.push(invalid(selPath, goLabelSelector(sel), "invalid label selector"));
    else usable = true;
  }
  const tPath = child(path, "template");
  const t = spec.template;
  if (!t) return [...errs, required(tPath)];
  if (sel && usable && !selectorMatches(sel, t.metadata?.labels)) {
    errs.push(invalid(child(child(tPath, "metadata"), "labels"), goStringMap(t.metadata?.labels), "`selector` does not match template `labels`"));
  }
  errs.push(...validatePodTemplateSpec(t, tPath));
  const podPath = child(tPath, "spec");
  const restart = t.spec?.restartPolicy;
  if (restart && restart !== "Always") errs.push(notSupported(child(podPath, "restartPolicy"), restart, ["Always"]));
  if (t.spec?.activeDeadlineSeconds !== undefined) {
    errs.push(invalid(child(podPath, "activeDeadlineSeconds"), t.spec.activeDeadlineSeconds, "activeDeadlineSeconds in ReplicaSet is not Supported"));
  }
  return errs;
}

/** apps/v1 selectors may not change after creation. */
export function validateSelectorImmutable(sel: LabelSelector | undefined, old: LabelSelector | undefined, path: string): FieldError[] {
  return validateImmutable(sel, old, path, sel ? goLabelSelector(sel) : null);
}

/** Status counters: each non-negative, and none above what contains it. */
export function validateReplicaCounts(
  s: object | undefined,
  path: string,
  counters: readonly string[],
  capped: ReadonlyArray<[field: string, cap: string, message: string]>,
): FieldError[] {
  const errs: FieldError[] = [];
  const num = (f: string): number | undefined => {
    const v = (s as Record<string, unknown> | undefined)?.[f];
    return typeof v === "number" ? v : undefined;
  };
  for (const f of counters) errs.push(...validateNonnegative(num(f), child(path, f)));
  for (const [f, cap, message] of capped) {
    const v = num(f) ?? 0;
    if (v > (num(cap) ?? 0)) errs.push(invalid(child(path, f), v, message));
  }
  return errs;
}
