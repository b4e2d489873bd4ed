import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Pod } from "../../../actors/api/types/index.ts";
import { CycleState, type NodeInfo, type NodeScore, type ScorePlugin } from "../../../actors/scheduler/framework/types.ts";
import { taintToleration } from "../../../actors/scheduler/plugins/taint-toleration.ts";
import { nodeAffinity } from "../../../actors/scheduler/plugins/node-affinity.ts";
import { nodeResourcesLeastAllocated } from "../../../actors/scheduler/plugins/node-resources-least-allocated.ts";
import { nodeResourcesBalancedAllocation } from "../../../actors/scheduler/plugins/node-resources-balanced-allocation.ts";
import { interPodAffinity } from "../../../actors/scheduler/plugins/inter-pod-affinity.ts";
import { imageLocality } from "../../../actors/scheduler/plugins/image-locality.ts";
import { info, node, pod } from "./fixtures.ts";

interface Case {
  name: string;
  plugin: ScorePlugin;
  pod: Pod;
  nodes: NodeInfo[];
  /** Final (normalized) scores per node, or "skip" when PreScore skips. */
  want: number[] | "skip";
}

function run(c: Case): number[] | "skip" {
  const state = new CycleState();
  const pre = c.plugin.preScore?.(state, c.pod, c.nodes, c.nodes);
  if (pre?.code === "Skip") return "skip";
  const scores: NodeScore[] = c.nodes.map((n) => ({ name: n.name, score: c.plugin.score(state, c.pod, n) }));
  c.plugin.normalizeScore?.(state, c.pod, scores);
  return scores.map((s) => s.score);
}

const MB = 1024 * 1024;
const prefer = (key: string) => ({ key, effect: "PreferNoSchedule" as const });

const cases: Case[] = [
  {
    name: "TaintToleration: fewer untolerated PreferNoSchedule taints score higher",
    plugin: taintToleration,
    pod: pod("p", { tolerations: [{ key: "b", operator: "Exists", effect: "PreferNoSchedule" }] }),
    nodes: [info(node("n0")), info(node("n1", { taints: [prefer("a")] })), info(node("n2", { taints: [prefer("a"), prefer("c")] })), info(node("n3", { taints: [prefer("b")] }))],
    want: [100, 50, 0, 100],
  },
  { name: "TaintToleration: no taints, all max", plugin: taintToleration, pod: pod("p"), nodes: [info(node("n0")), info(node("n1"))], want: [100, 100] },
  {
    name: "NodeAffinity: preferred weights summed and normalized",
    plugin: nodeAffinity,
    pod: pod("p", {
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 2, preference: { matchExpressions: [{ key: "disk", operator: "In", values: ["ssd"] }] } },
            { weight: 8, preference: { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] } },
          ],
        },
      },
    }),
    nodes: [info(node("n0", { labels: { disk: "ssd" } })), info(node("n1", { labels: { zone: "a" } })), info(node("n2", { labels: { disk: "ssd", zone: "a" } })), info(node("n3"))],
    want: [20, 80, 100, 0],
  },
  { name: "NodeAffinity: no preferences skips", plugin: nodeAffinity, pod: pod("p"), nodes: [info(node("n0"))], want: "skip" },
  {
    // 4 cpu / 8Gi nodes; pod 1 cpu / 2Gi. Free after placing: (3,6)->75, (1,2)->25, (0,0)->0.
    name: "LeastAllocated: more room, higher score",
    plugin: nodeResourcesLeastAllocated,
    pod: pod("p", { cpu: "1", memory: "2Gi" }),
    nodes: [info(node("n0")), info(node("n1"), pod("a", { cpu: "2", memory: "4Gi" })), info(node("n2"), pod("a", { cpu: "3", memory: "6Gi" }))],
    want: [75, 25, 0],
  },
  {
    name: "LeastAllocated: best-effort pod counts as 100m/200Mi",
    plugin: nodeResourcesLeastAllocated,
    pod: pod("p"),
    nodes: [info(node("n0", { cpu: "1", memory: "1000Mi" }))],
    // cpu (1000-100)*100/1000 = 90, memory (1000-200)*100/1000 = 80, mean 85
    want: [85],
  },
  {
    name: "BalancedAllocation: equal fractions score 100, skewed lower",
    plugin: nodeResourcesBalancedAllocation,
    pod: pod("p", { cpu: "1", memory: "2Gi" }),
    // n0: 1/4 cpu, 2/8 mem -> 100. n1: (1+2)/4=.75 cpu, 2/8=.25 mem -> std .25 -> 75
    nodes: [info(node("n0")), info(node("n1"), pod("a", { cpu: "2" }))],
    want: [100, 75],
  },
  { name: "BalancedAllocation: best-effort pod skips", plugin: nodeResourcesBalancedAllocation, pod: pod("p"), nodes: [info(node("n0"))], want: "skip" },
  {
    name: "InterPodAffinity: preferred affinity to pods in a zone",
    plugin: interPodAffinity,
    pod: pod("p", { affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: { labelSelector: { matchLabels: { app: "db" } }, topologyKey: "zone" } }] } } }),
    nodes: [info(node("n0", { labels: { zone: "a" } }), pod("db", { labels: { app: "db" } })), info(node("n1", { labels: { zone: "a" } })), info(node("n2", { labels: { zone: "b" } }))],
    want: [100, 100, 0],
  },
  {
    name: "InterPodAffinity: preferred anti-affinity pushes away",
    plugin: interPodAffinity,
    pod: pod("p", { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: { labelSelector: { matchLabels: { app: "web" } }, topologyKey: "kubernetes.io/hostname" } }] } } }),
    nodes: [info(node("n0"), pod("w", { labels: { app: "web" } })), info(node("n1"))],
    want: [0, 100],
  },
  {
    name: "InterPodAffinity: existing pod's required affinity attracts the incoming pod (hard weight 1)",
    plugin: interPodAffinity,
    pod: pod("p", { labels: { app: "cache" } }),
    nodes: [info(node("n0"), pod("x", { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "cache" } }, topologyKey: "kubernetes.io/hostname" }] } } })), info(node("n1"))],
    want: [100, 0],
  },
  { name: "InterPodAffinity: nothing to score skips", plugin: interPodAffinity, pod: pod("p"), nodes: [info(node("n0"), pod("a"))], want: "skip" },
  {
    name: "ImageLocality: a big image present scores, spread-scaled",
    plugin: imageLocality,
    pod: pod("p", { image: "nginx" }),
    nodes: [info(node("n0", { images: [{ names: ["nginx:latest"], sizeBytes: 500 * MB }] })), info(node("n1"))],
    // 500MB * 1/2 spread = 250MB; (250-23)*100/(1000-23) = 23
    want: [23, 0],
  },
];

for (const c of cases) test(c.name, () => assert.equal(run(c), c.want));

test.run();
