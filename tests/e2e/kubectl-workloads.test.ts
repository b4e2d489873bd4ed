/**
 * The real kubectl against a real cluster: workloads running — wide pod
 * listings, scaling, rollouts, deletion that waits, watching.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { controllerFactories } from "../../actors/controller-manager/index.ts";
import { eventually, kubeEnv, type KubeEnv } from "./helpers.ts";

let env: KubeEnv;
test.before(async () => {
  env = await kubeEnv();
  const r = await env.kubectl("apply", "-f", env.file("app.yaml", APP));
  assert.is(r.code, 0, r.stderr);
});
test.after(async () => {
  await env?.stop();
});

const APP = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
---
apiVersion: v1
kind: Pod
metadata:
  name: talker
spec:
  terminationGracePeriodSeconds: 5
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "while true; do echo hello; sleep 1; done"]
`;

// A Deployment only gets pods from the controller-manager's deployment controller.
const hasDeploymentController = Object.hasOwn(controllerFactories, "deployment");

async function ok(...args: string[]): Promise<string> {
  const r = await env.kubectl(...args);
  assert.is(r.code, 0, `kubectl ${args.join(" ")} failed:\n${r.stderr}`);
  return r.stdout;
}

test("get nodes lists every node as Ready", async () => {
  const out = await ok("get", "nodes");
  assert.match(out, /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION/);
  assert.match(out, /node-1\s+Ready\s+<none>\s+\S+\s+v1\.32/);
  assert.match(out, /node-2\s+Ready/);
});

test("get pods -o wide shows the pod's IP and node once it runs", async () => {
  const line = await eventually("talker running", async () => {
    const out = await ok("get", "pods", "talker", "-o", "wide");
    return /Running/.test(out) ? out : undefined;
  });
  assert.match(line, /NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES/);
  assert.match(line, /talker\s+1\/1\s+Running\s+0\s+\S+\s+10\.244\.\d+\.\d+\s+node-\d/);
});

test("scale deploy --replicas changes the desired count (and the pods, with the deployment controller)", async () => {
  assert.match(await ok("scale", "deployment", "web", "--replicas=1"), /deployment.apps\/web scaled/);
  assert.is(await ok("get", "deployment", "web", "-o", "jsonpath={.spec.replicas}"), "1");
  if (!hasDeploymentController) {
    console.log("  (no deployment controller in actors/controller-manager/index.ts: pod counts not checked)");
    return;
  }
  await eventually("one web pod left", async () => (await ok("get", "pods", "-l", "app=web", "-o", "name")).trim().split("\n").filter(Boolean).length === 1, 15_000);
});

test("get deploy shows readiness columns; rollout status waits for the rollout", async () => {
  const out = await ok("get", "deploy", "web");
  assert.match(out, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE/);
  if (!hasDeploymentController) {
    console.log("  (no deployment controller in actors/controller-manager/index.ts: readiness and rollout not checked)");
    return;
  }
  const status = await env.kubectl("rollout", "status", "deployment/web", "--timeout=15s");
  assert.is(status.code, 0, status.stderr);
  assert.match(status.stdout, /deployment "web" successfully rolled out/);
  assert.match(await ok("get", "deploy", "web"), /web\s+1\/1\s+1\s+1\s+/);
});

test("delete waits until the object is gone", async () => {
  const r = await env.kubectl("delete", "pod", "talker");
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /pod "talker" deleted/);
  const gone = await env.kubectl("get", "pod", "talker");
  assert.is(gone.code, 1);
  assert.match(gone.stderr, /pods "talker" not found/);
});

test("get pods -w prints rows as pods come and go", async () => {
  const watch = env.kubectlStream("get", "pods", "-w");
  try {
    await eventually("watch header", () => /NAME\s+READY\s+STATUS/.test(watch.output()));
    await ok("run", "watched", "--image=nginx:1.27", "--restart=Never");
    await eventually("watched pod shown", () => /watched\s+\d\/1\s+(Pending|ContainerCreating|Running)/.test(watch.output()));
    await eventually("watched pod running", () => /watched\s+1\/1\s+Running/.test(watch.output()));
    await ok("delete", "pod", "watched", "--wait=false");
    await eventually("watched pod terminating", () => /watched\s+\S+\s+(Terminating|Completed)/.test(watch.output()));
  } finally {
    watch.child.kill();
  }
});

test.run();
