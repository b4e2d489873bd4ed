/**
 * The scheduler's cache of nodes and the pods on them, kept incrementally
 * from watch events. Pods the scheduler has decided on are "assumed" onto
 * their node at once, before the apiserver confirms the binding, so the next
 * cycle already sees the slot as taken.
 */
import type { Node, Pod } from "../api/types/index.ts";
import { NodeInfo, podKey } from "./framework/node-info.ts";

/** Succeeded and Failed pods hold no resources. */
function isTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === "Succeeded" || phase === "Failed";
}

/** NodeInfos for every known node, updated from node and pod events. */
export class Snapshot {
  readonly #nodes = new Map<string, NodeInfo>();
  /** pod key → node name it is counted on. */
  readonly #podNode = new Map<string, string>();
  readonly #assumed = new Set<string>();
  #list: NodeInfo[] | undefined;

  /** NodeInfos of known nodes, in a stable order (the framework's input). */
  nodeInfos(): readonly NodeInfo[] {
    this.#list ??= [...this.#nodes.values()].filter((n) => n.node !== undefined);
    return this.#list;
  }

  /** The NodeInfo for `name`, if the node or a pod on it is known. */
  get(name: string): NodeInfo | undefined {
    return this.#nodes.get(name);
  }

  /** Number of known nodes. */
  get size(): number {
    return this.nodeInfos().length;
  }

  /** A node was added or changed. */
  upsertNode(node: Node): void {
    const name = node.metadata.name ?? "";
    const info = this.#nodes.get(name);
    if (info) {
      if (!info.node) this.#list = undefined;
      info.setNode(node);
    } else {
      this.#nodes.set(name, new NodeInfo(node));
      this.#list = undefined;
    }
  }

  /** A node was deleted; its pods stay counted until their own delete events arrive. */
  deleteNode(name: string): void {
    const info = this.#nodes.get(name);
    if (!info) return;
    this.#list = undefined;
    if (info.pods.size === 0) this.#nodes.delete(name);
    else info.setNode(undefined);
  }

  /**
   * A pod was added or changed. Only pods bound to a node and not finished
   * are counted; an assumed pod confirmed by the apiserver stops being assumed.
   */
  upsertPod(pod: Pod): void {
    const key = podKey(pod);
    const nodeName = pod.spec?.nodeName;
    if (!nodeName || isTerminal(pod)) {
      this.deletePod(pod);
      return;
    }
    this.#assumed.delete(key);
    this.#place(key, nodeName, pod);
  }

  /** A pod was deleted (or finished): it no longer takes room anywhere. */
  deletePod(pod: Pod): void {
    const key = podKey(pod);
    const nodeName = this.#podNode.get(key);
    if (nodeName === undefined) return;
    this.#podNode.delete(key);
    this.#assumed.delete(key);
    const info = this.#nodes.get(nodeName);
    if (!info) return;
    info.removePod(pod);
    if (!info.node && info.pods.size === 0) this.#nodes.delete(nodeName);
  }

  /** Counts `pod` on `nodeName` right away, before the binding is confirmed. */
  assume(pod: Pod, nodeName: string): Pod {
    const placed: Pod = { ...pod, spec: { ...pod.spec, nodeName } };
    const key = podKey(pod);
    this.#place(key, nodeName, placed);
    this.#assumed.add(key);
    return placed;
  }

  /** Undoes {@link assume} when the binding failed; a confirmed pod is left alone. */
  forget(pod: Pod): void {
    if (this.#assumed.has(podKey(pod))) this.deletePod(pod);
  }

  /** Whether the pod is assumed and not yet confirmed. */
  isAssumed(pod: Pod): boolean {
    return this.#assumed.has(podKey(pod));
  }

  #place(key: string, nodeName: string, pod: Pod): void {
    const prev = this.#podNode.get(key);
    if (prev !== undefined && prev !== nodeName) {
      const old = this.#nodes.get(prev);
      old?.removePod(pod);
      if (old && !old.node && old.pods.size === 0) this.#nodes.delete(prev);
    }
    let info = this.#nodes.get(nodeName);
    if (!info) {
      // A pod can be seen before its node: keep an imaginary NodeInfo until the node arrives.
      info = new NodeInfo();
      this.#nodes.set(nodeName, info);
    }
    info.addPod(pod);
    this.#podNode.set(key, nodeName);
  }
}
