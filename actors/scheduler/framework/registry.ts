/**
 * Plugins by name, and the profile that says which run and how much each
 * score counts. Users register their own plugins next to the in-tree ones
 * and enable them in a profile, as with kube-scheduler's KubeSchedulerConfiguration.
 */
import { interPodAffinity } from "../plugins/inter-pod-affinity.ts";
import { imageLocality } from "../plugins/image-locality.ts";
import { nodeAffinity } from "../plugins/node-affinity.ts";
import { nodeName } from "../plugins/node-name.ts";
import { nodePorts } from "../plugins/node-ports.ts";
import { nodeResourcesBalancedAllocation } from "../plugins/node-resources-balanced-allocation.ts";
import { nodeResourcesFit } from "../plugins/node-resources-fit.ts";
import { nodeResourcesLeastAllocated } from "../plugins/node-resources-least-allocated.ts";
import { nodeUnschedulable } from "../plugins/node-unschedulable.ts";
import { taintToleration } from "../plugins/taint-toleration.ts";
import type { AnyPlugin } from "./types.ts";

/** Thrown for a duplicate or unknown plugin name; checked by `code`. */
export class PluginRegistryError extends Error {
  override readonly name = "PluginRegistryError";
  readonly code: "DuplicatePlugin" | "UnknownPlugin";
  constructor(code: "DuplicatePlugin" | "UnknownPlugin", message: string) {
    super(message);
    this.code = code;
  }
}

/** Plugins by unique name. */
export class Registry {
  readonly #plugins = new Map<string, AnyPlugin>();

  /** Adds a plugin; a second plugin with the same name is refused. */
  register(plugin: AnyPlugin): this {
    if (this.#plugins.has(plugin.name)) throw new PluginRegistryError("DuplicatePlugin", `a plugin named "${plugin.name}" already exists`);
    this.#plugins.set(plugin.name, plugin);
    return this;
  }

  /** The plugin called `name`; throws UnknownPlugin when there is none. */
  get(name: string): AnyPlugin {
    const p = this.#plugins.get(name);
    if (!p) throw new PluginRegistryError("UnknownPlugin", `no plugin named "${name}" is registered`);
    return p;
  }

  /** Whether a plugin called `name` is registered. */
  has(name: string): boolean {
    return this.#plugins.has(name);
  }

  /** Registered names, in registration order. */
  names(): string[] {
    return [...this.#plugins.keys()];
  }
}

/** A registry holding every in-tree plugin. */
export function inTreeRegistry(): Registry {
  const r = new Registry();
  for (const p of IN_TREE) r.register(p);
  return r;
}

const IN_TREE: readonly AnyPlugin[] = [
  nodeUnschedulable,
  nodeName,
  taintToleration,
  nodeAffinity,
  nodePorts,
  nodeResourcesFit,
  interPodAffinity,
  nodeResourcesLeastAllocated,
  nodeResourcesBalancedAllocation,
  imageLocality,
];

/** One enabled plugin; `weight` matters only for score plugins (default 1). */
export interface PluginSetting {
  readonly name: string;
  readonly weight?: number;
}

/** A scheduling profile: which plugins run, in what order, with which score weights. */
export interface Profile {
  /** Pods whose spec.schedulerName equals this use the profile. Default "default-scheduler". */
  readonly schedulerName: string;
  /** Enabled plugins; each runs at every extension point it implements, in this order. */
  readonly plugins: readonly PluginSetting[];
  /** Percent of candidate nodes to find feasible before scoring; 0 means adaptive. */
  readonly percentageOfNodesToScore: number;
}

/** kube-scheduler's default plugin order and score weights. */
export const DEFAULT_PLUGINS: readonly PluginSetting[] = [
  { name: "NodeUnschedulable" },
  { name: "NodeName" },
  { name: "TaintToleration", weight: 3 },
  { name: "NodeAffinity", weight: 2 },
  { name: "NodePorts" },
  { name: "NodeResourcesFit" },
  { name: "InterPodAffinity", weight: 2 },
  { name: "NodeResourcesLeastAllocated", weight: 1 },
  { name: "NodeResourcesBalancedAllocation", weight: 1 },
  { name: "ImageLocality", weight: 1 },
];

/** Changes to the default profile. */
export interface ProfileOptions {
  schedulerName?: string;
  /** Plugins added after the defaults, or re-weighted when already enabled. */
  enable?: readonly PluginSetting[];
  /** Plugin names to turn off (`"*"` turns off every default). */
  disable?: readonly string[];
  /** Default 0 (adaptive). */
  percentageOfNodesToScore?: number;
}

/** The default profile with `opts` applied. */
export function buildProfile(opts: ProfileOptions = {}): Profile {
  const off = new Set(opts.disable ?? []);
  let plugins: PluginSetting[] = off.has("*") ? [] : DEFAULT_PLUGINS.filter((p) => !off.has(p.name));
  for (const e of opts.enable ?? []) {
    const i = plugins.findIndex((p) => p.name === e.name);
    if (i >= 0) plugins[i] = e;
    else plugins = [...plugins, e];
  }
  return {
    schedulerName: opts.schedulerName ?? "default-scheduler",
    plugins,
    percentageOfNodesToScore: opts.percentageOfNodesToScore ?? 0,
  };
}
