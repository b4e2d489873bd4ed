/**
 * ImageLocality: prefers nodes that already have the pod's images, weighted
 * by image size and by how widely the image is spread (an image on every node
 * says little, and favouring it would pile pods onto few nodes).
 */
import type { Pod } from "../../api/types/index.ts";
import { MAX_NODE_SCORE, newStatus, type CycleState, type NodeInfo, type ScorePlugin } from "../framework/types.ts";
import { normalizedImageName } from "../framework/node-info.ts";

const MB = 1024 * 1024;
/** Below this many bytes of local images a node gets no credit. */
const MIN_THRESHOLD = 23 * MB;
/** Credit stops growing at this many bytes per container. */
const MAX_CONTAINER_THRESHOLD = 1000 * MB;

const NAME = "ImageLocality";

export { normalizedImageName };

interface ImageState {
  /** normalized image → number of candidate nodes holding it. */
  readonly spread: Map<string, number>;
  readonly totalNodes: number;
  readonly images: readonly string[];
}

/** Scores nodes by the size of the pod's images already present, scaled by spread. */
export const imageLocality = {
  name: NAME,
  preScore(state: CycleState, pod: Pod, _feasible: readonly NodeInfo[], all: readonly NodeInfo[]) {
    const images = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => normalizedImageName(c.image ?? ""));
    if (images.length === 0 || all.length === 0) return newStatus("Skip");
    const spread = new Map<string, number>(images.map((i) => [i, 0]));
    for (const node of all) {
      for (const i of spread.keys()) if (hasImage(node, i)) spread.set(i, spread.get(i)! + 1);
    }
    state.write(NAME, { spread, totalNodes: all.length, images } satisfies ImageState);
    return undefined;
  },
  score(state: CycleState, _pod: Pod, node: NodeInfo) {
    const s = state.read<ImageState>(NAME);
    if (!s) return 0;
    let sum = 0;
    for (const i of s.images) {
      const size = imageSize(node, i);
      if (size !== undefined) sum += Math.trunc(size * ((s.spread.get(i) ?? 0) / s.totalNodes));
    }
    const max = MAX_CONTAINER_THRESHOLD * s.images.length;
    const clamped = Math.min(max, Math.max(MIN_THRESHOLD, sum));
    return Math.trunc((MAX_NODE_SCORE * (clamped - MIN_THRESHOLD)) / (max - MIN_THRESHOLD));
  },
} satisfies ScorePlugin;

function imageSize(node: NodeInfo, normalized: string): number | undefined {
  return node.imagesByNormalizedName.get(normalized);
}

function hasImage(node: NodeInfo, normalized: string): boolean {
  return imageSize(node, normalized) !== undefined;
}
