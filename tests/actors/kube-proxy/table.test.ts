import { test } from "uvu";
import * as assert from "uvu/assert";
import { node, service, slice, spread, tableWith } from "./fixtures.ts";

const web = service("web");
const toWeb = { fromNode: "n1", dest: "10.96.1.1", port: 80 };

test("ClusterIP: round-robin spreads calls evenly over the ready endpoints; not-ready ones get nothing", () => {
  const { table } = tableWith([web], [slice("web", ["10.244.2.2@n2", "10.244.2.3@n2", "10.244.3.2@n3", "!10.244.3.3@n3"])]);
  assert.equal(spread(table, 300, toWeb), { "10.244.2.2": 100, "10.244.2.3": 100, "10.244.3.2": 100 });
  const r = table.route(toWeb);
  assert.equal(r, {
    verdict: "ACCEPT",
    backend: { ip: "10.244.2.2", port: 8080, node: "n2", pod: "default/pod-10.244.2.2" },
    service: "default/web",
    portName: "http",
    via: "ClusterIP",
    node: "n1",
    chain: (r as { chain: string }).chain,
    sticky: false,
  });
  assert.match((r as { chain: string }).chain, /^KUBE-SEP-[A-Z2-7]{16}$/);
});

test("no endpoints, or only not-ready ones: REJECT as kube-proxy does", () => {
  const { table } = tableWith([web, service("db", { clusterIP: "10.96.1.2" })], [slice("web", ["!10.244.2.2@n2"])]);
  assert.equal(table.route(toWeb), { verdict: "REJECT", reason: "no endpoints for service default/web:http", service: "default/web", portName: "http", via: "ClusterIP", node: "n1" });
  assert.is(table.route({ fromNode: "n1", dest: "10.96.1.2", port: 80 }).verdict, "REJECT");
});

test("terminating endpoints that still serve are used only when nothing is ready", () => {
  const { table } = tableWith([web], [slice("web", ["~10.244.2.2@n2", "10.244.3.2@n3"])]);
  assert.equal(spread(table, 10, toWeb), { "10.244.3.2": 10 });
  table.setSlice("default/web-abcde", slice("web", ["~10.244.2.2@n2", "!10.244.3.2@n3"]));
  assert.equal(spread(table, 10, toWeb), { "10.244.2.2": 10 });
});

test("not a service: unknown addresses, wrong ports of a cluster IP or of a node", () => {
  const { table } = tableWith([service("web", { type: "NodePort", ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP", nodePort: 30080 }] })], [slice("web", ["10.244.2.2@n2"])]);
  const cases: Array<[string, number, string]> = [
    ["10.244.2.2", 8080, "10.244.2.2:8080/TCP is not a service address; it is routed directly"],
    ["10.96.1.1", 81, "10.96.1.1 is the cluster IP of service default/web, but 81/TCP is not one of its ports"],
    ["172.18.0.3", 30081, "172.18.0.3 is an address of node n2, and no service has node port 30081/TCP"],
  ];
  for (const [dest, port, reason] of cases) assert.equal(table.route({ fromNode: "n1", dest, port }), { verdict: "NOT_A_SERVICE", reason });
  assert.is(table.route({ fromNode: "n1", dest: "10.96.1.1", port: 80, protocol: "UDP" }).verdict, "NOT_A_SERVICE");
});

test("NodePort answers on every node's InternalIP, handled by that node; LoadBalancer ingress IPs route too", () => {
  const lb = service(
    "lb",
    { type: "LoadBalancer", externalTrafficPolicy: "Cluster", ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP", nodePort: 31000 }] },
    { loadBalancer: { ingress: [{ ip: "203.0.113.10", ipMode: "VIP" }, { ip: "203.0.113.11", ipMode: "Proxy" }] } },
  );
  const { table } = tableWith([lb], [slice("lb", ["10.244.2.2@n2", "10.244.3.2@n3"])], { preferLocal: false });
  for (const ip of ["172.18.0.2", "172.18.0.3", "172.18.0.4"]) {
    const r = table.route({ fromNode: "n1", dest: ip, port: 31000 });
    assert.is(r.verdict, "ACCEPT", ip);
    assert.is((r as { via: string }).via, "NodePort");
    assert.is((r as { node: string }).node, table.nodeOf(ip));
  }
  const viaLB = table.route({ fromNode: "n2", dest: "203.0.113.10", port: 80 });
  assert.is((viaLB as { via: string }).via, "LoadBalancer");
  assert.is(table.route({ fromNode: "n2", dest: "203.0.113.11", port: 80 }).verdict, "NOT_A_SERVICE", "Proxy-mode ingress is the load balancer's, not the nodes'");
  // A node that joins later takes node ports at once.
  table.setNode("n4", node("n4", "172.18.0.5"));
  assert.is(table.route({ fromNode: "n1", dest: "172.18.0.5", port: 31000 }).verdict, "ACCEPT");
  table.setNode("n4", undefined);
  assert.is(table.route({ fromNode: "n1", dest: "172.18.0.5", port: 31000 }).verdict, "NOT_A_SERVICE");
});

test("by default a node prefers its own ready endpoints and falls back to all of them", () => {
  const { table } = tableWith([web], [slice("web", ["10.244.1.2@n1", "10.244.1.3@n1", "10.244.2.2@n2"])]);
  assert.equal(spread(table, 10, toWeb), { "10.244.1.2": 5, "10.244.1.3": 5 });
  assert.equal(spread(table, 9, { ...toWeb, fromNode: "n3" }), { "10.244.1.2": 3, "10.244.1.3": 3, "10.244.2.2": 3 });
  table.setSlice("default/web-abcde", slice("web", ["!10.244.1.2@n1", "!10.244.1.3@n1", "10.244.2.2@n2"]));
  assert.equal(spread(table, 4, toWeb), { "10.244.2.2": 4 });
  const off = tableWith([web], [slice("web", ["10.244.1.2@n1", "10.244.2.2@n2"])], { preferLocal: false }).table;
  assert.equal(spread(off, 4, toWeb), { "10.244.1.2": 2, "10.244.2.2": 2 });
});

test("internalTrafficPolicy Local: only this node's endpoints; none here → DROP", () => {
  const { table } = tableWith([service("web", { internalTrafficPolicy: "Local" })], [slice("web", ["10.244.1.2@n1", "10.244.2.2@n2"])]);
  assert.equal(spread(table, 4, toWeb), { "10.244.1.2": 4 });
  assert.equal(table.route({ ...toWeb, fromNode: "n3" }), {
    verdict: "DROP",
    reason: "no local endpoints for service default/web:http on node n3 (internalTrafficPolicy: Local)",
    service: "default/web",
    portName: "http",
    via: "ClusterIP",
    node: "n3",
  });
});

test("externalTrafficPolicy Local: NodePort traffic only to the receiving node's endpoints, dropped where there are none; pods short-circuit", () => {
  const svc = service("web", { type: "NodePort", externalTrafficPolicy: "Local", ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP", nodePort: 30080 }] });
  const { table } = tableWith([svc], [slice("web", ["10.244.2.2@n2", "10.244.2.3@n2", "10.244.3.2@n3"])], { preferLocal: false });
  assert.equal(spread(table, 4, { fromNode: "n1", dest: "172.18.0.3", port: 30080 }), { "10.244.2.2": 2, "10.244.2.3": 2 });
  const dropped = table.route({ fromNode: "n2", dest: "172.18.0.2", port: 30080 });
  assert.equal([dropped.verdict, (dropped as { reason: string }).reason], ["DROP", "no local endpoints for service default/web:http on node n1 (externalTrafficPolicy: Local)"]);
  // A pod on n1 reaching the node port of n1 is sent to any endpoint, as kube-proxy's short-circuit does.
  assert.equal(spread(table, 3, { fromNode: "n1", fromPodIP: "10.244.1.9", dest: "172.18.0.2", port: 30080 }), { "10.244.2.2": 1, "10.244.2.3": 1, "10.244.3.2": 1 });
  // ClusterIP traffic is not subject to the external policy.
  assert.equal(spread(table, 3, toWeb), { "10.244.2.2": 1, "10.244.2.3": 1, "10.244.3.2": 1 });
});

test("sessionAffinity ClientIP: a client sticks to its endpoint until the timeout passes unused", async () => {
  const sticky = service("web", { sessionAffinity: "ClientIP", sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } });
  const { table, clock } = tableWith([sticky], [slice("web", ["10.244.2.2@n2", "10.244.2.3@n2", "10.244.3.2@n3"])]);
  const a = { ...toWeb, fromPodIP: "10.244.1.10" };
  const first = table.route(a);
  assert.is((first as { sticky: boolean }).sticky, false);
  const ip = (first as { backend: { ip: string } }).backend.ip;
  for (let i = 0; i < 20; i++) {
    await clock.advance(30_000);
    const r = table.route(a);
    assert.is((r as { backend: { ip: string } }).backend.ip, ip);
    assert.is((r as { sticky: boolean }).sticky, true);
  }
  // Other clients still spread.
  const others = new Set(Array.from({ length: 6 }, (_, i) => (table.route({ ...toWeb, fromPodIP: `10.244.1.${20 + i}` }) as { backend: { ip: string } }).backend.ip));
  assert.is(others.size, 3);
  // Unused for longer than the timeout: chosen afresh.
  await clock.advance(61_000);
  assert.is((table.route(a) as { sticky: boolean }).sticky, false);
  // The endpoint stops being ready: the client moves.
  const now = (table.route(a) as { backend: { ip: string } }).backend.ip;
  table.setSlice("default/web-abcde", slice("web", ["10.244.2.2@n2", "10.244.2.3@n2", "10.244.3.2@n3"].map((e) => (e.startsWith(now) ? `!${e}` : e))));
  assert.is.not((table.route(a) as { backend: { ip: string } }).backend.ip, now);
  // A deleted service takes its affinities with it: recreated, the client is chosen afresh.
  assert.is((table.route(a) as { sticky: boolean }).sticky, true);
  table.setService("default/web", undefined);
  assert.is(table.route(a).verdict, "NOT_A_SERVICE");
  table.setService("default/web", sticky);
  assert.is((table.route(a) as { sticky: boolean }).sticky, false);
  // The default timeout is Kubernetes' 10800 s.
  const def = tableWith([service("web", { sessionAffinity: "ClientIP" })], [slice("web", ["10.244.2.2@n2"])]).table;
  assert.is(def.entries()[0].affinitySeconds, 10800);
});

test("updates are incremental: a changed EndpointSlice rebuilds only its service", () => {
  const db = service("db", { clusterIP: "10.96.1.2" });
  const { table } = tableWith([web, db], [slice("web", ["10.244.2.2@n2"]), slice("db", ["10.244.3.2@n3"])]);
  table.flush();
  const before = { web: table.rebuilds.get("default/web"), db: table.rebuilds.get("default/db") };
  table.setSlice("default/web-abcde", slice("web", ["10.244.2.2@n2", "10.244.2.9@n2"]));
  assert.equal(table.flush(), ["default/web"]);
  assert.is(table.rebuilds.get("default/web"), before.web! + 1);
  assert.is(table.rebuilds.get("default/db"), before.db);
  assert.equal(spread(table, 2, { fromNode: "n3", dest: "10.96.1.1", port: 80 }), { "10.244.2.2": 1, "10.244.2.9": 1 });
  // A slice relabelled to another service moves with its label.
  const moved = slice("db", ["10.244.2.2@n2"], { name: "web-abcde" });
  table.setSlice("default/web-abcde", moved);
  assert.equal(table.flush().sort(), ["default/db", "default/web"]);
  assert.is(table.route({ fromNode: "n1", dest: "10.96.1.1", port: 80 }).verdict, "REJECT");
  // Deleting the service removes its frontends.
  table.setService("default/web", undefined);
  assert.is(table.route({ fromNode: "n1", dest: "10.96.1.1", port: 80 }).verdict, "NOT_A_SERVICE");
});

test("headless, ExternalName and other proxies' services are not programmed; UDP ports are separate", () => {
  const dns = service("dns", { clusterIP: "10.96.0.10", ports: [{ name: "dns", port: 53, protocol: "UDP", targetPort: 53 }, { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 }] });
  const udp = slice("dns", ["10.244.2.2@n2"], { portName: "dns", port: 53, protocol: "UDP" });
  const tcp = slice("dns", ["10.244.3.3@n3"], { name: "dns-tcp", portName: "dns-tcp", port: 53, protocol: "TCP" });
  const headless = service("h", { clusterIP: "None" });
  const other = { ...service("o", { clusterIP: "10.96.1.9" }), metadata: { name: "o", namespace: "default", labels: { "service.kubernetes.io/service-proxy-name": "other" } } };
  const { table } = tableWith([dns, headless, other], [udp, tcp]);
  assert.equal((table.route({ fromNode: "n1", dest: "10.96.0.10", port: 53, protocol: "UDP" }) as { backend: { ip: string } }).backend.ip, "10.244.2.2");
  assert.equal((table.route({ fromNode: "n1", dest: "10.96.0.10", port: 53 }) as { backend: { ip: string } }).backend.ip, "10.244.3.3");
  assert.equal(table.size().services, 1);
  assert.is(table.route({ fromNode: "n1", dest: "10.96.1.9", port: 80 }).verdict, "NOT_A_SERVICE");
});

test.run();
