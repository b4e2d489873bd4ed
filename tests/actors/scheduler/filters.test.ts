import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Pod } from "../../../actors/api/types/index.ts";
import { CycleState, type FilterPlugin, type NodeInfo, type PreFilterPlugin } from "../../../actors/scheduler/framework/types.ts";
import { nodeName } from "../../../actors/scheduler/plugins/node-name.ts";
import { nodeUnschedulable } from "../../../actors/scheduler/plugins/node-unschedulable.ts";
import { nodeResourcesFit } from "../../../actors/scheduler/plugins/node-resources-fit.ts";
import { taintToleration } from "../../../actors/scheduler/plugins/taint-toleration.ts";
import { nodeAffinity } from "../../../actors/scheduler/plugins/node-affinity.ts";
import { nodePorts } from "../../../actors/scheduler/plugins/node-ports.ts";
import { createInterPodAffinity, interPodAffinity } from "../../../actors/scheduler/plugins/inter-pod-affinity.ts";
import { info, node, pod } from "./fixtures.ts";

type Plugin = FilterPlugin & Partial<PreFilterPlugin>;

interface Case {
  name: string;
  plugin: Plugin;
  pod: Pod;
  node: NodeInfo;
  /** Other nodes the PreFilter sees (for topology). */
  others?: NodeInfo[];
  code: string;
  reasons?: string[];
}

/** Runs PreFilter (if any) then Filter; "Skip" from PreFilter counts as passing. */
function run(c: Case): { code: string; reasons: readonly string[] } {
  const state = new CycleState();
  const pre = c.plugin.preFilter?.(state, c.pod, [c.node, ...(c.others ?? [])]);
  if (pre && pre.code === "Skip") return { code: "Success", reasons: [] };
  if (pre && pre.code !== "Success") return pre;
  const s = c.plugin.filter(state, c.pod, c.node);
  return s ?? { code: "Success", reasons: [] };
}

const zone = (z: string) => ({ "topology.kubernetes.io/zone": z });
const sel = (labels: Record<string, string>) => ({ matchLabels: labels });

const cases: Case[] = [
  // NodeName
  { name: "NodeName: no nodeName fits", plugin: nodeName, pod: pod("p"), node: info(node("n1")), code: "Success" },
  { name: "NodeName: same name fits", plugin: nodeName, pod: pod("p", { nodeName: "n1" }), node: info(node("n1")), code: "Success" },
  { name: "NodeName: other name", plugin: nodeName, pod: pod("p", { nodeName: "n2" }), node: info(node("n1")), code: "UnschedulableAndUnresolvable", reasons: ["node(s) didn't match the requested node name"] },
  // NodeUnschedulable
  { name: "NodeUnschedulable: schedulable", plugin: nodeUnschedulable, pod: pod("p"), node: info(node("n1")), code: "Success" },
  { name: "NodeUnschedulable: cordoned", plugin: nodeUnschedulable, pod: pod("p"), node: info(node("n1", { unschedulable: true })), code: "UnschedulableAndUnresolvable", reasons: ["node(s) were unschedulable"] },
  {
    name: "NodeUnschedulable: cordoned but tolerated",
    plugin: nodeUnschedulable,
    pod: pod("p", { tolerations: [{ key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" }] }),
    node: info(node("n1", { unschedulable: true })),
    code: "Success",
  },
  // NodeResourcesFit
  { name: "Fit: fits", plugin: nodeResourcesFit, pod: pod("p", { cpu: "1", memory: "1Gi" }), node: info(node("n1"), pod("a", { cpu: "2" })), code: "Success" },
  { name: "Fit: exactly fills", plugin: nodeResourcesFit, pod: pod("p", { cpu: "2" }), node: info(node("n1"), pod("a", { cpu: "2" })), code: "Success" },
  { name: "Fit: insufficient cpu", plugin: nodeResourcesFit, pod: pod("p", { cpu: "3" }), node: info(node("n1"), pod("a", { cpu: "2" })), code: "Unschedulable", reasons: ["Insufficient cpu"] },
  {
    name: "Fit: cpu and memory both short",
    plugin: nodeResourcesFit,
    pod: pod("p", { cpu: "3", memory: "7Gi" }),
    node: info(node("n1"), pod("a", { cpu: "2", memory: "2Gi" })),
    code: "Unschedulable",
    reasons: ["Insufficient cpu", "Insufficient memory"],
  },
  { name: "Fit: larger than the node is unresolvable", plugin: nodeResourcesFit, pod: pod("p", { cpu: "5" }), node: info(node("n1")), code: "UnschedulableAndUnresolvable", reasons: ["Insufficient cpu"] },
  { name: "Fit: too many pods", plugin: nodeResourcesFit, pod: pod("p"), node: info(node("n1", { pods: "1" }), pod("a")), code: "Unschedulable", reasons: ["Too many pods"] },
  {
    name: "Fit: ephemeral-storage only checked when requested",
    plugin: nodeResourcesFit,
    pod: { ...pod("p"), spec: { containers: [{ name: "c", resources: { requests: { "ephemeral-storage": "1Gi" } } }] } },
    node: info(node("n1")),
    code: "UnschedulableAndUnresolvable",
    reasons: ["Insufficient ephemeral-storage"],
  },
  // TaintToleration
  { name: "Taint: untolerated NoSchedule", plugin: taintToleration, pod: pod("p"), node: info(node("n1", { taints: [{ key: "key", value: "value", effect: "NoSchedule" }] })), code: "UnschedulableAndUnresolvable", reasons: ["node(s) had untolerated taint {key: value}"] },
  { name: "Taint: empty value prints blank", plugin: taintToleration, pod: pod("p"), node: info(node("n1", { taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoExecute" }] })), code: "UnschedulableAndUnresolvable", reasons: ["node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"] },
  { name: "Taint: PreferNoSchedule does not filter", plugin: taintToleration, pod: pod("p"), node: info(node("n1", { taints: [{ key: "k", effect: "PreferNoSchedule" }] })), code: "Success" },
  { name: "Taint: tolerated by Equal", plugin: taintToleration, pod: pod("p", { tolerations: [{ key: "key", value: "value", effect: "NoSchedule" }] }), node: info(node("n1", { taints: [{ key: "key", value: "value", effect: "NoSchedule" }] })), code: "Success" },
  { name: "Taint: Equal with other value", plugin: taintToleration, pod: pod("p", { tolerations: [{ key: "key", value: "other" }] }), node: info(node("n1", { taints: [{ key: "key", value: "value", effect: "NoSchedule" }] })), code: "UnschedulableAndUnresolvable", reasons: ["node(s) had untolerated taint {key: value}"] },
  { name: "Taint: empty key Exists tolerates all", plugin: taintToleration, pod: pod("p", { tolerations: [{ operator: "Exists" }] }), node: info(node("n1", { taints: [{ key: "key", value: "value", effect: "NoExecute" }] })), code: "Success" },
  { name: "Taint: wrong effect", plugin: taintToleration, pod: pod("p", { tolerations: [{ key: "key", operator: "Exists", effect: "NoExecute" }] }), node: info(node("n1", { taints: [{ key: "key", value: "v", effect: "NoSchedule" }] })), code: "UnschedulableAndUnresolvable", reasons: ["node(s) had untolerated taint {key: v}"] },
  // NodeAffinity
  { name: "Affinity: nodeSelector matches", plugin: nodeAffinity, pod: pod("p", { nodeSelector: { disk: "ssd" } }), node: info(node("n1", { labels: { disk: "ssd" } })), code: "Success" },
  { name: "Affinity: nodeSelector mismatch", plugin: nodeAffinity, pod: pod("p", { nodeSelector: { disk: "ssd" } }), node: info(node("n1", { labels: { disk: "hdd" } })), code: "UnschedulableAndUnresolvable", reasons: ["node(s) didn't match Pod's node affinity/selector"] },
  ...(
    [
      ["In match", { key: "disk", operator: "In", values: ["ssd", "nvme"] }, { disk: "ssd" }, true],
      ["In miss", { key: "disk", operator: "In", values: ["nvme"] }, { disk: "ssd" }, false],
      ["NotIn missing label", { key: "disk", operator: "NotIn", values: ["ssd"] }, {}, true],
      ["NotIn hit", { key: "disk", operator: "NotIn", values: ["ssd"] }, { disk: "ssd" }, false],
      ["Exists", { key: "gpu", operator: "Exists" }, { gpu: "" }, true],
      ["Exists missing", { key: "gpu", operator: "Exists" }, {}, false],
      ["DoesNotExist", { key: "gpu", operator: "DoesNotExist" }, {}, true],
      ["DoesNotExist present", { key: "gpu", operator: "DoesNotExist" }, { gpu: "1" }, false],
      ["Gt", { key: "cores", operator: "Gt", values: ["8"] }, { cores: "16" }, true],
      ["Gt equal", { key: "cores", operator: "Gt", values: ["16"] }, { cores: "16" }, false],
      ["Lt", { key: "cores", operator: "Lt", values: ["8"] }, { cores: "4" }, true],
      ["Lt non-integer", { key: "cores", operator: "Lt", values: ["8"] }, { cores: "four" }, false],
    ] as const
  ).map(([label, expr, labels, ok]): Case => ({
    name: `Affinity: ${label}`,
    plugin: nodeAffinity,
    pod: pod("p", { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ ...expr, values: "values" in expr ? [...expr.values] : undefined }] }] } } } }),
    node: info(node("n1", { labels: { ...labels } })),
    code: ok ? "Success" : "UnschedulableAndUnresolvable",
    ...(ok ? {} : { reasons: ["node(s) didn't match Pod's node affinity/selector"] }),
  })),
  {
    name: "Affinity: terms are ORed, matchFields metadata.name",
    plugin: nodeAffinity,
    pod: pod("p", { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "x", operator: "Exists" }] }, { matchFields: [{ key: "metadata.name", operator: "In", values: ["n1"] }] }] } } } }),
    node: info(node("n1")),
    code: "Success",
  },
  {
    name: "Affinity: empty term matches nothing",
    plugin: nodeAffinity,
    pod: pod("p", { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{}] } } } }),
    node: info(node("n1")),
    code: "UnschedulableAndUnresolvable",
    reasons: ["node(s) didn't match Pod's node affinity/selector"],
  },
  // NodePorts
  { name: "Ports: free", plugin: nodePorts, pod: pod("p", { ports: [{ containerPort: 80, hostPort: 8080 }] }), node: info(node("n1"), pod("a", { ports: [{ containerPort: 80, hostPort: 8081 }] })), code: "Success" },
  { name: "Ports: conflict", plugin: nodePorts, pod: pod("p", { ports: [{ containerPort: 80, hostPort: 8080 }] }), node: info(node("n1"), pod("a", { ports: [{ containerPort: 80, hostPort: 8080 }] })), code: "Unschedulable", reasons: ["node(s) didn't have free ports for the requested pod ports"] },
  { name: "Ports: other protocol", plugin: nodePorts, pod: pod("p", { ports: [{ containerPort: 53, hostPort: 53, protocol: "UDP" }] }), node: info(node("n1"), pod("a", { ports: [{ containerPort: 53, hostPort: 53 }] })), code: "Success" },
  { name: "Ports: distinct IPs", plugin: nodePorts, pod: pod("p", { ports: [{ containerPort: 80, hostPort: 80, hostIP: "10.0.0.1" }] }), node: info(node("n1"), pod("a", { ports: [{ containerPort: 80, hostPort: 80, hostIP: "10.0.0.2" }] })), code: "Success" },
  { name: "Ports: wildcard vs specific IP", plugin: nodePorts, pod: pod("p", { ports: [{ containerPort: 80, hostPort: 80, hostIP: "10.0.0.1" }] }), node: info(node("n1"), pod("a", { ports: [{ containerPort: 80, hostPort: 80 }] })), code: "Unschedulable", reasons: ["node(s) didn't have free ports for the requested pod ports"] },
  // InterPodAffinity
  {
    name: "PodAffinity: matching pod in zone",
    plugin: interPodAffinity,
    pod: pod("p", { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: sel({ app: "db" }), topologyKey: "topology.kubernetes.io/zone" }] } } }),
    node: info(node("n1", { labels: zone("a") })),
    others: [info(node("n2", { labels: zone("a") }), pod("db", { labels: { app: "db" } })), info(node("n3", { labels: zone("b") }))],
    code: "Success",
  },
  {
    name: "PodAffinity: matching pod only in another zone",
    plugin: interPodAffinity,
    pod: pod("p", { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: sel({ app: "db" }), topologyKey: "topology.kubernetes.io/zone" }] } } }),
    node: info(node("n3", { labels: zone("b") })),
    others: [info(node("n2", { labels: zone("a") }), pod("db", { labels: { app: "db" } }))],
    code: "UnschedulableAndUnresolvable",
    reasons: ["node(s) didn't match pod affinity rules"],
  },
  {
    name: "PodAffinity: first pod of a self-affine group",
    plugin: interPodAffinity,
    pod: pod("p", { labels: { app: "web" }, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: sel({ app: "web" }), topologyKey: "topology.kubernetes.io/zone" }] } } }),
    node: info(node("n1", { labels: zone("a") })),
    code: "Success",
  },
  {
    name: "PodAffinity: node without the topology label",
    plugin: interPodAffinity,
    pod: pod("p", { labels: { app: "web" }, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: sel({ app: "web" }), topologyKey: "topology.kubernetes.io/zone" }] } } }),
    node: info(node("n1")),
    code: "UnschedulableAndUnresolvable",
    reasons: ["node(s) didn't match pod affinity rules"],
  },
  {
    name: "PodAffinity: other namespace does not count",
    plugin: interPodAffinity,
    pod: pod("p", { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: sel({ app: "db" }), topologyKey: "kubernetes.io/hostname" }] } } }),
    node: info(node("n1"), pod("db", { ns: "other", labels: { app: "db" } })),
    code: "UnschedulableAndUnresolvable",
    reasons: ["node(s) didn't match pod affinity rules"],
  },
  {
    name: "PodAffinity: namespaceSelector {} spans every namespace",
    plugin: interPodAffinity,
    pod: pod("p", { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: sel({ app: "db" }), namespaceSelector: {}, topologyKey: "kubernetes.io/hostname" }] } } }),
    node: info(node("n1"), pod("db", { ns: "other", labels: { app: "db" } })),
    code: "Success",
  },
  {
    name: "PodAffinity: namespaceSelector by namespace labels",
    plugin: createInterPodAffinity({ namespaceLabels: (ns): Record<string, string> => (ns === "team-a" ? { team: "a" } : {}) }),
    pod: pod("p", { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: sel({ app: "db" }), namespaceSelector: sel({ team: "a" }), topologyKey: "kubernetes.io/hostname" }] } } }),
    node: info(node("n1"), pod("db", { ns: "team-a", labels: { app: "db" } })),
    others: [info(node("n2"), pod("db", { ns: "team-b", labels: { app: "db" } }))],
    code: "Success",
  },
  {
    name: "PodAntiAffinity: matchLabelKeys narrows to the same revision",
    plugin: interPodAffinity,
    pod: pod("p", { labels: { app: "web", rev: "2" }, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: sel({ app: "web" }), matchLabelKeys: ["rev"], topologyKey: "kubernetes.io/hostname" }] } } }),
    node: info(node("n1"), pod("old", { labels: { app: "web", rev: "1" } })),
    code: "Success",
  },
  {
    name: "PodAntiAffinity: matching pod on the host",
    plugin: interPodAffinity,
    pod: pod("p", { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: sel({ app: "web" }), topologyKey: "kubernetes.io/hostname" }] } } }),
    node: info(node("n1"), pod("w1", { labels: { app: "web" } })),
    code: "Unschedulable",
    reasons: ["node(s) didn't match pod anti-affinity rules"],
  },
  {
    name: "PodAntiAffinity: matching pod on another host",
    plugin: interPodAffinity,
    pod: pod("p", { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: sel({ app: "web" }), topologyKey: "kubernetes.io/hostname" }] } } }),
    node: info(node("n1")),
    others: [info(node("n2"), pod("w1", { labels: { app: "web" } }))],
    code: "Success",
  },
  {
    name: "Existing pod's anti-affinity rejects the incoming pod",
    plugin: interPodAffinity,
    pod: pod("p", { labels: { app: "web" } }),
    node: info(node("n1", { labels: zone("a") })),
    others: [info(node("n2", { labels: zone("a") }), pod("lonely", { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: sel({ app: "web" }), topologyKey: "topology.kubernetes.io/zone" }] } } }))],
    code: "Unschedulable",
    reasons: ["node(s) didn't satisfy existing pods anti-affinity rules"],
  },
  {
    name: "Existing pod's anti-affinity in another zone",
    plugin: interPodAffinity,
    pod: pod("p", { labels: { app: "web" } }),
    node: info(node("n1", { labels: zone("b") })),
    others: [info(node("n2", { labels: zone("a") }), pod("lonely", { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: sel({ app: "web" }), topologyKey: "topology.kubernetes.io/zone" }] } } }))],
    code: "Success",
  },
];

for (const c of cases) {
  test(c.name, () => {
    const got = run(c);
    assert.is(got.code, c.code);
    if (c.reasons) assert.equal([...got.reasons], c.reasons);
  });
}

test.run();
