import { test } from "uvu";
import * as assert from "uvu/assert";
import { endpointChain, portProtoHash, probability, serviceChains } from "../../../actors/kube-proxy/chains.ts";
import { renderTable } from "../../../actors/kube-proxy/render.ts";
import { service, slice, tableWith } from "./fixtures.ts";

test("chain names are Kubernetes' own: base32(sha256(port name + protocol))[:16]", () => {
  // The names every cluster shows for these service ports.
  assert.is(portProtoHash("default/kubernetes:https", "TCP"), "NPX46M4PTMTKRN6Y");
  assert.is(portProtoHash("kube-system/kube-dns:dns", "UDP"), "TCOU7JCQXEZGVUNU");
  assert.is(portProtoHash("kube-system/kube-dns:dns-tcp", "TCP"), "ERIFXISQEP7F7OF4");
  assert.is(serviceChains("kube-system/kube-dns:dns", "UDP").svc, "KUBE-SVC-TCOU7JCQXEZGVUNU");
  // kube-proxy's own test fixture names.
  assert.is(endpointChain("ns1/svc1:p80", "TCP", "10.180.0.1:80"), "KUBE-SEP-SXIVWICOYRO3J4NJ");
  assert.equal([3, 2].map(probability), ["0.3333333333", "0.5000000000"]);
});

test("iptables-save: cluster IP → KUBE-SVC → KUBE-SEP chains with probabilities and DNAT", () => {
  const { table } = tableWith([service("web")], [slice("web", ["10.244.2.2@n2", "10.244.2.3@n2", "10.244.3.2@n3"])]);
  const t = renderTable(table.entries(), { preferLocal: true, clusterCIDR: "10.244.0.0/16" });
  const svc = serviceChains("default/web:http", "TCP").svc;
  const sep = (ep: string) => endpointChain("default/web:http", "TCP", ep);
  const lines = t.iptablesSave.split("\n");
  const expected = [
    `-A KUBE-SERVICES -m comment --comment "default/web:http cluster IP" -m tcp -p tcp -d 10.96.1.1/32 --dport 80 -j ${svc}`,
    `-A ${svc} -m comment --comment "default/web:http cluster IP" -m tcp -p tcp -d 10.96.1.1/32 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ`,
    `-A ${svc} -m comment --comment "default/web:http -> 10.244.2.2:8080" -m statistic --mode random --probability 0.3333333333 -j ${sep("10.244.2.2:8080")}`,
    `-A ${svc} -m comment --comment "default/web:http -> 10.244.2.3:8080" -m statistic --mode random --probability 0.5000000000 -j ${sep("10.244.2.3:8080")}`,
    `-A ${svc} -m comment --comment "default/web:http -> 10.244.3.2:8080" -j ${sep("10.244.3.2:8080")}`,
    `-A ${sep("10.244.2.2:8080")} -m comment --comment default/web:http -s 10.244.2.2/32 -j KUBE-MARK-MASQ`,
    `-A ${sep("10.244.2.2:8080")} -m comment --comment default/web:http -m tcp -p tcp -j DNAT --to-destination 10.244.2.2:8080`,
  ];
  for (const l of expected) assert.ok(lines.includes(l), `missing: ${l}\n---\n${t.iptablesSave}`);
  assert.ok(lines.includes(`:${svc} - [0:0]`));
  assert.is(lines.filter((l) => l === "COMMIT").length, 2);
  assert.is(t.node, null);
  const view = t.services[0];
  assert.is(view.internal, svc);
  assert.equal(view.policyChains[svc].map((r) => r.probability), ["0.3333333333", "0.5000000000", null]);
});

test("iptables-save per node: no endpoints → filter REJECT; Local policy without local endpoints → DROP; local preference → KUBE-SVL", () => {
  const none = tableWith([service("web")], []).table;
  assert.match(renderTable(none.entries(), { preferLocal: true }).iptablesSave, /-A KUBE-SERVICES -m comment --comment "default\/web:http has no endpoints" -m tcp -p tcp -d 10\.96\.1\.1\/32 --dport 80 -j REJECT/);
  const local = tableWith([service("web", { internalTrafficPolicy: "Local" })], [slice("web", ["10.244.2.2@n2"])]).table;
  const n1 = renderTable(local.entries(), { node: "n1", preferLocal: true });
  assert.is(n1.services[0].internal, "DROP");
  assert.match(n1.iptablesSave, /"default\/web:http has no local endpoints" .* -j DROP/);
  const n2 = renderTable(local.entries(), { node: "n2", preferLocal: true });
  const svl = serviceChains("default/web:http", "TCP").svl;
  assert.is(n2.services[0].internal, svl);
  assert.equal(n2.services[0].endpoints.map((e) => e.local), [true]);
  const mixed = tableWith([service("web")], [slice("web", ["10.244.1.2@n1", "10.244.2.2@n2"])]).table;
  const pref = renderTable(mixed.entries(), { node: "n1", preferLocal: true });
  assert.is(pref.services[0].internal, svl);
  assert.equal(pref.services[0].policyChains[svl].map((r) => r.endpoint), ["10.244.1.2:8080"]);
  assert.is(renderTable(mixed.entries(), { node: "n1", preferLocal: false }).services[0].internal, serviceChains("default/web:http", "TCP").svc);
});

test("iptables-save: session affinity, NodePort and load-balancer rules", () => {
  const svc = service(
    "web",
    { type: "LoadBalancer", externalTrafficPolicy: "Cluster", sessionAffinity: "ClientIP", sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } }, ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP", nodePort: 30080 }] },
    { loadBalancer: { ingress: [{ ip: "203.0.113.10" }] } },
  );
  const { table } = tableWith([svc], [slice("web", ["10.244.2.2@n2"])]);
  const text = renderTable(table.entries(), { preferLocal: false }).iptablesSave;
  const c = serviceChains("default/web:http", "TCP");
  const sep = endpointChain("default/web:http", "TCP", "10.244.2.2:8080");
  for (const l of [
    `-A ${c.svc} -m comment --comment "default/web:http -> 10.244.2.2:8080" -m recent --name ${sep} --rcheck --seconds 10800 --reap -j ${sep}`,
    `-A ${sep} -m comment --comment default/web:http -m recent --name ${sep} --set -m tcp -p tcp -j DNAT --to-destination 10.244.2.2:8080`,
    `-A KUBE-NODEPORTS -m comment --comment default/web:http -m tcp -p tcp --dport 30080 -j ${c.ext}`,
    `-A KUBE-SERVICES -m comment --comment "default/web:http loadbalancer IP" -m tcp -p tcp -d 203.0.113.10/32 --dport 80 -j ${c.ext}`,
    `-A ${c.ext} -m comment --comment "masquerade traffic for default/web:http external destinations" -j KUBE-MARK-MASQ`,
    `-A ${c.ext} -j ${c.svc}`,
  ]) assert.ok(text.split("\n").includes(l), `missing: ${l}\n---\n${text}`);
});

test.run();
