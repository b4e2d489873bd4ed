/**
 * The kubelet actor, one per node (many per node-pool worker, as kubemark's
 * hollow nodes): registers its Node, keeps its Lease fresh as the heartbeat
 * the node-lifecycle controller watches, reports node conditions, runs the
 * pods bound to it and the static pods of its manifest folder (mirrored to
 * the apiserver). It starts without the apiserver and registers once it
 * answers. `kubelet.silence` makes it stop heartbeating, as a dead machine would.
 */
import type { ActorFactory, Validator } from "../../runtime/actor.ts";
import { need } from "../../runtime/actor.ts";
import type { TimerId } from "../../runtime/clock.ts";
import { ActorError } from "../../runtime/errors.ts";
import { ApiClient, isAlreadyExists, isConflict, isNotFound, retryOnConflict } from "../api/client.ts";
import { healthyConditions, leaseObject, microTime, nodeObject, type NodeShape } from "./node-status.ts";
import type { Node } from "../api/types/core-node.ts";
import type { Lease } from "../api/types/coordination.ts";
import type { Pod } from "../api/types/core-pod.ts";
import type { WatchMessage } from "../api/protocol.ts";
import { InformerSet } from "../api/informer-set.ts";
import { EventRecorder } from "../api/events.ts";
import { SimulatedRuntime, type SimulatedRuntimeOptions } from "./cri/simulated.ts";
import { NodeFiles } from "./cri/files.ts";
import type { CniResult } from "../../cni/network.ts";
import { PodWorkers } from "./pods.ts";
import { VolumeManager } from "./volumes.ts";
import { WatchedObjects } from "./config-objects.ts";
import { defaultHostDNS } from "./dns.ts";
import { mintServiceAccountToken } from "./volume-contents.ts";
import { isMirrorPod, scanStaticPods } from "./static-pods.ts";
import { MirrorPods } from "./mirror-pods.ts";

/** Configuration of one kubelet. */
export interface KubeletConfig {
  node: NodeShape;
  /** Lease renewal period (default 10 000 ms, as Kubernetes). */
  heartbeatMs?: number;
  /** Lease duration written on the Lease (default 40 s). */
  leaseDurationSeconds?: number;
  /** Node status report period when nothing changed (default 60 000 ms). */
  statusEveryMs?: number;
  apiserver?: string;
  /** The CNI actor's address (default `cni`). */
  cni?: string;
  /** Simulated runtime settings (image pull delay, start delay, …). */
  runtime?: Omit<SimulatedRuntimeOptions, "clock" | "network" | "files">;
  /** Cluster DNS servers pods with dnsPolicy ClusterFirst use (default ["10.96.0.10"]; [] falls back to Default). */
  clusterDNS?: string[];
  /** The cluster's DNS domain (default `cluster.local`). */
  clusterDomain?: string;
  /** The node's own resolver, for dnsPolicy Default (default: nameserver a.b.c.1 of the node's address). */
  resolvConf?: { nameservers?: string[]; searches?: string[]; options?: string[] };
  /** A folder (or one file) of static pod manifests, run without the apiserver. */
  staticPodPath?: string;
  /** How often the manifests are read again (default 20 000 ms, the kubelet's fileCheckFrequency). */
  staticPodPollMs?: number;
  /** How long a read of the Node is reused for admission (default 5 000 ms). */
  nodeCacheMs?: number;
}

/** Messages a kubelet answers. */
export type KubeletMessage =
  | { type: "kubelet.heartbeat" }
  | { type: "kubelet.report-status" }
  | { type: "kubelet.register" }
  | { type: "kubelet.silence" }
  | { type: "kubelet.resume" }
  | { type: "kubelet.status" }
  | { type: "kubelet.pods" }
  | { type: "kubelet.sync-pod"; uid: string }
  | { type: "kubelet.static-scan" }
  | { type: "kubelet.mirror-sync" }
  | { type: "kubelet.logs"; namespace: string; name: string; container?: string; tailLines?: number; previous?: boolean }
  | { type: "kubelet.exec"; namespace: string; name: string; container?: string; command: string[] };

const podTarget: Validator = (m) => need(m, "namespace", "string") ?? need(m, "name", "string") ?? (m.container !== undefined ? need(m, "container", "string") : undefined);

/** Builds one kubelet. */
export const kubeletActor: ActorFactory<KubeletConfig, KubeletMessage | WatchMessage> = async (ctx, config) => {
  if (!config?.node?.name) throw new Error("kubelet config needs node.name");
  const name = config.node.name;
  const client = new ApiClient(ctx, { apiserver: config.apiserver, user: `system:node:${name}`, groups: ["system:nodes"] });
  const heartbeatMs = config.heartbeatMs ?? 10_000;
  const statusEveryMs = config.statusEveryMs ?? 60_000;
  const hostIP = config.node.internalIP ?? "192.168.0.2";
  const clusterDomain = config.clusterDomain ?? "cluster.local";
  let silent = false;
  let registered = false;
  let registerFailures = 0;
  let lastRenew = 0;
  let volumesInUse: string[] = [];
  const timers = new Map<KubeletMessage["type"], TimerId>();

  async function register(): Promise<void> {
    // Register, or re-register after a restart: the Node may already exist.
    try {
      await client.create("nodes", nodeObject(config.node, ctx.clock.now()));
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      await reportStatus(true);
    }
    registered = true;
    // The Lease comes with the first heartbeat, right after starting: registering costs one request,
    // so the thousands of kubelets of a worker, registering one after another, start sooner.
    ctx.tell(ctx.self, { type: "kubelet.heartbeat" });
    schedule("kubelet.report-status", statusEveryMs);
  }

  async function reportStatus(full = false): Promise<void> {
    const now = ctx.clock.now();
    await retryOnConflict(async () => {
      const cur = await client.get<Node>("nodes", name);
      const fresh = nodeObject(config.node, now);
      const old = cur.status?.conditions ?? [];
      // Transition times move only when a condition's status changes.
      const conditions = healthyConditions(now).map((c) => {
        const prev = old.find((o) => o.type === c.type);
        return prev && prev.status === c.status ? { ...c, lastTransitionTime: prev.lastTransitionTime } : c;
      });
      // Conditions the kubelet does not own (NetworkUnavailable, set by the route controller or the CNI) are kept.
      const mine = new Set(conditions.map((c) => c.type));
      conditions.push(...old.filter((o) => !mine.has(o.type)));
      const status = full ? { ...cur.status, ...fresh.status, conditions } : { ...cur.status, conditions };
      if (volumesInUse.length || cur.status?.volumesInUse?.length) status.volumesInUse = volumesInUse;
      await client.updateStatus("nodes", { ...cur, status });
    });
  }

  // The Lease as last written: renewing it is one update, as the kubelet's lease controller does;
  // only a conflict or a missing Lease costs a read or a create.
  let lease: Lease | undefined;
  async function renewLease(): Promise<void> {
    const now = ctx.clock.now();
    const renewed = (cur: Lease): Lease => ({ ...cur, spec: { ...cur.spec, holderIdentity: name, leaseDurationSeconds: config.leaseDurationSeconds ?? 40, renewTime: microTime(now) } });
    const create = () => client.create<Lease>("leases.coordination.k8s.io", leaseObject(name, now, config.leaseDurationSeconds));
    try {
      if (lease) lease = await client.update("leases.coordination.k8s.io", renewed(lease));
      // A fresh node has no Lease yet: create first.
      else lease = await create();
    } catch (err) {
      if (!isConflict(err) && !isNotFound(err) && !isAlreadyExists(err)) throw err;
      try {
        lease = await retryOnConflict(async () => client.update("leases.coordination.k8s.io", renewed(await client.get<Lease>("leases.coordination.k8s.io", name, { namespace: "kube-node-lease" }))));
      } catch (again) {
        lease = undefined;
        if (!isNotFound(again)) throw again;
        lease = await create();
      }
    }
    lastRenew = now;
  }

  // The attachable volumes this node's pods use, as the attach/detach controller reads them.
  function reportVolumesInUse(names: string[]): void {
    volumesInUse = names;
    void retryOnConflict(async () => {
      const cur = await client.get<Node>("nodes", name);
      await client.updateStatus("nodes", { ...cur, status: { ...cur.status, volumesInUse: names } });
    }).catch((err) => ctx.log("warn", `node volumesInUse not updated: ${(err as Error).message}`));
  }

  // The Node as last read; admission and the downward API can live with a few seconds' staleness.
  let nodeCache: { node: Node; at: number } | undefined;
  async function getNode(): Promise<Node> {
    const now = ctx.clock.now();
    if (nodeCache && now - nodeCache.at < (config.nodeCacheMs ?? 5_000)) return nodeCache.node;
    try {
      nodeCache = { node: await client.get<Node>("nodes", name), at: now };
      return nodeCache.node;
    } catch {
      return nodeCache?.node ?? nodeObject(config.node, now);
    }
  }

  // One timer per kind of periodic work; rescheduling replaces it.
  const schedule = (type: KubeletMessage["type"], ms: number) => {
    const old = timers.get(type);
    if (old) ctx.clock.clearTimeout(old);
    timers.set(type, ctx.clock.setTimeout(() => ctx.tell(ctx.self, { type }), ms));
  };
  const clearTimers = () => {
    for (const t of timers.values()) ctx.clock.clearTimeout(t);
    timers.clear();
  };
  const tryRegister = async () => {
    try {
      await register();
      registerFailures = 0;
    } catch (err) {
      // The kubelet's registration back-off: 100 ms doubling to 7 s.
      ctx.log("warn", `unable to register node ${name} with the apiserver: ${(err as Error).message}`);
      schedule("kubelet.register", Math.min(7_000, 100 * 2 ** registerFailures++));
    }
  };
  // The first attempt is part of starting: kubelets sharing a worker then register one after another,
  // which measured far faster for thousands of them than all at once. One whose apiserver is down starts anyway.
  await tryRegister();

  // The node's container runtime; its sandboxes join the cluster network through the CNI actor.
  const cni = config.cni ?? "cni";
  const sandboxPods = new Map<string, string>();
  const files = new NodeFiles();
  const runtime = new SimulatedRuntime({
    ...config.runtime,
    clock: ctx.clock,
    files,
    network: {
      add: async (sandboxId, sb) => {
        const r = await ctx.ask<CniResult>(cni, { type: "cni.add", node: name, podUid: sb.metadata.uid, namespace: sb.metadata.namespace, name: sb.metadata.name, sandbox: sandboxId });
        sandboxPods.set(sandboxId, sb.metadata.uid);
        return { ip: r.ips[0].address.split("/")[0] };
      },
      del: async (sandboxId) => {
        const uid = sandboxPods.get(sandboxId);
        sandboxPods.delete(sandboxId);
        if (uid) await ctx.ask(cni, { type: "cni.del", node: name, podUid: uid });
      },
    },
  });
  const events = new EventRecorder(client, ctx.clock, "kubelet");
  const informers = new InformerSet(ctx, client);
  const watched = new WatchedObjects(informers, client);
  const volumes = new VolumeManager({
    clock: ctx.clock,
    files,
    events,
    lookup: (uid) => watched.lookup(uid),
    getNode: () => client.get<Node>("nodes", name),
    token: (pod, audience, seconds) => mintServiceAccountToken(pod, name, audience, seconds, ctx.clock.now(), clusterDomain),
    volumesInUse: reportVolumesInUse,
  });
  const r = config.resolvConf;
  const hostDNS = defaultHostDNS(hostIP);
  const workers = new PodWorkers({
    node: name,
    hostIP,
    client,
    clock: ctx.clock,
    runtime,
    events,
    files,
    volumes,
    dns: {
      clusterDNS: config.clusterDNS ?? ["10.96.0.10"],
      clusterDomain,
      host: { servers: r?.nameservers ?? hostDNS.servers, searches: r?.searches ?? [], options: r?.options ?? [] },
    },
    lookup: (uid) => watched.lookup(uid),
    getNode,
    requestSync: (uid, ms) => ctx.clock.setTimeout(() => ctx.tell(ctx.self, { type: "kubelet.sync-pod", uid }), ms),
    log: (level, message) => ctx.log(level, message),
  });
  runtime.onContainerEvent((e) => {
    if (e.type === "ContainerDied") ctx.tell(ctx.self, { type: "kubelet.sync-pod", uid: e.podUid });
  });

  // Static pods: read before anything else, so they run whether or not the apiserver answers.
  const statics = new Map<string, Pod>();
  const mirrors = new MirrorPods({
    node: name,
    client,
    nodeUid: async () => (registered ? (await getNode()).metadata.uid : undefined),
    onMirror: (uid) => {
      workers.invalidateStatus(uid);
      ctx.tell(ctx.self, { type: "kubelet.sync-pod", uid });
    },
    log: (level, message) => ctx.log(level, message),
  });
  async function scanStatics(): Promise<void> {
    if (!config.staticPodPath) return;
    const scan = await scanStaticPods(config.staticPodPath, name, ctx.clock.now());
    for (const e of scan.errors) ctx.log("warn", e);
    for (const [uid, pod] of scan.pods) {
      if (statics.has(uid)) continue;
      statics.set(uid, pod);
      ctx.tell(ctx.self, { type: "kubelet.sync-pod", uid: workers.observe(pod, true) });
    }
    for (const uid of [...statics.keys()]) {
      if (scan.pods.has(uid)) continue;
      statics.delete(uid);
      workers.removeStatic(uid);
    }
    mirrors.setStatics(statics.values());
    ctx.tell(ctx.self, { type: "kubelet.mirror-sync" });
    schedule("kubelet.static-scan", config.staticPodPollMs ?? 20_000);
  }
  await scanStatics();

  const pods = informers.informer<Pod>({ resource: "pods", fieldSelector: `spec.nodeName=${name}` });
  const seen = (p: Pod) => {
    if (isMirrorPod(p)) {
      mirrors.observe(p);
      ctx.tell(ctx.self, { type: "kubelet.mirror-sync" });
    } else ctx.tell(ctx.self, { type: "kubelet.sync-pod", uid: workers.observe(p) });
  };
  pods.addEventHandler({
    onAdd: seen,
    onUpdate: (_, p) => seen(p),
    onDelete: (p) => {
      if (isMirrorPod(p)) {
        mirrors.forget(p);
        ctx.tell(ctx.self, { type: "kubelet.mirror-sync" });
      } else {
        void workers.forget(p);
        watched.release(p.metadata.uid!);
      }
    },
  });
  informers.start();

  // A pod this node runs, by namespace/name (static pods under their mirror's name).
  const container = (m: { namespace: string; name: string; container?: string }) => {
    const uid = workers.find(m.namespace, m.name);
    const pod = uid ? workers.pod(uid) : undefined;
    if (!uid || !pod) throw new ActorError("NotFound", `pod ${m.namespace}/${m.name} is not on node ${name}`);
    const cname = m.container ?? pod.spec.containers[0]?.name;
    if (!pod.spec.containers.some((c) => c.name === cname) && !(pod.spec.initContainers ?? []).some((c) => c.name === cname)) {
      throw new ActorError("BadRequest", `container ${cname} is not valid for pod ${m.name}`);
    }
    const id = workers.containerId(uid, cname);
    if (!id) throw new ActorError("BadRequest", `container "${cname}" in pod "${m.name}" is waiting to start: ContainerCreating`);
    return id;
  };

  return {
    handlers: {
      ...informers.handlers,
      "kubelet.sync-pod": (m) => workers.sync(m.uid),
      "kubelet.logs": (m) => runtime.logs(container(m), { tailLines: m.tailLines, previous: m.previous }),
      "kubelet.exec": (m) => runtime.ExecSync(container(m), m.command, 10),
      "kubelet.pods": () => workers.list(),
      "kubelet.static-scan": () => scanStatics(),
      "kubelet.mirror-sync": async () => {
        if (!(await mirrors.sync())) schedule("kubelet.mirror-sync", 5_000);
      },
      "kubelet.register": async () => {
        if (!registered && !silent) await tryRegister();
        if (registered) ctx.tell(ctx.self, { type: "kubelet.mirror-sync" });
      },
      "kubelet.heartbeat": async () => {
        if (silent || !registered) return;
        try {
          await renewLease();
        } catch (err) {
          ctx.log("warn", `lease renewal failed: ${(err as Error).message}`);
        }
        schedule("kubelet.heartbeat", heartbeatMs);
      },
      "kubelet.report-status": async () => {
        if (silent || !registered) return;
        try {
          await reportStatus();
        } catch (err) {
          ctx.log("warn", `node status update failed: ${(err as Error).message}`);
        }
        schedule("kubelet.report-status", statusEveryMs);
      },
      "kubelet.silence": () => {
        silent = true;
        clearTimers();
        return { node: name, heartbeating: false };
      },
      "kubelet.resume": async () => {
        if (!silent) return { node: name, heartbeating: true };
        silent = false;
        if (!registered) await tryRegister();
        else {
          await renewLease();
          await reportStatus();
          schedule("kubelet.heartbeat", heartbeatMs);
          schedule("kubelet.report-status", statusEveryMs);
        }
        if (config.staticPodPath) schedule("kubelet.static-scan", 0);
        return { node: name, heartbeating: true };
      },
      "kubelet.status": () => ({
        node: name,
        registered,
        heartbeating: !silent,
        lastRenew: lastRenew ? new Date(lastRenew).toISOString() : undefined,
        pods: workers.size,
        staticPods: statics.size,
      }),
    },
    validate: {
      "kubelet.sync-pod": (m) => need(m, "uid", "string"),
      "kubelet.logs": podTarget,
      "kubelet.exec": (m) =>
        podTarget(m) ?? (Array.isArray(m.command) && m.command.length > 0 && m.command.every((c) => typeof c === "string") ? undefined : "command: expected a non-empty array of strings"),
    },
    onStop: async () => {
      clearTimers();
      await informers.stop();
    },
    inspect: () => ({ node: name, registered, heartbeating: !silent, pods: workers.size, staticPods: statics.size, files: files.size, watchedObjects: watched.watched() }),
  };
};
