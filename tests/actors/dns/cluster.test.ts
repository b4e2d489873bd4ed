/**
 * Cluster DNS in a running cluster (every component in its own worker):
 * kube-dns exists at its well-known IP, a pod resolves a Service by its
 * short name through its namespace's search list, and the same answers come
 * over real UDP.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import dgram from "node:dgram";
import dnsPacket from "dns-packet";
import { startCluster, waitForNodes } from "../../../scripts/lib/cluster.ts";
import type { KubeObject } from "../../../actors/api/meta.ts";
import type { Pod } from "../../../actors/api/types/core-pod.ts";
import type { Service } from "../../../actors/api/types/core-service.ts";
import type { DnsReply } from "../../../actors/dns/types.ts";
import { untilValue } from "../../poll.ts";

const until = <T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> => untilValue(what, fn, ok, ms, 50);

test("a pod resolves a Service by name; kube-dns answers at 10.96.0.10 and over UDP", async () => {
  const c = await startCluster({ nodes: 1, logLevel: "error" });
  const ask = <T>(to: string, m: Record<string, unknown>) => c.supervisor.ask<T>(to, m as { type: string });
  const get = <T extends KubeObject>(resource: string, name: string, namespace?: string) => ask<T>("apiserver", { type: "api.get", resource, name, namespace }).catch(() => undefined);
  try {
    await waitForNodes(c, 1, 20_000);
    const kubeDns = await until("kube-dns", () => get<Service>("services", "kube-dns", "kube-system"), (s) => s !== undefined);
    assert.is(kubeDns!.spec.clusterIP, "10.96.0.10");

    await ask("apiserver", { type: "api.create", resource: "services", namespace: "default", object: { metadata: { name: "web" }, spec: { clusterIP: "10.96.200.20", selector: { app: "web" }, ports: [{ name: "http", port: 80 }] } } });
    const web = await until("web has a cluster IP", () => get<Service>("services", "web", "default"), (s) => Boolean(s?.spec.clusterIP));
    await ask("apiserver", { type: "api.create", resource: "pods", namespace: "default", object: { metadata: { name: "client", labels: { app: "client" } }, spec: { containers: [{ name: "c", image: "busybox:1" }] } } });
    const client = await until("client running", () => get<Pod>("pods", "client", "default"), (p) => Boolean(p?.status?.podIP));

    const query = (m: Record<string, unknown>) => ask<DnsReply>("dns", { type: "dns.query", ...m });
    const r = await until("web resolves for the pod", () => query({ name: "web", pod: "default/client" }), (x) => x.answers.length > 0);
    assert.equal(r.answers, [{ name: "web.default.svc.cluster.local", type: "A", ttl: 5, data: web!.spec.clusterIP }]);
    assert.equal(r.tried, ["web.default.svc.cluster.local"]);
    const srv = await query({ name: "_http._tcp.web.default.svc.cluster.local", qtype: "SRV" });
    assert.equal(srv.answers.map((a) => a.data), ["0 100 80 web.default.svc.cluster.local"]);
    const other = await query({ name: "kube-dns.kube-system", pod: "default/client" });
    assert.equal(other.answers.map((a) => a.data), ["10.96.0.10"]);
    // As CoreDNS with `pods insecure`: pods are not followed, so a pod IP has no PTR, and a pod's own
    // DNS settings are read when a query names it.
    assert.is((await query({ name: client!.status!.podIP!, qtype: "PTR" })).rcode, "NXDOMAIN");
    assert.is((await ask<{ objects: { pods: number } }>("dns", { type: "dns.info" })).objects.pods, 0, "no pod is followed");
    await ask("apiserver", {
      type: "api.create", resource: "pods", namespace: "default",
      object: { metadata: { name: "corp" }, spec: { containers: [{ name: "c", image: "busybox:1" }], dnsConfig: { searches: ["corp.example"], options: [{ name: "ndots", value: "1" }] } } },
    });
    const corp = await query({ name: "nope", pod: "default/corp" });
    assert.is(corp.rcode, "NXDOMAIN");
    assert.equal(corp.tried, ["nope.default.svc.cluster.local", "nope.svc.cluster.local", "nope.cluster.local", "nope.corp.example", "nope"], "the pod's own search list");
    assert.equal((await query({ name: "nope", pod: "default/absent" })).tried!.length, 4, "a pod that does not exist resolves as a ClusterFirst pod of its namespace");

    // The same zone over UDP, as `dig @127.0.0.1 -p PORT web.default.svc.cluster.local` asks it.
    const info = await ask<{ udp?: { port: number } }>("dns", { type: "dns.info" });
    assert.ok(info.udp && info.udp.port > 0, "the DNS worker serves UDP");
    const sock = dgram.createSocket("udp4");
    const answer = await new Promise<{ answers?: Array<{ name: string; data: unknown }> }>((resolve, reject) => {
      const timer = setTimeout(() => (sock.close(), reject(new Error("no UDP answer"))), 3000);
      sock.on("message", (buf) => {
        clearTimeout(timer);
        sock.close();
        resolve(dnsPacket.decode(buf) as never);
      });
      sock.send(dnsPacket.encode({ type: "query", id: 7, questions: [{ type: "A", name: "web.default.svc.cluster.local" }] }), info.udp!.port, "127.0.0.1");
    });
    assert.equal(answer.answers!.map((a) => [a.name, a.data]), [["web.default.svc.cluster.local", web!.spec.clusterIP]]);
  } finally {
    await c.stop();
  }
});

test.run();
