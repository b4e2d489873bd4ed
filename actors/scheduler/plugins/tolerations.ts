/**
 * Toleration matching as core/v1 helpers define it, shared by the
 * TaintToleration and NodeUnschedulable plugins.
 */
import type { Taint, Toleration } from "../../api/types/index.ts";

/**
 * Whether one toleration tolerates a taint: effects match (empty tolerates
 * all), keys match (empty key with Exists tolerates everything), and for
 * Equal (the default) the values match.
 */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (!t.key && t.operator !== "Exists") return false;
  switch (t.operator ?? "Equal") {
    case "Exists":
      return true;
    case "Equal":
      return (t.value ?? "") === (taint.value ?? "");
    default:
      return false;
  }
}

/** Whether any toleration in the list tolerates the taint. */
export function tolerated(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  for (const t of tolerations ?? []) if (toleratesTaint(t, taint)) return true;
  return false;
}
