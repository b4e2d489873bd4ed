import { test } from "uvu";
import * as assert from "uvu/assert";
import { etcHosts, podDNSConfig, type DNSSettings } from "../../../actors/kubelet/dns.ts";
import { resolvConf } from "../../../actors/kubelet/cri/state.ts";
import type { Pod } from "../../../actors/api/types/core-pod.ts";
import { simCluster } from "./sim-cluster.ts";

const settings: DNSSettings = { clusterDNS: ["10.96.0.10"], clusterDomain: "cluster.local", host: { servers: ["172.18.0.1"], searches: ["corp.example"], options: ["edns0"] } };
const pod = (spec: Partial<Pod["spec"]>, namespace = "team-a"): Pod => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace, uid: "u1" }, spec: { containers: [], ...spec } });

const cases: Array<{ name: string; spec: Partial<Pod["spec"]>; settings?: Partial<DNSSettings>; servers: string[]; searches: string[]; options: string[]; warning?: string }> = [
  { name: "ClusterFirst (the default)", spec: {}, servers: ["10.96.0.10"], searches: ["team-a.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example"], options: ["ndots:5"] },
  { name: "ClusterFirst on the host network falls back to the node's resolver", spec: { hostNetwork: true }, servers: ["172.18.0.1"], searches: ["corp.example"], options: ["edns0"] },
  { name: "ClusterFirstWithHostNet", spec: { hostNetwork: true, dnsPolicy: "ClusterFirstWithHostNet" }, servers: ["10.96.0.10"], searches: ["team-a.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example"], options: ["ndots:5"] },
  { name: "Default", spec: { dnsPolicy: "Default" }, servers: ["172.18.0.1"], searches: ["corp.example"], options: ["edns0"] },
  {
    name: "None takes dnsConfig alone",
    spec: { dnsPolicy: "None", dnsConfig: { nameservers: ["1.1.1.1"], searches: ["a.example"], options: [{ name: "ndots", value: "2" }, { name: "rotate" }] } },
    servers: ["1.1.1.1"], searches: ["a.example"], options: ["ndots:2", "rotate"],
  },
  {
    name: "dnsConfig merges into ClusterFirst; options override by name; duplicates go",
    spec: { dnsConfig: { nameservers: ["10.96.0.10", "8.8.8.8"], searches: ["svc.cluster.local", "x.example"], options: [{ name: "ndots", value: "1" }, { name: "timeout", value: "3" }] } },
    servers: ["10.96.0.10", "8.8.8.8"], searches: ["team-a.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example", "x.example"], options: ["ndots:1", "timeout:3"],
  },
  {
    name: "no cluster DNS configured: ClusterFirst falls back to Default with a warning",
    spec: {}, settings: { clusterDNS: [] }, servers: ["172.18.0.1"], searches: ["corp.example"], options: ["edns0"],
    warning: 'MissingClusterDNS: pod: "p_team-a(u1)". kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.',
  },
  {
    name: "more than three nameservers are cut with a warning",
    spec: { dnsPolicy: "None", dnsConfig: { nameservers: ["1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4"] } }, servers: ["1.1.1.1", "2.2.2.2", "3.3.3.3"], searches: [], options: [],
    warning: "DNSConfigForming: Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 1.1.1.1 2.2.2.2 3.3.3.3",
  },
];

test("dnsPolicy and dnsConfig form each pod's resolver config as the kubelet does", () => {
  for (const k of cases) {
    const { config, warnings } = podDNSConfig(pod(k.spec), { ...settings, ...k.settings });
    assert.equal(config, { servers: k.servers, searches: k.searches, options: k.options }, k.name);
    assert.equal(warnings.map((w) => `${w.reason}: ${w.message}`), k.warning ? [k.warning] : [], k.name);
  }
});

test("resolv.conf and /etc/hosts are written as a node writes them", () => {
  assert.is(resolvConf({ servers: ["10.96.0.10"], searches: ["a.svc.cluster.local", "svc.cluster.local"], options: ["ndots:5"] }), "search a.svc.cluster.local svc.cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n");
  assert.is(resolvConf({ servers: [], searches: [], options: [] }), "");
  const hosts = etcHosts(pod({ hostname: "web-0", subdomain: "web", hostAliases: [{ ip: "10.1.2.3", hostnames: ["foo.local", "bar.local"] }] }), ["10.244.0.5"], "cluster.local");
  assert.ok(hosts.startsWith("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n"));
  assert.match(hosts, /\n10\.244\.0\.5\tweb-0\.web\.team-a\.svc\.cluster\.local\tweb-0\n/);
  assert.match(hosts, /\n# Entries added by HostAliases\.\n10\.1\.2\.3\tfoo\.local\tbar\.local\n$/);
});

test("a pod's /etc/resolv.conf and /etc/hosts are readable inside its containers", async () => {
  const c = await simCluster({ kubelet: { clusterDNS: ["10.96.0.10"], clusterDomain: "cluster.local" } });
  await c.namespace("shop");
  await c.pod("web", { containers: [{ name: "c", image: "nginx:1.27" }] }, {}, "shop");
  await c.pod("plain", { dnsPolicy: "Default", containers: [{ name: "c", image: "nginx:1.27" }] });
  await c.until("running", async () => c.running(await c.getPod("web", "shop")) && c.running(await c.getPod("plain")));
  const conf = await c.exec("web", ["cat", "/etc/resolv.conf"], undefined, "shop");
  assert.is(conf.stdout, "search shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n");
  assert.is((await c.exec("plain", ["cat", "/etc/resolv.conf"])).stdout, "nameserver 172.18.0.1\n");
  const ip = (await c.getPod("web", "shop")).status!.podIP!;
  assert.match((await c.exec("web", ["cat", "/etc/hosts"], undefined, "shop")).stdout, new RegExp(`\\n${ip.replace(/\./g, "\\.")}\\tweb\\n`));
  assert.is((await c.exec("web", ["hostname"], undefined, "shop")).stdout, "web\n");
  await c.sys.stopAll();
});

test.run();
