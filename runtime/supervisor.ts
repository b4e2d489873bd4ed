/**
 * The supervisor (supervisord's role) lives on the main thread: it starts a
 * worker per component, links every pair of threads, restarts a worker that
 * crashes or exits with exponential backoff, gives up on a crash loop, and
 * reports all of it as events. It also owns the directory of addresses.
 */
import * as Comlink from "comlink";
import { platform, type WorkerExit, type WorkerHandle } from "./platform/index.ts";
import { ActorSystem, RESTARTING, type SystemStats } from "./system.ts";
import { ActorError, RuntimeCodes } from "./errors.ts";
import { installComlinkHandlers } from "./codec.ts";
import { realClock, type Clock } from "./clock.ts";
import { log } from "./log.ts";
import type { WorkerControl } from "./control.ts";
import type { ActorFactory, ActorSpec, AnyMessage, AskOptions, Message } from "./actor.ts";

/** When and how often a crashed worker is restarted. */
export interface RestartPolicy {
  /** First backoff (default 200 ms); doubles with each restart inside the window. */
  initialBackoffMs: number;
  /** Backoff ceiling (default 10 000 ms). */
  maxBackoffMs: number;
  /** More crashes than this inside `windowMs` is a crash loop: give up (default 5). */
  maxRestarts: number;
  /** The crash-loop window (default 60 000 ms). */
  windowMs: number;
}

/** A worker thread and the actors it hosts. */
export interface WorkerSpec {
  name: string;
  actors: ActorSpec[];
  restart?: Partial<RestartPolicy>;
}

/** What the supervisor reports. */
export interface SupervisorEvent {
  type: "started" | "exited" | "restarting" | "gave-up" | "stopped";
  worker: string;
  systemId: number;
  threadId: number;
  restarts: number;
  reason?: string;
  backoffMs?: number;
  at: number;
}

/** Options of a {@link Supervisor}. */
export interface SupervisorOptions {
  clock?: Clock;
  /** Timeout of each control call to a worker (default 30 000 ms). */
  controlTimeoutMs?: number;
  logLevel?: "debug" | "info" | "warn" | "error";
  /** Ask timeout for the actor systems when callers give none (default 30 000 ms). */
  defaultTimeoutMs?: number;
}

/** An actor and where it runs, as `actors()` lists it. */
export interface ActorLocation {
  address: string;
  worker: string;
  systemId: number;
  threadId: number;
}

const defaultPolicy: RestartPolicy = { initialBackoffMs: 200, maxBackoffMs: 10_000, maxRestarts: 5, windowMs: 60_000 };
const workerMain = new URL("./worker-main.ts", import.meta.url);
const rootUrl = new URL("..", import.meta.url).href;

interface Managed {
  spec: WorkerSpec;
  policy: RestartPolicy;
  state: "starting" | "running" | "backoff" | "failed" | "stopping" | "stopped";
  systemId: number;
  handle?: WorkerHandle;
  control?: Comlink.Remote<WorkerControl>;
  died?: Promise<never>;
  restarts: number;
  crashTimes: number[];
  addresses: string[];
}

/** Starts, links, restarts and stops the worker threads; the main thread's actor system. */
export class Supervisor {
  readonly system: ActorSystem;
  readonly clock: Clock;
  readonly events: SupervisorEvent[] = [];
  #workers = new Map<string, Managed>();
  #listeners = new Set<(e: SupervisorEvent) => void>();
  #nextSystemId = 1;
  #serial: Promise<unknown> = Promise.resolve();
  #controlTimeoutMs: number;
  #logLevel: SupervisorOptions["logLevel"];
  #defaultTimeoutMs?: number;
  #closed = false;

  constructor(options: SupervisorOptions = {}) {
    installComlinkHandlers();
    this.clock = options.clock ?? realClock;
    this.#controlTimeoutMs = options.controlTimeoutMs ?? 30_000;
    this.#logLevel = options.logLevel;
    this.#defaultTimeoutMs = options.defaultTimeoutMs;
    this.system = new ActorSystem({ id: 0, name: "main", clock: this.clock, defaultTimeoutMs: options.defaultTimeoutMs });
  }

  /** Subscribes to supervisor events; returns the unsubscribe function. */
  on(listener: (e: SupervisorEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Fire-and-forget from the main thread. */
  tell<M extends Message>(to: string, msg: M): boolean {
    return this.system.tell(to, msg);
  }

  /** Request/response from the main thread. */
  ask<R = unknown, M extends Message = AnyMessage>(to: string, msg: M, options?: AskOptions): Promise<R> {
    return this.system.ask<R, M>(to, msg, options);
  }

  /** Starts a worker and its actors; rejects (and leaves nothing running) if it cannot boot. */
  start(spec: WorkerSpec): Promise<void> {
    if (this.#workers.has(spec.name)) return Promise.reject(new ActorError(RuntimeCodes.AlreadyExists, `a worker named "${spec.name}" exists`));
    const m: Managed = { spec: { ...spec, actors: [...spec.actors] }, policy: { ...defaultPolicy, ...spec.restart }, state: "starting", systemId: 0, restarts: 0, crashTimes: [], addresses: [] };
    this.#workers.set(spec.name, m);
    return this.#serialized(async () => {
      try {
        await this.#boot(m);
      } catch (err) {
        this.#workers.delete(spec.name);
        await m.handle?.terminate();
        throw err;
      }
    });
  }

  /** Spawns an actor on the main thread (not supervised: it lives as long as the process). */
  async spawnLocal<C>(address: string, factory: ActorFactory<C>, config: C): Promise<void> {
    await this.system.spawn(address, factory, config);
    this.system.broadcastDirectory([[address, 0]]);
  }

  /** Adds an actor to a running worker; it is re-created whenever that worker restarts. */
  spawnActor(workerName: string, spec: ActorSpec): Promise<void> {
    return this.#serialized(async () => {
      const m = this.#running(workerName);
      await this.#call(m, m.control!.reserve([spec]), `reserve ${spec.address}`);
      this.#announce([[spec.address, m.systemId]]);
      try {
        await this.#call(m, m.control!.spawn([spec]), `spawn ${spec.address}`);
      } catch (err) {
        this.#announce([[spec.address, -1]]);
        throw err;
      }
      m.spec.actors.push(spec);
      m.addresses.push(spec.address);
    });
  }

  /** Stops one actor in its worker and forgets its spec. */
  stopActor(address: string): Promise<boolean> {
    return this.#serialized(async () => {
      for (const m of this.#workers.values()) {
        if (!m.addresses.includes(address) || m.state !== "running") continue;
        const stopped = await this.#call(m, m.control!.stopActor(address), `stop ${address}`);
        m.spec.actors = m.spec.actors.filter((a) => a.address !== address);
        m.addresses = m.addresses.filter((a) => a !== address);
        this.#announce([[address, -1]]);
        return stopped;
      }
      return this.system.stop(address);
    });
  }

  /** Makes the worker hosting `addressOrWorker` crash (an uncaught error), as a real fault would. */
  async crash(addressOrWorker: string, reason = "requested"): Promise<string> {
    const m = this.#workers.get(addressOrWorker) ?? [...this.#workers.values()].find((w) => w.addresses.includes(addressOrWorker));
    if (!m || m.state !== "running") throw new ActorError(RuntimeCodes.UnknownActor, `no running worker hosts "${addressOrWorker}"`);
    await m.control!.crash(reason).catch(() => {});
    return m.spec.name;
  }

  /** Where every actor runs now (main-thread actors included). */
  actors(): ActorLocation[] {
    const out: ActorLocation[] = this.system.localAddresses().map((address) => ({ address, worker: "main", systemId: 0, threadId: 0 }));
    for (const m of this.#workers.values()) {
      if (m.state !== "running") continue;
      for (const address of m.addresses) out.push({ address, worker: m.spec.name, systemId: m.systemId, threadId: m.handle!.threadId });
    }
    return out.sort((a, b) => a.address.localeCompare(b.address));
  }

  /** Each worker's name, state and restart count. */
  workers(): { name: string; state: Managed["state"]; systemId: number; threadId?: number; restarts: number; actors: number }[] {
    return [...this.#workers.values()].map((m) => ({ name: m.spec.name, state: m.state, systemId: m.systemId, threadId: m.handle?.threadId, restarts: m.restarts, actors: m.addresses.length }));
  }

  /** Figures from every running thread (main included). */
  async stats(): Promise<SystemStats[]> {
    const out: SystemStats[] = [this.system.stats()];
    for (const m of this.#workers.values()) {
      if (m.state !== "running") continue;
      try {
        out.push(await this.#call(m, m.control!.stats(), "stats"));
      } catch {
        // a worker dying right now has no figures to give
      }
    }
    return out;
  }

  /** The figures of one actor wherever it runs. */
  async inspect(address: string): Promise<unknown> {
    const local = this.system.inspect(address);
    if (local) return local;
    const m = [...this.#workers.values()].find((w) => w.addresses.includes(address) && w.state === "running");
    if (!m) throw new ActorError(RuntimeCodes.UnknownActor, `no actor at address "${address}"`);
    return this.#call(m, m.control!.inspect(address), `inspect ${address}`);
  }

  /** Stops every worker (in reverse start order) and the main thread's actors. */
  async shutdown(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#serial.catch(() => {});
    for (const m of [...this.#workers.values()].reverse()) await this.#stopWorker(m);
    await this.system.stopAll();
    this.system.close();
  }

  // ---- internals ----------------------------------------------------------

  #serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#serial.then(fn, fn);
    this.#serial = run.catch(() => {});
    return run;
  }

  /** Applies directory entries here and sends them to every other thread. */
  #announce(entries: [string, number][]): void {
    this.system.applyDirectory(entries);
    this.system.broadcastDirectory(entries);
  }

  #running(name: string): Managed {
    const m = this.#workers.get(name);
    if (!m || m.state !== "running") throw new ActorError(RuntimeCodes.UnknownActor, `no running worker named "${name}"`);
    return m;
  }

  #emit(e: Omit<SupervisorEvent, "at">): void {
    const event = { ...e, at: this.clock.now() };
    this.events.push(event);
    if (this.events.length > 1000) this.events.shift();
    const level = e.type === "gave-up" ? "error" : e.type === "exited" || e.type === "restarting" ? "warn" : "debug";
    log(level, "supervisor", `${e.worker} ${e.type}`, { restarts: e.restarts, reason: e.reason, backoffMs: e.backoffMs });
    for (const l of this.#listeners) l(event);
  }

  /** A control call that rejects when the worker dies or the call times out, never hangs. */
  #call<T>(m: Managed, p: Promise<T>, what: string, timeoutMs = this.#controlTimeoutMs): Promise<T> {
    let timer: ReturnType<Clock["setTimeout"]> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = realClock.setTimeout(() => reject(new ActorError(RuntimeCodes.Timeout, `${what} on worker ${m.spec.name} timed out after ${timeoutMs} ms`)), timeoutMs);
    });
    return Promise.race([p, m.died!, timeout]).finally(() => realClock.clearTimeout(timer!));
  }

  async #boot(m: Managed): Promise<void> {
    const systemId = this.#nextSystemId++;
    m.systemId = systemId;
    m.state = "starting";
    const handle = platform.spawnWorker(workerMain, { name: m.spec.name });
    m.handle = handle;
    let markDead!: (err: Error) => void;
    m.died = new Promise<never>((_, reject) => (markDead = reject));
    m.died.catch(() => {});
    handle.onExit((exit) => {
      markDead(new ActorError(RuntimeCodes.WorkerDied, `worker ${m.spec.name} died: ${describeExit(exit)}`));
      this.#onExit(m, systemId, exit);
    });
    const { port1, port2 } = new MessageChannel();
    handle.postMessage({ control: port2 }, [port2 as unknown as Transferable]);
    const control = Comlink.wrap<WorkerControl>(port1 as unknown as Comlink.Endpoint);
    m.control = control;
    await this.#call(m, control.init({ systemId, name: m.spec.name, rootUrl, directory: [...this.system.directory()], logLevel: this.#logLevel, defaultTimeoutMs: this.#defaultTimeoutMs }), "init");
    // Link the new thread to the main thread and to every running worker.
    const main = new MessageChannel();
    this.system.connect(systemId, main.port1 as never);
    const links: Promise<unknown>[] = [this.#call(m, control.connect(0, Comlink.transfer(main.port2, [main.port2 as never]) as never), "connect")];
    for (const other of this.#workers.values()) {
      if (other === m || other.state !== "running") continue;
      const ch = new MessageChannel();
      links.push(this.#call(other, other.control!.connect(systemId, Comlink.transfer(ch.port1, [ch.port1 as never]) as never), "connect"));
      links.push(this.#call(m, control.connect(other.systemId, Comlink.transfer(ch.port2, [ch.port2 as never]) as never), "connect"));
    }
    await Promise.all(links);
    // Announce the addresses before the factories run: an actor that opens
    // watches in its factory gets the events told to it during start-up
    // (they wait in its reserved mailbox) instead of having them refused.
    await this.#call(m, control.reserve(m.spec.actors), "reserve");
    this.#announce(m.spec.actors.map((a) => [a.address, systemId]));
    try {
      // Factories run one after another (a pool of kubelets registers its nodes in turn), so the
      // allowance grows with the number of actors: the control timeout plus 100 ms per actor.
      m.addresses = await this.#call(m, control.spawn(m.spec.actors), "spawn", this.#controlTimeoutMs + 100 * m.spec.actors.length);
    } catch (err) {
      this.#announce(m.spec.actors.map((a) => [a.address, m.state === "starting" && m.restarts === 0 ? -1 : RESTARTING]));
      throw err;
    }
    m.state = "running";
    this.#emit({ type: "started", worker: m.spec.name, systemId, threadId: handle.threadId, restarts: m.restarts });
  }

  #onExit(m: Managed, systemId: number, exit: WorkerExit): void {
    if (m.systemId !== systemId) return; // an old incarnation
    const addresses = m.spec.actors.map((a) => a.address);
    if (m.state === "stopping" || m.state === "stopped" || this.#closed) {
      m.state = "stopped";
      this.system.broadcastDown(systemId);
      return;
    }
    const reason = describeExit(exit);
    this.#emit({ type: "exited", worker: m.spec.name, systemId, threadId: m.handle?.threadId ?? -1, restarts: m.restarts, reason });
    this.#announce(addresses.map((a) => [a, RESTARTING]));
    this.system.broadcastDown(systemId);
    if (m.state === "starting" && m.restarts === 0) return; // the first boot failed: start() reports it

    const now = this.clock.now();
    m.crashTimes = m.crashTimes.filter((t) => now - t < m.policy.windowMs);
    m.crashTimes.push(now);
    if (m.crashTimes.length > m.policy.maxRestarts) {
      m.state = "failed";
      this.#announce(addresses.map((a) => [a, -1]));
      this.#emit({ type: "gave-up", worker: m.spec.name, systemId, threadId: -1, restarts: m.restarts, reason: `${m.crashTimes.length} crashes within ${m.policy.windowMs} ms; last: ${reason}` });
      return;
    }
    const backoffMs = Math.min(m.policy.maxBackoffMs, m.policy.initialBackoffMs * 2 ** (m.crashTimes.length - 1));
    m.state = "backoff";
    this.#emit({ type: "restarting", worker: m.spec.name, systemId, threadId: -1, restarts: m.restarts, reason, backoffMs });
    this.clock.setTimeout(() => {
      if (this.#closed || m.state !== "backoff") return;
      m.restarts++;
      this.#serialized(() => this.#boot(m)).catch((err) => {
        log("error", "supervisor", `restart of ${m.spec.name} failed`, { error: String(err?.message ?? err) });
        void m.handle?.terminate();
      });
    }, backoffMs, { keepAlive: true });
  }

  async #stopWorker(m: Managed): Promise<void> {
    if (m.state === "stopped" || m.state === "failed") return;
    const wasRunning = m.state === "running";
    m.state = "stopping";
    if (wasRunning && m.control) {
      await this.#call(m, m.control.shutdown(), "shutdown").catch(() => {});
    }
    await m.handle?.terminate();
    m.state = "stopped";
    this.system.broadcastDown(m.systemId);
    this.#emit({ type: "stopped", worker: m.spec.name, systemId: m.systemId, threadId: m.handle?.threadId ?? -1, restarts: m.restarts });
  }
}

function describeExit(exit: WorkerExit): string {
  if (exit.error) return `${exit.error.name}: ${exit.error.message}`;
  return `exit code ${exit.code ?? "unknown"}`;
}
