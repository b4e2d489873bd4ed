/**
 * Where each thread's time goes, for `npm run loadtest`: an actor spawned
 * into each worker reports the thread's CPU time and, for `--cpu-prof DIR`,
 * drives its V8 profiler through `node:inspector` (a worker's profiler is
 * only reachable from inside it); a summary lists the busiest functions.
 */
import { Session } from "node:inspector";
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import type { ActorFactory } from "../../../runtime/actor.ts";

type ProfilerMessage = { type: "profile.start" } | { type: "profile.stop"; file: string } | { type: "thread.cpu" };

/**
 * CPU seconds this thread has used (user + system), from Linux's
 * /proc/thread-self/stat; undefined where there is no such file.
 */
export function threadCpuSeconds(): number | undefined {
  try {
    const fields = readFileSync("/proc/thread-self/stat", "utf8").split(") ")[1].split(" ");
    // utime and stime, in clock ticks of 1/100 s (USER_HZ).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** A V8 CPU profile as the inspector returns it. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** Starts and stops this thread's profiler. */
export class ThreadProfiler {
  readonly #session = new Session();
  #started = false;

  async start(): Promise<void> {
    if (this.#started) return;
    this.#session.connect();
    await this.#post("Profiler.enable");
    await this.#post("Profiler.setSamplingInterval", { interval: 500 });
    await this.#post("Profiler.start");
    this.#started = true;
  }

  /** Stops, writes the profile (Chrome DevTools opens it) and returns it. */
  async stop(file: string): Promise<CpuProfile> {
    const { profile } = (await this.#post("Profiler.stop")) as { profile: CpuProfile };
    this.#session.disconnect();
    this.#started = false;
    await writeFile(file, JSON.stringify(profile));
    return profile;
  }

  #post(method: string, params?: Record<string, unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => this.#session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result))));
  }
}

/** The actor spawned into each worker to measure it: CPU time, and CPU profiles on demand. */
export const profilerActor: ActorFactory<unknown, ProfilerMessage> = () => {
  const p = new ThreadProfiler();
  return {
    handlers: {
      "profile.start": () => p.start(),
      "profile.stop": async (m) => summarize(await p.stop(m.file)),
      "thread.cpu": () => threadCpuSeconds(),
    },
  };
};

/** One function's share of a thread's samples. */
export interface HotSpot {
  fn: string;
  where: string;
  selfMs: number;
  percent: number;
}

/** The functions with the most self time, heaviest first. */
export function summarize(profile: CpuProfile, top = 12): { totalMs: number; idlePercent: number; hot: HotSpot[] } {
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const hits = profile.nodes.reduce((n, x) => n + (x.hitCount ?? 0), 0) || 1;
  const by = new Map<string, HotSpot>();
  let idle = 0;
  for (const node of profile.nodes) {
    const f = node.callFrame;
    const name = f.functionName || "(anonymous)";
    if (name === "(idle)" || name === "(program)") {
      if (name === "(idle)") idle += node.hitCount ?? 0;
      continue;
    }
    const where = f.url ? `${f.url.replace(/^.*\/work\/main\//, "").replace(/^file:\/\//, "")}:${f.lineNumber + 1}` : "";
    const key = `${name}@${where}`;
    const ms = ((node.hitCount ?? 0) / hits) * totalMs;
    const h = by.get(key) ?? { fn: name, where, selfMs: 0, percent: 0 };
    h.selfMs += ms;
    by.set(key, h);
  }
  const hot = [...by.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, top);
  for (const h of hot) {
    h.percent = Math.round((h.selfMs / totalMs) * 1000) / 10;
    h.selfMs = Math.round(h.selfMs);
  }
  return { totalMs: Math.round(totalMs), idlePercent: Math.round((idle / hits) * 1000) / 10, hot };
}
