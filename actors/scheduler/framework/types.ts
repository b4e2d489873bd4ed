/**
 * The scheduling framework's vocabulary, shaped after kube-scheduler's
 * `framework/interface.go`: Status with a closed code set, the per-cycle
 * state map, and the extension-point interfaces plugins implement.
 */
import type { Pod } from "../../api/types/index.ts";
import type { NodeInfo } from "./node-info.ts";

export type { NodeInfo } from "./node-info.ts";

/** The closed set of outcomes a plugin may report. */
export type Code = "Success" | "Unschedulable" | "UnschedulableAndUnresolvable" | "Error" | "Skip";

/** A plugin's verdict: a code, the reasons shown to users, and who said it. */
export interface Status {
  readonly code: Code;
  readonly reasons: readonly string[];
  /** The plugin that produced a non-success status (filled in by the framework). */
  plugin?: string;
}

/** The shared Success status; plugins may also return `undefined` to mean success. */
export const SUCCESS: Status = Object.freeze({ code: "Success", reasons: Object.freeze([]) as readonly string[] });

/** Builds a status; `newStatus("Unschedulable", "Insufficient cpu")`. */
export function newStatus(code: Code, ...reasons: string[]): Status {
  return code === "Success" && reasons.length === 0 ? SUCCESS : { code, reasons };
}

/** True for Success and for the `undefined` plugins return as shorthand. */
export function isSuccess(s: Status | undefined): boolean {
  return s === undefined || s.code === "Success";
}

/** True when the pod cannot go on this node (either unschedulable code). */
export function isRejected(s: Status | undefined): boolean {
  return s !== undefined && (s.code === "Unschedulable" || s.code === "UnschedulableAndUnresolvable");
}

/** Per-cycle scratch space; each plugin keeps its data under its own name. */
export class CycleState {
  readonly #data = new Map<string, unknown>();

  /** Stores `value` under `key` (by convention the plugin's name). */
  write(key: string, value: unknown): void {
    this.#data.set(key, value);
  }

  /** Reads what a plugin stored, or undefined. The caller knows its own type. */
  read<T>(key: string): T | undefined {
    return this.#data.get(key) as T | undefined;
  }

  /** Whether `key` was written this cycle. */
  has(key: string): boolean {
    return this.#data.has(key);
  }
}

/** Every plugin has a stable, unique name. */
export interface Plugin {
  readonly name: string;
}

/**
 * Runs once per cycle before filtering, with every candidate node. Return
 * Skip to have the framework skip this plugin's Filter for the cycle.
 */
export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: Pod, nodes: readonly NodeInfo[]): Status | undefined;
}

/** Decides whether the pod may go on one node. */
export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: Pod, node: NodeInfo): Status | undefined;
}

/** The highest score a plugin may give a node after normalization. */
export const MAX_NODE_SCORE = 100;

/** One node's score from one plugin. */
export interface NodeScore {
  readonly name: string;
  score: number;
}

/**
 * Ranks feasible nodes, 0..MAX_NODE_SCORE after `normalizeScore`. `preScore`
 * sees the feasible nodes and all candidates; returning Skip skips `score`.
 */
export interface ScorePlugin extends Plugin {
  preScore?(state: CycleState, pod: Pod, feasible: readonly NodeInfo[], all: readonly NodeInfo[]): Status | undefined;
  score(state: CycleState, pod: Pod, node: NodeInfo): number;
  /** Rewrites the raw scores in place into 0..MAX_NODE_SCORE. */
  normalizeScore?(state: CycleState, pod: Pod, scores: NodeScore[]): void;
}

/** Any plugin: one or more extension points. */
export type AnyPlugin = Plugin & Partial<Pick<PreFilterPlugin, "preFilter">> & Partial<Pick<FilterPlugin, "filter">> & Partial<ScorePlugin>;

/**
 * kube-scheduler's `DefaultNormalizeScore`: scales to 0..max by the largest
 * score; `reverse` flips it so fewer is better (an all-zero list becomes all max).
 */
export function defaultNormalizeScore(max: number, reverse: boolean, scores: NodeScore[]): void {
  let top = 0;
  for (const s of scores) if (s.score > top) top = s.score;
  if (top === 0) {
    if (reverse) for (const s of scores) s.score = max;
    return;
  }
  for (const s of scores) {
    let v = Math.trunc((max * s.score) / top);
    if (reverse) v = max - v;
    s.score = v;
  }
}
