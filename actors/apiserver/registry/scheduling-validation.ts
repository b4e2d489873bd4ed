/**
 * Validation of a pod's scheduling constraints: tolerations, node and pod
 * (anti-)affinity, topology spread — the fields kube-scheduler reads.
 */
import type { Affinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, PodAffinityTerm, Toleration, TopologySpreadConstraint } from "../../api/types/index.ts";
import type { FieldError } from "./resource.ts";
import {
  at,
  child,
  forbidden,
  goRepr,
  invalid,
  isDNS1123Label,
  isLabelValue,
  isQualifiedName,
  notSupported,
  required,
  validateLabelSelector,
} from "./validation.ts";

/** The taint effects, in the order Kubernetes lists them. */
export const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

/** A taint or toleration effect; empty allowed only where it means "all effects". */
export function validateTaintEffect(effect: string | undefined, allowEmpty: boolean, path: string): FieldError[] {
  if (!effect) return allowEmpty ? [] : [required(path)];
  return TAINT_EFFECTS.includes(effect) ? [] : [notSupported(path, effect, TAINT_EFFECTS)];
}

function goToleration(t: Toleration): string {
  const secs = t.tolerationSeconds === undefined ? "(*int64)(nil)" : `&${t.tolerationSeconds}`;
  return `core.Toleration{Key:${JSON.stringify(t.key ?? "")}, Operator:${JSON.stringify(t.operator ?? "")}, Value:${JSON.stringify(t.value ?? "")}, Effect:${JSON.stringify(t.effect ?? "")}, TolerationSeconds:${secs}}`;
}

/** Tolerations as validateTolerations checks them. */
export function validateTolerations(tolerations: Toleration[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (tolerations ?? []).forEach((t, i) => {
    const p = at(path, i);
    if (t.key) errs.push(...isQualifiedName(t.key).map((m) => invalid(child(p, "key"), t.key, m)));
    if (!t.key && t.operator !== "Exists") {
      errs.push(invalid(child(p, "operator"), t.operator ?? "", 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.effect !== "NoExecute") {
      errs.push(invalid(child(p, "effect"), t.effect ?? "", "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (t.operator === undefined || t.operator === "Equal" || (t.operator as string) === "") {
      const msgs = isLabelValue(t.value ?? "");
      if (msgs.length) errs.push(invalid(child(p, "operator"), t.value ?? "", msgs.join(";")));
    } else if (t.operator === "Exists") {
      if (t.value) errs.push(invalid(child(p, "operator"), goRepr(goToleration(t)), "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(notSupported(child(p, "operator"), t.operator, ["Equal", "Exists"]));
    }
    errs.push(...validateTaintEffect(t.effect, true, child(p, "effect")));
  });
  return errs;
}

function validateNodeSelectorRequirement(r: NodeSelectorRequirement, path: string, field: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const values = child(path, "values");
  switch (r.operator) {
    case "In":
    case "NotIn":
      if (!r.values?.length) errs.push(required(values, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case "Exists":
    case "DoesNotExist":
      if (r.values?.length) errs.push(forbidden(values, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case "Gt":
    case "Lt":
      if (r.values?.length !== 1) errs.push(required(values, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      else if (!/^-?[0-9]+$/.test(r.values[0])) errs.push(invalid(at(values, 0), r.values[0], "must be an integer"));
      break;
    default:
      errs.push(invalid(child(path, "operator"), r.operator, "not a valid selector operator"));
  }
  if (field) {
    // matchFields selects by node fields; only metadata.name is supported.
    if (r.key !== "metadata.name") errs.push(notSupported(child(path, "key"), r.key, ["metadata.name"]));
  } else {
    errs.push(...isQualifiedName(r.key ?? "").map((m) => invalid(child(path, "key"), r.key, m)));
  }
  return errs;
}

function validateNodeSelectorTerm(t: NodeSelectorTerm, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (t.matchExpressions ?? []).forEach((r, i) => errs.push(...validateNodeSelectorRequirement(r, at(child(path, "matchExpressions"), i), false)));
  (t.matchFields ?? []).forEach((r, i) => errs.push(...validateNodeSelectorRequirement(r, at(child(path, "matchFields"), i), true)));
  return errs;
}

/** A required node selector: at least one term, each requirement well-formed. */
export function validateNodeSelector(s: NodeSelector, path: string): FieldError[] {
  const terms = child(path, "nodeSelectorTerms");
  if (!s.nodeSelectorTerms?.length) return [required(terms, "must have at least one node selector term")];
  return s.nodeSelectorTerms.flatMap((t, i) => validateNodeSelectorTerm(t, at(terms, i)));
}

function validateWeight(weight: number, path: string): FieldError[] {
  return weight >= 1 && weight <= 100 ? [] : [invalid(path, weight, "must be in the range 1-100")];
}

function validatePodAffinityTerm(t: PodAffinityTerm, path: string): FieldError[] {
  const errs = validateLabelSelector(t.labelSelector, child(path, "labelSelector"));
  errs.push(...validateLabelSelector(t.namespaceSelector, child(path, "namespaceSelector")));
  for (const ns of t.namespaces ?? []) errs.push(...isDNS1123Label(ns).map((m) => invalid(child(path, "namespace"), ns, m)));
  if (!t.topologyKey) errs.push(required(child(path, "topologyKey"), "can not be empty"));
  else errs.push(...isQualifiedName(t.topologyKey).map((m) => invalid(child(path, "topologyKey"), t.topologyKey, m)));
  return errs;
}

/** Node affinity, pod affinity and pod anti-affinity. */
export function validateAffinity(a: Affinity | undefined, path: string): FieldError[] {
  if (!a) return [];
  const errs: FieldError[] = [];
  const na = a.nodeAffinity;
  if (na) {
    const p = child(path, "nodeAffinity");
    if (na.requiredDuringSchedulingIgnoredDuringExecution) {
      errs.push(...validateNodeSelector(na.requiredDuringSchedulingIgnoredDuringExecution, child(p, "requiredDuringSchedulingIgnoredDuringExecution")));
    }
    (na.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      const tp = at(child(p, "preferredDuringSchedulingIgnoredDuringExecution"), i);
      errs.push(...validateWeight(t.weight, child(tp, "weight")));
      errs.push(...validateNodeSelectorTerm(t.preference ?? {}, child(tp, "preference")));
    });
  }
  for (const kind of ["podAffinity", "podAntiAffinity"] as const) {
    const pa = a[kind];
    if (!pa) continue;
    const p = child(path, kind);
    (pa.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      errs.push(...validatePodAffinityTerm(t, at(child(p, "requiredDuringSchedulingIgnoredDuringExecution"), i)));
    });
    (pa.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      const tp = at(child(p, "preferredDuringSchedulingIgnoredDuringExecution"), i);
      errs.push(...validateWeight(t.weight, child(tp, "weight")));
      errs.push(...validatePodAffinityTerm(t.podAffinityTerm ?? { topologyKey: "" }, child(tp, "podAffinityTerm")));
    });
  }
  return errs;
}

/** Topology spread constraints: positive skew, a key, a known policy, no duplicate key+policy. */
export function validateTopologySpreadConstraints(cs: TopologySpreadConstraint[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (cs ?? []).forEach((c, i) => {
    const p = at(path, i);
    if (!(c.maxSkew > 0)) errs.push(invalid(child(p, "maxSkew"), c.maxSkew, "must be greater than zero"));
    if (!c.topologyKey) errs.push(required(child(p, "topologyKey"), "can not be empty"));
    else errs.push(...isQualifiedName(c.topologyKey).map((m) => invalid(child(p, "topologyKey"), c.topologyKey, m)));
    if (!["DoNotSchedule", "ScheduleAnyway"].includes(c.whenUnsatisfiable)) {
      errs.push(notSupported(child(p, "whenUnsatisfiable"), c.whenUnsatisfiable, ["DoNotSchedule", "ScheduleAnyway"]));
    }
    if (c.minDomains !== undefined) {
      if (!(c.minDomains > 0)) errs.push(invalid(child(p, "minDomains"), c.minDomains, "must be greater than 0"));
      else if (c.whenUnsatisfiable !== "DoNotSchedule") {
        errs.push(invalid(child(p, "minDomains"), c.minDomains, "can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway"));
      }
    }
    const key = `${c.topologyKey}/${c.whenUnsatisfiable}`;
    if (seen.has(key)) errs.push({ reason: "FieldValueDuplicate", field: p, message: `Duplicate value: "{${c.topologyKey}, ${c.whenUnsatisfiable}}"` });
    seen.add(key);
    errs.push(...validateLabelSelector(c.labelSelector, child(p, "labelSelector")));
  });
  return errs;
}
