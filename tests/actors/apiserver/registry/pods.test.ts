import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Pod } from "../../../../actors/api/types/index.ts";
import { podResource, validateBinding } from "../../../../actors/apiserver/registry/pods.ts";
import { POD_UPDATE_FORBIDDEN } from "../../../../actors/apiserver/registry/pod-update.ts";
import { created, createErrors, texts, updateErrors, variant } from "./helpers.ts";

const def = podResource;

/** A valid pod as a client sends it (nothing defaulted). */
const base: Pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web", namespace: "default", labels: { app: "web" } },
  spec: { containers: [{ name: "app", image: "nginx:1.25", ports: [{ name: "http", containerPort: 80 }] }] },
};

test("defaults: a minimal pod gets Kubernetes' SetDefaults", () => {
  const pod = created(def, base);
  assert.equal(pod.spec, {
    containers: [
      {
        name: "app",
        image: "nginx:1.25",
        ports: [{ name: "http", containerPort: 80, protocol: "TCP" }],
        imagePullPolicy: "IfNotPresent",
        terminationMessagePath: "/dev/termination-log",
        terminationMessagePolicy: "File",
      },
    ],
    dnsPolicy: "ClusterFirst",
    restartPolicy: "Always",
    securityContext: {},
    terminationGracePeriodSeconds: 30,
    schedulerName: "default-scheduler",
    enableServiceLinks: true,
  });
  assert.equal(pod.status, { phase: "Pending", qosClass: "BestEffort" });
});

test("defaults: imagePullPolicy follows the tag", () => {
  const cases: Array<[string, string | undefined, string]> = [
    ["nginx", undefined, "Always"],
    ["nginx:latest", undefined, "Always"],
    ["nginx:1.25", undefined, "IfNotPresent"],
    ["registry:5000/team/nginx", undefined, "Always"],
    ["registry:5000/team/nginx:2", undefined, "IfNotPresent"],
    ["nginx@sha256:0123abcd", undefined, "IfNotPresent"],
    ["nginx", "Never", "Never"],
  ];
  for (const [image, given, want] of cases) {
    const pod = created(def, variant(base, (p) => Object.assign(p.spec.containers[0], { image, imagePullPolicy: given })));
    assert.is(pod.spec.containers[0].imagePullPolicy, want, image);
  }
});

test("defaults: requests from limits, canonical quantities, QoS", () => {
  const pod = created(
    def,
    variant(base, (p) => {
      p.spec.containers[0].resources = { limits: { cpu: 1 as unknown as string, memory: "1024Mi" }, requests: { cpu: "1000m" } };
    }),
  );
  assert.equal(pod.spec.containers[0].resources, { limits: { cpu: "1", memory: "1Gi" }, requests: { cpu: "1", memory: "1Gi" } });
  assert.is(pod.status?.qosClass, "Guaranteed");
  const burstable = created(def, variant(base, (p) => (p.spec.containers[0].resources = { requests: { cpu: "100m" } })));
  assert.is(burstable.status?.qosClass, "Burstable");
});

test("defaults: probes, volumes, host network ports, service account alias, pod IPs", () => {
  const pod = created(
    def,
    variant(base, (p) => {
      p.spec.hostNetwork = true;
      p.spec.serviceAccount = "builder";
      p.spec.containers[0].livenessProbe = { httpGet: { port: "http" }, periodSeconds: 5 };
      p.spec.containers[0].readinessProbe = { tcpSocket: { port: 80 } };
      p.spec.volumes = [{ name: "cfg", configMap: { name: "cfg" } }, { name: "s", secret: { secretName: "s" } }, { name: "scratch" }, { name: "h", hostPath: { path: "/x" } }];
    }),
  );
  const c = pod.spec.containers[0];
  assert.equal(c.livenessProbe, { httpGet: { port: "http", path: "/", scheme: "HTTP" }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 });
  assert.equal(c.readinessProbe, { tcpSocket: { port: 80 }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.is(c.ports?.[0].hostPort, 80);
  assert.is(pod.spec.serviceAccountName, "builder");
  assert.equal(pod.spec.volumes, [
    { name: "cfg", configMap: { name: "cfg", defaultMode: 420 } },
    { name: "s", secret: { secretName: "s", defaultMode: 420 } },
    { name: "scratch", emptyDir: {} },
    { name: "h", hostPath: { path: "/x", type: "" } },
  ]);
  const withIP = variant(base, (p) => (p.status = { podIP: "10.0.0.5" }));
  def.defaults(withIP);
  assert.equal(withIP.status?.podIPs, [{ ip: "10.0.0.5" }]);
});

test("prepareForCreate resets client-set status and clamps a negative grace period", () => {
  const pod = created(
    def,
    variant(base, (p) => {
      p.status = { phase: "Running", podIP: "1.2.3.4" };
      p.spec.terminationGracePeriodSeconds = -5;
    }),
  );
  assert.equal(pod.status, { phase: "Pending", qosClass: "BestEffort" });
  assert.is(pod.spec.terminationGracePeriodSeconds, 1);
});

const invalidCases: Array<{ name: string; edit: (p: Pod) => void; want: string[] }> = [
  { name: "no containers", edit: (p) => (p.spec.containers = []), want: ["spec.containers: Required value"] },
  { name: "no image", edit: (p) => delete p.spec.containers[0].image, want: ["spec.containers[0].image: Required value"] },
  {
    name: "duplicate container name across init and app containers",
    edit: (p) => (p.spec.initContainers = [{ name: "app", image: "busybox" }]),
    want: ['spec.containers[0].name: Duplicate value: "app"'],
  },
  {
    name: "bad container name",
    edit: (p) => (p.spec.containers[0].name = "App"),
    want: [
      `spec.containers[0].name: Invalid value: "App": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    ],
  },
  { name: "port out of range", edit: (p) => (p.spec.containers[0].ports = [{ containerPort: 70000 }]), want: ["spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive"] },
  { name: "port zero", edit: (p) => (p.spec.containers[0].ports = [{ containerPort: 0 }]), want: ["spec.containers[0].ports[0].containerPort: Required value"] },
  {
    name: "bad protocol",
    edit: (p) => (p.spec.containers[0].ports = [{ containerPort: 80, protocol: "HTTP" as "TCP" }]),
    want: ['spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'],
  },
  {
    name: "duplicate port name",
    edit: (p) => (p.spec.containers[0].ports = [{ name: "http", containerPort: 80 }, { name: "http", containerPort: 81 }]),
    want: ['spec.containers[0].ports[1].name: Duplicate value: "http"'],
  },
  {
    name: "host network with a different hostPort",
    edit: (p) => {
      p.spec.hostNetwork = true;
      p.spec.containers[0].ports = [{ containerPort: 80, hostPort: 81 }];
    },
    want: ["spec.containers[0].ports[0].hostPort: Invalid value: 81: must match `containerPort` when `hostNetwork` is true"],
  },
  {
    name: "restartPolicy",
    edit: (p) => (p.spec.restartPolicy = "Sometimes" as "Always"),
    want: ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'],
  },
  {
    name: "dnsPolicy",
    edit: (p) => (p.spec.dnsPolicy = "Custom" as "None"),
    want: ['spec.dnsPolicy: Unsupported value: "Custom": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"'],
  },
  { name: "dnsPolicy None without dnsConfig", edit: (p) => (p.spec.dnsPolicy = "None"), want: ["spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"] },
  {
    name: "imagePullPolicy",
    edit: (p) => (p.spec.containers[0].imagePullPolicy = "Sometimes" as "Always"),
    want: ['spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"'],
  },
  { name: "env without name", edit: (p) => (p.spec.containers[0].env = [{ name: "", value: "x" }]), want: ["spec.containers[0].env[0].name: Required value"] },
  {
    name: "env value and valueFrom",
    edit: (p) => (p.spec.containers[0].env = [{ name: "A", value: "x", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }]),
    want: ['spec.containers[0].env[0].valueFrom: Invalid value: "": may not be specified when `value` is not empty'],
  },
  {
    name: "env valueFrom with two sources",
    edit: (p) => (p.spec.containers[0].env = [{ name: "A", valueFrom: { secretKeyRef: { name: "s", key: "k" }, configMapKeyRef: { name: "c", key: "k" } } }]),
    want: ['spec.containers[0].env[0].valueFrom: Invalid value: "": may not have more than one field specified at a time'],
  },
  {
    name: "env secretKeyRef without key",
    edit: (p) => (p.spec.containers[0].env = [{ name: "A", valueFrom: { secretKeyRef: { name: "s", key: "" } } }]),
    want: ["spec.containers[0].env[0].valueFrom.secretKeyRef.key: Required value"],
  },
  {
    name: "env fieldRef to an unsupported path",
    edit: (p) => (p.spec.containers[0].env = [{ name: "A", valueFrom: { fieldRef: { fieldPath: "spec.hostname" } } }]),
    want: [
      'spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "spec.hostname": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"',
    ],
  },
  {
    name: "envFrom with no source",
    edit: (p) => (p.spec.containers[0].envFrom = [{ prefix: "X_" }]),
    want: ['spec.containers[0].envFrom[0]: Invalid value: "": must specify one of: `configMapRef` or `secretRef`'],
  },
  {
    name: "mount of an unknown volume",
    edit: (p) => (p.spec.containers[0].volumeMounts = [{ name: "data", mountPath: "/data" }]),
    want: ['spec.containers[0].volumeMounts[0].name: Not found: "data"'],
  },
  {
    name: "two mounts on one path",
    edit: (p) => {
      p.spec.volumes = [{ name: "a", emptyDir: {} }, { name: "b", emptyDir: {} }];
      p.spec.containers[0].volumeMounts = [{ name: "a", mountPath: "/d" }, { name: "b", mountPath: "/d" }];
    },
    want: ['spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/d": must be unique'],
  },
  { name: "duplicate volume", edit: (p) => (p.spec.volumes = [{ name: "a", emptyDir: {} }, { name: "a", emptyDir: {} }]), want: ['spec.volumes[1].name: Duplicate value: "a"'] },
  { name: "secret volume without secretName", edit: (p) => (p.spec.volumes = [{ name: "s", secret: {} }]), want: ["spec.volumes[0].secret.secretName: Required value"] },
  {
    name: "two volume sources",
    edit: (p) => (p.spec.volumes = [{ name: "s", emptyDir: {}, hostPath: { path: "/x" } }]),
    want: ["spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type"],
  },
  { name: "probe without handler", edit: (p) => (p.spec.containers[0].livenessProbe = {}), want: ["spec.containers[0].livenessProbe: Required value: must specify a handler type"] },
  {
    name: "probe with two handlers",
    edit: (p) => (p.spec.containers[0].readinessProbe = { exec: { command: ["true"] }, tcpSocket: { port: 80 } }),
    want: ["spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type"],
  },
  {
    name: "liveness successThreshold must be 1",
    edit: (p) => (p.spec.containers[0].livenessProbe = { exec: { command: ["true"] }, successThreshold: 2 }),
    want: ["spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"],
  },
  {
    name: "negative probe period",
    edit: (p) => (p.spec.containers[0].readinessProbe = { tcpSocket: { port: 80 }, periodSeconds: -1 }),
    want: ["spec.containers[0].readinessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0"],
  },
  {
    name: "requests above limits",
    edit: (p) => (p.spec.containers[0].resources = { requests: { cpu: "2" }, limits: { cpu: "1" } }),
    want: ['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1'],
  },
  {
    name: "negative request",
    edit: (p) => (p.spec.containers[0].resources = { requests: { memory: "-1Mi" } }),
    want: ['spec.containers[0].resources.requests[memory]: Invalid value: "-1Mi": must be greater than or equal to 0'],
  },
  {
    name: "malformed quantity",
    edit: (p) => (p.spec.containers[0].resources = { limits: { cpu: "lots" } }),
    // Requests default to the (bad) limit, so both report it.
    want: [
      `spec.containers[0].resources.limits[cpu]: Invalid value: "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
      `spec.containers[0].resources.requests[cpu]: Invalid value: "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    ],
  },
  {
    name: "unknown resource",
    edit: (p) => (p.spec.containers[0].resources = { requests: { gpu: "1" } }),
    want: ['spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers'],
  },
  {
    name: "extended resource requests must equal limits",
    edit: (p) => (p.spec.containers[0].resources = { requests: { "example.com/gpu": "1" }, limits: { "example.com/gpu": "2" } }),
    want: ['spec.containers[0].resources.requests: Invalid value: "1": must be equal to example.com/gpu limit of 2'],
  },
  {
    name: "toleration Exists with a value",
    edit: (p) => (p.spec.tolerations = [{ key: "k", operator: "Exists", value: "v" }]),
    want: [
      'spec.tolerations[0].operator: Invalid value: core.Toleration{Key:"k", Operator:"Exists", Value:"v", Effect:"", TolerationSeconds:(*int64)(nil)}: value must be empty when `operator` is \'Exists\'',
    ],
  },
  {
    name: "tolerationSeconds without NoExecute",
    edit: (p) => (p.spec.tolerations = [{ key: "k", operator: "Equal", value: "v", effect: "NoSchedule", tolerationSeconds: 30 }]),
    want: ['spec.tolerations[0].effect: Invalid value: "NoSchedule": effect must be \'NoExecute\' when `tolerationSeconds` is set'],
  },
  {
    name: "toleration effect",
    edit: (p) => (p.spec.tolerations = [{ key: "k", operator: "Exists", effect: "Never" as "NoSchedule" }]),
    want: ['spec.tolerations[0].effect: Unsupported value: "Never": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"'],
  },
  {
    name: "empty toleration key needs Exists",
    edit: (p) => (p.spec.tolerations = [{ operator: "Equal", value: "v" }]),
    want: ['spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"'],
  },
  {
    name: "node affinity without terms",
    edit: (p) => (p.spec.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } }),
    want: ["spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Required value: must have at least one node selector term"],
  },
  {
    name: "node affinity In without values",
    edit: (p) => (p.spec.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "In" }] }] } } }),
    want: [
      "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    ],
  },
  {
    name: "pod anti-affinity without topologyKey",
    edit: (p) => (p.spec.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "web" } }, topologyKey: "" }] } }),
    want: ["spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Required value: can not be empty"],
  },
  {
    name: "preferred affinity weight",
    edit: (p) => (p.spec.affinity = { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, podAffinityTerm: { topologyKey: "zone" } }] } }),
    want: ["spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100"],
  },
  {
    name: "topology spread maxSkew",
    edit: (p) => (p.spec.topologySpreadConstraints = [{ maxSkew: 0, topologyKey: "zone", whenUnsatisfiable: "DoNotSchedule" }]),
    want: ["spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero"],
  },
  { name: "activeDeadlineSeconds zero", edit: (p) => (p.spec.activeDeadlineSeconds = 0), want: ["spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"] },
  {
    name: "init container probes",
    edit: (p) => (p.spec.initContainers = [{ name: "init", image: "busybox", readinessProbe: { exec: { command: ["true"] } } }]),
    want: ["spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always"],
  },
  {
    name: "restartPolicy on an app container",
    edit: (p) => (p.spec.containers[0].restartPolicy = "Always"),
    want: ["spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers"],
  },
  {
    name: "bad nodeSelector value",
    edit: (p) => (p.spec.nodeSelector = { disk: "fast ssd" }),
    want: [
      `spec.nodeSelector: Invalid value: "fast ssd": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ],
  },
];

test("validate: each invalid pod yields Kubernetes' field path and message", () => {
  assert.equal(createErrors(def, base), []);
  for (const c of invalidCases) assert.equal(createErrors(def, variant(base, c.edit)), c.want, c.name);
});

test("validate: valid variations pass", () => {
  const valid: Array<(p: Pod) => void> = [
    (p) => (p.spec.initContainers = [{ name: "sidecar", image: "envoy", restartPolicy: "Always", readinessProbe: { tcpSocket: { port: 9901 } } }]),
    (p) => (p.spec.tolerations = [{ operator: "Exists" }, { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }]),
    (p) => (p.spec.containers[0].env = [{ name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } }, { name: "APP", valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } }]),
    (p) => (p.spec.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["n1"] }] }] } } }),
    (p) => (p.spec.containers[0].resources = { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "1", memory: "128Mi" } }),
    (p) => (p.spec.nodeName = "node-1"),
  ];
  valid.forEach((edit, i) => assert.equal(createErrors(def, variant(base, edit)), [], `valid #${i}`));
});

test("update: only images, a shorter deadline and added tolerations may change", () => {
  const old = created(def, variant(base, (p) => (p.spec.tolerations = [{ key: "k", operator: "Equal", value: "v", effect: "NoExecute", tolerationSeconds: 5 }])));
  old.metadata.resourceVersion = "3";
  const ok: Array<[string, (p: Pod) => void]> = [
    ["image", (p) => (p.spec.containers[0].image = "nginx:1.26")],
    ["added toleration", (p) => p.spec.tolerations?.push({ key: "x", operator: "Exists" })],
    ["tolerationSeconds", (p) => (p.spec.tolerations![0].tolerationSeconds = 9)],
    ["labels", (p) => (p.metadata.labels = { app: "other" })],
  ];
  for (const [name, edit] of ok) assert.equal(updateErrors(def, variant(old, edit), old), [], name);

  const bad: Array<[string, (p: Pod) => void, string[]]> = [
    ["add container", (p) => p.spec.containers.push({ name: "b", image: "x" }), ["spec.containers: Forbidden: pod updates may not add or remove containers"]],
    ["empty image", (p) => (p.spec.containers[0].image = ""), ["spec.containers[0].image: Required value", "spec.containers[0].image: Required value"]],
    ["modified toleration", (p) => (p.spec.tolerations![0].value = "w"), ["spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds"]],
  ];
  for (const [name, edit, want] of bad) assert.equal(updateErrors(def, variant(old, edit), old), want, name);

  const changed = updateErrors(def, variant(old, (p) => (p.spec.nodeSelector = { disk: "ssd" })), old);
  assert.is(changed.length, 1);
  assert.ok(changed[0].startsWith(`spec: Forbidden: ${POD_UPDATE_FORBIDDEN}\n`), changed[0]);
  assert.ok(changed[0].includes('+ spec.nodeSelector: {"disk":"ssd"}'), changed[0]);
});

test("update: activeDeadlineSeconds may only shrink", () => {
  const old = created(def, variant(base, (p) => (p.spec.activeDeadlineSeconds = 10)));
  assert.equal(updateErrors(def, variant(old, (p) => (p.spec.activeDeadlineSeconds = 5)), old), []);
  assert.equal(updateErrors(def, variant(old, (p) => (p.spec.activeDeadlineSeconds = 20)), old), ["spec.activeDeadlineSeconds: Invalid value: 20: must be less than or equal to previous value"]);
  assert.equal(updateErrors(def, variant(old, (p) => delete p.spec.activeDeadlineSeconds), old), [
    "spec.activeDeadlineSeconds: Invalid value: null: must not update from a positive integer to nil value",
  ]);
  const negative = created(def, base);
  negative.spec.terminationGracePeriodSeconds = -1;
  assert.equal(updateErrors(def, variant(negative, (p) => (p.spec.terminationGracePeriodSeconds = 1)), negative), []);
});

test("update: the main resource keeps the stored status; status updates backfill the QoS class", () => {
  const old = created(def, base);
  old.status = { phase: "Running", podIP: "10.1.0.4", podIPs: [{ ip: "10.1.0.4" }], qosClass: "BestEffort" };
  old.metadata.ownerReferences = [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: "u", controller: true }];
  const next = variant(old, (p) => {
    p.status = { phase: "Failed" };
    p.spec.containers[0].image = "nginx:2";
  });
  def.prepareForUpdate(next, old);
  assert.equal(next.status, old.status);
  assert.is(next.spec.containers[0].image, "nginx:2");

  const statusUpdate = variant(old, (p) => {
    p.status = { phase: "Succeeded" };
  });
  def.prepareForStatusUpdate(statusUpdate, old);
  assert.equal(statusUpdate.status, { phase: "Succeeded", qosClass: "BestEffort" }, "the QoS class a kubelet dropped is backfilled");
  assert.equal(def.validateStatusUpdate(statusUpdate, old), []);
});

test("status update validation", () => {
  const old = created(def, variant(base, (p) => (p.spec.restartPolicy = "Never")));
  old.status = { phase: "Running", qosClass: "BestEffort", containerStatuses: [{ name: "app", ready: false, restartCount: 0, image: "nginx", imageID: "", state: { terminated: { exitCode: 1 } } }] };
  const cases: Array<[string, (p: Pod) => void, string[]]> = [
    ["bad pod IP", (p) => (p.status!.podIPs = [{ ip: "10.0.0.300" }]), ['status.podIPs[0]: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']],
    [
      "two IPv4 pod IPs",
      (p) => (p.status!.podIPs = [{ ip: "10.0.0.1" }, { ip: "10.0.0.2" }]),
      ['status.podIPs: Invalid value: []string{"10.0.0.1", "10.0.0.2"}: may specify no more than one IP for each IP family'],
    ],
    ["dual-stack pod IPs", (p) => (p.status!.podIPs = [{ ip: "10.0.0.1" }, { ip: "fd00::1" }]), []],
    [
      "restart a terminated container of a Never pod",
      (p) => (p.status!.containerStatuses![0].state = { running: {} }),
      ["status.containerStatuses[0].state: Forbidden: may not be transitioned to non-terminated state"],
    ],
    ["qosClass", (p) => (p.status!.qosClass = "Guaranteed"), ['status.qosClass: Invalid value: "Guaranteed": field is immutable']],
    ["nominated node", (p) => (p.status!.nominatedNodeName = "Node_1"), [`status.nominatedNodeName: Invalid value: "Node_1": ${"a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"}`]],
  ];
  for (const [name, edit, want] of cases) assert.equal(texts(def.validateStatusUpdate(variant(old, edit), old)), want, name);
});

test("binding targets a named node", () => {
  const binding = { apiVersion: "v1" as const, kind: "Binding" as const, metadata: { name: "web", namespace: "default" }, target: { kind: "Node", name: "node-1" } };
  assert.equal(validateBinding(binding), []);
  assert.equal(texts(validateBinding({ ...binding, target: { kind: "Node" } })), ["target.name: Required value"]);
  assert.equal(texts(validateBinding({ ...binding, target: { kind: "Pod", name: "x" } })), ['target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>"']);
});

test("field selectors read the pod's fields", () => {
  const pod = created(def, variant(base, (p) => (p.spec.nodeName = "n1")));
  pod.status = { phase: "Running", podIPs: [{ ip: "10.0.0.9" }] };
  const fs = def.fieldSelectors;
  assert.is(fs["spec.nodeName"](pod), "n1");
  assert.is(fs["status.phase"](pod), "Running");
  assert.is(fs["status.podIP"](pod), "10.0.0.9");
  assert.is(fs["spec.schedulerName"](pod), "default-scheduler");
  assert.is(fs["spec.restartPolicy"](pod), "Always");
  assert.is(fs["spec.nodeName"](created(def, base)), "");
  assert.ok(def.generation);
  assert.equal(def.shortNames, ["po"]);
});

test.run();
