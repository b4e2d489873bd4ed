import { test } from "uvu";
import * as assert from "uvu/assert";
import { admitPod } from "../../../actors/kubelet/admission.ts";
import { nodeObject } from "../../../actors/kubelet/node-status.ts";
import type { Pod } from "../../../actors/api/types/core-pod.ts";
import type { Container } from "../../../actors/api/types/core-container.ts";
import { simCluster } from "./sim-cluster.ts";

const node = nodeObject({ name: "n1", capacity: { cpu: "4", memory: "8Gi", pods: "3" }, labels: { zone: "a" }, taints: [{ key: "maintenance", effect: "NoExecute" }, { key: "gpu", effect: "NoSchedule" }] }, 0);
const tolerateMaintenance = [{ key: "maintenance", operator: "Exists" as const, effect: "NoExecute" as const }];
let n = 0;
const pod = (spec: Partial<Pod["spec"]>, labels?: Record<string, string>): Pod => ({
  apiVersion: "v1", kind: "Pod", metadata: { name: `p${++n}`, namespace: "default", uid: `u${n}`, labels },
  spec: { nodeName: "n1", tolerations: tolerateMaintenance, containers: [{ name: "c", image: "x" }], ...spec },
});
const ask = (cpu?: string, memory?: string, extra: Partial<Container> = {}): Container => ({ name: `c${++n}`, image: "x", resources: { requests: { ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}) } }, ...extra });

const cases: Array<{ name: string; pod: Pod; others?: Pod[]; isStatic?: boolean; reason?: string; message?: string }> = [
  { name: "fits", pod: pod({ containers: [ask("1", "1Gi")] }), others: [pod({ containers: [ask("2", "2Gi")] })] },
  {
    name: "not enough cpu",
    pod: pod({ containers: [ask("2")] }), others: [pod({ containers: [ask("3500m")] })],
    reason: "OutOfcpu", message: "Node didn't have enough resource: cpu, requested: 2000, used: 3500, capacity: 4000",
  },
  {
    name: "not enough memory",
    pod: pod({ containers: [ask(undefined, "5Gi")] }), others: [pod({ containers: [ask(undefined, "4Gi")] })],
    reason: "OutOfmemory", message: "Node didn't have enough resource: memory, requested: 5368709120, used: 4294967296, capacity: 8589934592",
  },
  {
    name: "init containers count as the largest of them when larger than the containers' sum",
    pod: pod({ initContainers: [ask("3")], containers: [ask("500m")] }), others: [pod({ containers: [ask("1500m")] })],
    reason: "OutOfcpu", message: "Node didn't have enough resource: cpu, requested: 3000, used: 1500, capacity: 4000",
  },
  {
    name: "too many pods (checked first)",
    pod: pod({ containers: [ask("10")] }), others: [pod({}), pod({}), pod({})],
    reason: "OutOfpods", message: "Node didn't have enough resource: pods, requested: 1, used: 3, capacity: 3",
  },
  { name: "nodeSelector mismatch", pod: pod({ nodeSelector: { zone: "b" } }), reason: "NodeAffinity", message: "Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector" },
  {
    name: "required node affinity mismatch",
    pod: pod({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "NotIn", values: ["a"] }] }] } } } }),
    reason: "NodeAffinity", message: "Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector",
  },
  { name: "nodeSelector match", pod: pod({ nodeSelector: { zone: "a" } }) },
  {
    name: "host port taken",
    pod: pod({ containers: [{ name: "c", image: "x", ports: [{ containerPort: 80, hostPort: 8080 }] }] }),
    others: [pod({ containers: [{ name: "c", image: "x", ports: [{ containerPort: 8080, hostPort: 8080, protocol: "TCP" }] }] })],
    reason: "NodePorts", message: "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports",
  },
  {
    name: "same host port, other protocol",
    pod: pod({ containers: [{ name: "c", image: "x", ports: [{ containerPort: 53, hostPort: 53, protocol: "UDP" }] }] }),
    others: [pod({ containers: [{ name: "c", image: "x", ports: [{ containerPort: 53, hostPort: 53, protocol: "TCP" }] }] })],
  },
  { name: "untolerated NoExecute taint", pod: pod({ tolerations: [] }), reason: "TaintToleration", message: "Predicate TaintToleration failed: node(s) had taints that the pod didn't tolerate" },
  { name: "static pods are not held to taints", pod: pod({ tolerations: [] }), isStatic: true },
];

test("admission: resources, node selector/affinity, host ports and NoExecute taints, worded as the kubelet", () => {
  for (const k of cases) {
    const res = admitPod(k.pod, node, k.others ?? [], k.isStatic);
    if (!k.reason) {
      assert.equal(res, { admit: true }, k.name);
      continue;
    }
    assert.equal(res, { admit: false, reason: k.reason, message: k.message }, k.name);
  }
});

test("a pod that does not fit is rejected: phase Failed, reason OutOfcpu, an event; the node's other pods go on", async () => {
  const c = await simCluster({ kubelet: { node: { name: "n1", internalIP: "172.18.0.2", capacity: { cpu: "4", memory: "8Gi" } } } });
  await c.pod("big", { containers: [{ name: "c", image: "nginx:1.27", resources: { requests: { cpu: "3500m" } } }] });
  await c.until("big running", async () => c.running(await c.getPod("big")));
  await c.pod("late", { containers: [{ name: "c", image: "nginx:1.27", resources: { requests: { cpu: "2" } } }] });
  const p = await c.until("rejected", async () => (await c.getPod("late")).status?.phase === "Failed" && c.getPod("late"));
  assert.is(p.status!.reason, "OutOfcpu");
  assert.is(p.status!.message, "Pod was rejected: Node didn't have enough resource: cpu, requested: 2000, used: 3500, capacity: 4000");
  const ev = (await c.events("late")).find((e) => e.reason === "OutOfcpu");
  assert.is(ev?.type, "Warning");
  assert.is(ev?.message, "Node didn't have enough resource: cpu, requested: 2000, used: 3500, capacity: 4000");
  assert.not.ok(p.status!.podIP, "a rejected pod never gets a sandbox");
  // Stays rejected, and a pod that fits still starts.
  await c.pod("small", { containers: [{ name: "c", image: "nginx:1.27", resources: { requests: { cpu: "500m" } } }] });
  await c.until("small running", async () => c.running(await c.getPod("small")));
  assert.is((await c.getPod("late")).status!.phase, "Failed");
  await c.pod("elsewhere", { nodeSelector: { disktype: "ssd" }, containers: [{ name: "c", image: "nginx:1.27" }] });
  const q = await c.until("affinity", async () => (await c.getPod("elsewhere")).status?.phase === "Failed" && c.getPod("elsewhere"));
  assert.is(q.status!.reason, "NodeAffinity");
  assert.is(q.status!.message, "Pod was rejected: Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector");
  await c.sys.stopAll();
});

test.run();
