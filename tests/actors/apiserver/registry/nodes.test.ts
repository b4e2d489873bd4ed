import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Node } from "../../../../actors/api/types/index.ts";
import { nodeResource } from "../../../../actors/apiserver/registry/nodes.ts";
import { created, createErrors, texts, updateErrors, variant } from "./helpers.ts";

const def = nodeResource;
const base: Node = {
  apiVersion: "v1",
  kind: "Node",
  metadata: { name: "node-1", labels: { "kubernetes.io/hostname": "node-1" } },
  spec: { podCIDR: "10.244.1.0/24" },
  status: {
    capacity: { cpu: "4", memory: "8Gi", pods: "110" },
    conditions: [{ type: "Ready", status: "True", reason: "KubeletReady" }],
    addresses: [{ type: "InternalIP", address: "192.168.0.11" }, { type: "Hostname", address: "node-1" }],
  },
};

test("create keeps the kubelet's status; allocatable defaults to capacity; podCIDRs follows podCIDR", () => {
  const n = created(def, base);
  assert.equal(n.status?.allocatable, { cpu: "4", memory: "8Gi", pods: "110" });
  assert.equal(n.status?.conditions, base.status?.conditions);
  assert.equal(n.status?.addresses, base.status?.addresses);
  assert.equal(n.spec?.podCIDRs, ["10.244.1.0/24"]);
  const explicit = created(def, variant(base, (x) => (x.status!.allocatable = { cpu: "3800m", memory: "7Gi", pods: "110" })));
  assert.equal(explicit.status?.allocatable, { cpu: "3800m", memory: "7Gi", pods: "110" });
});

const invalidCases: Array<{ name: string; edit: (n: Node) => void; want: string[] }> = [
  {
    name: "bad pod CIDR",
    edit: (n) => (n.spec = { podCIDRs: ["10.244.1.0/40"] }),
    want: ['spec.podCIDRs[0]: Invalid value: "10.244.1.0/40": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'],
  },
  {
    name: "two IPv4 pod CIDRs",
    edit: (n) => (n.spec = { podCIDRs: ["10.244.1.0/24", "10.245.1.0/24"] }),
    want: ['spec.podCIDRs: Invalid value: []string{"10.244.1.0/24", "10.245.1.0/24"}: may specify no more than one CIDR for each IP family'],
  },
  { name: "taint without effect", edit: (n) => (n.spec = { taints: [{ key: "dedicated", value: "gpu" } as never] }), want: ["spec.taints[0].effect: Required value"] },
  {
    name: "duplicate taint",
    edit: (n) => (n.spec = { taints: [{ key: "k", effect: "NoSchedule" }, { key: "k", value: "v", effect: "NoSchedule" }] }),
    want: ['spec.taints[1]: Duplicate value: core.Taint{Key:"k", Value:"v", Effect:"NoSchedule", TimeAdded:<nil>}: taints must be unique by key and effect pair'],
  },
  {
    name: "bad taint effect",
    edit: (n) => (n.spec = { taints: [{ key: "k", effect: "Evict" as "NoExecute" }] }),
    want: ['spec.taints[0].effect: Unsupported value: "Evict": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"'],
  },
  { name: "negative capacity", edit: (n) => (n.status!.capacity = { cpu: "-1" }), want: ['status.capacity.cpu: Invalid value: "-1": must be greater than or equal to 0', 'status.allocatable.cpu: Invalid value: "-1": must be greater than or equal to 0'] },
];

test("validate", () => {
  assert.equal(createErrors(def, base), []);
  assert.equal(createErrors(def, variant(base, (n) => (n.spec = { podCIDRs: ["10.244.1.0/24", "fd00:1::/64"], taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] }))), []);
  for (const c of invalidCases) assert.equal(createErrors(def, variant(base, c.edit)), c.want, c.name);
});

test("update: podCIDRs and providerID only from unset; status kept; a heartbeat validates", () => {
  const bare = created(def, variant(base, (n) => (n.spec = {})));
  assert.equal(updateErrors(def, variant(bare, (n) => (n.spec = { podCIDR: "10.244.2.0/24", providerID: "sim://node-1" })), bare), []);
  const old = created(def, variant(base, (n) => (n.spec!.providerID = "sim://node-1")));
  assert.equal(updateErrors(def, variant(old, (n) => (n.spec = { ...n.spec, unschedulable: true })), old), []);
  assert.equal(updateErrors(def, variant(old, (n) => (n.spec = { ...n.spec, podCIDR: "10.244.9.0/24", podCIDRs: ["10.244.9.0/24"] })), old), [
    'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid',
  ]);
  assert.equal(updateErrors(def, variant(old, (n) => (n.spec!.providerID = "sim://other")), old), [
    'spec.providerID: Forbidden: node updates may not change providerID except from "" to valid',
  ]);
  const next = variant(old, (n) => (n.status = {}));
  def.prepareForUpdate(next, old);
  assert.equal(next.status, old.status);
  const heartbeat = variant(old, (n) => {
    n.status!.conditions = [{ type: "Ready", status: "False" }];
  });
  assert.equal(texts(def.validateStatusUpdate(heartbeat, old)), []);
});

test("field selector spec.unschedulable", () => {
  assert.is(def.fieldSelectors["spec.unschedulable"](base), "false");
  assert.is(def.fieldSelectors["spec.unschedulable"](variant(base, (n) => (n.spec!.unschedulable = true))), "true");
  assert.is(def.namespaced, false);
});

test.run();
