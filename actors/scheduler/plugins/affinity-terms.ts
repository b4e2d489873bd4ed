/**
 * Pod (anti-)affinity terms compiled once per pod: selector parsed,
 * namespaces resolved, matchLabelKeys/mismatchLabelKeys folded in. Cached
 * per pod object, so pods already on nodes compile once, not once per cycle.
 */
import { labelSelectorFromObject, nothingLabelSelector, type Labels, type ParsedLabelSelector } from "../../api/label-selector.ts";
import type { LabelSelector, LabelSelectorRequirement } from "../../api/meta.ts";
import type { Pod, PodAffinityTerm } from "../../api/types/index.ts";

/** Looks up a namespace's labels, for terms with a namespaceSelector. */
export type NamespaceLabels = (namespace: string) => Labels | undefined;

/** One compiled term. */
export interface AffinityTerm {
  readonly selector: ParsedLabelSelector;
  readonly namespaces: ReadonlySet<string>;
  readonly namespaceSelector: ParsedLabelSelector;
  readonly topologyKey: string;
}

/** A compiled preferred term with its weight. */
export interface WeightedAffinityTerm {
  readonly term: AffinityTerm;
  readonly weight: number;
}

/** All of a pod's compiled terms. */
export interface PodAffinityTerms {
  readonly requiredAffinity: readonly AffinityTerm[];
  readonly requiredAntiAffinity: readonly AffinityTerm[];
  readonly preferredAffinity: readonly WeightedAffinityTerm[];
  readonly preferredAntiAffinity: readonly WeightedAffinityTerm[];
}

function safeSelector(sel: LabelSelector | undefined): ParsedLabelSelector {
  try {
    return labelSelectorFromObject(sel);
  } catch {
    // An invalid selector selects nothing rather than failing the whole cycle.
    return nothingLabelSelector;
  }
}

/** Folds the owner's label values for matchLabelKeys (In) and mismatchLabelKeys (NotIn) into the selector. */
function mergedSelector(term: PodAffinityTerm, owner: Pod): LabelSelector | undefined {
  if (!term.labelSelector) return undefined;
  const labels = owner.metadata.labels ?? {};
  const extra: LabelSelectorRequirement[] = [];
  for (const k of term.matchLabelKeys ?? []) if (Object.hasOwn(labels, k)) extra.push({ key: k, operator: "In", values: [labels[k]!] });
  for (const k of term.mismatchLabelKeys ?? []) if (Object.hasOwn(labels, k)) extra.push({ key: k, operator: "NotIn", values: [labels[k]!] });
  if (extra.length === 0) return term.labelSelector;
  return { ...term.labelSelector, matchExpressions: [...(term.labelSelector.matchExpressions ?? []), ...extra] };
}

/** Compiles one term of `owner`; no namespaces and no namespaceSelector mean the owner's namespace. */
export function compileTerm(term: PodAffinityTerm, owner: Pod): AffinityTerm {
  const namespaces = new Set(term.namespaces ?? []);
  if (namespaces.size === 0 && !term.namespaceSelector) namespaces.add(owner.metadata.namespace ?? "default");
  return {
    selector: safeSelector(mergedSelector(term, owner)),
    namespaces,
    namespaceSelector: term.namespaceSelector ? safeSelector(term.namespaceSelector) : nothingLabelSelector,
    topologyKey: term.topologyKey,
  };
}

/** Whether `pod` is selected by the term (namespace, then labels). */
export function termMatchesPod(term: AffinityTerm, pod: Pod, nsLabels: NamespaceLabels): boolean {
  const ns = pod.metadata.namespace ?? "default";
  const inNamespace =
    term.namespaces.has(ns) ||
    term.namespaceSelector.isEverything ||
    (!term.namespaceSelector.isNothing && term.namespaceSelector.matches(nsLabels(ns) ?? {}));
  return inNamespace && term.selector.matches(pod.metadata.labels ?? {});
}

/** Whether `pod` matches every term (how required affinity counts existing pods). */
export function podMatchesAllTerms(terms: readonly AffinityTerm[], pod: Pod, nsLabels: NamespaceLabels): boolean {
  if (terms.length === 0) return false;
  for (const t of terms) if (!termMatchesPod(t, pod, nsLabels)) return false;
  return true;
}

const cache = new WeakMap<Pod, PodAffinityTerms>();
const EMPTY: PodAffinityTerms = { requiredAffinity: [], requiredAntiAffinity: [], preferredAffinity: [], preferredAntiAffinity: [] };

/** The pod's compiled terms, cached on the pod object (pods are replaced, never mutated, on update). */
export function podAffinityTerms(pod: Pod): PodAffinityTerms {
  const a = pod.spec?.affinity;
  if (!a || (!a.podAffinity && !a.podAntiAffinity)) return EMPTY;
  let c = cache.get(pod);
  if (c) return c;
  const req = (ts: PodAffinityTerm[] | undefined) => (ts ?? []).map((t) => compileTerm(t, pod));
  const pref = (ts: Array<{ weight: number; podAffinityTerm: PodAffinityTerm }> | undefined) =>
    (ts ?? []).filter((w) => w.weight !== 0).map((w) => ({ term: compileTerm(w.podAffinityTerm, pod), weight: w.weight }));
  c = {
    requiredAffinity: req(a.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    requiredAntiAffinity: req(a.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    preferredAffinity: pref(a.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    preferredAntiAffinity: pref(a.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
  };
  cache.set(pod, c);
  return c;
}
