import { test } from "uvu";
import * as assert from "uvu/assert";
import { SimulatedClock } from "../../../../runtime/clock.ts";
import type { Pod } from "../../../../actors/api/types/index.ts";
import { containerConfig, sandboxConfig } from "../../../../actors/kubelet/cri/config.ts";
import { SimulatedRuntime } from "../../../../actors/kubelet/cri/simulated.ts";

const pod: Pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    name: "leaky", namespace: "demo", uid: "u-1", labels: { app: "leaky" },
    annotations: { "actorkube.io/behavior.app": "memory:100Mi; memory:300Mi@30s" },
  },
  spec: {
    containers: [
      { name: "app", image: "busybox", resources: { limits: { memory: "256Mi" } }, readinessProbe: { httpGet: { port: 80 } } },
      { name: "sidecar", image: "busybox", command: ["sh", "-c", "sleep 10; exit 2"] },
    ],
  },
};

test("configs built from a pod carry its annotations, limits and probes", () => {
  assert.equal(sandboxConfig(pod, 1), {
    metadata: { name: "leaky", namespace: "demo", uid: "u-1", attempt: 1 },
    hostname: "leaky", labels: { app: "leaky" }, annotations: pod.metadata.annotations,
  });
  const app = containerConfig(pod.spec.containers[0], 2);
  assert.equal([app.metadata, app.memoryLimitBytes, app.readinessProbe], [{ name: "app", attempt: 2 }, 256 * 2 ** 20, { httpGet: { port: 80 } }]);
  assert.is(containerConfig({ name: "x", resources: { limits: { memory: "lots" } } }).memoryLimitBytes, undefined);
});

test("a pod's containers play their scripts end to end: OOMKilled by annotation, exit 2 by command", async () => {
  const clock = new SimulatedClock();
  const rt = new SimulatedRuntime({ clock });
  await Promise.all([rt.PullImage("busybox"), clock.advance(1000)]);
  const sb = await rt.RunPodSandbox(sandboxConfig(pod));
  const ids: string[] = [];
  for (const c of pod.spec.containers) {
    const id = await rt.CreateContainer(sb, containerConfig(c));
    await rt.StartContainer(id);
    ids.push(id);
  }
  await clock.advance(30_000);
  const [app, sidecar] = await Promise.all(ids.map((id) => rt.ContainerStatus(id)));
  assert.equal([app.exitCode, app.reason, app.finishedAt - app.startedAt], [137, "OOMKilled", 30_000]);
  assert.equal([sidecar.exitCode, sidecar.reason, sidecar.finishedAt - sidecar.startedAt], [2, "Error", 10_000]);
});

test.run();
