/**
 * core/v1 Nodes: cluster-scoped, registered by the kubelet with its status.
 * podCIDRs and providerID may only go from unset to set.
 */
import type { Node, ResourceList, Taint } from "../../api/types/index.ts";
import { canonicalizeResourceList } from "./pod-defaults.ts";
import type { FieldError, ResourceDef } from "./resource.ts";
import { validateTaintEffect } from "./scheduling-validation.ts";
import { compareQuantities, isQuantity, QUANTITY_FORMAT_ERROR } from "../../api/quantity.ts";
import { at, child, clone, forbidden, invalid, ipFamilyOf, isLabelValue, isQualifiedName, isValidCIDR } from "./validation.ts";

function goTaint(t: Taint): string {
  return `core.Taint{Key:${JSON.stringify(t.key ?? "")}, Value:${JSON.stringify(t.value ?? "")}, Effect:${JSON.stringify(t.effect ?? "")}, TimeAdded:<nil>}`;
}

/** Node taints: qualified keys, label values, a known effect, unique by key and effect. */
export function validateTaints(taints: Taint[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (taints ?? []).forEach((t, i) => {
    const p = at(path, i);
    errs.push(...isQualifiedName(t.key ?? "").map((m) => invalid(child(p, "key"), t.key ?? "", m)));
    const valueErrs = isLabelValue(t.value ?? "");
    if (valueErrs.length) errs.push(invalid(child(p, "value"), t.value ?? "", valueErrs.join(";")));
    errs.push(...validateTaintEffect(t.effect, false, child(p, "effect")));
    const key = `${t.effect}\u0000${t.key}`;
    if (seen.has(key)) {
      errs.push({ reason: "FieldValueDuplicate", field: p, message: `Duplicate value: ${goTaint(t)}: taints must be unique by key and effect pair` });
    }
    seen.add(key);
  });
  return errs;
}

function validateQuantities(list: ResourceList | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [name, q] of Object.entries(list ?? {})) {
    const p = child(path, name);
    if (!isQuantity(q)) errs.push(invalid(p, q, QUANTITY_FORMAT_ERROR));
    else if (compareQuantities(q, 0) < 0) errs.push(invalid(p, String(q), "must be greater than or equal to 0"));
  }
  return errs;
}

function validateNode(node: Node): FieldError[] {
  const errs: FieldError[] = [];
  const cidrs = node.spec?.podCIDRs ?? [];
  cidrs.forEach((c, i) => errs.push(...isValidCIDR(c).map((m) => invalid(at("spec.podCIDRs", i), c, m))));
  if (errs.length === 0 && cidrs.length > 1) {
    const families = new Set(cidrs.map((c) => ipFamilyOf(c.split("/")[0])));
    if (cidrs.length > 2 || families.size !== 2) errs.push(invalid("spec.podCIDRs", cidrs, "may specify no more than one CIDR for each IP family"));
  }
  errs.push(...validateTaints(node.spec?.taints, "spec.taints"));
  errs.push(...validateQuantities(node.status?.capacity, "status.capacity"));
  errs.push(...validateQuantities(node.status?.allocatable, "status.allocatable"));
  return errs;
}

function validateNodeUpdate(node: Node, old: Node): FieldError[] {
  const errs: FieldError[] = [];
  const before = old.spec?.podCIDRs ?? [];
  const after = node.spec?.podCIDRs ?? [];
  if (before.length > 0 && (before.length !== after.length || before.some((c, i) => c !== after[i]))) {
    errs.push(forbidden("spec.podCIDRs", 'node updates may not change podCIDR except from "" to valid'));
  }
  if (old.spec?.providerID && old.spec.providerID !== node.spec?.providerID) {
    errs.push(forbidden("spec.providerID", 'node updates may not change providerID except from "" to valid'));
  }
  return errs;
}

/** core/v1 nodes. */
export const nodeResource = {
  group: "",
  version: "v1",
  kind: "Node",
  listKind: "NodeList",
  plural: "nodes",
  singular: "node",
  namespaced: false,
  shortNames: ["no"],
  subresources: ["status"],
  fieldSelectors: {
    "spec.unschedulable": (n) => String(!!n.spec?.unschedulable),
  },
  defaults(node) {
    const spec = node.spec;
    // The v1 conversion keeps podCIDR and podCIDRs in step.
    if (spec?.podCIDR && !spec.podCIDRs?.length) spec.podCIDRs = [spec.podCIDR];
    if (spec?.podCIDRs?.length) spec.podCIDR = spec.podCIDRs[0];
    const status = node.status;
    if (status) {
      canonicalizeResourceList(status.capacity);
      canonicalizeResourceList(status.allocatable);
      if (status.capacity && !status.allocatable) status.allocatable = { ...status.capacity };
    }
  },
  prepareForUpdate(node, old) {
    node.status = clone(old.status);
  },
  validate: validateNode,
  validateUpdate: validateNodeUpdate,
  validateStatusUpdate: (node, old) => [...validateNode(node), ...validateNodeUpdate(node, old)],
} satisfies ResourceDef<Node>;
