/**
 * What the REPL needs from a cluster, whether it runs in this process or is
 * reached over the attach socket: actors and their figures, tell and ask to
 * any address, watches, crashing a worker, adding a node. `LocalPort` serves
 * an in-process cluster; the attach server exposes one over a socket and
 * `RemotePort` (remote.ts) speaks to it with the same interface.
 */
import type { SupervisorEvent } from "../../../runtime/supervisor.ts";
import { ActorError, RuntimeCodes } from "../../../runtime/errors.ts";
import type { ActorSpec } from "../../../runtime/actor.ts";
import type { WatchEvent } from "../../../actors/api/meta.ts";
import type { Status } from "../../../actors/api/status.ts";
import { nodePools, type Cluster, type ClusterOptions } from "../cluster.ts";
import { clientOf } from "../apply.ts";

/** One actor as `actors()` lists it. */
export interface ActorRow {
  address: string;
  worker: string;
  threadId: number;
  /** Messages waiting in its mailbox. */
  depth: number;
  /** Messages handled so far. */
  processed: number;
  errors: number;
  dropped: number;
}

/** What a watch follows. */
export interface WatchQuery {
  /** `pods`, `deployments.apps`. */
  resource: string;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Events after this revision; absent = current objects first, as ADDED. */
  resourceVersion?: string;
}

/** Where a watch's events go. */
export interface WatchSink {
  events(events: WatchEvent[]): void;
  /** The watch ended (a Status when it failed). */
  closed(status?: Status): void;
}

/** A node to add: name, capacity, labels, taints. */
export interface AddNodeOptions {
  name?: string;
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: string }[];
}

/** What `addNode` did. */
export interface AddedNode {
  node: string;
  address: string;
  worker: string;
}

/** The REPL's view of a cluster. */
export interface ClusterPort {
  /** `in-process cluster (3 nodes)`, `127.0.0.1:40123 (pid 4242)`. */
  readonly where: string;
  /** The cluster's data dir, when it has one (the history file goes there). */
  readonly dataDir?: string;
  actors(): Promise<ActorRow[]>;
  /** Fire-and-forget; false when no actor has the address. */
  tell(to: string, msg: unknown): Promise<boolean>;
  ask<R = unknown>(to: string, msg: unknown, timeoutMs?: number): Promise<R>;
  /** Crashes the worker hosting `address`; resolves with the supervisor's events until it is back (or gave up, or `waitMs` passed). */
  kill(address: string, waitMs?: number): Promise<SupervisorEvent[]>;
  addNode(options: AddNodeOptions): Promise<AddedNode>;
  watch(query: WatchQuery, sink: WatchSink): Promise<{ stop(): Promise<void> }>;
  /** Ends the session: an in-process cluster stops, an attached one is left running. */
  close(): Promise<void>;
}

let nextWatcher = 1;

/** A {@link ClusterPort} over a cluster running in this process. */
export class LocalPort implements ClusterPort {
  readonly where: string;
  readonly dataDir?: string;
  readonly #cluster: Cluster;
  readonly #options: ClusterOptions;
  readonly #ownsCluster: boolean;
  readonly #watchers = new Set<string>();

  /** `options` are those the cluster was started with (new nodes are built like its own); `owns` stops it on close. */
  constructor(cluster: Cluster, options: ClusterOptions, owns = true) {
    this.#cluster = cluster;
    this.#options = options;
    this.#ownsCluster = owns;
    this.dataDir = options.dataDir;
    this.where = `in-process cluster (${options.nodes ?? 3} nodes)`;
  }

  async actors(): Promise<ActorRow[]> {
    const sup = this.#cluster.supervisor;
    const stats = new Map<string, { depth: number; processed: number; errors: number; dropped: number }>();
    for (const s of await sup.stats()) for (const a of s.actors) stats.set(a.address, a);
    return sup.actors().map((l) => {
      const s = stats.get(l.address);
      return { address: l.address, worker: l.worker, threadId: l.threadId, depth: s?.depth ?? 0, processed: s?.processed ?? 0, errors: s?.errors ?? 0, dropped: s?.dropped ?? 0 };
    });
  }

  async tell(to: string, msg: unknown): Promise<boolean> {
    return this.#cluster.supervisor.tell(to, msg as never);
  }

  ask<R>(to: string, msg: unknown, timeoutMs?: number): Promise<R> {
    return this.#cluster.supervisor.ask<R>(to, msg as never, timeoutMs ? { timeoutMs } : undefined);
  }

  async kill(address: string, waitMs = 20_000): Promise<SupervisorEvent[]> {
    const sup = this.#cluster.supervisor;
    const seen: SupervisorEvent[] = [];
    let worker = "";
    let finish!: () => void;
    const finished = new Promise<void>((r) => (finish = r));
    const check = () => {
      const mine = seen.filter((e) => e.worker === worker);
      const exited = mine.findIndex((e) => e.type === "exited");
      if (exited >= 0 && mine.slice(exited + 1).some((e) => e.type === "started" || e.type === "gave-up")) finish();
    };
    const off = sup.on((e) => {
      seen.push(e);
      if (worker) check();
    });
    try {
      worker = await sup.crash(address, `killed from the REPL (${address})`);
      check();
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([finished, new Promise<void>((r) => (timer = setTimeout(r, waitMs)))]);
      clearTimeout(timer);
      return seen.filter((e) => e.worker === worker);
    } finally {
      off();
    }
  }

  async addNode(options: AddNodeOptions): Promise<AddedNode> {
    const sup = this.#cluster.supervisor;
    const taken = new Set<string>(sup.actors().filter((a) => a.address.startsWith("kubelet/")).map((a) => a.address.slice(8)));
    const nodes = await clientOf(sup).list("nodes");
    for (const n of nodes.items) taken.add(n.metadata.name!);
    const numbers = [...taken].map((n) => /^node-(\d+)$/.exec(n)?.[1]).filter(Boolean).map(Number);
    const index = Math.max(taken.size, ...numbers) + 1;
    const name = options.name ?? `node-${index}`;
    if (taken.has(name)) throw new ActorError(RuntimeCodes.AlreadyExists, `node "${name}" exists already`);
    // Built exactly as the cluster builds its own kubelets, then given this node's name and shape.
    const base = nodePools({ ...this.#options, nodes: index, nodeWorkers: 1 })[0].actors[index - 1] as ActorSpec<{ node: Record<string, unknown> }>;
    const capacity: Record<string, string> = {};
    if (options.cpu) capacity.cpu = String(options.cpu);
    if (options.memory) capacity.memory = String(options.memory);
    if (options.pods) capacity.pods = String(options.pods);
    const spec: ActorSpec = {
      ...base,
      address: `kubelet/${name}`,
      config: {
        ...base.config,
        node: { ...base.config!.node, name, ...(Object.keys(capacity).length ? { capacity } : {}), ...(options.labels ? { labels: options.labels } : {}), ...(options.taints ? { taints: options.taints } : {}) },
      },
    };
    const pools = sup.workers().filter((w) => w.name.startsWith("node-pool-") && w.state === "running").sort((a, b) => a.actors - b.actors);
    let worker: string;
    if (pools.length > 0) {
      worker = pools[0].name;
      await sup.spawnActor(worker, spec);
    } else {
      worker = `node-pool-${sup.workers().filter((w) => w.name.startsWith("node-pool-")).length + 1}`;
      await sup.start({ name: worker, actors: [spec] });
    }
    return { node: name, address: spec.address, worker };
  }

  async watch(query: WatchQuery, sink: WatchSink): Promise<{ stop(): Promise<void> }> {
    const sup = this.#cluster.supervisor;
    const address = `repl/watch-${nextWatcher++}`;
    let watchId: string | undefined;
    let closed = false;
    const remove = async () => {
      if (!this.#watchers.delete(address)) return;
      await sup.system.stop(address);
      sup.system.broadcastDirectory([[address, -1]]);
    };
    await sup.spawnLocal(address, () => ({
      handlers: {
        "api.watch.events": (m: Record<string, unknown>) => sink.events(m.events as WatchEvent[]),
        "api.watch.closed": (m: Record<string, unknown>) => {
          closed = true;
          sink.closed(m.status as Status | undefined);
          void remove();
        },
      },
    }), {});
    this.#watchers.add(address);
    try {
      const { resource, ...options } = query;
      watchId = (await clientOf(sup).watch(resource, { ...options, watcher: address })).watchId;
    } catch (err) {
      await remove();
      throw err;
    }
    return {
      stop: async () => {
        if (!closed && watchId) await clientOf(sup).unwatch(watchId).catch(() => {});
        closed = true;
        await remove();
      },
    };
  }

  async close(): Promise<void> {
    for (const address of [...this.#watchers]) {
      this.#watchers.delete(address);
      await this.#cluster.supervisor.system.stop(address);
    }
    if (this.#ownsCluster) await this.#cluster.stop();
  }
}
