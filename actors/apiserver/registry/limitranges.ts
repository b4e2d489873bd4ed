/**
 * core/v1 LimitRanges: per-namespace bounds and defaults for containers,
 * pods and claims. Items are defaulted as the v1 API does (a max becomes
 * the default limit, a default limit or a min the default request) and
 * validated for consistency (min ≤ defaultRequest ≤ default ≤ max).
 */
import { compareQuantities, isQuantity, QUANTITY_FORMAT_ERROR } from "../../api/quantity.ts";
import type { LimitRange, LimitRangeItem, ResourceList } from "../../api/types/index.ts";
import type { FieldError, ResourceDef } from "./resource.ts";
import { at, child, duplicate, forbidden, invalid, isQualifiedName, required } from "./validation.ts";

const STANDARD_TYPES = ["Container", "Pod", "PersistentVolumeClaim"];
const CONTAINER_RESOURCES = ["cpu", "memory", "ephemeral-storage"];

function defaultItem(item: LimitRangeItem): void {
  if (item?.type !== "Container") return;
  const def = (item.default ??= {});
  const req = (item.defaultRequest ??= {});
  for (const [k, v] of Object.entries(item.max ?? {})) def[k] ??= v;
  for (const [k, v] of Object.entries(def)) req[k] ??= v;
  for (const [k, v] of Object.entries(item.min ?? {})) req[k] ??= v;
}

function validResourceName(type: string, name: string, path: string): FieldError[] {
  if (name.includes("/")) return isQualifiedName(name).map((m) => invalid(path, name, m));
  if (type === "PersistentVolumeClaim") return name === "storage" ? [] : [invalid(path, name, "must be a standard limit type or fully qualified")];
  if (CONTAINER_RESOURCES.includes(name) || name.startsWith("hugepages-")) return [];
  return [invalid(path, name, "must be a standard limit type or fully qualified")];
}

function validList(type: string, list: ResourceList | undefined, path: string, names: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, q] of Object.entries(list ?? {})) {
    const p = at(path, k);
    names.add(k);
    errs.push(...validResourceName(type, k, p));
    if (!isQuantity(q)) errs.push(invalid(p, q, QUANTITY_FORMAT_ERROR));
    else if (compareQuantities(q, 0) < 0) errs.push(invalid(p, String(q), "must be greater than or equal to 0"));
  }
  return errs;
}

function cmp(a: string | undefined, b: string | undefined): number | undefined {
  return a !== undefined && b !== undefined && isQuantity(a) && isQuantity(b) ? compareQuantities(a, b) : undefined;
}

function validateItem(item: LimitRangeItem, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = item.type ?? "";
  if (!type) errs.push(required(child(path, "type")));
  else if (!STANDARD_TYPES.includes(type)) errs.push(...(isQualifiedName(type).length ? [invalid(child(path, "type"), type, "must be a standard limit type or fully qualified")] : []));
  const names = new Set<string>();
  errs.push(...validList(type, item.max, child(path, "max"), names), ...validList(type, item.min, child(path, "min"), names));
  if (type === "Pod") {
    if (Object.keys(item.default ?? {}).length) errs.push(forbidden(child(path, "default"), "may not be specified when `type` is 'Pod'"));
    if (Object.keys(item.defaultRequest ?? {}).length) errs.push(forbidden(child(path, "defaultRequest"), "may not be specified when `type` is 'Pod'"));
  } else {
    errs.push(...validList(type, item.default, child(path, "default"), names), ...validList(type, item.defaultRequest, child(path, "defaultRequest"), names));
  }
  if (type === "PersistentVolumeClaim" && item.min?.storage === undefined && item.max?.storage === undefined) {
    errs.push(required(child(path, "limits"), "either minimum or maximum storage value is required, but neither was provided"));
  }
  errs.push(...validList(type, item.maxLimitRequestRatio, child(path, "maxLimitRequestRatio"), names));
  for (const k of names) {
    const min = item.min?.[k];
    const max = item.max?.[k];
    const def = type === "Pod" ? undefined : item.default?.[k];
    const defReq = type === "Pod" ? undefined : item.defaultRequest?.[k];
    const ratio = item.maxLimitRequestRatio?.[k];
    if ((cmp(min, max) ?? 0) > 0) errs.push(invalid(at(child(path, "min"), k), min, `min value ${min} is greater than max value ${max}`));
    if ((cmp(min, defReq) ?? 0) > 0) errs.push(invalid(at(child(path, "defaultRequest"), k), defReq, `min value ${min} is greater than default request value ${defReq}`));
    if ((cmp(defReq, max) ?? 0) > 0) errs.push(invalid(at(child(path, "defaultRequest"), k), defReq, `default request value ${defReq} is greater than max value ${max}`));
    if ((cmp(defReq, def) ?? 0) > 0) errs.push(invalid(at(child(path, "defaultRequest"), k), defReq, `default request value ${defReq} is greater than default limit value ${def}`));
    if ((cmp(min, def) ?? 0) > 0) errs.push(invalid(at(child(path, "default"), k), min, `min value ${min} is greater than default value ${def}`));
    if ((cmp(def, max) ?? 0) > 0) errs.push(invalid(at(child(path, "default"), k), max, `default value ${def} is greater than max value ${max}`));
    if (ratio !== undefined && (cmp(ratio, "1") ?? 0) < 0) errs.push(invalid(at(child(path, "maxLimitRequestRatio"), k), ratio, `ratio ${ratio} is less than 1`));
  }
  return errs;
}

function validateLimitRange(lr: LimitRange): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (lr.spec?.limits ?? []).forEach((item, i) => {
    const p = at("spec.limits", i);
    if (!item || typeof item !== "object") {
      errs.push(required(p));
      return;
    }
    if (item.type && seen.has(item.type)) errs.push(duplicate(child(p, "type"), item.type));
    seen.add(item.type);
    errs.push(...validateItem(item, p));
  });
  return errs;
}

/** core/v1 limitranges. */
export const limitRangeResource = {
  group: "",
  version: "v1",
  kind: "LimitRange",
  listKind: "LimitRangeList",
  plural: "limitranges",
  singular: "limitrange",
  namespaced: true,
  shortNames: ["limits"],
  subresources: [],
  defaults(lr) {
    for (const item of lr.spec?.limits ?? []) defaultItem(item);
  },
  validate: validateLimitRange,
} satisfies ResourceDef<LimitRange>;
