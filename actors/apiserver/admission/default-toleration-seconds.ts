/**
 * DefaultTolerationSeconds: a pod that does not say how long it tolerates
 * its node being not-ready or unreachable tolerates each for 300 s, so the
 * node lifecycle controller evicts it five minutes after its node fails.
 */
import type { Pod, Toleration } from "../../api/types/index.ts";
import type { AdmissionPlugin } from "./types.ts";

/** The taint a not-ready node carries. */
export const NOT_READY_TAINT = "node.kubernetes.io/not-ready";
/** The taint an unreachable node carries. */
export const UNREACHABLE_TAINT = "node.kubernetes.io/unreachable";
/** Kubernetes' default (`--default-not-ready-toleration-seconds`, `--default-unreachable-toleration-seconds`). */
export const DEFAULT_TOLERATION_SECONDS = 300;

function tolerates(tolerations: readonly Toleration[], key: string): boolean {
  return tolerations.some((t) => (t.key === key || !t.key) && (t.effect === "NoExecute" || !t.effect));
}

/** The DefaultTolerationSeconds plugin. */
export const defaultTolerationSeconds: AdmissionPlugin = {
  name: "DefaultTolerationSeconds",
  admit(a) {
    if (a.def.group !== "" || a.def.plural !== "pods" || a.subresource || !a.object) return;
    if (a.operation !== "CREATE" && a.operation !== "UPDATE") return;
    const spec = (a.object as Pod).spec;
    if (!spec) return;
    const tolerations = spec.tolerations ?? [];
    const add: Toleration[] = [];
    for (const key of [NOT_READY_TAINT, UNREACHABLE_TAINT]) {
      if (!tolerates(tolerations, key)) add.push({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
    }
    if (add.length) spec.tolerations = [...tolerations, ...add];
  },
};
