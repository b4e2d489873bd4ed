import { test } from "uvu";
import * as assert from "uvu/assert";
import dgram from "node:dgram";
import { Buffer } from "node:buffer";
import dnsPacket from "dns-packet";
import { ActorSystem } from "../../../runtime/system.ts";
import type { ActorFactory } from "../../../runtime/actor.ts";
import { errorCode } from "../../../runtime/errors.ts";
import { apiserverActor } from "../../../actors/apiserver/actor.ts";
import { dnsActor } from "../../../actors/dns/actor.ts";
import type { Service } from "../../../actors/api/types/core-service.ts";
import type { DnsReply } from "../../../actors/dns/types.ts";
import { untilValue } from "../../poll.ts";

const untyped = <C>(f: unknown) => f as ActorFactory<C>;

const until = <T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> => untilValue(what, fn, ok, ms, 20);

// dns-packet decodes rcode and each record's ttl; its type definitions leave them out.
type Decoded = Omit<dnsPacket.DecodedPacket, "answers" | "additionals"> & { rcode: string; answers?: Rec[]; additionals?: Rec[] };
type Rec = { type: string; name: string; ttl?: number; data: unknown };

function udpQuery(port: number, name: string, type: "A" | "AAAA" | "SRV" | "PTR" | "MX", raw?: Buffer): Promise<Decoded> {
  const sock = dgram.createSocket("udp4");
  const packet = raw ?? dnsPacket.encode({ type: "query", id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name, class: "IN" }] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (sock.close(), reject(new Error(`no UDP answer for ${name}`))), 2000);
    sock.on("message", (buf) => {
      clearTimeout(timer);
      sock.close();
      resolve(dnsPacket.decode(buf) as Decoded);
    });
    sock.send(packet, port, "127.0.0.1");
  });
}

test("the DNS actor creates kube-dns, follows the API, and serves dns.query and real UDP DNS", async () => {
  const sys = new ActorSystem({ id: 0, name: "t" });
  await sys.spawn("apiserver", untyped(apiserverActor), {});
  await sys.spawn("dns", untyped(dnsActor), { udpPort: 0 });
  const api = (m: Record<string, unknown>) => sys.ask<Service>("apiserver", m as { type: string });
  try {
    const kubeDns = await until("kube-dns installed", () => api({ type: "api.get", resource: "services", namespace: "kube-system", name: "kube-dns" }).catch(() => undefined), (s) => s !== undefined).then((s) => s!);
    assert.is(kubeDns.spec.clusterIP, "10.96.0.10");
    assert.equal(kubeDns.metadata.labels?.["k8s-app"], "kube-dns");
    assert.equal(kubeDns.spec.ports!.map((p) => `${p.name}:${p.port}/${p.protocol}`), ["dns:53/UDP", "dns-tcp:53/TCP", "metrics:9153/TCP"]);

    await api({ type: "api.create", resource: "services", namespace: "default", object: { metadata: { name: "web" }, spec: { clusterIP: "10.96.0.50", ports: [{ name: "http", port: 80 }] } } });
    await api({ type: "api.create", resource: "services", namespace: "default", object: { metadata: { name: "db" }, spec: { clusterIP: "None", ports: [{ name: "pg", port: 5432 }] } } });
    await api({
      type: "api.create",
      resource: "endpointslices",
      group: "discovery.k8s.io",
      namespace: "default",
      object: {
        metadata: { name: "db-1", labels: { "kubernetes.io/service-name": "db" } },
        addressType: "IPv4",
        endpoints: [{ addresses: ["10.244.1.7"], hostname: "db-0", conditions: { ready: true } }],
        ports: [{ name: "pg", port: 5432, protocol: "TCP" }],
      },
    });
    const query = (m: Record<string, unknown>) => sys.ask<DnsReply>("dns", { type: "dns.query", ...m });
    const web = await until("web resolves", () => query({ name: "web", pod: "default/any" }), (r) => r.answers.length > 0);
    assert.equal(web.answers.map((a) => a.data), ["10.96.0.50"]);
    assert.equal((await query({ name: "kube-dns.kube-system.svc.cluster.local" })).answers.map((a) => a.data), ["10.96.0.10"]);
    const db = await until("db endpoint", () => query({ name: "db-0.db.default.svc.cluster.local" }), (r) => r.answers.length > 0);
    assert.equal(db.answers.map((a) => a.data), ["10.244.1.7"]);

    // A deleted service stops resolving.
    await api({ type: "api.delete", resource: "services", namespace: "default", name: "web" });
    await until("web is gone", () => query({ name: "web.default.svc.cluster.local" }), (r) => r.rcode === "NXDOMAIN");

    // Bad questions are typed errors; the actor keeps answering.
    const bad = await sys.ask("dns", { type: "dns.query", name: "no spaces allowed" }).catch((e) => e);
    assert.is(errorCode(bad), "BadMessage");

    // Real DNS over UDP.
    const info = await sys.ask<{ state: string; udp: { port: number } }>("dns", { type: "dns.info" });
    assert.is(info.state, "running");
    const port = info.udp.port;
    assert.ok(port > 0);
    const a = await udpQuery(port, "kube-dns.kube-system.svc.cluster.local", "A");
    assert.is(a.id, 4242);
    assert.is(a.rcode, "NOERROR");
    assert.ok(a.flag_aa && a.flag_qr);
    assert.equal(a.answers!.map((x) => [x.type, x.name, x.data, x.ttl]), [["A", "kube-dns.kube-system.svc.cluster.local", "10.96.0.10", 5]]);
    const srv = await udpQuery(port, "_pg._tcp.db.default.svc.cluster.local", "SRV");
    assert.equal(srv.answers![0].data, { priority: 0, weight: 100, port: 5432, target: "db-0.db.default.svc.cluster.local" });
    assert.equal(srv.additionals!.map((x) => x.data), ["10.244.1.7"]);
    const ptr = await udpQuery(port, "10.0.96.10.in-addr.arpa", "PTR");
    assert.equal(ptr.answers![0].data, "kube-dns.kube-system.svc.cluster.local");
    const nx = await udpQuery(port, "nothing.default.svc.cluster.local", "A");
    assert.is(nx.rcode, "NXDOMAIN");
    const v6 = await udpQuery(port, "kube-dns.kube-system.svc.cluster.local", "AAAA");
    assert.is(v6.rcode, "NOERROR");
    assert.equal(v6.answers, []);
    const mx = await udpQuery(port, "kube-dns.kube-system.svc.cluster.local", "MX");
    assert.is(mx.rcode, "NOERROR", "an existing name without records of the type is NODATA");
    assert.equal(mx.answers, []);
    const garbage = Buffer.from([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xff, 0xff]);
    const formerr = await udpQuery(port, "", "A", garbage);
    assert.is(formerr.id, 0x1234);
    assert.is(formerr.rcode, "FORMERR");
  } finally {
    await sys.stopAll();
  }
});

test.run();
