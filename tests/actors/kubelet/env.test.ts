import { test } from "uvu";
import * as assert from "uvu/assert";
import { ConfigError, containerEnv, type PodRuntimeFacts } from "../../../actors/kubelet/env.ts";
import type { ObjectLookup } from "../../../actors/kubelet/config-objects.ts";
import type { Container, Pod } from "../../../actors/api/types/index.ts";
import type { KubeObject } from "../../../actors/api/meta.ts";

const objects: Record<string, KubeObject> = {
  "configmaps/default/app": { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "app" }, data: { MODE: "fast", "log.level": "debug" } } as KubeObject,
  "secrets/default/db": { apiVersion: "v1", kind: "Secret", metadata: { name: "db" }, data: { password: Buffer.from("pä55", "utf8").toString("base64"), user: btoa("app") } } as KubeObject,
};
const lookup: ObjectLookup = {
  configMap: async (ns, name) => objects[`configmaps/${ns}/${name}`] as never,
  secret: async (ns, name) => objects[`secrets/${ns}/${name}`] as never,
  get: async (resource, name, ns) => objects[`${resource}/${ns}/${name}`] as never,
};
const facts: PodRuntimeFacts = { hostIPs: ["172.18.0.2"], podIPs: ["10.244.0.7"], allocatable: { cpu: "4", memory: "8Gi" } };
const pod = (c: Partial<Container>): Pod => ({
  apiVersion: "v1", kind: "Pod",
  metadata: { name: "web-1", namespace: "default", uid: "u-1", labels: { app: "web" }, annotations: { team: "blue" } },
  spec: { nodeName: "n1", serviceAccountName: "builder", containers: [{ name: "c", image: "x", ...c }] },
});
const env = (c: Partial<Container>) => containerEnv(pod(c), pod(c).spec.containers[0], lookup, facts).then((kv) => kv.map((e) => `${e.key}=${e.value}`));

test("literal values expand $(VAR) from variables defined before them; $$ escapes; unknown references stay", async () => {
  assert.equal(await env({ env: [{ name: "A", value: "x" }, { name: "B", value: "$(A)-$(C)-$$(A)" }, { name: "C", value: "$(A)" }] }), ["A=x", "B=x-$(C)-$(A)", "C=x"]);
});

test("envFrom comes first, with its prefix; later env overrides", async () => {
  assert.equal(await env({ envFrom: [{ configMapRef: { name: "app" }, prefix: "CFG_" }, { secretRef: { name: "db" } }], env: [{ name: "user", value: "override" }] }), [
    "CFG_MODE=fast", "CFG_log.level=debug", "password=pä55", "user=override",
  ]);
});

test("key references, the downward API and resources", async () => {
  assert.equal(await env({
    env: [
      { name: "MODE", valueFrom: { configMapKeyRef: { name: "app", key: "MODE" } } },
      { name: "PASS", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
      { name: "NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      { name: "UID", valueFrom: { fieldRef: { fieldPath: "metadata.uid" } } },
      { name: "APP", valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
      { name: "TEAM", valueFrom: { fieldRef: { fieldPath: "metadata.annotations['team']" } } },
      { name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
      { name: "SA", valueFrom: { fieldRef: { fieldPath: "spec.serviceAccountName" } } },
      { name: "HOST_IP", valueFrom: { fieldRef: { fieldPath: "status.hostIP" } } },
      { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
      { name: "CPU_LIMIT", valueFrom: { resourceFieldRef: { resource: "limits.cpu" } } },
      { name: "CPU_REQ_M", valueFrom: { resourceFieldRef: { resource: "requests.cpu", divisor: "1m" } } },
      { name: "MEM_LIMIT_MI", valueFrom: { resourceFieldRef: { resource: "limits.memory", divisor: "1Mi" } } },
    ],
    resources: { requests: { cpu: "250m" }, limits: { memory: "100M" } },
  }), [
    "MODE=fast", "PASS=pä55", "NAME=web-1", "UID=u-1", "APP=web", "TEAM=blue", "NODE=n1", "SA=builder", "HOST_IP=172.18.0.2", "POD_IP=10.244.0.7",
    // No cpu limit: the node's allocatable (4 cores); 100M / 1Mi rounds up.
    "CPU_LIMIT=4", "CPU_REQ_M=250", "MEM_LIMIT_MI=96",
  ]);
});

test("optional references are skipped; required ones fail with the kubelet's words", async () => {
  assert.equal(await env({
    envFrom: [{ configMapRef: { name: "nope", optional: true } }],
    env: [{ name: "X", valueFrom: { secretKeyRef: { name: "db", key: "missing", optional: true } } }, { name: "Y", valueFrom: { configMapKeyRef: { name: "gone", key: "k", optional: true } } }],
  }), []);
  const cases: Array<[Partial<Container>, string]> = [
    [{ env: [{ name: "X", valueFrom: { secretKeyRef: { name: "x", key: "k" } } }] }, 'secret "x" not found'],
    [{ env: [{ name: "X", valueFrom: { secretKeyRef: { name: "db", key: "k" } } }] }, "couldn't find key k in Secret default/db"],
    [{ env: [{ name: "X", valueFrom: { configMapKeyRef: { name: "x", key: "k" } } }] }, 'configmap "x" not found'],
    [{ env: [{ name: "X", valueFrom: { configMapKeyRef: { name: "app", key: "k" } } }] }, "couldn't find key k in ConfigMap default/app"],
    [{ envFrom: [{ secretRef: { name: "x" } }] }, 'secret "x" not found'],
    [{ envFrom: [{ configMapRef: { name: "x" } }] }, 'configmap "x" not found'],
  ];
  for (const [c, message] of cases) {
    try {
      await env(c);
      assert.unreachable(message);
    } catch (err) {
      assert.instance(err, ConfigError);
      assert.is((err as Error).message, message);
    }
  }
});

test.run();
