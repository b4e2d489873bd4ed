/**
 * Measures, in one run, the platform's raw messaging limits between two
 * workers and what the actor runtime achieves over the same path:
 * raw postMessage (single and batched by 1,000), raw round trip, actor tell,
 * pipelined ask (throughput and round-trip latency) and comlink calls/s.
 */
import * as Comlink from "comlink";
import { platform, type PortLike, type WorkerHandle } from "../../runtime/platform/index.ts";
import { Supervisor } from "../../runtime/supervisor.ts";
import { percentile } from "./stats.ts";

/** Sizes of a runtime benchmark run. */
export interface RuntimeBenchOptions {
  /** Messages for the one-way tests (default 1 000 000). */
  messages?: number;
  /** Pipelined asks (default 200 000), `askWindow` (default 1 000) in flight. */
  asks?: number;
  askWindow?: number;
  /** Sequential round trips sampled for latency (default 5 000). */
  roundTrips?: number;
  /** comlink calls (default 50 000), 500 in flight. */
  comlinkCalls?: number;
  /** Called as each step finishes, with its name and 0..1 progress. */
  onProgress?: (step: string, fraction: number) => void;
}

/** The figures one run produces. */
export interface RuntimeBenchResult {
  raw_msgs_per_s: number;
  raw_batched_msgs_per_s: number;
  raw_rtt_us_p50: number;
  actor_msgs_per_s: number;
  ask_per_s: number;
  ask_rtt_us_p50: number;
  ask_rtt_us_p99: number;
  comlink_calls_per_s: number;
}

const STEPS = 6;

/** Runs every measurement and returns the figures. */
export async function measureRuntime(options: RuntimeBenchOptions = {}): Promise<RuntimeBenchResult> {
  const n = options.messages ?? 1_000_000;
  const asks = options.asks ?? 200_000;
  const window = options.askWindow ?? 1_000;
  const trips = options.roundTrips ?? 5_000;
  const calls = options.comlinkCalls ?? 50_000;
  const progress = (step: string, i: number) => options.onProgress?.(step, i / STEPS);

  const raw = await rawPair();
  try {
    const single = await raw.oneWay(Math.min(n, 300_000), 1);
    progress("raw postMessage", 1);
    const batched = await raw.oneWay(n, 1000);
    progress("raw batched postMessage", 2);
    const rtt = await raw.roundTrips(trips);
    progress("raw round trip", 3);

    const sup = new Supervisor({ defaultTimeoutMs: 60_000 });
    try {
      const mod = "scripts/bench/bench-actors.ts";
      await sup.start({ name: "bench-a", actors: [{ address: "bench/sender", module: mod, export: "senderActor" }] });
      // A one-way flood outruns any receiver; the raw test queues without bound
      // in the port, so the sink's mailbox is sized to hold the whole flood too.
      await sup.start({ name: "bench-b", actors: [{ address: "bench/sink", module: mod, export: "sinkActor", mailboxCapacity: n + 1_000 }] });
      let finished!: (at: number) => void;
      const done = new Promise<number>((r) => (finished = r));
      await sup.spawnLocal("bench/main", () => ({ handlers: { done: (m: { type: string; at?: number }) => finished(m.at!) } }), {});
      await sup.ask("bench/sink", { type: "expect", n, notify: "bench/main" } as never);
      const start = await sup.ask<number>("bench/sender", { type: "run-tell", to: "bench/sink", n } as never, { timeoutMs: 120_000 });
      const tellMs = (await done) - start;
      progress("actor tell", 4);
      const askMs = await sup.ask<number>("bench/sender", { type: "run-ask", to: "bench/sink", n: asks, window } as never, { timeoutMs: 120_000 });
      const samples = await sup.ask<number[]>("bench/sender", { type: "run-rtt", to: "bench/sink", n: trips } as never, { timeoutMs: 120_000 });
      progress("actor ask", 5);
      const comlink = await comlinkCallsPerSecond(calls);
      progress("comlink", 6);
      return {
        raw_msgs_per_s: single,
        raw_batched_msgs_per_s: batched,
        raw_rtt_us_p50: Math.round(percentile(rtt, 50) * 1000),
        actor_msgs_per_s: Math.round(n / (tellMs / 1000)),
        ask_per_s: Math.round(asks / (askMs / 1000)),
        ask_rtt_us_p50: Math.round(percentile(samples, 50) * 1000),
        ask_rtt_us_p99: Math.round(percentile(samples, 99) * 1000),
        comlink_calls_per_s: comlink,
      };
    } finally {
      await sup.shutdown();
    }
  } finally {
    await raw.close();
  }
}

interface RawPair {
  oneWay(n: number, batch: number): Promise<number>;
  roundTrips(n: number): Promise<number[]>;
  close(): Promise<void>;
}

async function rawPair(): Promise<RawPair> {
  const url = new URL("./raw-worker.ts", import.meta.url);
  const start = (name: string) => {
    const handle = platform.spawnWorker(url, { name });
    const { port1, port2 } = new MessageChannel();
    return { handle, control: port1 as unknown as PortLike, port2 };
  };
  const a = start("raw-a");
  const b = start("raw-b");
  const peer = new MessageChannel();
  a.handle.postMessage({ control: a.port2, peer: peer.port1 }, [a.port2 as never, peer.port1 as never]);
  b.handle.postMessage({ control: b.port2, peer: peer.port2 }, [b.port2 as never, peer.port2 as never]);
  const next = (c: PortLike) => new Promise<Record<string, number | number[]>>((resolve) => inbox(c).push(resolve));
  return {
    async oneWay(n, batch) {
      const ready = next(b.control);
      b.control.postMessage({ op: "expect", n });
      await ready;
      const doneP = next(b.control);
      const startedP = next(a.control);
      a.control.postMessage({ op: "send", n, batch });
      const [started, done] = await Promise.all([startedP, doneP]);
      return Math.round(n / (((done.done as number) - (started.started as number)) / 1000));
    },
    async roundTrips(n) {
      const ready = next(b.control);
      b.control.postMessage({ op: "echo" });
      await ready;
      const result = next(a.control);
      a.control.postMessage({ op: "ping", n });
      return (await result).samples as number[];
    },
    async close() {
      for (const w of [a, b]) {
        w.control.close();
        await w.handle.terminate();
      }
    },
  };
}

// One queue of waiting resolvers per control port: replies come in order.
const inboxes = new Map<PortLike, ((v: Record<string, number | number[]>) => void)[]>();
function inbox(port: PortLike): ((v: Record<string, number | number[]>) => void)[] {
  let q = inboxes.get(port);
  if (!q) {
    const queue: ((v: Record<string, number | number[]>) => void)[] = [];
    q = queue;
    inboxes.set(port, q);
    platform.listen(port, (data) => queue.shift()?.(data as Record<string, number | number[]>));
  }
  return q;
}

async function comlinkCallsPerSecond(calls: number): Promise<number> {
  const handle: WorkerHandle = platform.spawnWorker(new URL("./comlink-worker.ts", import.meta.url), { name: "comlink-bench" });
  const { port1, port2 } = new MessageChannel();
  handle.postMessage({ control: port2 }, [port2 as never]);
  const api = Comlink.wrap<{ echo(x: number): number }>(port1 as unknown as Comlink.Endpoint);
  try {
    await api.echo(0);
    const start = performance.now();
    let next = 0;
    const lane = async () => {
      while (next < calls) await api.echo(next++);
    };
    await Promise.all(Array.from({ length: 500 }, lane));
    return Math.round(calls / ((performance.now() - start) / 1000));
  } finally {
    port1.close();
    await handle.terminate();
  }
}
