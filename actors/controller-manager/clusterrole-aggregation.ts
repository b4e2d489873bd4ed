/**
 * The clusterrole-aggregation controller: a ClusterRole with an
 * `aggregationRule` gets as its rules the union of the rules of every other
 * ClusterRole its `clusterRoleSelectors` match, in the order of their names,
 * each rule once. This is how `admin`, `edit` and `view` pick up the rules of
 * roles labelled `rbac.authorization.k8s.io/aggregate-to-view: "true"` (and
 * so on). Any ClusterRole change re-checks every aggregating role.
 */
import { isConflict, isNotFound } from "../api/client.ts";
import type { Informer } from "../api/informer.ts";
import { labelSelectorFromObject, matchesLabels } from "../api/label-selector.ts";
import type { ClusterRole, PolicyRule } from "../api/types/rbac.ts";
import { Reconciler, type Controller, type ControllerContext, type ControllerFactory } from "./controller.ts";

const RESOURCE = "clusterroles.rbac.authorization.k8s.io";

/** A stable text of a rule, so equal rules compare equal whatever their field order. */
function ruleKey(r: PolicyRule): string {
  const list = (v: string[] | undefined) => JSON.stringify(v ?? []);
  return [list(r.verbs), list(r.apiGroups), list(r.resources), list(r.resourceNames), list(r.nonResourceURLs)].join("|");
}

/** The rules `role` aggregates from `all`, or undefined when it has no aggregationRule. */
export function aggregatedRules(role: ClusterRole, all: readonly ClusterRole[]): PolicyRule[] | undefined {
  const selectors = role.aggregationRule?.clusterRoleSelectors;
  if (!role.aggregationRule) return undefined;
  const parsed = (selectors ?? []).map((s) => labelSelectorFromObject(s));
  const sources = all
    .filter((r) => r.metadata.name !== role.metadata.name && parsed.some((sel) => matchesLabels(sel, r.metadata.labels)))
    .sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0));
  const seen = new Set<string>();
  const rules: PolicyRule[] = [];
  for (const source of sources) {
    for (const rule of source.rules ?? []) {
      const k = ruleKey(rule);
      if (seen.has(k)) continue;
      seen.add(k);
      rules.push(rule);
    }
  }
  return rules;
}

const sameRules = (a: PolicyRule[] | undefined, b: PolicyRule[]) => (a ?? []).length === b.length && (a ?? []).every((r, i) => ruleKey(r) === ruleKey(b[i]));

/** The clusterrole-aggregation controller. */
export class ClusterRoleAggregation implements Controller {
  readonly name = "clusterrole-aggregation";
  readonly #cc: ControllerContext;
  readonly #roles: Informer<ClusterRole>;
  readonly #queue: Reconciler;
  readonly counts = { updated: 0 };

  constructor(cc: ControllerContext) {
    this.#cc = cc;
    this.#queue = new Reconciler(cc, this.name, (name) => this.#sync(name));
    this.#roles = cc.informers.informer<ClusterRole>({ resource: RESOURCE });
    const all = () => {
      for (const r of this.#roles.list()) if (r.aggregationRule) this.#queue.enqueue(r.metadata.name!);
    };
    this.#roles.addEventHandler({ onAdd: all, onUpdate: all, onDelete: all });
  }

  start(): void {
    this.#queue.start();
  }

  stop(): Promise<void> {
    return this.#queue.stop();
  }

  stats(): Record<string, unknown> {
    return { ...this.#queue.stats(), ...this.counts };
  }

  async #sync(name: string): Promise<void> {
    const role = this.#roles.get(name);
    if (!role) return;
    const rules = aggregatedRules(role, this.#roles.list());
    if (!rules || sameRules(role.rules, rules)) return;
    try {
      await this.#cc.client.update<ClusterRole>(RESOURCE, { ...role, rules });
      this.counts.updated++;
    } catch (err) {
      if (isNotFound(err)) return;
      if (isConflict(err)) {
        this.#queue.enqueue(name);
        return;
      }
      throw err;
    }
  }
}

/** Builds the clusterrole-aggregation controller. */
export const clusterRoleAggregationController: ControllerFactory = (cc) => new ClusterRoleAggregation(cc);
