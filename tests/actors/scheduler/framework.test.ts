import { test } from "uvu";
import * as assert from "uvu/assert";
import { Framework, numFeasibleNodesToFind } from "../../../actors/scheduler/framework/framework.ts";
import { FitError } from "../../../actors/scheduler/framework/fit-error.ts";
import { buildProfile, inTreeRegistry, PluginRegistryError } from "../../../actors/scheduler/framework/registry.ts";
import { newStatus, type FilterPlugin, type NodeInfo, type ScorePlugin } from "../../../actors/scheduler/framework/types.ts";
import { Snapshot } from "../../../actors/scheduler/snapshot.ts";
import { info, node, pod } from "./fixtures.ts";

const first = () => 0.999; // reservoir sampling never replaces: the first of equal nodes wins

test("acceptance: nodes at 80%, 20% and 40% used, the new pod goes to the 20% node", () => {
  const nodes = [
    info(node("busy"), pod("a", { cpu: "3200m", memory: "6553Mi" })),
    info(node("idle"), pod("b", { cpu: "800m", memory: "1638Mi" })),
    info(node("half"), pod("c", { cpu: "1600m", memory: "3276Mi" })),
  ];
  const out = new Framework({ rng: first }).schedule(pod("new", { cpu: "100m", memory: "128Mi" }), nodes);
  assert.ok(out.ok);
  if (out.ok) assert.is(out.node, "idle");
});

test("FitError message reads like Kubernetes'", () => {
  const nodes = [
    info(node("n1", { cpu: "1" })),
    info(node("n2", { cpu: "1" })),
    info(node("n3", { taints: [{ key: "key", value: "value", effect: "NoSchedule" }] })),
  ];
  const out = new Framework().schedule(pod("p", { cpu: "2" }), nodes);
  assert.not.ok(out.ok);
  if (out.ok) return;
  assert.instance(out.error, FitError);
  // Kubernetes sorts "count reason" strings with sort.Strings, so "1 node(s)..." precedes "2 Insufficient cpu".
  assert.is(out.error.message, "0/3 nodes are available: 1 node(s) had untolerated taint {key: value}, 2 Insufficient cpu.");
  assert.is((out.error as FitError).code, "Unschedulable");
  assert.equal([...(out.error as FitError).diagnosis.unschedulablePlugins].sort(), ["NodeResourcesFit", "TaintToleration"]);
});

test("FitError reasons sort as Go strings (10 before 2)", () => {
  const nodes: NodeInfo[] = [];
  for (let i = 0; i < 10; i++) nodes.push(info(node(`small-${i}`, { cpu: "1" })));
  nodes.push(info(node("t1", { unschedulable: true })), info(node("t2", { unschedulable: true })));
  const out = new Framework().schedule(pod("p", { cpu: "2" }), nodes);
  assert.is(!out.ok && out.error.message, "0/12 nodes are available: 10 Insufficient cpu, 2 node(s) were unschedulable.");
});

test("no nodes, and not-ready nodes are not candidates", () => {
  const none = new Framework().schedule(pod("p"), []);
  assert.is(!none.ok && none.error.message, "no nodes available to schedule pods");
  const out = new Framework().schedule(pod("p"), [info(node("down", { ready: false })), info(node("up"))]);
  assert.ok(out.ok && out.node === "up");
  const allDown = new Framework().schedule(pod("p", { cpu: "2" }), [info(node("d1", { ready: false })), info(node("d2", { ready: false })), info(node("up", { cpu: "1" }))]);
  assert.is(!allDown.ok && allDown.error.message, "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {node.kubernetes.io/not-ready: }.");
  const anyNode = new Framework({ isCandidate: (n) => n !== undefined }).schedule(pod("p"), [info(node("down", { ready: false }))]);
  assert.ok(anyNode.ok && anyNode.node === "down", "the candidate rule is injectable");
});

test("the adaptive number of feasible nodes to find", () => {
  const table: Array<[percentage: number, nodes: number, want: number]> = [
    [0, 50, 50],
    [0, 99, 99],
    [0, 100, 100],
    [0, 1000, 420], // 50 - 8 = 42%
    [0, 5000, 500], // 50 - 40 = 10%
    [0, 6000, 300], // 50 - 48 = 2% -> floor of 5%
    [0, 10000, 500],
    [30, 1000, 300],
    [1, 1000, 100], // never fewer than 100
    [100, 5000, 5000],
  ];
  for (const [pct, n, want] of table) assert.is(numFeasibleNodesToFind(pct, n), want, `${pct}% of ${n}`);
});

test("at 5,000 nodes only the adaptive number is evaluated and scored; the start rotates", () => {
  const snap = new Snapshot();
  for (let i = 0; i < 5000; i++) snap.upsertNode(node(`n${i}`));
  const scored = new Set<string>();
  const counter = {
    name: "Counter",
    score(_s, _p, n) {
      scored.add(n.name);
      return 0;
    },
  } satisfies ScorePlugin;
  const registry = inTreeRegistry().register(counter);
  const fw = new Framework({ registry, profile: buildProfile({ enable: [{ name: "Counter" }] }), rng: first });
  const out = fw.schedule(pod("p"), snap.nodeInfos());
  assert.ok(out.ok);
  if (!out.ok) return;
  assert.is(out.evaluatedNodes, 500);
  assert.is(out.feasibleNodes, 500);
  assert.is(scored.size, 500);
  assert.ok(scored.has("n0") && scored.has("n499") && !scored.has("n500"));
  scored.clear();
  fw.schedule(pod("q"), snap.nodeInfos());
  assert.ok(scored.has("n500") && scored.has("n999") && !scored.has("n0"), "second cycle starts where the first stopped");
});

test("infeasible nodes are evaluated but not counted toward the target", () => {
  const snap = new Snapshot();
  for (let i = 0; i < 200; i++) snap.upsertNode(node(`n${i}`, { cpu: i % 2 === 0 ? "1" : "4" }));
  const out = new Framework({ rng: first }).schedule(pod("p", { cpu: "2" }), snap.nodeInfos());
  // 200 nodes < 5%-rule minimum: all 200 are needed to find 100 feasible.
  assert.ok(out.ok && out.feasibleNodes === 100 && out.evaluatedNodes === 200);
});

test("custom plugins register by name; duplicates are refused", () => {
  const onlyEven = {
    name: "OnlyEven",
    filter: (_s, _p, n) => (Number(n.name.slice(1)) % 2 === 0 ? undefined : newStatus("Unschedulable", "node(s) are odd")),
  } satisfies FilterPlugin;
  const registry = inTreeRegistry().register(onlyEven);
  assert.throws(() => registry.register(onlyEven), (e: unknown) => (e as PluginRegistryError).code === "DuplicatePlugin");
  const fw = new Framework({ registry, profile: buildProfile({ enable: [{ name: "OnlyEven" }] }) });
  const out = fw.schedule(pod("p"), [info(node("n1")), info(node("n3")), info(node("n4"))]);
  assert.ok(out.ok && out.node === "n4");
  const none = fw.schedule(pod("p"), [info(node("n1"))]);
  assert.is(!none.ok && none.error.message, "0/1 nodes are available: 1 node(s) are odd.");
  assert.throws(() => new Framework({ profile: buildProfile({ enable: [{ name: "Nope" }] }) }), (e: unknown) => (e as PluginRegistryError).code === "UnknownPlugin");
});

test("ties are broken by the injected rng", () => {
  const nodes = [info(node("a")), info(node("b")), info(node("c"))];
  const last = new Framework({ rng: () => 0 }).schedule(pod("p"), nodes);
  assert.ok(last.ok && last.node === "c");
  const firstOne = new Framework({ rng: first }).schedule(pod("p"), nodes);
  assert.ok(firstOne.ok && firstOne.node === "a");
});

test("PreFilter rejection gives the PreFilter message once", () => {
  const gate = {
    name: "Gate",
    preFilter: () => newStatus("UnschedulableAndUnresolvable", "pod has unresolved gates"),
    filter: () => undefined,
  };
  const fw = new Framework({ registry: inTreeRegistry().register(gate), profile: buildProfile({ enable: [{ name: "Gate" }] }) });
  const out = fw.schedule(pod("p"), [info(node("a")), info(node("b"))]);
  assert.is(!out.ok && out.error.message, "0/2 nodes are available: pod has unresolved gates.");
});

test("assumed pods take the last slot: two pods in a row do not both fit", () => {
  const snap = new Snapshot();
  snap.upsertNode(node("only", { cpu: "1" }));
  const fw = new Framework();
  const a = fw.schedule(pod("a", { cpu: "600m" }), snap.nodeInfos());
  assert.ok(a.ok);
  if (a.ok) snap.assume(pod("a", { cpu: "600m" }), a.node);
  const b = fw.schedule(pod("b", { cpu: "600m" }), snap.nodeInfos());
  assert.is(!b.ok && b.error.message, "0/1 nodes are available: 1 Insufficient cpu.");
});

test.run();
