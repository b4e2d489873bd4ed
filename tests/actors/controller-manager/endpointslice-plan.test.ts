import { test } from "uvu";
import * as assert from "uvu/assert";
import { CONTROLLER_NAME, MANAGED_BY_LABEL, SERVICE_NAME_LABEL, planSlices, podToEndpoint } from "../../../actors/controller-manager/endpointslice-plan.ts";
import type { Node } from "../../../actors/api/types/core-node.ts";
import type { Pod } from "../../../actors/api/types/core-pod.ts";
import type { Service } from "../../../actors/api/types/core-service.ts";
import type { EndpointSlice } from "../../../actors/api/types/discovery.ts";

const svc = (spec: Partial<Service["spec"]> = {}): Service => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "web", namespace: "default", uid: "svc-uid", labels: { team: "x" } },
  spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP" }], clusterIP: "10.96.1.1", ipFamilies: ["IPv4"], ...spec },
});

let n = 0;
const pod = (ip: string, opts: { ready?: boolean; node?: string; terminating?: boolean; ports?: Record<string, number> } = {}): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: `p-${ip}`, namespace: "default", uid: `uid-${n++}`, labels: { app: "web" }, ...(opts.terminating ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}) },
  spec: { nodeName: opts.node ?? "n1", containers: [{ name: "c", image: "x", ports: Object.entries(opts.ports ?? {}).map(([name, containerPort]) => ({ name, containerPort, protocol: "TCP" as const })) }] },
  status: { phase: "Running", podIP: ip, podIPs: [{ ip }], conditions: [{ type: "Ready", status: opts.ready === false ? "False" : "True" }] },
});

const nodes: Record<string, Node> = {
  n1: { apiVersion: "v1", kind: "Node", metadata: { name: "n1", labels: { "topology.kubernetes.io/zone": "zone-a" } } } as Node,
  n2: { apiVersion: "v1", kind: "Node", metadata: { name: "n2" } } as Node,
};
const nodeOf = (name: string) => nodes[name];

/** What the API would store for a created slice: a name and a version. */
let seq = 0;
const stored = (s: EndpointSlice): EndpointSlice => ({ ...s, metadata: { ...s.metadata, name: `web-${seq++}`, resourceVersion: String(seq) } });

test("conditions: ready, serving and terminating as Kubernetes' podToEndpoint sets them", () => {
  const table: Array<[string, Pod, Partial<Service["spec"]>, { ready: boolean; serving: boolean; terminating: boolean }]> = [
    ["ready", pod("10.0.0.1"), {}, { ready: true, serving: true, terminating: false }],
    ["not ready", pod("10.0.0.2", { ready: false }), {}, { ready: false, serving: false, terminating: false }],
    ["terminating, still ready", pod("10.0.0.3", { terminating: true }), {}, { ready: false, serving: true, terminating: true }],
    ["terminating, not ready", pod("10.0.0.4", { terminating: true, ready: false }), {}, { ready: false, serving: false, terminating: true }],
    ["not ready, published", pod("10.0.0.5", { ready: false }), { publishNotReadyAddresses: true }, { ready: true, serving: false, terminating: false }],
  ];
  for (const [name, p, spec, want] of table) assert.equal(podToEndpoint(p, nodes.n1, svc(spec)).conditions, want, name);
  const ep = podToEndpoint(pod("10.0.0.9", { node: "n1" }), nodes.n1, svc());
  assert.is(ep.zone, "zone-a");
  assert.is(ep.nodeName, "n1");
  assert.equal(ep.addresses, ["10.0.0.9"]);
  assert.is(podToEndpoint(pod("10.0.0.9", { node: "n2" }), nodes.n2, svc()).zone, undefined);
});

test("a new service gets one slice with labels, owner and ports; no pods gives an empty placeholder", () => {
  const plan = planSlices(svc(), [pod("10.0.0.2"), pod("10.0.0.1", { ready: false })], nodeOf, []);
  assert.is(plan.create.length, 1);
  const s = plan.create[0];
  assert.equal(s.metadata.labels, { team: "x", [SERVICE_NAME_LABEL]: "web", [MANAGED_BY_LABEL]: CONTROLLER_NAME });
  assert.is(s.metadata.generateName, "web-");
  assert.equal(s.metadata.ownerReferences, [{ apiVersion: "v1", kind: "Service", name: "web", uid: "svc-uid", controller: true, blockOwnerDeletion: true }]);
  assert.equal(s.ports, [{ name: "http", port: 8080, protocol: "TCP" }]);
  assert.equal(s.endpoints.map((e) => e.addresses[0]), ["10.0.0.1", "10.0.0.2"]);
  const empty = planSlices(svc(), [], nodeOf, []);
  assert.is(empty.create.length, 1);
  assert.equal(empty.create[0].endpoints, []);
  assert.equal(empty.create[0].ports, []);
  // The placeholder is kept, not rewritten, while there is still nothing to list.
  const again = planSlices(svc(), [], nodeOf, [stored(empty.create[0])]);
  assert.equal([again.create.length, again.update.length, again.delete.length], [0, 0, 0]);
  // Headless services are labelled so.
  assert.is(planSlices(svc({ clusterIP: "None" }), [], nodeOf, []).create[0].metadata.labels!["service.kubernetes.io/headless"], "");
});

test("at most 100 endpoints a slice; a change touches only the slice holding the endpoint", () => {
  const pods = Array.from({ length: 250 }, (_, i) => pod(`10.1.${Math.floor(i / 200)}.${(i % 200) + 1}`));
  const first = planSlices(svc(), pods, nodeOf, []);
  assert.equal(first.create.map((s) => s.endpoints.length), [100, 100, 50]);
  const existing = first.create.map(stored);
  assert.equal([...planSlices(svc(), pods, nodeOf, existing).update, ...planSlices(svc(), pods, nodeOf, existing).create], []);
  // One pod goes not-ready: one slice is updated, in place.
  const changed = pods.map((p, i) => (i === 150 ? pod(p.status!.podIP!, { ready: false }) : p));
  changed[150].metadata.uid = pods[150].metadata.uid;
  const plan = planSlices(svc(), changed, nodeOf, existing);
  assert.equal([plan.create.length, plan.update.length, plan.delete.length], [0, 1, 0]);
  assert.is(plan.update[0].metadata.name, existing[1].metadata.name);
  assert.is(plan.update[0].endpoints.find((e) => e.addresses[0] === pods[150].status!.podIP)!.conditions!.ready, false);
  // New pods fill the slice with room before any new slice is made.
  const more = [...pods, pod("10.2.0.1"), pod("10.2.0.2")];
  const grow = planSlices(svc(), more, nodeOf, existing);
  assert.equal([grow.create.length, grow.update.length], [0, 1]);
  assert.is(grow.update[0].endpoints.length, 52);
  // Everything gone: slices go, one becomes the empty placeholder by update.
  const none = planSlices(svc(), [], nodeOf, existing);
  assert.equal([none.create.length, none.update.length, none.delete.length], [0, 1, 2]);
  assert.equal(none.update[0].endpoints, []);
});

test("pods resolving a named port differently go to slices of their own port set", () => {
  const s = svc({ ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }] });
  const plan = planSlices(s, [pod("10.0.0.1", { ports: { http: 8080 } }), pod("10.0.0.2", { ports: { http: 9090 } }), pod("10.0.0.3", { ports: { http: 8080 } })], nodeOf, []);
  const byPort = Object.fromEntries(plan.create.map((x) => [x.ports![0].port, x.endpoints.map((e) => e.addresses[0])]));
  assert.equal(byPort, { 8080: ["10.0.0.1", "10.0.0.3"], 9090: ["10.0.0.2"] });
});

test("slices of another service with the same name are replaced; pods on unknown nodes wait", () => {
  const old = stored({ ...planSlices(svc(), [pod("10.0.0.1")], nodeOf, []).create[0] });
  old.metadata.ownerReferences = [{ apiVersion: "v1", kind: "Service", name: "web", uid: "old-uid", controller: true }];
  const plan = planSlices(svc(), [pod("10.0.0.1")], nodeOf, [old]);
  assert.equal([plan.create.length, plan.delete.length], [1, 1]);
  const waiting = planSlices(svc(), [pod("10.0.0.1", { node: "n9" })], nodeOf, []);
  assert.equal(waiting.missingNodes, ["n9"]);
  assert.equal(waiting.create[0].endpoints, []);
});

test.run();
