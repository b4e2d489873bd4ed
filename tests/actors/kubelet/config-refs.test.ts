import { test } from "uvu";
import * as assert from "uvu/assert";
import { ROOT_CA, simCluster } from "./sim-cluster.ts";

const b64 = (s: string) => btoa(s);

test("a missing Secret in env keeps the container waiting (CreateContainerConfigError) until it appears", async () => {
  const c = await simCluster();
  await c.pod("app", {
    containers: [{ name: "web", image: "nginx:1.27", env: [{ name: "PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } }, { name: "URL", value: "postgres://app:$(PASSWORD)@db" }] }],
  });
  const w = await c.until("config error", async () => c.waiting(await c.getPod("app"))?.reason === "CreateContainerConfigError" && c.getPod("app"));
  assert.is(c.waiting(w)!.message, 'secret "db" not found');
  assert.is(w.status!.phase, "Pending");
  assert.ok((await c.events("app")).some((e) => e.type === "Warning" && e.reason === "Failed" && e.message === 'Error: secret "db" not found'));
  // Still waiting a while later: Kubernetes retries, it does not give up or start without it.
  await c.advance(30_000);
  assert.is(c.waiting(await c.getPod("app"))?.reason, "CreateContainerConfigError");
  // A Secret without the key: the other message.
  await c.api.create("secrets", { metadata: { name: "db" }, data: { user: b64("app") } });
  await c.until("missing key", async () => c.waiting(await c.getPod("app"))?.message === "couldn't find key password in Secret default/db");
  await c.api.delete("secrets", "db");
  await c.api.create("secrets", { metadata: { name: "db" }, data: { password: b64("s3cr3t") } });
  await c.until("running", async () => c.running(await c.getPod("app")));
  const env = await c.exec("app", ["printenv", "PASSWORD", "URL"]);
  assert.is(env.stdout, "s3cr3t\npostgres://app:s3cr3t@db\n");
  await c.sys.stopAll();
});

test("envFrom, optional references, configMapKeyRef and the downward API build the environment in order", async () => {
  const c = await simCluster();
  await c.api.create("configmaps", { metadata: { name: "settings" }, data: { MODE: "fast", LEVEL: "3" } });
  await c.pod(
    "env",
    {
      containers: [{
        name: "c",
        image: "busybox:1",
        command: ["sh", "-c", "echo mode=$APP_MODE level=$LEVEL; echo pod=$(POD)"],
        envFrom: [{ configMapRef: { name: "settings" }, prefix: "APP_" }, { secretRef: { name: "absent", optional: true } }],
        env: [
          { name: "LEVEL", valueFrom: { configMapKeyRef: { name: "settings", key: "LEVEL" } } },
          { name: "NOPE", valueFrom: { configMapKeyRef: { name: "settings", key: "missing", optional: true } } },
          { name: "POD", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
          { name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
          { name: "MEM", valueFrom: { resourceFieldRef: { resource: "limits.memory", divisor: "1Mi" } } },
        ],
        resources: { limits: { memory: "64Mi" } },
      }],
      restartPolicy: "Never",
    },
    { labels: { app: "env" } },
  );
  const p = await c.until("completed", async () => (await c.getPod("env")).status?.phase === "Succeeded" && c.getPod("env"));
  assert.is(p.status!.containerStatuses![0].state!.terminated!.reason, "Completed");
  const logs = await c.sys.ask<Array<{ text: string }>>("kubelet/n1", { type: "kubelet.logs", namespace: "default", name: "env" });
  // $(POD) is expanded by the kubelet in the command; $APP_MODE and $LEVEL by the container's shell.
  assert.equal(logs.map((l) => l.text), ["mode=fast level=3", "pod=env"]);
  await c.sys.stopAll();
});

test("a missing ConfigMap volume keeps the pod in ContainerCreating with FailedMount events; files appear once it exists", async () => {
  const c = await simCluster();
  await c.pod("cfg", {
    volumes: [
      { name: "cfg", configMap: { name: "web-config", items: [{ key: "nginx.conf", path: "conf/nginx.conf" }] } },
      { name: "creds", secret: { secretName: "web-creds" } },
      { name: "info", downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }, { path: "ns", fieldRef: { fieldPath: "metadata.namespace" } }] } },
      { name: "scratch", emptyDir: {} },
    ],
    containers: [{
      name: "web",
      image: "nginx:1.27",
      volumeMounts: [
        { name: "cfg", mountPath: "/etc/nginx" },
        { name: "creds", mountPath: "/run/creds", readOnly: true },
        { name: "info", mountPath: "/etc/podinfo" },
        { name: "scratch", mountPath: "/tmp/scratch" },
      ],
    }],
  }, { labels: { app: "web", tier: "front" } });
  await c.api.create("secrets", { metadata: { name: "web-creds" }, data: { token: b64("t0k3n") } });
  await c.until("failed mount", async () => (await c.events("cfg")).some((e) => e.reason === "FailedMount" && e.message === 'MountVolume.SetUp failed for volume "cfg" : configmap "web-config" not found'));
  let p = await c.getPod("cfg");
  assert.is(p.status!.phase, "Pending");
  assert.is(c.waiting(p)!.reason, "ContainerCreating");
  assert.is(p.status!.conditions!.find((x) => x.type === "PodReadyToStartContainers")!.status, "False");
  assert.not.ok(p.status!.podIP, "no sandbox before the volumes are mounted");
  // After 2 min 3 s of waiting the kubelet says so.
  await c.until("timeout event", async () => (await c.events("cfg")).some((e) => e.message === "Unable to attach or mount volumes: unmounted volumes=[cfg], unattached volumes=[], failed to process volumes=[]: timed out waiting for the condition"), { stepMs: 1000 });
  await c.api.create("configmaps", { metadata: { name: "web-config" }, data: { "nginx.conf": "worker_processes 1;\n", other: "x" } });
  // The mount is retried with back-off (at most 2 min 2 s apart).
  p = await c.until("running", async () => c.running(await c.getPod("cfg")) && c.getPod("cfg"), { stepMs: 1000 });
  assert.ok(p.status!.podIP);
  assert.is((await c.exec("cfg", ["cat", "/etc/nginx/conf/nginx.conf"])).stdout, "worker_processes 1;\n");
  assert.is((await c.exec("cfg", ["ls", "/etc/nginx/conf"])).stdout, "nginx.conf\n", "only the listed item is projected");
  assert.is((await c.exec("cfg", ["cat", "/run/creds/token"])).stdout, "t0k3n");
  assert.is((await c.exec("cfg", ["cat", "/etc/podinfo/labels"])).stdout, 'app="web"\ntier="front"');
  assert.is((await c.exec("cfg", ["cat", "/etc/podinfo/ns"])).stdout, "default");
  assert.is((await c.exec("cfg", ["ls", "/tmp/scratch"])).exitCode, 0);
  const missing = await c.exec("cfg", ["cat", "/etc/nginx/other"]);
  assert.is(missing.exitCode, 1);
  assert.match(missing.stderr, /No such file or directory/);
  await c.sys.stopAll();
});

test("a projected volume gathers a token, a ConfigMap and the namespace; a missing non-optional source fails the mount", async () => {
  const c = await simCluster();
  const projected = {
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
      { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
      { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
    ],
  };
  // A namespace the root CA publisher has not reached yet.
  await c.sys.ask("apiserver", { type: "api.create", resource: "namespaces", object: { metadata: { name: "team" } } });
  await c.pod("sa", {
    automountServiceAccountToken: false,
    volumes: [{ name: "kube-api-access-x7k2p", projected }],
    containers: [{ name: "c", image: "busybox:1", command: ["sleep", "infinity"], volumeMounts: [{ name: "kube-api-access-x7k2p", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true }] }],
  }, {}, "team");
  await c.until("failed mount", async () => (await c.events("sa", "team")).some((e) => e.message === 'MountVolume.SetUp failed for volume "kube-api-access-x7k2p" : configmap "kube-root-ca.crt" not found'));
  await c.api.create("configmaps", { metadata: { name: "kube-root-ca.crt" }, data: { "ca.crt": ROOT_CA } }, "team");
  await c.until("running", async () => c.running(await c.getPod("sa", "team")), { stepMs: 500 });
  const dir = "/var/run/secrets/kubernetes.io/serviceaccount";
  assert.is((await c.exec("sa", ["ls", dir], undefined, "team")).stdout, "ca.crt\nnamespace\ntoken\n");
  assert.is((await c.exec("sa", ["cat", `${dir}/namespace`], undefined, "team")).stdout, "team");
  assert.is((await c.exec("sa", ["cat", `${dir}/ca.crt`], undefined, "team")).stdout, ROOT_CA);
  const token = (await c.exec("sa", ["cat", `${dir}/token`], undefined, "team")).stdout;
  const claims = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
  assert.is(claims.sub, "system:serviceaccount:team:default");
  assert.is(claims["kubernetes.io"].pod.name, "sa");
  await c.sys.stopAll();
});

test("kubelet.exec refuses bad requests with typed errors", async () => {
  const c = await simCluster();
  await c.pod("one", { containers: [{ name: "c", image: "nginx:1.27" }] });
  await c.until("running", async () => c.running(await c.getPod("one")));
  const code = (p: Promise<unknown>) => p.then(() => "ok", (e: { code?: string }) => e.code);
  const ask = (m: Record<string, unknown>) => c.sys.ask("kubelet/n1", { type: "kubelet.exec", ...m });
  assert.is(await code(ask({ namespace: "default", name: "one", command: "ls" })), "BadMessage");
  assert.is(await code(ask({ namespace: "default", name: "one", command: [] })), "BadMessage");
  assert.is(await code(ask({ namespace: "default", name: "two", command: ["ls"] })), "NotFound");
  assert.is(await code(ask({ namespace: "default", name: "one", container: "nope", command: ["ls"] })), "BadRequest");
  assert.is(await code(ask({ namespace: "default", name: "one", command: ["true"] })), "ok");
  await c.sys.stopAll();
});

test.run();
