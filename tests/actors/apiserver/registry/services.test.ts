import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Service } from "../../../../actors/api/types/index.ts";
import { serviceResource } from "../../../../actors/apiserver/registry/services.ts";
import { created, createErrors, texts, updateErrors, variant } from "./helpers.ts";

const def = serviceResource;

const base: Service = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "web", namespace: "default" },
  spec: { selector: { app: "web" }, ports: [{ port: 80 }] },
};

test("defaults: ClusterIP, None affinity, TCP, targetPort = port, traffic policies, families", () => {
  const svc = created(def, base);
  assert.equal(svc.spec, {
    selector: { app: "web" },
    ports: [{ port: 80, protocol: "TCP", targetPort: 80 }],
    sessionAffinity: "None",
    type: "ClusterIP",
    internalTrafficPolicy: "Cluster",
    ipFamilyPolicy: "SingleStack",
    ipFamilies: ["IPv4"],
  });
  assert.equal(svc.status, {});
});

test("defaults by type", () => {
  const np = created(def, variant(base, (s) => (s.spec.type = "NodePort")));
  assert.is(np.spec.externalTrafficPolicy, "Cluster");
  const lb = created(def, variant(base, (s) => (s.spec.type = "LoadBalancer")));
  assert.is(lb.spec.externalTrafficPolicy, "Cluster");
  assert.is(lb.spec.allocateLoadBalancerNodePorts, true);
  const ext = created(def, { ...base, spec: { type: "ExternalName", externalName: "db.example.com" } });
  assert.is(ext.spec.internalTrafficPolicy, undefined);
  assert.is(ext.spec.ipFamilies, undefined);
  const sticky = created(def, variant(base, (s) => (s.spec.sessionAffinity = "ClientIP")));
  assert.equal(sticky.spec.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
  const named = created(def, variant(base, (s) => (s.spec.ports = [{ name: "http", port: 80, targetPort: "http" }])));
  assert.is(named.spec.ports?.[0].targetPort, "http");
  const v6 = created(def, variant(base, (s) => (s.spec.clusterIP = "fd00::10")));
  assert.equal(v6.spec.clusterIPs, ["fd00::10"]);
  assert.equal(v6.spec.ipFamilies, ["IPv6"]);
});

const invalidCases: Array<{ name: string; edit: (s: Service) => void; want: string[] }> = [
  { name: "no ports", edit: (s) => (s.spec.ports = []), want: ["spec.ports: Required value"] },
  { name: "two unnamed ports", edit: (s) => (s.spec.ports = [{ port: 80 }, { name: "b", port: 81 }]), want: ["spec.ports[0].name: Required value"] },
  { name: "port 0", edit: (s) => (s.spec.ports = [{ port: 0, targetPort: 80 }]), want: ["spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"] },
  {
    name: "duplicate port names",
    edit: (s) => (s.spec.ports = [{ name: "http", port: 80 }, { name: "http", port: 81 }]),
    want: ['spec.ports[1].name: Duplicate value: "http"'],
  },
  {
    name: "duplicate port and protocol",
    edit: (s) => (s.spec.ports = [{ name: "a", port: 80 }, { name: "b", port: 80 }]),
    want: [
      'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    ],
  },
  {
    name: "bad protocol",
    edit: (s) => (s.spec.ports = [{ port: 80, protocol: "ICMP" as "TCP" }]),
    want: ['spec.ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"'],
  },
  {
    name: "bad named targetPort",
    edit: (s) => (s.spec.ports = [{ port: 80, targetPort: "HTTP" }]),
    want: [
      'spec.ports[0].targetPort: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'spec.ports[0].targetPort: Invalid value: "HTTP": must contain at least one letter (a-z)',
    ],
  },
  { name: "nodePort on ClusterIP", edit: (s) => (s.spec.ports = [{ port: 80, nodePort: 30080 }]), want: ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"] },
  {
    name: "unknown type",
    edit: (s) => (s.spec.type = "Ingress" as "ClusterIP"),
    want: ['spec.type: Unsupported value: "Ingress": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'],
  },
  {
    name: "bad clusterIP",
    edit: (s) => (s.spec.clusterIP = "10.0.0"),
    want: ['spec.clusterIPs[0]: Invalid value: "10.0.0": must be empty, \'None\', or a valid IP address'],
  },
  {
    name: "externalTrafficPolicy on ClusterIP",
    edit: (s) => (s.spec.externalTrafficPolicy = "Local"),
    want: ['spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services'],
  },
  {
    name: "bad sessionAffinity",
    edit: (s) => (s.spec.sessionAffinity = "Cookie" as "None"),
    want: ['spec.sessionAffinity: Unsupported value: "Cookie": supported values: "ClientIP", "None"'],
  },
  {
    name: "affinity timeout out of range",
    edit: (s) => {
      s.spec.sessionAffinity = "ClientIP";
      s.spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 100000 } };
    },
    want: ["spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 100000: must be greater than 0 and less than 86400"],
  },
  {
    name: "bad selector",
    edit: (s) => (s.spec.selector = { app: "a b" }),
    want: [
      `spec.selector: Invalid value: "a b": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ],
  },
  {
    name: "headless NodePort",
    edit: (s) => {
      s.spec.type = "NodePort";
      s.spec.clusterIP = "None";
    },
    want: ["spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"],
  },
  {
    name: "source ranges on ClusterIP",
    edit: (s) => (s.spec.loadBalancerSourceRanges = ["10.0.0.0/8"]),
    want: ["spec.loadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'"],
  },
];

test("validate: each invalid service yields Kubernetes' field path and message", () => {
  assert.equal(createErrors(def, base), []);
  for (const c of invalidCases) assert.equal(createErrors(def, variant(base, c.edit)), c.want, c.name);
});

test("validate: valid shapes", () => {
  const valid: Service["spec"][] = [
    { clusterIP: "None", selector: { app: "db" } },
    { type: "ExternalName", externalName: "db.example.com" },
    { type: "NodePort", ports: [{ name: "http", port: 80, nodePort: 30080 }, { name: "https", port: 443 }] },
    { type: "LoadBalancer", externalTrafficPolicy: "Local", ports: [{ port: 443, targetPort: "https" }] },
    { clusterIP: "10.96.0.10", ports: [{ name: "dns", port: 53, protocol: "UDP" }, { name: "dns-tcp", port: 53, protocol: "TCP" }] },
  ];
  valid.forEach((spec, i) => assert.equal(createErrors(def, { ...base, spec }), [], `valid #${i}`));
  assert.equal(createErrors(def, { ...base, spec: { type: "ExternalName" } }), ["spec.externalName: Required value"]);
  assert.equal(createErrors(def, { ...base, spec: { type: "ExternalName", externalName: "localhost" } }), [
    'spec.externalName: Invalid value: "localhost": should be a domain with at least two segments separated by dots',
  ]);
});

test("update: allocated cluster IPs and node ports are kept when omitted, and may not change", () => {
  const old = created(def, variant(base, (s) => {
    s.spec.type = "NodePort";
    s.spec.clusterIP = "10.96.0.5";
    s.spec.ports = [{ port: 80, nodePort: 30080 }];
  }));
  old.status = { loadBalancer: {} };
  const omitted = variant(base, (s) => (s.spec.type = "NodePort"));
  def.defaults(omitted);
  def.prepareForUpdate(omitted, old);
  assert.is(omitted.spec.clusterIP, "10.96.0.5");
  assert.equal(omitted.spec.clusterIPs, ["10.96.0.5"]);
  assert.is(omitted.spec.ports?.[0].nodePort, 30080);
  assert.equal(omitted.status, old.status);
  assert.equal(updateErrors(def, variant(old, (s) => (s.spec.clusterIP = "10.96.0.6")), old), ['spec.clusterIPs[0]: Invalid value: "10.96.0.6": may not change once set']);
  // To ClusterIP: node ports and the external policy that came with the old type are dropped.
  const toClusterIP = variant(old, (s) => (s.spec.type = "ClusterIP"));
  assert.equal(updateErrors(def, toClusterIP, old), []);
  // To ExternalName: the cluster IP is released.
  const toExternal = variant(old, (s) => {
    s.spec.type = "ExternalName";
    s.spec.externalName = "x.example.com";
    s.spec.ports = [];
  });
  def.prepareForUpdate(toExternal, old);
  assert.is(toExternal.spec.clusterIP, undefined);
  assert.equal(texts(def.validate(toExternal)), []);
});

test("status: load-balancer ingress", () => {
  const old = created(def, variant(base, (s) => (s.spec.type = "LoadBalancer")));
  const withIngress = (ingress: NonNullable<NonNullable<Service["status"]>["loadBalancer"]>["ingress"]) => variant(old, (s) => (s.status = { loadBalancer: { ingress } }));
  assert.equal(def.validateStatusUpdate(withIngress([{ ip: "203.0.113.7", ipMode: "VIP" }]), old), []);
  assert.equal(texts(def.validateStatusUpdate(withIngress([{ ip: "bogus" }]), old)), [
    'status.loadBalancer.ingress[0].ip: Invalid value: "bogus": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
  ]);
  assert.equal(texts(def.validateStatusUpdate(withIngress([{ hostname: "1.2.3.4" }]), old)), [
    'status.loadBalancer.ingress[0].hostname: Invalid value: "1.2.3.4": must be a DNS name, not an IP address',
  ]);
});

test("service names are DNS-1035 labels", () => {
  assert.equal(def.validateName("web", false), []);
  assert.is(def.validateName("1web", false).length, 1);
  assert.equal(def.shortNames, ["svc"]);
});

test.run();
