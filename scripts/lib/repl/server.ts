/**
 * The attach socket a running cluster opens for `npm run repl -- --attach`:
 * TCP on 127.0.0.1 only, a random token, superjson frames (wire.ts). Where
 * to find it is written to `<data-dir>/attach.json` when the cluster has a
 * data dir, and always to `~/.actorkube/run/<pid>.json` (ACTORKUBE_HOME
 * moves `~/.actorkube`); both are removed when the cluster stops.
 */
import { createServer, type Server, type Socket } from "node:net";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { timingSafeEqual } from "node:crypto";
import { nanoid } from "nanoid";
import { ActorError, RuntimeCodes } from "../../../runtime/errors.ts";
import { frame, frameReader, wireError, type Push, type Reply, type Request } from "./wire.ts";
import type { ClusterPort, WatchQuery } from "./port.ts";

/** What an attach file holds. */
export interface AttachInfo {
  pid: number;
  host: "127.0.0.1";
  port: number;
  token: string;
  startedAt: string;
  dataDir?: string;
  where: string;
}

/** A listening attach socket. */
export interface AttachServer {
  info: AttachInfo;
  /** The attach files written. */
  files: string[];
  /** Closes the socket and every connection, removes the files. */
  close(): Promise<void>;
}

/** `~/.actorkube`, or `$ACTORKUBE_HOME`. */
export function stateHome(): string {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.ACTORKUBE_HOME || join(homedir(), ".actorkube");
}

/** The attach file of a data dir. */
export function attachFileOf(dataDir: string): string {
  return join(dataDir, "attach.json");
}

/** Opens the attach socket serving `port` and writes the attach files. */
export async function serveAttach(port: ClusterPort): Promise<AttachServer> {
  const token = nanoid(32);
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => serveConnection(socket, port, token, sockets));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const info: AttachInfo = {
    pid: process.pid,
    host: "127.0.0.1",
    port: typeof address === "object" && address ? address.port : 0,
    token,
    startedAt: new Date().toISOString(),
    where: `127.0.0.1:${typeof address === "object" && address ? address.port : 0} (pid ${process.pid})`,
    ...(port.dataDir ? { dataDir: port.dataDir } : {}),
  };
  const files = [join(stateHome(), "run", `${process.pid}.json`)];
  if (port.dataDir) files.push(attachFileOf(port.dataDir));
  for (const f of files) {
    await mkdir(join(f, ".."), { recursive: true, mode: 0o700 });
    await writeFile(f, JSON.stringify(info, null, 2) + "\n", { mode: 0o600 });
  }
  let closed = false;
  return {
    info,
    files,
    async close() {
      if (closed) return;
      closed = true;
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      for (const f of files) await rm(f, { force: true });
    },
  };
}

function serveConnection(socket: Socket, port: ClusterPort, token: string, sockets: Set<Socket>): void {
  sockets.add(socket);
  socket.setEncoding("utf8");
  let authed = false;
  const watches = new Map<number, { stop(): Promise<void> }>();
  let nextWatch = 1;
  const send = (v: Reply | Push) => {
    if (!socket.destroyed) socket.write(frame(v));
  };
  const ops: Record<string, (...args: never[]) => Promise<unknown>> = {
    info: async () => ({ where: port.where, dataDir: port.dataDir, pid: process.pid }),
    actors: () => port.actors(),
    tell: (to: string, msg: unknown) => port.tell(to, msg),
    ask: (to: string, msg: unknown, timeoutMs?: number) => port.ask(to, msg, timeoutMs),
    kill: (address: string, waitMs?: number) => port.kill(address, waitMs),
    addNode: (options: Parameters<ClusterPort["addNode"]>[0]) => port.addNode(options),
    watch: async (query: WatchQuery) => {
      const wid = nextWatch++;
      const handle = await port.watch(query, {
        events: (events) => send({ push: "watch.events", wid, events }),
        closed: (status) => {
          watches.delete(wid);
          send({ push: "watch.closed", wid, status });
        },
      });
      watches.set(wid, handle);
      return wid;
    },
    unwatch: async (wid: number) => {
      const w = watches.get(wid);
      watches.delete(wid);
      await w?.stop();
      return Boolean(w);
    },
  };
  const onFrame = async (v: unknown) => {
    const req = v as Request;
    if (!req || typeof req !== "object" || typeof req.id !== "number" || typeof req.op !== "string" || !Array.isArray(req.args)) {
      socket.destroy();
      return;
    }
    if (!authed) {
      const given = Buffer.from(String(req.args[0] ?? ""));
      const want = Buffer.from(token);
      if (req.op !== "hello" || given.length !== want.length || !timingSafeEqual(given, want)) {
        send({ id: req.id, ok: false, error: new ActorError("Unauthorized", "the attach token is wrong") });
        socket.end();
        return;
      }
      authed = true;
      send({ id: req.id, ok: true, value: { where: port.where, dataDir: port.dataDir, pid: process.pid } });
      return;
    }
    const op = ops[req.op];
    if (!op) {
      send({ id: req.id, ok: false, error: new ActorError(RuntimeCodes.UnknownMessage, `unknown attach operation "${req.op}" (known: ${Object.keys(ops).join(", ")})`) });
      return;
    }
    try {
      send({ id: req.id, ok: true, value: await op(...(req.args as never[])) });
    } catch (err) {
      send({ id: req.id, ok: false, error: wireError(err) });
    }
  };
  socket.on("data", frameReader((v) => void onFrame(v), () => socket.destroy()));
  socket.on("error", () => socket.destroy());
  socket.on("close", () => {
    sockets.delete(socket);
    for (const w of watches.values()) void w.stop().catch(() => {});
    watches.clear();
  });
}

/** The running clusters' attach files, newest first (files of dead processes are removed). */
export async function runningClusters(): Promise<AttachInfo[]> {
  const dir = join(stateHome(), "run");
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith(".json"));
  } catch {
    return [];
  }
  const out: AttachInfo[] = [];
  for (const n of names) {
    const file = join(dir, n);
    const info = await readAttachFile(file).catch(() => undefined);
    if (info && alive(info.pid)) out.push(info);
    else await rm(file, { force: true });
  }
  return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/** Reads one attach file. */
export async function readAttachFile(file: string): Promise<AttachInfo> {
  const info = JSON.parse(await readFile(file, "utf8")) as AttachInfo;
  if (typeof info.port !== "number" || typeof info.token !== "string") throw new Error(`${file} is not an actorkube attach file`);
  return info;
}

/** Finds the cluster to attach to: the one using `dataDir`, or the newest running one. */
export async function findCluster(dataDir?: string): Promise<AttachInfo> {
  if (dataDir) {
    const file = attachFileOf(dataDir);
    let info: AttachInfo;
    try {
      info = await readAttachFile(file);
    } catch {
      throw new ActorError(RuntimeCodes.UnknownActor, `no running cluster uses --data-dir ${dataDir} (${file} is missing): start one with npm start -- --data-dir ${dataDir}`);
    }
    if (!alive(info.pid)) throw new ActorError(RuntimeCodes.UnknownActor, `the cluster that used --data-dir ${dataDir} (pid ${info.pid}) is not running`);
    return info;
  }
  const running = await runningClusters();
  if (running.length === 0) throw new ActorError(RuntimeCodes.UnknownActor, `no running actorkube cluster found in ${join(stateHome(), "run")}: start one with npm start`);
  return running[0];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === "EPERM";
  }
}
