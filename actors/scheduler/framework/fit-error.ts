/**
 * The errors a scheduling cycle ends with, worded as kube-scheduler's:
 * `0/3 nodes are available: 2 Insufficient cpu, 1 node(s) had untolerated taint {key: value}.`
 */
import type { Status } from "./types.ts";

/** Why each node was rejected, and which plugins rejected the pod. */
export interface Diagnosis {
  /** node name → the first failing filter's status. */
  readonly nodeToStatus: ReadonlyMap<string, Status>;
  /** Plugins that made some node (or the whole cycle) unschedulable. */
  readonly unschedulablePlugins: ReadonlySet<string>;
  /** Set when a PreFilter rejected the pod outright. */
  readonly preFilterMsg?: string;
}

/** kube-scheduler's message when the cluster has no nodes at all. */
export const NO_NODES_AVAILABLE = "no nodes available to schedule pods";

/**
 * The reason histogram: each reason counted over nodes, printed "count reason",
 * sorted as strings (Go's sort.Strings), joined with ", ".
 */
export function reasonHistogram(nodeToStatus: ReadonlyMap<string, Status>): string[] {
  const counts = new Map<string, number>();
  for (const s of nodeToStatus.values()) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  const out = [...counts].map(([r, n]) => `${n} ${r}`);
  // Byte order, not locale order, so "10 ..." sorts before "2 ..." exactly as in Go.
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The pod fits on no node; `code` "Unschedulable". */
export class FitError extends Error {
  override readonly name = "FitError";
  readonly code = "Unschedulable";
  readonly numAllNodes: number;
  readonly diagnosis: Diagnosis;

  constructor(numAllNodes: number, diagnosis: Diagnosis) {
    super(fitErrorMessage(numAllNodes, diagnosis));
    this.numAllNodes = numAllNodes;
    this.diagnosis = diagnosis;
  }
}

function fitErrorMessage(numAllNodes: number, d: Diagnosis): string {
  if (numAllNodes === 0) return NO_NODES_AVAILABLE;
  let msg = `0/${numAllNodes} nodes are available:`;
  if (d.preFilterMsg) {
    // The PreFilter's status stands for every node; listing per node would repeat it.
    msg += ` ${d.preFilterMsg}.`;
  } else {
    const hist = reasonHistogram(d.nodeToStatus);
    if (hist.length > 0) msg += ` ${hist.join(", ")}.`;
  }
  return msg;
}

/** A plugin failed (Error status or a bad score); the pod should be retried with backoff. */
export class SchedulingError extends Error {
  override readonly name = "SchedulingError";
  readonly code = "SchedulingError";
  /** The plugin that failed. */
  readonly plugin: string;

  constructor(plugin: string, message: string) {
    super(`running ${plugin}: ${message}`);
    this.plugin = plugin;
  }
}
