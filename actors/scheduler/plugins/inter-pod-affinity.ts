/**
 * InterPodAffinity: required pod affinity/anti-affinity of the incoming pod,
 * and the required anti-affinity of pods already placed, filter nodes by
 * topology domain (nodes sharing a topologyKey label value); preferred terms
 * on either side score them.
 */
import type { Pod } from "../../api/types/index.ts";
import { MAX_NODE_SCORE, newStatus, type CycleState, type FilterPlugin, type NodeInfo, type NodeScore, type PreFilterPlugin, type ScorePlugin } from "../framework/types.ts";
import { podAffinityTerms, podMatchesAllTerms, termMatchesPod, type AffinityTerm, type NamespaceLabels, type PodAffinityTerms, type WeightedAffinityTerm } from "./affinity-terms.ts";

/** The incoming pod's affinity found no matching pods in the node's domain. */
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
/** The incoming pod's anti-affinity found matching pods in the node's domain. */
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
/** A placed pod's anti-affinity rejects the incoming pod in the node's domain. */
export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";

/** Options for {@link createInterPodAffinity}. */
export interface InterPodAffinityOptions {
  /** Namespace labels, for terms with a namespaceSelector. Default: every namespace has no labels. */
  namespaceLabels?: NamespaceLabels;
  /** Score weight of a placed pod's required affinity matching the incoming pod. Default 1. */
  hardPodAffinityWeight?: number;
}

const NAME = "InterPodAffinity";
const SCORE_KEY = `${NAME}/score`;

/** "topologyKey\0value" → count of matches in that domain. */
type Counts = Map<string, number>;

interface FilterState {
  readonly terms: PodAffinityTerms;
  readonly existingAnti: Counts;
  readonly affinity: Counts;
  readonly anti: Counts;
}

function bump(counts: Counts, node: NodeInfo, key: string, by: number): void {
  const labels = node.node?.metadata.labels;
  if (!labels || !Object.hasOwn(labels, key)) return;
  const k = `${key}\0${labels[key]}`;
  counts.set(k, (counts.get(k) ?? 0) + by);
}

function countIn(counts: Counts, node: NodeInfo, key: string): number | undefined {
  const labels = node.node?.metadata.labels ?? {};
  return Object.hasOwn(labels, key) ? (counts.get(`${key}\0${labels[key]}`) ?? 0) : undefined;
}

/** Builds the plugin; `interPodAffinity` is the default instance. */
export function createInterPodAffinity(opts: InterPodAffinityOptions = {}) {
  const nsLabels: NamespaceLabels = opts.namespaceLabels ?? (() => undefined);
  const hardWeight = opts.hardPodAffinityWeight ?? 1;

  function satisfiesAffinity(s: FilterState, pod: Pod, node: NodeInfo): boolean {
    let podsExist = true;
    for (const t of s.terms.requiredAffinity) {
      const n = countIn(s.affinity, node, t.topologyKey);
      if (n === undefined) return false; // every topology label must be on the node
      if (n <= 0) podsExist = false;
    }
    // The first pod of a group with affinity to itself must be able to start the group.
    return podsExist || (s.affinity.size === 0 && podMatchesAllTerms(s.terms.requiredAffinity, pod, nsLabels));
  }

  function satisfiesAntiAffinity(s: FilterState, node: NodeInfo): boolean {
    for (const t of s.terms.requiredAntiAffinity) if ((countIn(s.anti, node, t.topologyKey) ?? 0) > 0) return false;
    return true;
  }

  function satisfiesExistingAntiAffinity(s: FilterState, node: NodeInfo): boolean {
    if (s.existingAnti.size === 0) return true;
    for (const [k, v] of Object.entries(node.node?.metadata.labels ?? {})) if ((s.existingAnti.get(`${k}\0${v}`) ?? 0) > 0) return false;
    return true;
  }

  function addTerms(scores: Map<string, number>, terms: readonly WeightedAffinityTerm[], target: Pod, node: NodeInfo, sign: number): void {
    for (const w of terms) addTerm(scores, w.term, w.weight * sign, target, node);
  }

  function addTerm(scores: Map<string, number>, term: AffinityTerm, weight: number, target: Pod, node: NodeInfo): void {
    if (termMatchesPod(term, target, nsLabels)) bump(scores, node, term.topologyKey, weight);
  }

  return {
    name: NAME,
    preFilter(state: CycleState, pod: Pod, nodes: readonly NodeInfo[]) {
      const terms = podAffinityTerms(pod);
      const s: FilterState = { terms, existingAnti: new Map(), affinity: new Map(), anti: new Map() };
      const hasOwn = terms.requiredAffinity.length > 0 || terms.requiredAntiAffinity.length > 0;
      for (const node of nodes) {
        if (!node.node || (!hasOwn && node.podsWithRequiredAntiAffinity.size === 0)) continue;
        for (const existing of node.podsWithRequiredAntiAffinity.values()) {
          for (const t of podAffinityTerms(existing.pod).requiredAntiAffinity) {
            if (termMatchesPod(t, pod, nsLabels)) bump(s.existingAnti, node, t.topologyKey, 1);
          }
        }
        if (!hasOwn) continue;
        for (const existing of node.pods.values()) {
          if (podMatchesAllTerms(terms.requiredAffinity, existing.pod, nsLabels)) {
            for (const t of terms.requiredAffinity) bump(s.affinity, node, t.topologyKey, 1);
          }
          for (const t of terms.requiredAntiAffinity) {
            if (termMatchesPod(t, existing.pod, nsLabels)) bump(s.anti, node, t.topologyKey, 1);
          }
        }
      }
      if (!hasOwn && s.existingAnti.size === 0) return newStatus("Skip");
      state.write(NAME, s);
      return undefined;
    },
    filter(state: CycleState, pod: Pod, node: NodeInfo) {
      const s = state.read<FilterState>(NAME);
      if (!s) return newStatus("Error", `${NAME}: PreFilter state missing`);
      if (!satisfiesAffinity(s, pod, node)) return newStatus("UnschedulableAndUnresolvable", ERR_REASON_AFFINITY);
      if (!satisfiesAntiAffinity(s, node)) return newStatus("Unschedulable", ERR_REASON_ANTI_AFFINITY);
      if (!satisfiesExistingAntiAffinity(s, node)) return newStatus("Unschedulable", ERR_REASON_EXISTING_ANTI_AFFINITY);
      return undefined;
    },
    preScore(state: CycleState, pod: Pod, _feasible: readonly NodeInfo[], all: readonly NodeInfo[]) {
      const terms = podAffinityTerms(pod);
      const hasPreferred = terms.preferredAffinity.length > 0 || terms.preferredAntiAffinity.length > 0;
      // Without preferences of its own, only placed pods with affinity can move the score: when there
      // are none (the common case), skip at once instead of visiting every node each cycle.
      if (!hasPreferred && !all.some((n) => n.podsWithAffinity.size > 0)) return newStatus("Skip");
      const scores = new Map<string, number>();
      for (const node of all) {
        const pods = hasPreferred ? node.pods : node.podsWithAffinity;
        if (pods.size === 0 || !node.node?.metadata.labels) continue;
        for (const existing of pods.values()) {
          addTerms(scores, terms.preferredAffinity, existing.pod, node, 1);
          addTerms(scores, terms.preferredAntiAffinity, existing.pod, node, -1);
          const theirs = podAffinityTerms(existing.pod);
          if (hardWeight > 0) for (const t of theirs.requiredAffinity) addTerm(scores, t, hardWeight, pod, node);
          addTerms(scores, theirs.preferredAffinity, pod, node, 1);
          addTerms(scores, theirs.preferredAntiAffinity, pod, node, -1);
        }
      }
      if (scores.size === 0) return newStatus("Skip");
      state.write(SCORE_KEY, scores);
      return undefined;
    },
    score(state: CycleState, _pod: Pod, node: NodeInfo) {
      const scores = state.read<Map<string, number>>(SCORE_KEY);
      if (!scores) return 0;
      let total = 0;
      for (const [k, v] of Object.entries(node.node?.metadata.labels ?? {})) total += scores.get(`${k}\0${v}`) ?? 0;
      return total;
    },
    normalizeScore(_state: CycleState, _pod: Pod, scores: NodeScore[]) {
      // Min-max scaling: scores may be negative (anti-affinity), so zero is not the floor.
      let min = Infinity;
      let max = -Infinity;
      for (const s of scores) {
        if (s.score < min) min = s.score;
        if (s.score > max) max = s.score;
      }
      const diff = max - min;
      for (const s of scores) s.score = diff > 0 ? Math.trunc(MAX_NODE_SCORE * ((s.score - min) / diff)) : 0;
    },
  } satisfies PreFilterPlugin & FilterPlugin & ScorePlugin;
}

/** InterPodAffinity with default options. */
export const interPodAffinity = createInterPodAffinity();
