/**
 * The REPL's side of the attach socket: a {@link ClusterPort} whose every
 * call is a request over the connection. Every call settles: with the
 * answer, the cluster's typed error, a timeout, or `Disconnected` when the
 * cluster goes away.
 */
import { connect, type Socket } from "node:net";
import type { SupervisorEvent } from "../../../runtime/supervisor.ts";
import { ActorError, RuntimeCodes } from "../../../runtime/errors.ts";
import { frame, frameReader, type Push, type Reply } from "./wire.ts";
import type { AttachInfo } from "./server.ts";
import type { ActorRow, AddedNode, AddNodeOptions, ClusterPort, WatchQuery, WatchSink } from "./port.ts";

/** Extra time a request gets over the ask it carries, for the trip itself. */
const MARGIN_MS = 5_000;
const DEFAULT_MS = 60_000;

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  timer: ReturnType<typeof setTimeout>;
}

/** A cluster reached through its attach socket. */
export class RemotePort implements ClusterPort {
  readonly where: string;
  readonly dataDir?: string;
  readonly #socket: Socket;
  readonly #pending = new Map<number, Pending>();
  readonly #sinks = new Map<number, WatchSink>();
  #nextId = 1;
  #gone?: ActorError;

  private constructor(socket: Socket, info: AttachInfo) {
    this.#socket = socket;
    this.where = info.where;
    this.dataDir = info.dataDir;
    socket.setEncoding("utf8");
    socket.on("data", frameReader((v) => this.#onFrame(v as Reply | Push), (err) => this.#fail(`the cluster sent ${err.message}`)));
    socket.on("error", (err) => this.#fail(`connection error: ${err.message}`));
    socket.on("close", () => this.#fail("the cluster closed the connection (did it stop?)"));
  }

  /** Connects and authenticates with the attach file's token. */
  static async connect(info: AttachInfo, timeoutMs = 10_000): Promise<RemotePort> {
    const socket = connect({ host: info.host ?? "127.0.0.1", port: info.port });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new ActorError(RuntimeCodes.Timeout, `no answer from the cluster at ${info.where} within ${timeoutMs} ms`)), timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once("error", (err) => {
        clearTimeout(timer);
        reject(new ActorError("Disconnected", `cannot reach the cluster at ${info.where}: ${err.message}`));
      });
    });
    const port = new RemotePort(socket, info);
    await port.#call("hello", [info.token], timeoutMs);
    return port;
  }

  actors(): Promise<ActorRow[]> {
    return this.#call("actors", []);
  }

  tell(to: string, msg: unknown): Promise<boolean> {
    return this.#call("tell", [to, msg]);
  }

  ask<R>(to: string, msg: unknown, timeoutMs?: number): Promise<R> {
    return this.#call("ask", timeoutMs === undefined ? [to, msg] : [to, msg, timeoutMs], (timeoutMs ?? 30_000) + MARGIN_MS);
  }

  kill(address: string, waitMs = 20_000): Promise<SupervisorEvent[]> {
    return this.#call("kill", [address, waitMs], waitMs + MARGIN_MS);
  }

  addNode(options: AddNodeOptions): Promise<AddedNode> {
    return this.#call("addNode", [options]);
  }

  async watch(query: WatchQuery, sink: WatchSink): Promise<{ stop(): Promise<void> }> {
    const wid = await this.#call<number>("watch", [query]);
    this.#sinks.set(wid, sink);
    return {
      stop: async () => {
        if (!this.#sinks.delete(wid) || this.#gone) return;
        await this.#call("unwatch", [wid]).catch(() => {});
      },
    };
  }

  async close(): Promise<void> {
    this.#sinks.clear();
    this.#gone ??= new ActorError("Disconnected", "the REPL closed the connection");
    await new Promise<void>((r) => this.#socket.end(() => r()));
    this.#socket.destroy();
  }

  #call<R>(op: string, args: unknown[], timeoutMs = DEFAULT_MS): Promise<R> {
    if (this.#gone) return Promise.reject(this.#gone);
    const id = this.#nextId++;
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new ActorError(RuntimeCodes.Timeout, `${op} on the attached cluster timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.#socket.write(frame({ id, op, args }));
    });
  }

  #onFrame(f: Reply | Push): void {
    if ("push" in f) {
      const sink = this.#sinks.get(f.wid);
      if (!sink) return;
      if (f.push === "watch.events") sink.events(f.events);
      else {
        this.#sinks.delete(f.wid);
        sink.closed(f.status);
      }
      return;
    }
    const p = this.#pending.get(f.id);
    if (!p) return;
    this.#pending.delete(f.id);
    clearTimeout(p.timer);
    if (f.ok) p.resolve(f.value);
    else p.reject(f.error);
  }

  #fail(why: string): void {
    if (!this.#gone) this.#gone = new ActorError("Disconnected", why);
    for (const [id, p] of this.#pending) {
      this.#pending.delete(id);
      clearTimeout(p.timer);
      p.reject(this.#gone);
    }
    for (const sink of this.#sinks.values()) sink.closed();
    this.#sinks.clear();
  }
}
