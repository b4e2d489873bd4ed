// End to end on real workers: pods with HTTP readiness probes whose answers are
// scripted (actors/kubelet/cri/BEHAVIOR.md); the Endpoints and EndpointSlices of
// their Service follow readiness as the kubelets report it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { servicesCluster, until, webPod } from "../kube-proxy/services-cluster.ts";
import type { Endpoints, Service } from "../../../actors/api/types/core-service.ts";
import type { EndpointSlice } from "../../../actors/api/types/discovery.ts";
import type { Pod } from "../../../actors/api/types/core-pod.ts";

test("endpoints follow readiness: not ready → ready, ready → not ready, deleted → gone", async () => {
  const { supervisor, client } = await servicesCluster(2);
  try {
    await client.create<Service>("services", { apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: "default" }, spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http" }] } });
    await client.create("pods", webPod("steady"));
    await client.create("pods", webPod("late", { behavior: "ready-after:3s" }));
    await client.create("pods", webPod("tired", { behavior: "readiness:fail-after:4s" }));
    const ipOf = async (name: string) => (await client.get<Pod>("pods", name, { namespace: "default" })).status?.podIP;
    // Which pods (by name) the Endpoints list as ready / not ready, sampled as they change.
    const seen = { ready: new Set<string>(), notReady: new Set<string>() };
    const state = async () => {
      const ep = await client.get<Endpoints>("endpoints", "web", { namespace: "default" });
      const names = (list: { targetRef?: { name?: string } }[] | undefined) => (list ?? []).map((a) => a.targetRef!.name!).sort();
      const ready = (ep.subsets ?? []).flatMap((s) => names(s.addresses));
      const notReady = (ep.subsets ?? []).flatMap((s) => names(s.notReadyAddresses));
      for (const n of ready) seen.ready.add(n);
      for (const n of notReady) seen.notReady.add(n);
      return { ready, notReady, ports: (ep.subsets ?? []).map((s) => s.ports) };
    };
    await until("late listed as not ready", async () => (await state()).notReady.includes("late"));
    const final = await until("late ready and tired no longer ready", async () => {
      const s = await state();
      return s.ready.join() === "late,steady" && s.notReady.join() === "tired" && s;
    }, 20_000);
    assert.ok(seen.ready.has("tired"), "tired was ready before its probe started failing");
    assert.equal(final.ports, [[{ name: "http", port: 8080, protocol: "TCP" }]], "the named target port resolves to the container port");
    // The slices say the same, with conditions.
    const slices = (await client.list<EndpointSlice>("endpointslices.discovery.k8s.io", { namespace: "default", labelSelector: "kubernetes.io/service-name=web" })).items;
    const conds = Object.fromEntries(slices.flatMap((s) => s.endpoints).map((e) => [e.targetRef!.name, e.conditions!.ready]));
    assert.equal(conds, { steady: true, late: true, tired: false });
    const steadyIP = await ipOf("steady");
    assert.ok(slices.flatMap((s) => s.endpoints).some((e) => e.addresses[0] === steadyIP && e.nodeName));
    // A deleted pod leaves the Endpoints.
    await client.delete("pods", "steady", { namespace: "default" });
    await until("steady gone", async () => !(await state()).ready.includes("steady"));
    assert.ok(supervisor.actors().some((a) => a.address === "kube-proxy"));
  } finally {
    await supervisor.shutdown();
  }
});

test.run();
