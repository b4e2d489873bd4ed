/**
 * `GET pods/<name>/log`: the pod is read through the apiserver (so the
 * caller must be allowed `get pods/log`), then its node's kubelet actor
 * (`kubelet/<nodeName>`) is asked for the container's lines, as
 * kube-apiserver proxies to the kubelet. `follow` polls the kubelet and
 * streams new lines until the container stops, the pod goes or the client
 * hangs up.
 */
import type { ServerResponse } from "node:http";
import type { Messenger } from "../../../runtime/actor.ts";
import { errorCode } from "../../../runtime/errors.ts";
import type { ApiRequest } from "../../api/protocol.ts";
import type { Pod } from "../../api/types/core-pod.ts";
import { badRequest, HttpStatusError } from "./errors.ts";
import type { LogRequest } from "./requests.ts";

/** One log line as the kubelet returns it. */
export interface LogLine {
  time: number;
  text: string;
}

/** What serving logs needs. */
export interface LogDeps {
  messenger: Messenger;
  apiserver: string;
  askTimeoutMs: number;
  /** How often `follow` asks the kubelet for new lines (default 1 000 ms). */
  followPollMs?: number;
  now?: () => number;
}

type ContainerState = { waiting?: { reason?: string }; running?: unknown; terminated?: unknown };

/** Serves one log request (plain text; chunked when following). */
export async function serveLogs(deps: LogDeps, req: LogRequest, identity: { user?: string; groups?: string[] }, res: ServerResponse): Promise<void> {
  const getPod = () =>
    deps.messenger.ask<Pod, ApiRequest>(deps.apiserver, { type: "api.get", resource: "pods", group: "", namespace: req.namespace, name: req.name, subresource: "log", ...identity }, { timeoutMs: deps.askTimeoutMs });
  const pod = await getPod();
  const container = pickContainer(pod, req.container);
  const node = pod.spec?.nodeName;
  if (!node) throw badRequest(`container ${JSON.stringify(container)} in pod ${JSON.stringify(req.name)} is waiting to start: ${waitingReason(pod, container) ?? "ContainerCreating"}`);
  const fetch = async (tailLines?: number) => {
    try {
      const msg = { type: "kubelet.logs", namespace: req.namespace, name: req.name, container, previous: req.previous, ...(tailLines === undefined ? {} : { tailLines }) };
      return await deps.messenger.ask<LogLine[]>(`kubelet/${node}`, msg, { timeoutMs: deps.askTimeoutMs });
    } catch (err) {
      throw kubeletError(err, req.previous === true);
    }
  };
  const now = deps.now ?? Date.now;
  const since = req.sinceTime ?? (req.sinceSeconds !== undefined ? now() - req.sinceSeconds * 1000 : undefined);
  const keep = (l: LogLine) => since === undefined || l.time >= since;
  const format = (l: LogLine) => (req.timestamps ? `${rfc3339Nano(l.time)} ${l.text}\n` : `${l.text}\n`);
  let budget = req.limitBytes ?? Infinity;
  const write = (lines: LogLine[]): boolean => {
    let out = "";
    for (const l of lines) out += format(l);
    if (out.length > budget) out = Buffer.from(out).subarray(0, budget).toString("utf8");
    budget -= Buffer.byteLength(out);
    if (out) res.write(out);
    return budget > 0;
  };

  const first = (await fetch(req.tailLines)).filter(keep);
  res.writeHead(200, { "Content-Type": "text/plain", "Cache-Control": "no-cache, private", ...(req.follow && !req.previous ? { "Transfer-Encoding": "chunked" } : {}) });
  let open = write(first);
  if (!req.follow || req.previous || !open) return void res.end();

  // Lines are ordered by time; remember the last time seen and how many lines had it.
  let lastTime = first.length ? first[first.length - 1]!.time : -Infinity;
  let atLast = first.filter((l) => l.time === lastTime).length;
  let gone = false;
  res.on("close", () => (gone = true));
  const pollMs = deps.followPollMs ?? 1000;
  while (!gone && open) {
    await new Promise((r) => setTimeout(r, pollMs));
    if (gone) break;
    let lines: LogLine[];
    let current: Pod;
    try {
      [lines, current] = await Promise.all([fetch(), getPod()]);
    } catch {
      break;
    }
    const fresh: LogLine[] = [];
    let sameTime = 0;
    for (const l of lines) {
      if (l.time < lastTime || !keep(l)) continue;
      if (l.time === lastTime && ++sameTime <= atLast) continue;
      fresh.push(l);
    }
    if (fresh.length) {
      const t = fresh[fresh.length - 1]!.time;
      atLast = t === lastTime ? atLast + fresh.length : fresh.filter((l) => l.time === t).length;
      lastTime = t;
      open = write(fresh);
    }
    if (current.metadata.uid !== pod.metadata.uid || !isRunning(current, container)) break;
  }
  if (!res.writableEnded) res.end();
}

/** The container to read: the one named (it must exist), else the only one. */
function pickContainer(pod: Pod, wanted: string | undefined): string {
  const names = (pod.spec?.containers ?? []).map((c) => c.name);
  const init = (pod.spec?.initContainers ?? []).map((c) => c.name);
  const ephemeral = ((pod.spec as { ephemeralContainers?: { name: string }[] } | undefined)?.ephemeralContainers ?? []).map((c) => c.name);
  if (wanted !== undefined) {
    if (![...names, ...init, ...ephemeral].includes(wanted)) throw badRequest(`container ${wanted} is not valid for pod ${pod.metadata.name}`);
    return wanted;
  }
  if (names.length === 1) return names[0]!;
  const initText = init.length ? ` or one of the init containers: [${init.join(" ")}]` : "";
  throw badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${names.join(" ")}]${initText}`);
}

function statuses(pod: Pod): { name: string; state?: ContainerState }[] {
  const s = pod.status as { containerStatuses?: { name: string; state?: ContainerState }[]; initContainerStatuses?: { name: string; state?: ContainerState }[] } | undefined;
  return [...(s?.containerStatuses ?? []), ...(s?.initContainerStatuses ?? [])];
}

function waitingReason(pod: Pod, container: string): string | undefined {
  return statuses(pod).find((s) => s.name === container)?.state?.waiting?.reason;
}

function isRunning(pod: Pod, container: string): boolean {
  return statuses(pod).some((s) => s.name === container && s.state?.running !== undefined);
}

/** The kubelet's ActorErrors as Status errors: NotFound → 404 (400 for a missing previous instance, as the kubelet answers), BadRequest → 400. */
function kubeletError(err: unknown, previous: boolean): unknown {
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  if (code === "NotFound") return previous ? badRequest(message) : new HttpStatusError("NotFound", message);
  if (code === "BadRequest" || code === "ContainerNotRunning" || code === "FailedPrecondition") return badRequest(message);
  return err;
}

/** `2006-01-02T15:04:05.000000000Z`, as the kubelet stamps lines. */
export function rfc3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}000000Z`;
}
