/**
 * An in-process cluster on simulated time for kubelet lifecycle tests: an
 * apiserver, the CNI actor and one kubelet (`n1`); pods are bound by
 * `spec.nodeName`, so no scheduler is involved. `until` moves the clock in
 * small steps until a condition holds, failing after a simulated deadline.
 */
import { ActorSystem } from "../../../runtime/system.ts";
import { SimulatedClock } from "../../../runtime/clock.ts";
import { apiserverActor } from "../../../actors/apiserver/actor.ts";
import { kubeletActor, type KubeletConfig } from "../../../actors/kubelet/actor.ts";
import { cniActor } from "../../../cni/actor.ts";
import type { ActorFactory } from "../../../runtime/actor.ts";
import type { KubeObject } from "../../../actors/api/meta.ts";
import type { Pod } from "../../../actors/api/types/core-pod.ts";

const untyped = <C>(f: unknown) => f as ActorFactory<C>;

/** The cluster CA the sim publishes as `kube-root-ca.crt`. */
export const ROOT_CA = "-----BEGIN CERTIFICATE-----\nMIIBsimulated\n-----END CERTIFICATE-----\n";

/** Options of {@link simCluster}. */
export interface SimOptions {
  kubelet?: Partial<KubeletConfig>;
  /** Start without the apiserver (static pod tests start it later). */
  noApiserver?: boolean;
}

/** Starts the cluster; every helper talks to the apiserver as an admin would. */
export async function simCluster(opts: SimOptions = {}) {
  const clock = new SimulatedClock(Date.parse("2026-05-01T00:00:00Z"));
  const sys = new ActorSystem({ id: 0, name: "t", clock });
  const startApiserver = async () => {
    await sys.spawn("apiserver", untyped(apiserverActor), { bookmarkIntervalMs: 3_600_000 });
    await sys.spawn("cni", untyped(cniActor), {});
    // What the root CA publisher would have done: every pod's service account volume needs it.
    await publishRootCA("default");
  };
  // (The apiserver may already publish it itself.)
  const publishRootCA = (namespace: string) =>
    sys.ask("apiserver", { type: "api.create", resource: "configmaps", namespace, object: { metadata: { name: "kube-root-ca.crt" }, data: { "ca.crt": ROOT_CA } } }).catch((err) => {
      if ((err as { code?: string }).code !== "AlreadyExists") throw err;
    });
  if (!opts.noApiserver) await startApiserver();
  const kubelet: KubeletConfig = { node: { name: "n1", internalIP: "172.18.0.2" }, runtime: { pullDelayMs: 0 }, ...opts.kubelet };
  await sys.spawn("kubelet/n1", untyped(kubeletActor), kubelet);

  const ask = <T>(msg: Record<string, unknown>) => sys.ask<T>("apiserver", msg as { type: string });
  const api = {
    create: <T extends KubeObject>(resource: string, object: Record<string, unknown>, namespace = "default") => ask<T>({ type: "api.create", resource, namespace, object }),
    get: <T extends KubeObject>(resource: string, name: string, namespace?: string) => ask<T>({ type: "api.get", resource, name, ...(namespace ? { namespace } : {}) }),
    list: async <T extends KubeObject>(resource: string, namespace?: string) => (await ask<{ items: T[] }>({ type: "api.list", resource, ...(namespace ? { namespace } : {}) })).items,
    updateStatus: <T extends KubeObject>(resource: string, object: T) => ask<T>({ type: "api.update", resource, subresource: "status", namespace: object.metadata.namespace, object }),
    delete: (resource: string, name: string, namespace = "default", options?: Record<string, unknown>) => ask({ type: "api.delete", resource, name, namespace, ...(options ? { options } : {}) }),
  };
  /** A namespace, with its root CA ConfigMap. */
  const namespace = async (name: string) => {
    await ask({ type: "api.create", resource: "namespaces", object: { metadata: { name } } });
    await publishRootCA(name);
  };
  /** A pod bound to n1. */
  const pod = (name: string, spec: Record<string, unknown>, meta: Record<string, unknown> = {}, namespace = "default") =>
    api.create<Pod>("pods", { metadata: { name, ...meta }, spec: { nodeName: "n1", ...spec } }, namespace);
  const getPod = (name: string, namespace = "default") => api.get<Pod>("pods", name, namespace);
  /**
   * Advances simulated time until `pred` holds; fails after `maxMs` of
   * simulated time. Time keeps moving while `pred` waits on an actor that is
   * itself waiting on the clock (a kubelet pulling an image).
   */
  const until = async <T>(what: string, pred: () => Promise<T | undefined | false>, { stepMs = 100, maxMs = 200_000 } = {}): Promise<T> => {
    const start = clock.now();
    let last: unknown;
    for (;;) {
      let settled = false;
      const attempt = pred().then((v) => ({ v }), (err) => ({ err })).finally(() => (settled = true));
      while (!settled) {
        await clock.advance(stepMs);
        await new Promise((r) => setTimeout(r, 0));
        if (clock.now() - start > maxMs) break;
      }
      const r = await attempt;
      if ("v" in r && r.v) return r.v;
      last = "v" in r ? r.v : (r.err as Error).message;
      if (clock.now() - start > maxMs) throw new Error(`${what}: not reached after ${maxMs} ms of simulated time (last: ${JSON.stringify(last)})`);
    }
  };
  /** Advances simulated time by `ms`, letting messages flow. */
  const advance = async (ms: number, stepMs = 100) => {
    for (let t = 0; t < ms; t += stepMs) {
      await clock.advance(Math.min(stepMs, ms - t));
      await new Promise((r) => setTimeout(r, 0));
    }
  };
  const events = async (name: string, namespace = "default") =>
    (await api.list<KubeObject & { involvedObject: { name: string }; reason: string; message: string; type: string; count: number }>("events", namespace)).filter((e) => e.involvedObject.name === name);
  const exec = (name: string, command: string[], container?: string, namespace = "default") =>
    sys.ask<{ stdout: string; stderr: string; exitCode: number }>("kubelet/n1", { type: "kubelet.exec", namespace, name, command, ...(container ? { container } : {}) });
  const waiting = (p: Pod | undefined) => p?.status?.containerStatuses?.[0]?.state?.waiting;
  const running = (p: Pod | undefined) => p?.status?.phase === "Running" && p.status.containerStatuses?.every((c) => c.state?.running) === true;
  return { clock, sys, api, namespace, pod, getPod, until, advance, events, exec, waiting, running, startApiserver, kubelet };
}
