/**
 * The admission chain: the enabled plugins in kube-apiserver's order,
 * every mutating step before any validating one.
 */
import type { Admission, AdmissionContext, AdmissionPlugin, AdmissionRequest, AdmissionWrite } from "./types.ts";
import { namespaceLifecycle } from "./namespace-lifecycle.ts";
import { limitRanger } from "./limit-ranger.ts";
import { serviceAccountAdmission } from "./service-account.ts";
import { defaultTolerationSeconds } from "./default-toleration-seconds.ts";
import { resourceQuotaAdmission } from "./resource-quota.ts";
import { nodeRestriction } from "./node-restriction.ts";

/** Every plugin, in the order they run (kube-apiserver's AllOrderedPlugins, for those served here). */
export const ALL_ADMISSION_PLUGINS: readonly AdmissionPlugin[] = [
  namespaceLifecycle,
  limitRanger,
  serviceAccountAdmission,
  defaultTolerationSeconds,
  nodeRestriction,
  resourceQuotaAdmission,
];

/** Plugin names, in order. */
export const ADMISSION_PLUGIN_NAMES: readonly string[] = ALL_ADMISSION_PLUGINS.map((p) => p.name);

/** The enabled plugins run over one apiserver's writes. */
export class AdmissionChain implements Admission {
  readonly plugins: readonly AdmissionPlugin[];
  readonly #ctx: AdmissionContext;

  /** `enabled` names plugins as `--enable-admission-plugins` does (default: all); an unknown name throws. */
  constructor(ctx: AdmissionContext, enabled?: readonly string[]) {
    if (enabled) {
      const unknown = enabled.filter((n) => !ADMISSION_PLUGIN_NAMES.includes(n));
      if (unknown.length) throw new Error(`unknown admission plugins: ${unknown.join(", ")} (known: ${ADMISSION_PLUGIN_NAMES.join(", ")})`);
    }
    this.plugins = ALL_ADMISSION_PLUGINS.filter((p) => !enabled || enabled.includes(p.name));
    this.#ctx = ctx;
  }

  async admit(a: AdmissionRequest): Promise<void> {
    for (const p of this.plugins) if (p.admit) await p.admit(a, this.#ctx);
  }

  async validate(a: AdmissionRequest): Promise<AdmissionWrite | undefined> {
    let merged: AdmissionWrite | undefined;
    for (const p of this.plugins) {
      if (!p.validate) continue;
      const w = await p.validate(a, this.#ctx);
      if (!w) continue;
      if (!merged) merged = { compare: [...w.compare], success: [...w.success], conflict: w.conflict };
      else {
        merged.compare.push(...w.compare);
        merged.success.push(...w.success);
      }
    }
    return merged;
  }
}
