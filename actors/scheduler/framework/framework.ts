/**
 * One scheduling cycle for one pod over a snapshot of NodeInfos:
 * PreFilter → Filter (stopping once enough feasible nodes are found) →
 * PreScore/Score/NormalizeScore (weighted sum) → pick the best node.
 * Synchronous and I/O-free: the actor binds the result.
 */
import type { Node, Pod } from "../../api/types/index.ts";
import { FitError, SchedulingError } from "./fit-error.ts";
import { buildProfile, inTreeRegistry, type Profile, type Registry } from "./registry.ts";
import {
  CycleState,
  isRejected,
  isSuccess,
  MAX_NODE_SCORE,
  type AnyPlugin,
  type FilterPlugin,
  type NodeInfo,
  type NodeScore,
  type PreFilterPlugin,
  type ScorePlugin,
  type Status,
} from "./types.ts";

/** Fewer candidate nodes than this are all evaluated. */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
/** The adaptive percentage never drops below this. */
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/**
 * How many feasible nodes to find before scoring, as kube-scheduler's
 * numFeasibleNodesToFind: all below 100 nodes; otherwise `percentage`
 * (0 = adaptive: max(5, 50 - nodes/125)) of the nodes, at least 100.
 */
export function numFeasibleNodesToFind(percentage: number, numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let pct = percentage;
  if (pct <= 0) pct = Math.max(MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND, 50 - Math.trunc(numAllNodes / 125));
  if (pct >= 100) return numAllNodes;
  return Math.max(MIN_FEASIBLE_NODES_TO_FIND, Math.trunc((numAllNodes * pct) / 100));
}

/**
 * Whether a node may receive pods at all: known, not being deleted, and Ready.
 * Cordoned nodes stay candidates so the NodeUnschedulable plugin can admit
 * pods that tolerate it and report "node(s) were unschedulable" for the rest,
 * as Kubernetes does.
 */
export function isCandidate(node: Node | undefined): node is Node {
  if (!node || node.metadata.deletionTimestamp) return false;
  return (node.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

/** Options for {@link Framework}. */
export interface FrameworkOptions {
  /** Default: every in-tree plugin. */
  registry?: Registry;
  /** Default: {@link buildProfile}(). */
  profile?: Profile;
  /**
   * Random source in [0, 1) for breaking ties between equally scored nodes
   * (reservoir sampling, as kube-scheduler's selectHost). Default Math.random;
   * tests pass a seeded or constant function.
   */
  rng?: () => number;
  /** Which nodes may receive pods at all. Default {@link isCandidate} (Ready nodes). */
  isCandidate?: (node: Node | undefined) => boolean;
}

/**
 * How a node that is not a candidate shows in a FitError: as the not-ready
 * taint the node lifecycle controller puts on such nodes, which is what a
 * Kubernetes user sees for them.
 */
export const NOT_READY_STATUS: Status = Object.freeze({
  code: "UnschedulableAndUnresolvable",
  reasons: Object.freeze(["node(s) had untolerated taint {node.kubernetes.io/not-ready: }"]) as readonly string[],
  plugin: "NodeReadiness",
});

/** A successful cycle. */
export interface ScheduleResult {
  readonly node: string;
  /** Nodes run through Filter this cycle. */
  readonly evaluatedNodes: number;
  /** Nodes that passed Filter (and were scored when more than one). */
  readonly feasibleNodes: number;
}

/** The outcome of one cycle: a node, or why not. */
export type ScheduleOutcome = ({ readonly ok: true } & ScheduleResult) | { readonly ok: false; readonly error: FitError | SchedulingError };

interface Weighted {
  readonly plugin: ScorePlugin;
  readonly weight: number;
}

/** A profile's plugins, ready to run cycles. */
export class Framework {
  readonly profile: Profile;
  readonly #preFilter: PreFilterPlugin[] = [];
  readonly #filter: FilterPlugin[] = [];
  readonly #score: Weighted[] = [];
  readonly #rng: () => number;
  readonly #isCandidate: (node: Node | undefined) => boolean;
  #nextStart = 0;

  constructor(opts: FrameworkOptions = {}) {
    const registry = opts.registry ?? inTreeRegistry();
    this.profile = opts.profile ?? buildProfile();
    this.#rng = opts.rng ?? Math.random;
    this.#isCandidate = opts.isCandidate ?? isCandidate;
    for (const setting of this.profile.plugins) {
      const p: AnyPlugin = registry.get(setting.name);
      if (p.preFilter) this.#preFilter.push(p as PreFilterPlugin);
      if (p.filter) this.#filter.push(p as FilterPlugin);
      if (p.score) this.#score.push({ plugin: p as ScorePlugin, weight: setting.weight ?? 1 });
    }
  }

  /**
   * Runs one cycle for `pod` over `nodes` (the snapshot's NodeInfos). Only
   * candidates are filtered and scored; the others still count in "0/N" and
   * are reported with {@link NOT_READY_STATUS}.
   */
  schedule(pod: Pod, nodes: readonly NodeInfo[]): ScheduleOutcome {
    const candidates: NodeInfo[] = [];
    const unschedulablePlugins = new Set<string>();
    const nodeToStatus = new Map<string, Status>();
    let numAllNodes = 0;
    for (const n of nodes) {
      if (!n.node) continue;
      numAllNodes++;
      const memo = n.candidacy;
      let ok: boolean;
      if (memo !== undefined && memo.node === n.node && memo.by === this.#isCandidate) ok = memo.ok;
      else n.candidacy = { node: n.node, by: this.#isCandidate, ok: (ok = this.#isCandidate(n.node)) };
      if (ok) candidates.push(n);
      else nodeToStatus.set(n.name, NOT_READY_STATUS);
    }
    if (nodeToStatus.size > 0) unschedulablePlugins.add(NOT_READY_STATUS.plugin!);
    const fail = (preFilterMsg?: string): ScheduleOutcome => ({
      ok: false,
      error: new FitError(numAllNodes, { nodeToStatus, unschedulablePlugins, ...(preFilterMsg ? { preFilterMsg } : {}) }),
    });
    if (candidates.length === 0) return fail();

    const state = new CycleState();
    const skipFilter = new Set<string>();
    for (const p of this.#preFilter) {
      const s = p.preFilter(state, pod, candidates);
      if (isSuccess(s)) continue;
      if (s!.code === "Skip") {
        skipFilter.add(p.name);
        continue;
      }
      if (isRejected(s)) {
        unschedulablePlugins.add(p.name);
        const msg = s!.reasons.join(", ");
        for (const n of candidates) nodeToStatus.set(n.name, { ...s!, plugin: p.name });
        return fail(msg);
      }
      return { ok: false, error: new SchedulingError(p.name, s!.reasons.join(", ")) };
    }

    const filters = this.#filter.filter((p) => !skipFilter.has(p.name));
    const want = numFeasibleNodesToFind(this.profile.percentageOfNodesToScore, candidates.length);
    const feasible: NodeInfo[] = [];
    const n = candidates.length;
    const start = this.#nextStart % n;
    let processed = 0;
    for (let i = 0; i < n && feasible.length < want; i++) {
      const node = candidates[(start + i) % n]!;
      processed++;
      const s = runFilters(filters, state, pod, node);
      if (!s) feasible.push(node);
      else if (s.code === "Error") return { ok: false, error: new SchedulingError(s.plugin ?? "?", s.reasons.join(", ")) };
      else {
        nodeToStatus.set(node.name, s);
        unschedulablePlugins.add(s.plugin ?? "?");
      }
    }
    // The next cycle starts where this one stopped, so every node gets its turn.
    this.#nextStart = (start + processed) % n;
    if (feasible.length === 0) return fail();
    if (feasible.length === 1) return { ok: true, node: feasible[0]!.name, evaluatedNodes: processed, feasibleNodes: 1 };

    const totals = this.#scoreNodes(state, pod, feasible, candidates);
    if (totals instanceof SchedulingError) return { ok: false, error: totals };
    return { ok: true, node: this.#selectHost(totals), evaluatedNodes: processed, feasibleNodes: feasible.length };
  }

  /** Weighted sums of normalized scores per feasible node. */
  #scoreNodes(state: CycleState, pod: Pod, feasible: NodeInfo[], all: NodeInfo[]): NodeScore[] | SchedulingError {
    const totals: NodeScore[] = feasible.map((n) => ({ name: n.name, score: 0 }));
    for (const { plugin, weight } of this.#score) {
      const pre = plugin.preScore?.(state, pod, feasible, all);
      if (pre && pre.code === "Skip") continue;
      if (!isSuccess(pre)) return new SchedulingError(plugin.name, pre!.reasons.join(", "));
      const scores: NodeScore[] = feasible.map((n) => ({ name: n.name, score: plugin.score(state, pod, n) }));
      plugin.normalizeScore?.(state, pod, scores);
      for (let i = 0; i < scores.length; i++) {
        const s = scores[i]!.score;
        if (!(s >= 0 && s <= MAX_NODE_SCORE)) {
          return new SchedulingError(plugin.name, `plugin "${plugin.name}" returns an invalid score ${s}, it should in the range of [0, ${MAX_NODE_SCORE}] after normalizing`);
        }
        totals[i]!.score += s * weight;
      }
    }
    return totals;
  }

  /** The highest total; ties broken uniformly at random by reservoir sampling. */
  #selectHost(totals: NodeScore[]): string {
    let best = totals[0]!;
    let ties = 1;
    for (let i = 1; i < totals.length; i++) {
      const t = totals[i]!;
      if (t.score > best.score) {
        best = t;
        ties = 1;
      } else if (t.score === best.score) {
        ties++;
        if (Math.floor(this.#rng() * ties) === 0) best = t;
      }
    }
    return best.name;
  }
}

/** The first rejecting filter's status (plugin filled in), or undefined when all pass. */
function runFilters(filters: readonly FilterPlugin[], state: CycleState, pod: Pod, node: NodeInfo): Status | undefined {
  for (const p of filters) {
    const s = p.filter(state, pod, node);
    if (!isSuccess(s)) return { ...s!, plugin: p.name };
  }
  return undefined;
}
