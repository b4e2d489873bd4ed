import { test } from "uvu";
import * as assert from "uvu/assert";
import { ClusterIndex } from "../../../actors/dns/cluster-index.ts";
import { answerQuery, checkQuery } from "../../../actors/dns/query.ts";
import { candidates, podResolverConfig } from "../../../actors/dns/search.ts";
import type { Service } from "../../../actors/api/types/core-service.ts";
import type { EndpointSlice } from "../../../actors/api/types/discovery.ts";
import type { Pod } from "../../../actors/api/types/core-pod.ts";
import type { DnsReply, QType } from "../../../actors/dns/types.ts";

const svc = (ns: string, name: string, spec: Service["spec"]): Service => ({ apiVersion: "v1", kind: "Service", metadata: { name, namespace: ns }, spec });
const slice = (ns: string, svcName: string, name: string, endpoints: EndpointSlice["endpoints"], ports: EndpointSlice["ports"]): EndpointSlice => ({
  apiVersion: "discovery.k8s.io/v1",
  kind: "EndpointSlice",
  metadata: { name, namespace: ns, labels: { "kubernetes.io/service-name": svcName } },
  addressType: "IPv4",
  endpoints,
  ports,
});
const pod = (ns: string, name: string, ip: string, spec: Partial<Pod["spec"]> = {}): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: ns },
  spec: { containers: [{ name: "c", image: "x" }], ...spec },
  status: { phase: "Running", podIP: ip, podIPs: [{ ip }] },
});

function cluster(): ClusterIndex {
  const ix = new ClusterIndex();
  for (const n of ["default", "prod", "kube-system"]) ix.upsertNamespace({ apiVersion: "v1", kind: "Namespace", metadata: { name: n } });
  ix.upsertService(svc("default", "web", { clusterIP: "10.96.0.20", clusterIPs: ["10.96.0.20"], ports: [{ name: "http", port: 80, protocol: "TCP" }, { name: "dns", port: 53, protocol: "UDP" }] }));
  ix.upsertService(svc("prod", "web", { clusterIP: "10.96.0.30", ports: [{ name: "http", port: 8080, protocol: "TCP" }] }));
  ix.upsertService(svc("default", "db", { clusterIP: "None", ports: [{ name: "pg", port: 5432, protocol: "TCP" }] }));
  ix.upsertSlice(
    slice("default", "db", "db-abc", [
      { addresses: ["10.244.1.5"], hostname: "db-0", conditions: { ready: true } },
      { addresses: ["10.244.2.6"], conditions: {} },
      { addresses: ["10.244.3.7"], hostname: "db-2", conditions: { ready: false } },
    ], [{ name: "pg", port: 5432, protocol: "TCP" }]),
  );
  ix.upsertService(svc("default", "empty", { clusterIP: "None", ports: [{ name: "x", port: 1 }] }));
  ix.upsertService(svc("default", "search", { type: "ExternalName", externalName: "www.example.com" }));
  ix.upsertService(svc("default", "alias", { type: "ExternalName", externalName: "web.prod.svc.cluster.local" }));
  ix.upsertPod(pod("default", "client", "10.244.1.9"));
  ix.upsertPod(pod("prod", "worker", "10.244.2.10", { dnsConfig: { searches: ["corp.example"], options: [{ name: "ndots", value: "2" }] } }));
  return ix;
}

const q = (ix: ClusterIndex, name: string, qtype?: QType, extra: { pod?: string; namespace?: string } = {}): DnsReply => answerQuery(ix, { name, qtype, ...extra });
const data = (r: DnsReply) => r.answers.map((a) => `${a.type} ${a.data}`);

test("A: a ClusterIP service answers its cluster IP, TTL 5", () => {
  const r = q(cluster(), "web.default.svc.cluster.local");
  assert.is(r.rcode, "NOERROR");
  assert.equal(r.answers, [{ name: "web.default.svc.cluster.local", type: "A", ttl: 5, data: "10.96.0.20" }]);
  assert.equal(r.question, { name: "web.default.svc.cluster.local", type: "A" });
  assert.equal(data(q(cluster(), "WEB.prod.svc.cluster.local.")), ["A 10.96.0.30"], "case-insensitive, trailing dot allowed");
});

test("A: a headless service answers its ready endpoints only; hostname and dashed-IP endpoint names resolve", () => {
  const ix = cluster();
  assert.equal(data(q(ix, "db.default.svc.cluster.local")).sort(), ["A 10.244.1.5", "A 10.244.2.6"]);
  assert.equal(data(q(ix, "db-0.db.default.svc.cluster.local")), ["A 10.244.1.5"]);
  assert.equal(data(q(ix, "10-244-2-6.db.default.svc.cluster.local")), ["A 10.244.2.6"]);
  assert.is(q(ix, "db-2.db.default.svc.cluster.local").rcode, "NXDOMAIN", "a not-ready endpoint has no record");
  assert.is(q(ix, "empty.default.svc.cluster.local").rcode, "NXDOMAIN", "headless with no ready endpoints is NXDOMAIN");
  // Endpoints follow their slices.
  ix.upsertSlice(slice("default", "db", "db-abc", [{ addresses: ["10.244.3.7"], hostname: "db-2", conditions: { ready: true } }], [{ name: "pg", port: 5432, protocol: "TCP" }]));
  assert.equal(data(q(ix, "db.default.svc.cluster.local")), ["A 10.244.3.7"]);
});

test("SRV: service ports by name and protocol; headless targets each endpoint with split weights", () => {
  const ix = cluster();
  const http = q(ix, "_http._tcp.web.default.svc.cluster.local", "SRV");
  assert.equal(data(http), ["SRV 0 100 80 web.default.svc.cluster.local"]);
  assert.equal(http.additional, [{ name: "web.default.svc.cluster.local", type: "A", ttl: 5, data: "10.96.0.20" }]);
  assert.equal(data(q(ix, "_dns._udp.web.default.svc.cluster.local", "SRV")), ["SRV 0 100 53 web.default.svc.cluster.local"]);
  assert.is(q(ix, "_dns._tcp.web.default.svc.cluster.local", "SRV").rcode, "NXDOMAIN", "port name with the wrong protocol");
  assert.equal(data(q(ix, "web.default.svc.cluster.local", "SRV")).sort(), ["SRV 0 50 53 web.default.svc.cluster.local", "SRV 0 50 80 web.default.svc.cluster.local"]);
  const pg = q(ix, "_pg._tcp.db.default.svc.cluster.local", "SRV");
  assert.equal(data(pg).sort(), ["SRV 0 50 5432 10-244-2-6.db.default.svc.cluster.local", "SRV 0 50 5432 db-0.db.default.svc.cluster.local"]);
  assert.equal(pg.additional!.map((a) => `${a.name} ${a.data}`).sort(), ["10-244-2-6.db.default.svc.cluster.local 10.244.2.6", "db-0.db.default.svc.cluster.local 10.244.1.5"]);
});

test("PTR: service IPs, endpoint IPs and pod IPs point back to their names", () => {
  const ix = cluster();
  assert.equal(data(q(ix, "20.0.96.10.in-addr.arpa", "PTR")), ["PTR web.default.svc.cluster.local"]);
  assert.equal(data(q(ix, "10.96.0.30", "PTR")), ["PTR web.prod.svc.cluster.local"], "a bare IP means its reverse name");
  assert.equal(data(q(ix, "5.1.244.10.in-addr.arpa", "PTR")), ["PTR db-0.db.default.svc.cluster.local"]);
  assert.equal(data(q(ix, "10.244.1.9", "PTR")), ["PTR 10-244-1-9.default.pod.cluster.local"]);
  assert.is(q(ix, "10.1.2.3", "PTR").rcode, "NXDOMAIN");
  ix.deleteService(svc("default", "web", {}));
  assert.is(q(ix, "10.96.0.20", "PTR").rcode, "NXDOMAIN", "a deleted service's IP no longer resolves");
});

test("pod records, ExternalName CNAMEs, AAAA for IPv4-only services, NODATA and NXDOMAIN", () => {
  const ix = cluster();
  assert.equal(data(q(ix, "10-244-2-10.prod.pod.cluster.local")), ["A 10.244.2.10"]);
  assert.is(q(ix, "10-244-2-999.prod.pod.cluster.local").rcode, "NXDOMAIN");
  const verified = answerQuery(ix, { name: "10-244-2-10.default.pod.cluster.local" }, { pods: "verified" });
  assert.is(verified.rcode, "NXDOMAIN", "verified mode: no such pod IP in that namespace");
  assert.equal(data(q(ix, "search.default.svc.cluster.local")), ["CNAME www.example.com"]);
  assert.equal(data(q(ix, "search.default.svc.cluster.local", "CNAME")), ["CNAME www.example.com"]);
  assert.equal(data(q(ix, "alias.default.svc.cluster.local")), ["CNAME web.prod.svc.cluster.local", "A 10.96.0.30"], "in-cluster targets are chased");
  const aaaa = q(ix, "web.default.svc.cluster.local", "AAAA");
  assert.is(aaaa.rcode, "NOERROR");
  assert.equal(aaaa.answers, []);
  assert.equal(q(ix, "web.default.svc.cluster.local", "CNAME"), { rcode: "NOERROR", question: { name: "web.default.svc.cluster.local", type: "CNAME" }, answers: [] });
  assert.is(q(ix, "default.svc.cluster.local").rcode, "NOERROR", "a namespace exists without records");
  assert.is(q(ix, "nope.svc.cluster.local").rcode, "NXDOMAIN");
  assert.is(q(ix, "missing.default.svc.cluster.local").rcode, "NXDOMAIN");
  assert.is(q(ix, "a.b.c.web.default.svc.cluster.local").rcode, "NXDOMAIN", "too many labels");
  assert.is(q(ix, "www.example.com").rcode, "NXDOMAIN", "no upstream outside the cluster zone");
});

test("search path: a pod's namespace first, ndots:5, then other namespaces and absolute names", () => {
  const ix = cluster();
  const short = q(ix, "web", "A", { pod: "default/client" });
  assert.equal(data(short), ["A 10.96.0.20"]);
  assert.equal(short.tried, ["web.default.svc.cluster.local"]);
  assert.equal(short.answers[0].name, "web.default.svc.cluster.local");
  const other = q(ix, "web.prod", "A", { pod: "default/client" });
  assert.equal(data(other), ["A 10.96.0.30"]);
  assert.equal(other.tried, ["web.prod.default.svc.cluster.local", "web.prod.svc.cluster.local"]);
  const svcForm = q(ix, "web.prod.svc", "A", { namespace: "default" });
  assert.equal(svcForm.tried, ["web.prod.svc.default.svc.cluster.local", "web.prod.svc.svc.cluster.local", "web.prod.svc.cluster.local"]);
  const missing = q(ix, "nothing", "A", { pod: "default/client" });
  assert.is(missing.rcode, "NXDOMAIN");
  assert.equal(missing.tried, ["nothing.default.svc.cluster.local", "nothing.svc.cluster.local", "nothing.cluster.local", "nothing"]);
  const absolute = q(ix, "web.default.svc.cluster.local.", "A", { pod: "default/client" });
  assert.equal(absolute.tried, ["web.default.svc.cluster.local"]);
  // Five dots or more: the name as given comes first.
  assert.equal(candidates("a.b.c.d.e.f", { search: ["x"], ndots: 5 }), ["a.b.c.d.e.f", "a.b.c.d.e.f.x"]);
  // The pod's own dnsConfig: extra search domains and ndots:2.
  assert.equal(podResolverConfig(ix.pod("prod", "worker")!), { search: ["prod.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example"], ndots: 2 });
  const twoDots = q(ix, "web.prod.svc", "A", { pod: "prod/worker" });
  assert.equal(twoDots.tried![0], "web.prod.svc", "with ndots:2 a two-dot name is tried as given first");
  assert.equal(podResolverConfig(pod("default", "h", "1.2.3.4", { hostNetwork: true })), { search: [], ndots: 1 }, "hostNetwork ClusterFirst uses the node's resolver");
  assert.equal(podResolverConfig(pod("default", "h", "1.2.3.4", { hostNetwork: true, dnsPolicy: "ClusterFirstWithHostNet" })).search[0], "default.svc.cluster.local");
  // An unknown pod still resolves as a ClusterFirst pod of its namespace.
  assert.equal(q(ix, "web", "A", { pod: "prod/not-yet-seen" }).answers[0].data, "10.96.0.30");
});

test("malformed queries are refused with a reason", () => {
  const cases: Array<[Record<string, unknown>, RegExp | undefined]> = [
    [{ name: "web" }, undefined],
    [{ name: "" }, /name: expected a non-empty string/],
    [{ name: 42 }, /name/],
    [{ name: "bad name" }, /not a valid DNS name/],
    [{ name: "a..b" }, /not a valid DNS name/],
    [{ name: `${"x".repeat(64)}.local` }, /not a valid DNS name/],
    [{ name: "web", qtype: "MX" }, /qtype: expected one of A, AAAA, SRV, PTR, CNAME/],
    [{ name: "web", pod: "client" }, /pod: expected "namespace\/name"/],
    [{ name: "web", namespace: "" }, /namespace/],
  ];
  for (const [msg, want] of cases) {
    const err = checkQuery(msg);
    if (want) assert.match(err ?? "", want, JSON.stringify(msg));
    else assert.is(err, undefined);
  }
});

test.run();
