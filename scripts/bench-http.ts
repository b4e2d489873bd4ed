/**
 * `npm run bench:http` — single-object creates and gets over the HTTPS API
 * from concurrent loopback clients, against a real cluster (control plane,
 * no nodes by default). Two phases: a steady ~500 req/s (open loop: requests
 * leave on schedule whether or not earlier ones answered, and latency counts
 * from the scheduled time, so a stall is not hidden), then as fast as
 * `--concurrency` clients can go (closed loop). Prints req/s and p50/p99
 * latency per phase and operation; `--json` prints one JSON line.
 * Kubernetes' SLO for mutating calls is p99 ≤ 1 s; the aim here is ≤ 20 ms
 * at 500 req/s.
 */
import { Agent, request } from "node:https";
import { availableParallelism, loadavg } from "node:os";
import { parseCommandLine, type FlagSpec } from "./lib/flags.ts";
import { startCluster, type Cluster } from "./lib/cluster.ts";
import { fmt, percentile } from "./bench/stats.ts";

const specs: FlagSpec[] = [
  { name: "rate", type: "number", arg: "N", min: 1, default: 500, help: "requests per second of the steady phase" },
  { name: "duration", type: "number", arg: "SECONDS", min: 1, default: 10, help: "length of each phase" },
  { name: "concurrency", type: "number", arg: "N", min: 1, default: 32, help: "clients in the max-load phase (and connections)" },
  { name: "nodes", type: "number", arg: "N", min: 0, default: 0, help: "simulated nodes in the cluster" },
  { name: "quick", type: "boolean", help: "2-second phases" },
  { name: "json", type: "boolean", help: "print one JSON line" },
  { name: "help", type: "boolean", help: "show this help" },
];

const flags = parseCommandLine({ name: "bench-http", usage: "Usage: npm run bench:http -- [flags]", specs });
const seconds = flags.quick ? 2 : (flags.duration as number);
const rate = flags.rate as number;
const concurrency = flags.concurrency as number;
const settleSeconds = flags.quick ? 2 : 5;

/** One phase's figures for one operation. */
interface Figures {
  phase: string;
  op: "create" | "get";
  requests: number;
  errors: number;
  req_per_s: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
}

const cluster: Cluster = await startCluster({ nodes: flags.nodes as number, port: 0, logLevel: "error" });
const access = cluster.api!;
const agent = new Agent({ keepAlive: true, maxSockets: concurrency, ca: access.caCert });
const base = new URL(access.url);
const NS = "default";

function send(method: string, path: string, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        method,
        path,
        agent,
        headers: { Authorization: `Bearer ${access.token}`, Accept: "application/json", ...(body ? { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) } : {}) },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

let serial = 0;
const created: string[] = [];
async function op(kind: "create" | "get"): Promise<boolean> {
  if (kind === "create" || created.length === 0) {
    const name = `bench-${++serial}`;
    const body = JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, labels: { bench: "http" } }, data: { n: String(serial) } });
    const code = await send("POST", `/api/v1/namespaces/${NS}/configmaps`, body);
    if (code === 201) created.push(name);
    return code === 201;
  }
  const name = created[Math.floor(Math.random() * created.length)]!;
  return (await send("GET", `/api/v1/namespaces/${NS}/configmaps/${name}`)) === 200;
}

function figures(phase: string, kind: "create" | "get", samples: number[], errors: number, elapsedMs: number): Figures {
  return {
    phase,
    op: kind,
    requests: samples.length + errors,
    errors,
    req_per_s: Math.round(((samples.length + errors) / elapsedMs) * 1000),
    p50_ms: Number(percentile(samples, 50).toFixed(2)),
    p99_ms: Number(percentile(samples, 99).toFixed(2)),
    max_ms: Number(percentile(samples, 100).toFixed(2)),
  };
}

/** Open loop at `rate` req/s, alternating creates and gets; latency from each request's scheduled start. */
async function steady(): Promise<Figures[]> {
  const lat = { create: [] as number[], get: [] as number[] };
  const errs = { create: 0, get: 0 };
  const total = rate * seconds;
  const start = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const kind = i % 2 === 0 ? "create" : "get";
    // A request sent a little before its slot is timed from when it left, never less than zero.
    const from = Math.max(due, performance.now());
    inflight.push(
      op(kind).then(
        (ok) => void (ok ? lat[kind].push(performance.now() - from) : errs[kind]++),
        () => void errs[kind]++,
      ),
    );
  }
  await Promise.all(inflight);
  const elapsed = performance.now() - start;
  return [figures(`steady ${rate}/s`, "create", lat.create, errs.create, elapsed), figures(`steady ${rate}/s`, "get", lat.get, errs.get, elapsed)];
}

/** Closed loop: `concurrency` clients, each a create then a get, as fast as answers come. */
async function maxLoad(): Promise<Figures[]> {
  const lat = { create: [] as number[], get: [] as number[] };
  const errs = { create: 0, get: 0 };
  const start = performance.now();
  const end = start + seconds * 1000;
  const client = async () => {
    while (performance.now() < end) {
      for (const kind of ["create", "get"] as const) {
        const t = performance.now();
        try {
          if (await op(kind)) lat[kind].push(performance.now() - t);
          else errs[kind]++;
        } catch {
          errs[kind]++;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  const elapsed = performance.now() - start;
  return [figures(`max, ${concurrency} clients`, "create", lat.create, errs.create, elapsed), figures(`max, ${concurrency} clients`, "get", lat.get, errs.get, elapsed)];
}

// Other work on the machine shows up as latency: report how busy it was.
const loadBefore = loadavg()[0]!;
const say = (m: string) => {
  if (!flags.json) console.error(m);
};
let results: Figures[] = [];
try {
  // Let the components finish their start (first lists, node registration), then warm up:
  // every connection opened (TLS handshakes done), the JIT hot, for two seconds.
  say(`bench-http: letting the cluster settle for ${settleSeconds} s`);
  await new Promise((r) => setTimeout(r, settleSeconds * 1000));
  const warm = performance.now() + 2000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = 0; performance.now() < warm; i++) await op(i % 2 ? "get" : "create");
    }),
  );
  say(`bench-http: steady phase, ${rate} req/s for ${seconds} s against ${access.url}`);
  results = [...(await steady())];
  say(`bench-http: max-load phase, ${concurrency} clients for ${seconds} s`);
  results.push(...(await maxLoad()));
} finally {
  agent.destroy();
  await cluster.stop();
}

if (flags.json) {
  console.log(JSON.stringify({ rate, seconds, concurrency, cpus: availableParallelism(), loadavg_1m_before: loadBefore, loadavg_1m_after: loadavg()[0], results }));
} else {
  const header = ["phase", "op", "requests", "errors", "req/s", "p50 ms", "p99 ms", "max ms"];
  const rows = results.map((r) => [r.phase, r.op, fmt(r.requests), String(r.errors), fmt(r.req_per_s), r.p50_ms.toFixed(2), r.p99_ms.toFixed(2), r.max_ms.toFixed(2)]);
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join("  ");
  console.log(line(header));
  console.log(w.map((n) => "-".repeat(n)).join("  "));
  for (const r of rows) console.log(line(r));
  const steadyP99 = Math.max(...results.filter((r) => r.phase.startsWith("steady")).map((r) => r.p99_ms));
  console.log(`\nsteady-phase p99 ${steadyP99.toFixed(2)} ms (aim ≤ 20 ms at 500 req/s; Kubernetes' SLO for mutating calls: p99 ≤ 1 s)`);
  console.log(`${availableParallelism()} CPUs; 1-minute load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after (other processes' work inflates latency)`);
}
process.exit(0);
