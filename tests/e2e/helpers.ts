/**
 * End-to-end plumbing: a real cluster (worker threads, HTTPS front on a free
 * loopback port) and the machine's real kubectl run against its kubeconfig.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCluster, waitForNodes, type Cluster, type ClusterOptions } from "../../scripts/lib/cluster.ts";

/** What a kubectl run printed. */
export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A started cluster with kubectl pointed at it. */
export interface KubeEnv {
  cluster: Cluster;
  /** Scratch folder for manifests and kubectl's cache; removed by `stop`. */
  dir: string;
  kubectl(...args: string[]): Promise<Run>;
  /** Starts a long-running kubectl (`get -w`, `logs -f`); the caller kills it. */
  kubectlStream(...args: string[]): { child: ChildProcess; output: () => string };
  /** Writes a file into the scratch folder and returns its path. */
  file(name: string, text: string): string;
  stop(): Promise<void>;
}

/** Fails clearly when kubectl is not installed (Debian: `apt-get install kubernetes-client`). */
export function requireKubectl(): void {
  const r = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" });
  if (r.error || r.status !== 0) throw new Error("kubectl is not on PATH: these end-to-end tests need the real kubectl (Debian package kubernetes-client)");
}

/** Starts a cluster serving the API on a free port and waits for its nodes. */
export async function kubeEnv(options: ClusterOptions = {}): Promise<KubeEnv> {
  requireKubectl();
  const cluster = await startCluster({ nodes: 2, nodeWorkers: 1, ...options, port: 0 });
  await waitForNodes(cluster, options.nodes ?? 2, 20_000);
  const dir = mkdtempSync(join(tmpdir(), "actorkube-e2e-"));
  const base = ["--kubeconfig", cluster.api!.kubeconfig, "--cache-dir", join(dir, "cache")];
  const env = { ...process.env, KUBECONFIG: "", HOME: dir };
  return {
    cluster,
    dir,
    kubectl: (...args) =>
      new Promise((resolve) => {
        const child = spawn("kubectl", [...base, ...args], { env });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
        child.on("close", (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr });
        });
      }),
    kubectlStream: (...args) => {
      const child = spawn("kubectl", [...base, ...args], { env });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (out += d));
      return { child, output: () => out };
    },
    file: (name, text) => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    },
    stop: async () => {
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `ms`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${ms} ms${last ? ` (last error: ${(last as Error).message})` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A raw HTTPS answer. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

/** One HTTPS request to the cluster's API with the admin token (or `token`), trusting its CA. */
export function api(cluster: Cluster, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}, token?: string | null): Promise<RawResponse> {
  const a = cluster.api!;
  const url = new URL(path, a.url);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: a.caCert,
        headers: {
          ...(token === null ? {} : { Authorization: `Bearer ${token ?? a.token}` }),
          ...(body !== undefined ? { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(body)) } : {}),
          ...headers,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: () => JSON.parse(text) }));
      },
    );
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}
