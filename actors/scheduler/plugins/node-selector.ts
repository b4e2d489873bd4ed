/**
 * core/v1 NodeSelector matching (component-helpers' nodeaffinity): terms are
 * ORed, a term's requirements ANDed, a term with no requirements matches
 * nothing. matchFields supports `metadata.name` only.
 */
import type { Node, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm } from "../../api/types/index.ts";

/** Whether one requirement holds for a map of values (labels, or fields). */
export function requirementMatches(r: NodeSelectorRequirement, values: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(values, r.key);
  const v = values[r.key];
  switch (r.operator) {
    case "In":
      return has && (r.values ?? []).includes(v!);
    case "NotIn":
      return !has || !(r.values ?? []).includes(v!);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    case "Gt":
    case "Lt": {
      // Both sides must be integers; anything else never matches.
      if (!has || (r.values ?? []).length !== 1) return false;
      const a = parseInteger(v!);
      const b = parseInteger(r.values![0]!);
      if (a === undefined || b === undefined) return false;
      return r.operator === "Gt" ? a > b : a < b;
    }
    default:
      return false;
  }
}

function parseInteger(s: string): bigint | undefined {
  return /^[+-]?\d+$/.test(s) ? BigInt(s) : undefined;
}

/** Whether a node satisfies one term (both its expressions and its fields). */
export function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  for (const r of exprs) if (!requirementMatches(r, labels)) return false;
  const nodeFields: Record<string, string> = { "metadata.name": node.metadata.name ?? "" };
  for (const r of fields) {
    if (r.key !== "metadata.name" || (r.operator !== "In" && r.operator !== "NotIn")) return false;
    if (!requirementMatches(r, nodeFields)) return false;
  }
  return true;
}

/** Whether a node satisfies a NodeSelector (any term). */
export function nodeSelectorMatches(sel: NodeSelector, node: Node): boolean {
  for (const t of sel.nodeSelectorTerms ?? []) if (termMatches(t, node)) return true;
  return false;
}
