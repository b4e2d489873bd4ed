/**
 * The taints the node lifecycle controller owns: NoSchedule taints mirroring
 * node conditions (and `spec.unschedulable`), and the NoExecute
 * `unreachable` / `not-ready` taints that make the taint manager evict pods.
 */
import { isNotFound, retryOnConflict, type ApiClient } from "../api/client.ts";
import type { Node, NodeSpec, Taint } from "../api/types/core-node.ts";
import { timestamp } from "../apiserver/objects.ts";

/** Ready=Unknown: the node stopped reporting. */
export const TAINT_UNREACHABLE = "node.kubernetes.io/unreachable";
/** Ready=False: the kubelet says the node is not ready. */
export const TAINT_NOT_READY = "node.kubernetes.io/not-ready";
/** `spec.unschedulable` (kubectl cordon). */
export const TAINT_UNSCHEDULABLE = "node.kubernetes.io/unschedulable";

/** The NoExecute taint of an unreachable node. */
export const unreachableNoExecute: Taint = { key: TAINT_UNREACHABLE, effect: "NoExecute" };
/** The NoExecute taint of a not-ready node. */
export const notReadyNoExecute: Taint = { key: TAINT_NOT_READY, effect: "NoExecute" };

// Condition type -> status -> NoSchedule taint key, as nodeConditionToTaintKeyStatusMap.
const conditionTaints: Record<string, Partial<Record<"True" | "False" | "Unknown", string>>> = {
  Ready: { False: TAINT_NOT_READY, Unknown: TAINT_UNREACHABLE },
  MemoryPressure: { True: "node.kubernetes.io/memory-pressure" },
  DiskPressure: { True: "node.kubernetes.io/disk-pressure" },
  NetworkUnavailable: { True: "node.kubernetes.io/network-unavailable" },
  PIDPressure: { True: "node.kubernetes.io/pid-pressure" },
};
const conditionTaintKeys = new Set(Object.values(conditionTaints).flatMap((m) => Object.values(m)));

/** Taints are the same taint when key and effect match (the value may differ). */
export function matchTaint(a: Taint, b: Taint): boolean {
  return a.key === b.key && a.effect === b.effect;
}

/** Whether `taints` holds a taint matching `t`. */
export function hasTaint(taints: readonly Taint[] | undefined, t: Taint): boolean {
  return (taints ?? []).some((x) => matchTaint(x, t));
}

/** The NoSchedule taints the node's conditions and `spec.unschedulable` call for. */
export function wantedNoScheduleTaints(node: Node): Taint[] {
  const out: Taint[] = [];
  for (const c of node.status?.conditions ?? []) {
    const key = conditionTaints[c.type]?.[c.status];
    if (key) out.push({ key, effect: "NoSchedule" });
  }
  if (node.spec?.unschedulable) out.push({ key: TAINT_UNSCHEDULABLE, effect: "NoSchedule" });
  return out;
}

/** The NoSchedule taints of `node` this controller manages (to compare with {@link wantedNoScheduleTaints}). */
export function managedNoScheduleTaints(node: Node): Taint[] {
  return (node.spec?.taints ?? []).filter((t) => t.effect === "NoSchedule" && (t.key === TAINT_UNSCHEDULABLE || conditionTaintKeys.has(t.key)));
}

/** Taints in `a` that `b` lacks (by key and effect). */
export function taintsMissing(a: readonly Taint[], b: readonly Taint[]): Taint[] {
  return a.filter((t) => !hasTaint(b, t));
}

/**
 * Adds `add` and removes `remove` on the live node (SwapNodeControllerTaint),
 * stamping added taints with `timeAdded`; retries on conflict. Resolves false
 * when the node is gone.
 */
export async function swapNodeTaints(client: ApiClient, name: string, add: readonly Taint[], remove: readonly Taint[], now: number): Promise<boolean> {
  if (add.length === 0 && remove.length === 0) return true;
  try {
    await retryOnConflict(async () => {
      const node = await client.get<Node>("nodes", name);
      const current = node.spec?.taints ?? [];
      let next = current.filter((t) => !remove.some((r) => matchTaint(r, t)) || add.some((a) => matchTaint(a, t)));
      for (const t of add) if (!hasTaint(next, t)) next = [...next, { ...t, timeAdded: timestamp(now) }];
      if (next.length === current.length && next.every((t, i) => t === current[i])) return;
      const spec: NodeSpec = { ...node.spec, taints: next };
      if (next.length === 0) delete spec.taints;
      await client.update("nodes", { ...node, spec });
    });
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
