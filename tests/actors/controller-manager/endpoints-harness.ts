// An in-process control plane for the endpoints controllers: the real
// apiserver actor and the controller-manager running the controllers asked
// for, on a SimulatedClock; pods are created bound to nodes and their status
// written as a kubelet would, so each case states exactly what the pods are.
import { ActorSystem } from "../../../runtime/system.ts";
import { SimulatedClock } from "../../../runtime/clock.ts";
import type { ActorFactory } from "../../../runtime/actor.ts";
import { apiserverActor } from "../../../actors/apiserver/actor.ts";
import { controllerManagerActor } from "../../../actors/controller-manager/actor.ts";
import { ApiClient } from "../../../actors/api/client.ts";
import type { KubeObject } from "../../../actors/api/meta.ts";
import type { Pod } from "../../../actors/api/types/core-pod.ts";
import type { Endpoints, Service } from "../../../actors/api/types/core-service.ts";
import type { EndpointSlice } from "../../../actors/api/types/discovery.ts";

const untyped = <C>(f: unknown) => f as ActorFactory<C>;

/** A pod as a case describes it. */
export interface PodCase {
  name: string;
  labels?: Record<string, string>;
  ip?: string;
  ready?: boolean;
  node?: string;
  /** Container ports: name → number (TCP). */
  ports?: Record<string, number>;
  phase?: "Pending" | "Running" | "Succeeded" | "Failed";
  hostname?: string;
  subdomain?: string;
}

/** Starts the apiserver, runs `before` (objects that exist before the controllers start), then a controller-manager running `controllers`. */
export async function setup(controllers: string[], options: Record<string, unknown> = {}, before?: (client: ApiClient) => Promise<unknown>) {
  const clock = new SimulatedClock();
  const sys = new ActorSystem({ id: 0, name: "t", clock });
  await sys.spawn("apiserver", untyped(apiserverActor), {});
  const client = new ApiClient(sys);
  await before?.(client);
  await sys.spawn("controller-manager", untyped(controllerManagerActor), { controllers, ...options });

  /** Lets actors and timers run (10 simulated ms a turn) until `probe` gives a value. */
  const until = async <T>(what: string, probe: () => Promise<T | undefined | false>, turns = 400): Promise<T> => {
    let last: unknown;
    for (let i = 0; i < turns; i++) {
      await clock.advance(10);
      await new Promise((r) => setImmediate(r));
      const v = await probe().catch((e: unknown) => ((last = e), undefined));
      if (v !== undefined && v !== false) return v as T;
    }
    throw new Error(`timed out waiting for ${what}${last ? `: ${String((last as Error).message ?? last)}` : ""}`);
  };
  /** Lets everything run for a while (for "nothing happens" checks). */
  const settle = async (turns = 30) => {
    for (let i = 0; i < turns; i++) {
      await clock.advance(10);
      await new Promise((r) => setImmediate(r));
    }
  };

  const namespace = async (name: string) => client.create("namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
  const node = (name: string, zone?: string) =>
    client.create("nodes", { apiVersion: "v1", kind: "Node", metadata: { name, labels: zone ? { "topology.kubernetes.io/zone": zone } : {} }, spec: {} });
  const service = (ns: string, name: string, spec: Partial<Service["spec"]>, labels?: Record<string, string>) =>
    client.create<Service>("services", { apiVersion: "v1", kind: "Service", metadata: { name, namespace: ns, labels }, spec: spec as Service["spec"] });

  /** Creates the pod bound to its node and writes its status. */
  const pod = async (ns: string, p: PodCase): Promise<Pod> => {
    const ports = Object.entries(p.ports ?? {}).map(([name, containerPort]) => ({ name, containerPort }));
    const spec: Pod["spec"] = { containers: [{ name: "c", image: "nginx:1.27", ports }], nodeName: p.node ?? "n1" };
    if (p.hostname) spec.hostname = p.hostname;
    if (p.subdomain) spec.subdomain = p.subdomain;
    const created = await client.create<Pod>("pods", { apiVersion: "v1", kind: "Pod", metadata: { name: p.name, namespace: ns, labels: p.labels ?? { app: "web" } }, spec });
    return setStatus(created, p);
  };
  const setStatus = async (pod: Pod, p: Pick<PodCase, "ip" | "ready" | "phase">): Promise<Pod> => {
    const fresh = await client.get<Pod>("pods", pod.metadata.name!, { namespace: pod.metadata.namespace });
    const ready = p.ready ?? true;
    const status: Pod["status"] = {
      ...fresh.status,
      phase: p.phase ?? "Running",
      conditions: [{ type: "Ready", status: ready ? "True" : "False" }],
    };
    if (p.ip) {
      status.podIP = p.ip;
      status.podIPs = [{ ip: p.ip }];
    }
    return client.updateStatus<Pod>("pods", { ...fresh, status });
  };
  const endpoints = (ns: string, name: string) => client.get<Endpoints>("endpoints", name, { namespace: ns });
  const slices = async (ns: string, svc: string) =>
    (await client.list<EndpointSlice>("endpointslices.discovery.k8s.io", { namespace: ns, labelSelector: `kubernetes.io/service-name=${svc}` })).items;
  const events = async (ns: string) => (await client.list<KubeObject & { reason: string; message: string }>("events", { namespace: ns })).items;
  return { clock, sys, client, until, settle, namespace, node, service, pod, setStatus, endpoints, slices, events, stop: () => sys.stopAll() };
}
