/**
 * Arithmetic on resource lists (`{cpu: "500m", memory: "1Gi"}`) for quota
 * and limit ranges, exact to the milli-unit, printed the way Kubernetes'
 * Quantity prints: the sum keeps the format of its first non-zero term.
 */
import { canonicalQuantity, compareQuantities, formatQuantity, isQuantity, parseCPU, quantityFormatOf, type QuantityFormat } from "../../api/quantity.ts";
import type { ResourceList } from "../../api/types/index.ts";

/** A quantity in milli-units, rounded up (Kubernetes' MilliValue); 0 for a malformed one. */
export function milli(q: string | number | undefined): number {
  return q !== undefined && isQuantity(q) ? parseCPU(q) : 0;
}

function formatOf(q: string | undefined): QuantityFormat {
  return q !== undefined && isQuantity(q) ? quantityFormatOf(q) : "DecimalSI";
}

/** Prints milli-units in a format. */
export function fromMilli(m: number, format: QuantityFormat = "DecimalSI"): string {
  return formatQuantity(m / 1000, format);
}

/** a + b, in the format of the first non-zero term. */
export function addQuantities(a: string | undefined, b: string | undefined): string {
  const ma = milli(a);
  const format = ma !== 0 ? formatOf(a) : formatOf(b);
  return fromMilli(ma + milli(b), format);
}

/** a - b, in a's format. */
export function subtractQuantities(a: string | undefined, b: string | undefined): string {
  return fromMilli(milli(a) - milli(b), formatOf(a));
}

/** The canonical form of a quantity ("1000m" → "1"), the text kept when it does not parse. */
export function quantityString(q: string | number): string {
  return isQuantity(q) ? canonicalQuantity(q) : String(q);
}

/** a + b per resource; keys from both. */
export function addLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = k in out ? addQuantities(out[k], v) : quantityString(v);
  return out;
}

/** a - b per resource, never below zero (quota.SubtractWithNonNegativeResult). */
export function subtractNonNegative(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(a)) out[k] = milli(v) > milli(b[k]) ? subtractQuantities(v, b[k]) : "0";
  return out;
}

/** Only the named resources. */
export function mask(list: ResourceList, names: Iterable<string>): ResourceList {
  const out: ResourceList = {};
  for (const n of names) if (n in list) out[n] = list[n];
  return out;
}

/** Without zero values. */
export function removeZeros(list: ResourceList): ResourceList {
  return Object.fromEntries(Object.entries(list).filter(([, v]) => milli(v) !== 0));
}

/** The names in `a` whose value exceeds `limits`' (names `limits` lacks are not limited). */
export function exceeding(a: ResourceList, limits: ResourceList): string[] {
  return Object.keys(a).filter((k) => k in limits && isQuantity(a[k]) && isQuantity(limits[k]) && compareQuantities(a[k], limits[k]) > 0);
}

/** True when both hold the same names with equal values. */
export function equalLists(a: ResourceList | undefined, b: ResourceList | undefined): boolean {
  const ka = Object.keys(a ?? {});
  const kb = Object.keys(b ?? {});
  if (ka.length !== kb.length) return false;
  return ka.every((k) => b && k in b && milli(a![k]) === milli(b[k]));
}

/** `cpu=1,memory=1Gi`: sorted by name, as quota messages print a list. */
export function prettyList(list: ResourceList): string {
  return Object.keys(list).sort().map((k) => `${k}=${quantityString(list[k])}`).join(",");
}
