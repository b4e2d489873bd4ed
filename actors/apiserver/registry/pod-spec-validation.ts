/**
 * PodSpec and PodTemplateSpec validation, as Kubernetes' ValidatePodSpec:
 * volumes, containers, policies, scheduling fields. Used by pods and by the
 * workload kinds that carry a pod template.
 */
import type { PodSpec, PodTemplateSpec, Volume } from "../../api/types/index.ts";
import { validateContainer, validateResourceRequirements, type ContainerContext } from "./container-validation.ts";
import type { FieldError } from "./resource.ts";
import { validateAffinity, validateTolerations, validateTopologySpreadConstraints } from "./scheduling-validation.ts";
import {
  at,
  child,
  duplicate,
  forbidden,
  inclusiveRangeError,
  invalid,
  isConfigMapKey,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  notSupported,
  required,
  validateAnnotations,
  validateLabels,
} from "./validation.ts";

const restartPolicies = ["Always", "OnFailure", "Never"];
const dnsPolicies = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
const hostPathTypes = ["", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"];
const volumeSources = ["configMap", "secret", "emptyDir", "persistentVolumeClaim", "hostPath", "downwardAPI", "projected"] as const;
const MAX_INT32 = 2147483647;

function validateMode(mode: number | undefined, path: string): FieldError[] {
  return mode === undefined || (Number.isInteger(mode) && mode >= 0 && mode <= 0o777)
    ? []
    : [invalid(path, mode, "must be a number between 0 and 0777 (octal), both inclusive")];
}

function validateItems(items: Array<{ key: string; path: string; mode?: number }> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (items ?? []).forEach((item, i) => {
    const p = at(path, i);
    if (!item.key) errs.push(required(child(p, "key")));
    else errs.push(...isConfigMapKey(item.key).map((m) => invalid(child(p, "key"), item.key, m)));
    if (!item.path) errs.push(required(child(p, "path")));
    else if (item.path.startsWith("/")) errs.push(invalid(child(p, "path"), item.path, "must be a relative path"));
    else if (item.path.split("/").includes("..")) errs.push(invalid(child(p, "path"), item.path, "must not contain '..'"));
    errs.push(...validateMode(item.mode, child(p, "mode")));
  });
  return errs;
}

function validateVolume(v: Volume, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const set = volumeSources.filter((s) => v[s] !== undefined);
  if (set.length === 0) errs.push(required(path, "must specify a volume type"));
  for (const s of set.slice(1)) errs.push(forbidden(child(path, s), "may not specify more than 1 volume type"));
  if (v.configMap) {
    const p = child(path, "configMap");
    if (!v.configMap.name) errs.push(required(child(p, "name")));
    errs.push(...validateItems(v.configMap.items, child(p, "items")), ...validateMode(v.configMap.defaultMode, child(p, "defaultMode")));
  }
  if (v.secret) {
    const p = child(path, "secret");
    if (!v.secret.secretName) errs.push(required(child(p, "secretName")));
    errs.push(...validateItems(v.secret.items, child(p, "items")), ...validateMode(v.secret.defaultMode, child(p, "defaultMode")));
  }
  if (v.persistentVolumeClaim && !v.persistentVolumeClaim.claimName) errs.push(required(child(child(path, "persistentVolumeClaim"), "claimName")));
  if (v.hostPath) {
    const p = child(path, "hostPath");
    if (!v.hostPath.path) errs.push(required(child(p, "path")));
    if (v.hostPath.type !== undefined && !hostPathTypes.includes(v.hostPath.type)) errs.push(notSupported(child(p, "type"), v.hostPath.type, hostPathTypes));
  }
  if (v.emptyDir?.medium && !["", "Memory", "HugePages"].includes(v.emptyDir.medium)) {
    errs.push(notSupported(child(child(path, "emptyDir"), "medium"), v.emptyDir.medium, ["", "Memory", "HugePages"]));
  }
  return errs;
}

/** The pod's volumes; returns their names for mount checks. */
function validateVolumes(volumes: Volume[] | undefined, path: string, names: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  (volumes ?? []).forEach((v, i) => {
    const p = at(path, i);
    if (!v.name) errs.push(required(child(p, "name")));
    else {
      const msgs = isDNS1123Label(v.name);
      if (msgs.length) errs.push(...msgs.map((m) => invalid(child(p, "name"), v.name, m)));
      else if (names.has(v.name)) errs.push(duplicate(child(p, "name"), v.name));
      else names.add(v.name);
    }
    errs.push(...validateVolume(v, p));
  });
  return errs;
}

/** A PodSpec at `path` (`spec`, `spec.template.spec`). */
export function validatePodSpec(spec: PodSpec | undefined, path: string): FieldError[] {
  if (!spec) return [required(path)];
  const errs: FieldError[] = [];
  const volumes = new Set<string>();
  errs.push(...validateVolumes(spec.volumes, child(path, "volumes"), volumes));
  const ctx: ContainerContext = { volumes, hostNetwork: !!spec.hostNetwork, names: new Set() };
  (spec.initContainers ?? []).forEach((c, i) => errs.push(...validateContainer(c, at(child(path, "initContainers"), i), ctx, true)));
  if (!spec.containers?.length) errs.push(required(child(path, "containers")));
  (spec.containers ?? []).forEach((c, i) => errs.push(...validateContainer(c, at(child(path, "containers"), i), ctx, false)));

  if (!spec.restartPolicy) errs.push(required(child(path, "restartPolicy")));
  else if (!restartPolicies.includes(spec.restartPolicy)) errs.push(notSupported(child(path, "restartPolicy"), spec.restartPolicy, restartPolicies));
  if (!spec.dnsPolicy) errs.push(required(child(path, "dnsPolicy")));
  else if (!dnsPolicies.includes(spec.dnsPolicy)) errs.push(notSupported(child(path, "dnsPolicy"), spec.dnsPolicy, dnsPolicies));
  else if (spec.dnsPolicy === "None" && !spec.dnsConfig) {
    errs.push(required(child(path, "dnsConfig"), "must provide `dnsConfig` when `dnsPolicy` is None"));
  }
  errs.push(...validateLabels(spec.nodeSelector, child(path, "nodeSelector")));
  for (const f of ["serviceAccountName", "nodeName", "priorityClassName"] as const) {
    const v = spec[f];
    if (v) errs.push(...isDNS1123Subdomain(v).map((m) => invalid(child(path, f), v, m)));
  }
  for (const f of ["hostname", "subdomain"] as const) {
    const v = spec[f];
    if (v) errs.push(...isDNS1123Label(v).map((m) => invalid(child(path, f), v, m)));
  }
  if (spec.activeDeadlineSeconds !== undefined && !(spec.activeDeadlineSeconds >= 1 && spec.activeDeadlineSeconds <= MAX_INT32)) {
    errs.push(invalid(child(path, "activeDeadlineSeconds"), spec.activeDeadlineSeconds, inclusiveRangeError(1, MAX_INT32)));
  }
  if (spec.preemptionPolicy && !["PreemptLowerPriority", "Never"].includes(spec.preemptionPolicy)) {
    errs.push(notSupported(child(path, "preemptionPolicy"), spec.preemptionPolicy, ["Never", "PreemptLowerPriority"]));
  }
  errs.push(...validateTolerations(spec.tolerations, child(path, "tolerations")));
  errs.push(...validateAffinity(spec.affinity, child(path, "affinity")));
  errs.push(...validateTopologySpreadConstraints(spec.topologySpreadConstraints, child(path, "topologySpreadConstraints")));
  (spec.schedulingGates ?? []).forEach((g, i) => {
    errs.push(...isQualifiedName(g.name ?? "").map((m) => invalid(at(child(path, "schedulingGates"), i), g.name, m)));
  });
  if (spec.resources) errs.push(...validateResourceRequirements(spec.resources, child(path, "resources")));
  return errs;
}

/** A pod template: its labels and annotations, then its spec. */
export function validatePodTemplateSpec(t: PodTemplateSpec | undefined, path: string): FieldError[] {
  if (!t) return [required(path)];
  const meta = child(path, "metadata");
  return [
    ...validateLabels(t.metadata?.labels, child(meta, "labels")),
    ...validateAnnotations(t.metadata?.annotations, child(meta, "annotations")),
    ...validatePodSpec(t.spec, child(path, "spec")),
  ];
}
