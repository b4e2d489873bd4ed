/**
 * apps/v1 Deployments: defaulting (1 replica, RollingUpdate 25%/25%,
 * revisionHistoryLimit 10, progressDeadlineSeconds 600, template defaults),
 * rollout-strategy validation, an immutable selector.
 */
import type { Deployment, DeploymentStrategy, IntOrString } from "../../api/types/index.ts";
import { defaultPodSpec } from "./pod-defaults.ts";
import type { FieldError, ResourceDef } from "./resource.ts";
import { child, clone, forbidden, goRepr, invalid, isValidPercent, notSupported, required, validateNonnegative } from "./validation.ts";
import { validateReplicaCounts, validateSelectorImmutable, validateWorkloadSpec } from "./workload-validation.ts";

/** IntOrString prints through its String() method in Go, so unquoted. */
function goIntOrString(v: IntOrString | undefined): ReturnType<typeof goRepr> {
  return goRepr(String(v ?? 0));
}

function intOrPercentValue(v: IntOrString | undefined): number {
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^[0-9]+%$/.test(v)) return Number(v.slice(0, -1));
  return -1;
}

function validatePositiveIntOrPercent(v: IntOrString | undefined, path: string): FieldError[] {
  if (typeof v === "string") return isValidPercent(v).map((m) => invalid(path, goIntOrString(v), m));
  return validateNonnegative(v, path);
}

function validateStrategy(s: DeploymentStrategy | undefined, path: string): FieldError[] {
  if (s?.type === "Recreate") {
    return s.rollingUpdate ? [forbidden(child(path, "rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'")] : [];
  }
  if (s?.type !== "RollingUpdate") {
    const shown = `apps.DeploymentStrategy{Type:${JSON.stringify(s?.type ?? "")}, RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}`;
    return [notSupported(path, goRepr(shown), ["Recreate", "RollingUpdate"])];
  }
  const ru = s.rollingUpdate;
  const p = child(path, "rollingUpdate");
  if (!ru) return [required(p, "this should be defaulted and never be nil")];
  const errs = [...validatePositiveIntOrPercent(ru.maxUnavailable, child(p, "maxUnavailable")), ...validatePositiveIntOrPercent(ru.maxSurge, child(p, "maxSurge"))];
  if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
    errs.push(invalid(child(p, "maxUnavailable"), goIntOrString(ru.maxUnavailable), "may not be 0 when `maxSurge` is 0"));
  }
  if (typeof ru.maxUnavailable === "string" && intOrPercentValue(ru.maxUnavailable) > 100) {
    errs.push(invalid(child(p, "maxUnavailable"), goIntOrString(ru.maxUnavailable), "must not be greater than 100%"));
  }
  return errs;
}

function validateDeploymentSpec(d: Deployment): FieldError[] {
  const spec = d.spec;
  const errs = validateWorkloadSpec(spec, "spec");
  if (!spec) return errs;
  errs.push(...validateStrategy(spec.strategy, "spec.strategy"));
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, "spec.revisionHistoryLimit"));
  if (spec.progressDeadlineSeconds !== undefined) {
    errs.push(...validateNonnegative(spec.progressDeadlineSeconds, "spec.progressDeadlineSeconds"));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.push(invalid("spec.progressDeadlineSeconds", spec.progressDeadlineSeconds, "must be greater than minReadySeconds"));
    }
  }
  return errs;
}

const counters = ["observedGeneration", "replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas", "terminatingReplicas", "collisionCount"];
const capped: Array<[string, string, string]> = [
  ["updatedReplicas", "replicas", "cannot be greater than status.replicas"],
  ["readyReplicas", "replicas", "cannot be greater than status.replicas"],
  ["availableReplicas", "replicas", "cannot be greater than status.replicas"],
  ["availableReplicas", "readyReplicas", "cannot be greater than readyReplicas"],
];

/** apps/v1 deployments. */
export const deploymentResource = {
  group: "apps",
  version: "v1",
  kind: "Deployment",
  listKind: "DeploymentList",
  plural: "deployments",
  singular: "deployment",
  namespaced: true,
  shortNames: ["deploy"],
  categories: ["all"],
  subresources: ["status", "scale"],
  generation: true,
  defaults(d) {
    d.spec ??= {} as Deployment["spec"];
    const spec = d.spec;
    spec.replicas ??= 1;
    spec.strategy ??= {};
    spec.strategy.type ||= "RollingUpdate";
    if (spec.strategy.type === "RollingUpdate") {
      spec.strategy.rollingUpdate ??= {};
      spec.strategy.rollingUpdate.maxUnavailable ??= "25%";
      spec.strategy.rollingUpdate.maxSurge ??= "25%";
    }
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
    if (spec.template?.spec) defaultPodSpec(spec.template.spec);
  },
  prepareForCreate(d) {
    d.status = {};
  },
  prepareForUpdate(d, old) {
    d.status = clone(old.status);
  },
  validate: validateDeploymentSpec,
  validateUpdate: (d, old) => validateSelectorImmutable(d.spec?.selector, old.spec?.selector, "spec.selector"),
  validateStatusUpdate(d, old) {
    const errs = validateReplicaCounts(d.status, "status", counters, capped);
    const before = old.status?.collisionCount;
    const now = d.status?.collisionCount;
    if (before !== undefined && (now === undefined || now < before)) errs.push(invalid("status.collisionCount", now ?? null, "cannot be decremented"));
    return errs;
  },
} satisfies ResourceDef<Deployment>;
