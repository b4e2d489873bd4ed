/**
 * The REPL's helpers, built on a {@link ClusterPort}: talk to any actor
 * (`send`, `ask`), work with objects as kubectl does (`get`, `apply`, `del`,
 * `scale`, `watch`, `logs`, `events`), poke the network, DNS and the cloud,
 * and break things on purpose (`kill`, `stopNode`, `addNode`). Every helper
 * is async and rejects with the cluster's typed error.
 */
import type { KubeObject, WatchEvent } from "../../../actors/api/meta.ts";
import type { Status } from "../../../actors/api/status.ts";
import { ActorError, RuntimeCodes } from "../../../runtime/errors.ts";
import { Resources, type ResourceInfo } from "../resources.ts";
import { applyManifests, appliedLine, clientOf, loadManifests, parseManifests, validateManifests, type Manifest } from "../apply.ts";
import { objectList, presentError, printedAs, renderTable, textLines } from "./print.ts";
import type { AddNodeOptions, ClusterPort, WatchQuery } from "./port.ts";
import { watchIterator } from "./watch.ts";

/** One line of `.help`. */
export interface HelperDoc {
  name: string;
  usage: string;
  doc: string;
}

/** What `.help` lists, in this order. */
export const HELPERS: HelperDoc[] = [
  { name: "actors", usage: "actors()", doc: "every actor: address, worker, thread, mailbox depth, messages handled" },
  { name: "send", usage: "send(address, msg)", doc: "tell an actor a message (fire-and-forget)" },
  { name: "ask", usage: "ask(address, msg, { timeoutMs })", doc: "ask an actor and await its reply" },
  { name: "get", usage: "get(kind, name?, { namespace, labelSelector, fieldSelector })", doc: "objects as kubectl get shows them (lists: all namespaces unless one is given)" },
  { name: "apply", usage: "apply(yamlOrObjectOrFile)", doc: "create or update objects (YAML text, objects, or a file/folder path)" },
  { name: "del", usage: "del(kind, name, { namespace })", doc: "delete an object" },
  { name: "scale", usage: "scale(kind, name, replicas, { namespace })", doc: "set the replicas of a Deployment or ReplicaSet" },
  { name: "watch", usage: "watch(kind, cb?, { namespace, labelSelector })", doc: "with cb: await it, .stop() ends; without: for await (const e of watch(kind))" },
  { name: "logs", usage: "logs(pod, { namespace, container, tail, previous })", doc: "a container's log lines, from its kubelet" },
  { name: "events", usage: "events({ namespace })", doc: "the cluster's events, oldest first" },
  { name: "route", usage: "route(fromNode, dest, port, protocol?) or route({ fromNode, fromPodIP, dest, port })", doc: "ask kube-proxy where a connection goes" },
  { name: "table", usage: "table(node?)", doc: "kube-proxy's service table" },
  { name: "dns", usage: "dns(name, { pod, qtype })", doc: "resolve a name through the cluster DNS" },
  { name: "cloud", usage: "cloud.instances() .terminate(node) .failAttach(pv) .loadBalancers() .disks()", doc: "the simulated cloud" },
  { name: "kill", usage: "kill(address)", doc: "crash the worker hosting an actor; shows the supervisor restarting it" },
  { name: "stopNode", usage: "stopNode(name)", doc: "make a node go silent (its kubelet stops heartbeating)" },
  { name: "startNode", usage: "startNode(name)", doc: "bring a silent node back" },
  { name: "addNode", usage: "addNode({ name, cpu, memory, pods, labels, taints })", doc: "add a node (a kubelet in a node-pool worker)" },
  { name: "kinds", usage: "kinds()", doc: "the kind names get, watch, del and scale accept" },
  { name: "sleep", usage: "sleep(ms)", doc: "wait, in scripts" },
];

type GetOptions = { namespace?: string; labelSelector?: string; fieldSelector?: string };

/** Wraps a helper so that its errors print as typed errors. */
function typed<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (err) {
      throw presentError(err);
    }
  };
}

function clean<T extends Record<string, unknown>>(m: T): T {
  return Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined && v !== "")) as T;
}

function needString(value: unknown, what: string): string {
  if (typeof value !== "string" || value === "") throw new ActorError(RuntimeCodes.BadMessage, `${what} must be a non-empty string, got ${value === undefined ? "nothing" : JSON.stringify(value)}`);
  return value;
}

/** Builds the helpers for `port`; the REPL puts each on its context. */
export function makeHelpers(port: ClusterPort): Record<string, unknown> {
  let resources: Promise<Resources> | undefined;
  const kinds = () => (resources ??= Resources.load({ ask: (to, msg) => port.ask(to, msg) }).catch((err) => {
    resources = undefined;
    throw err;
  }));
  const api = { ask: <R>(to: string, msg: unknown, o?: { timeoutMs?: number }) => port.ask<R>(to, msg, o?.timeoutMs) };
  const client = clientOf(api);
  const inNamespace = (info: ResourceInfo, namespace?: string) => (info.namespaced && namespace ? { namespace } : {});
  const nodeOf = (name: unknown) => needString(name, "a node name").replace(/^kubelet\//, "");

  const get = async (kind: string, name?: string | GetOptions, options: GetOptions = {}) => {
    if (typeof name === "object") [name, options] = [undefined, name ?? {}];
    const info = (await kinds()).resolve(needString(kind, "kind"));
    if (name) return client.get(info.resource, name, inNamespace(info, options.namespace ?? "default"));
    const list = await client.list(info.resource, { ...inNamespace(info, options.namespace), ...clean({ labelSelector: options.labelSelector, fieldSelector: options.fieldSelector }) });
    return objectList(list.items, info.plural, info.group, info.namespaced && !options.namespace);
  };

  const apply = async (input: unknown) => {
    let manifests: Manifest[];
    // One line without a colon cannot be a manifest: it is a file or folder.
    if (typeof input === "string" && !input.includes("\n") && !input.includes(":")) manifests = await loadManifests([input.trim()]);
    else if (typeof input === "string") manifests = parseManifests(input);
    else if (Array.isArray(input)) manifests = parseManifests(input.map((o) => JSON.stringify(o)).join("\n---\n"));
    else if (input && typeof input === "object") manifests = parseManifests(JSON.stringify(input));
    else throw new ActorError(RuntimeCodes.BadMessage, "apply takes YAML text, an object, an array of objects or a file path");
    const resolved = await validateManifests(api, manifests);
    return textLines((await applyManifests(api, resolved)).map(appliedLine));
  };

  const del = async (kind: string, name: string, options: { namespace?: string } = {}) => {
    const info = (await kinds()).resolve(needString(kind, "kind"));
    await client.delete(info.resource, needString(name, "name"), inNamespace(info, options.namespace ?? "default"));
    return textLines([`${info.singularRef} "${name}" deleted`]);
  };

  const scale = async (kind: string, name: string, replicas: number, options: { namespace?: string } = {}) => {
    if (!Number.isInteger(replicas) || replicas < 0) throw new ActorError(RuntimeCodes.BadMessage, `replicas must be a whole number ≥ 0, got ${replicas}`);
    const info = (await kinds()).resolve(needString(kind, "kind"));
    await client.patch(info.resource, needString(name, "name"), "merge", { spec: { replicas } }, { ...inNamespace(info, options.namespace ?? "default"), subresource: "scale" });
    return textLines([`${info.singularRef}/${name} scaled`]);
  };

  const watchQuery = async (kind: string, options: GetOptions & { resourceVersion?: string } = {}): Promise<WatchQuery> => {
    const info = (await kinds()).resolve(needString(kind, "kind"));
    return clean({ resource: info.resource, namespace: info.namespaced ? options.namespace : undefined, labelSelector: options.labelSelector, fieldSelector: options.fieldSelector, resourceVersion: options.resourceVersion });
  };

  const watch = (kind: string, cb?: ((e: WatchEvent) => void) | GetOptions, options: GetOptions & { resourceVersion?: string } = {}) => {
    if (typeof cb === "object") [cb, options] = [undefined, cb ?? {}];
    if (typeof cb !== "function") return watchIterator(port, () => watchQuery(kind, options));
    const fn = cb;
    return typed(async () => {
      const query = await watchQuery(kind, options);
      const handle = await port.watch(query, {
        events: (events) => {
          for (const e of events) if (e.type !== "BOOKMARK") fn(e);
        },
        closed: (status?: Status) => {
          if (status) console.error(`watch of ${kind} ended: ${status.message}`);
        },
      });
      return printedAs({ stop: typed(async () => void (await handle.stop())) }, () => `watching ${kind}; call .stop() to end`);
    })();
  };

  const logs = async (pod: string, options: { namespace?: string; container?: string; tail?: number; previous?: boolean } = {}) => {
    const [ns, name] = needString(pod, "a pod name").includes("/") ? pod.split("/", 2) : [options.namespace ?? "default", pod];
    const p = await client.get<KubeObject & { spec: { nodeName?: string } }>("pods", name, { namespace: ns });
    if (!p.spec.nodeName) throw new ActorError("BadRequest", `pod ${ns}/${name} is not scheduled yet: it has no logs`);
    const lines = await port.ask<{ time: number; text: string }[]>(`kubelet/${p.spec.nodeName}`, clean({ type: "kubelet.logs", namespace: ns, name, container: options.container, tailLines: options.tail, previous: options.previous }));
    return textLines(lines.map((l) => l.text));
  };

  const events = async (options: { namespace?: string } = {}) => {
    const list = await client.list<KubeObject & { lastTimestamp?: string; eventTime?: string }>("events", clean({ namespace: options.namespace }));
    const when = (e: KubeObject & { lastTimestamp?: string; eventTime?: string }) => e.lastTimestamp || e.eventTime || e.metadata.creationTimestamp || "";
    const items = [...list.items].sort((a, b) => when(a).localeCompare(when(b)) || Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion));
    return objectList(items, "events", "", !options.namespace);
  };

  const actors = async () => {
    const rows = await port.actors();
    return printedAs(rows, (colors) => renderTable(["ADDRESS", "WORKER", "THREAD", "MAILBOX", "HANDLED", "ERRORS"], rows.map((r) => [r.address, r.worker, r.threadId, r.depth, r.processed, r.errors]), colors));
  };

  const send = async (address: string, msg: unknown) => {
    if (!(await port.tell(needString(address, "address"), msg))) throw new ActorError(RuntimeCodes.UnknownActor, `no actor at address "${address}"`);
    return true;
  };

  const kill = async (address: string) => {
    const events = await port.kill(needString(address, "address"));
    const lines = events.map((e) => {
      const what = e.type === "exited" ? `exited: ${e.reason}` : e.type === "restarting" ? `restarting in ${e.backoffMs} ms` : e.type === "started" ? `started again (thread ${e.threadId}, restart ${e.restarts})` : e.type === "gave-up" ? `gave up: ${e.reason}` : e.type;
      return `supervisor: worker ${e.worker} ${what}`;
    });
    if (!events.some((e) => e.type === "started" || e.type === "gave-up")) lines.push(`supervisor: worker of ${address} is not back yet`);
    return textLines(lines);
  };

  const addNode = async (options: AddNodeOptions = {}) => {
    const added = await port.addNode(options);
    // Ready with a podCIDR, as the nodes the cluster starts with, so the next statement can use it.
    const deadline = Date.now() + 15_000;
    let ready = false;
    while (!ready && Date.now() < deadline) {
      const n = await client.get<KubeObject & { spec?: { podCIDR?: string }; status?: { conditions?: { type: string; status: string }[] } }>("nodes", added.node).catch(() => undefined);
      ready = Boolean(n?.spec?.podCIDR && n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
      if (!ready) await new Promise((r) => setTimeout(r, 100));
    }
    return { ...added, ready };
  };

  const route = async (fromNode: string | Record<string, unknown>, dest?: string, destPort?: number, protocol?: string) =>
    port.ask("kube-proxy", typeof fromNode === "object" && fromNode ? { ...fromNode, type: "proxy.route" } : clean({ type: "proxy.route", fromNode, dest, port: destPort, protocol }));

  const cloudAsk = (msg: Record<string, unknown>) => port.ask("cloud-controller-manager", clean(msg));

  return {
    actors: typed(actors),
    send: typed(send),
    ask: typed(async (address: string, msg: unknown, options: { timeoutMs?: number } = {}) => port.ask(needString(address, "address"), msg, options.timeoutMs)),
    get: typed(get),
    apply: typed(apply),
    del: typed(del),
    scale: typed(scale),
    watch,
    logs: typed(logs),
    events: typed(events),
    route: typed(route),
    table: typed(async (node?: string) => port.ask("kube-proxy", clean({ type: "proxy.table", node }))),
    dns: typed(async (name: string, options: { pod?: string; qtype?: string } = {}) => port.ask("dns", clean({ type: "dns.query", name: needString(name, "name"), qtype: options.qtype, pod: options.pod }))),
    cloud: {
      instances: typed(async () => cloudAsk({ type: "cloud.instances" })),
      terminate: typed(async (node: string) => cloudAsk({ type: "cloud.terminate", node: nodeOf(node) })),
      failAttach: typed(async (pv: string) => cloudAsk({ type: "cloud.failAttach", pv: needString(pv, "a PersistentVolume name") })),
      loadBalancers: typed(async () => cloudAsk({ type: "cloud.loadBalancers" })),
      disks: typed(async () => cloudAsk({ type: "cloud.disks" })),
    },
    kill: typed(kill),
    stopNode: typed(async (name: string) => port.ask(`kubelet/${nodeOf(name)}`, { type: "kubelet.silence" })),
    startNode: typed(async (name: string) => port.ask(`kubelet/${nodeOf(name)}`, { type: "kubelet.resume" })),
    addNode: typed(addNode),
    sleep: (ms: number) => new Promise((r) => setTimeout(r, ms)),
    kinds: typed(async () => (await kinds()).names()),
  };
}
