/**
 * A scripted stand-in for the apiserver actor: answers `api.*` over a Map,
 * records every message it gets, and tells watch events to watchers, so the
 * HTTP front is tested without the real apiserver.
 */
import type { ActorFactory, AnyMessage } from "../../../../runtime/actor.ts";
import { ActorSystem } from "../../../../runtime/system.ts";
import type { KubeObject } from "../../../../actors/api/meta.ts";
import type { DiscoveredResource, WatchEventsMessage } from "../../../../actors/api/protocol.ts";
import { alreadyExists, expired, notFound } from "../../../../actors/api/status.ts";
import { builtinResources } from "../../../../actors/apiserver/registry/index.ts";
import { httpFrontActor, type HttpFrontConfig } from "../../../../actors/apiserver/http/server.ts";
import { discoveredResource } from "../../../../actors/apiserver/server.ts";

/** The fake's state, visible to tests. */
export interface FakeState {
  objects: Map<string, KubeObject>;
  seen: AnyMessage[];
  watchers: Map<string, string>;
  revision: number;
  /** Makes the next ask of this type fail with this error. */
  failNext?: { type: string; error: unknown };
}

/** What api.discovery answers, from the built-in registry. */
export function discovered(): DiscoveredResource[] {
  return builtinResources.map(discoveredResource);
}

function key(m: AnyMessage, name: string): string {
  return `${String(m.group ?? "")}/${String(m.resource)}/${String(m.namespace ?? "")}/${name}`;
}

const fakeApiserver: ActorFactory<FakeState> = (ctx, state) => {
  const emit = (resource: string, type: "ADDED" | "MODIFIED" | "DELETED", object: KubeObject) => {
    for (const [watchId, res] of state.watchers) {
      const [watcher, plural] = res.split("|");
      if (plural !== resource) continue;
      const msg: WatchEventsMessage = { type: "api.watch.events", watchId, events: [{ type, object }] };
      ctx.tell(watcher!, msg);
    }
  };
  const record = (m: AnyMessage) => {
    state.seen.push(structuredClone(m));
    if (state.failNext && state.failNext.type === m.type) {
      const e = state.failNext.error;
      state.failNext = undefined;
      throw e;
    }
  };
  const write = (m: AnyMessage, object: KubeObject, type: "ADDED" | "MODIFIED") => {
    object.metadata.resourceVersion = String(++state.revision);
    object.metadata.creationTimestamp ??= new Date().toISOString();
    state.objects.set(key(m, object.metadata.name!), object);
    emit(String(m.resource), type, object);
    return object;
  };
  return {
    handlers: {
      "api.discovery": (m) => (state.seen.push(m), discovered()),
      "api.get": (m) => {
        record(m);
        const o = state.objects.get(key(m, String(m.name)));
        if (!o) throw notFound(String(m.resource), String(m.name));
        return o;
      },
      "api.list": (m) => {
        record(m);
        const prefix = `${String(m.group ?? "")}/${String(m.resource)}/${m.namespace === undefined ? "" : String(m.namespace) + "/"}`;
        const items = [...state.objects].filter(([k]) => k.startsWith(prefix)).map(([, o]) => o);
        return { apiVersion: "v1", kind: "List", metadata: { resourceVersion: String(state.revision) }, items };
      },
      "api.create": (m) => {
        record(m);
        if (m.subresource) return undefined;
        const o = m.object as KubeObject;
        if (state.objects.has(key(m, o.metadata.name!))) throw alreadyExists(String(m.resource), o.metadata.name!);
        return m.dryRun ? o : write(m, o, "ADDED");
      },
      "api.update": (m) => (record(m), write(m, m.object as KubeObject, "MODIFIED")),
      "api.patch": (m) => {
        record(m);
        const o = state.objects.get(key(m, String(m.name)));
        if (!o) throw notFound(String(m.resource), String(m.name));
        return write(m, { ...o, ...(m.patch as object) } as KubeObject, "MODIFIED");
      },
      "api.delete": (m) => {
        record(m);
        const k = key(m, String(m.name));
        const o = state.objects.get(k);
        if (!o) throw notFound(String(m.resource), String(m.name));
        state.objects.delete(k);
        emit(String(m.resource), "DELETED", o);
        return o;
      },
      "api.deletecollection": (m) => (record(m), { apiVersion: "v1", kind: "List", metadata: {}, items: [] }),
      "api.watch": (m) => {
        record(m);
        if (m.resourceVersion === "1") throw expired("too old resource version: 1 (5)");
        const watchId = `w${state.watchers.size + state.seen.length}`;
        state.watchers.set(watchId, `${String(m.watcher)}|${String(m.resource)}`);
        // Existing objects first, told before the ask's reply, as a fast apiserver may.
        for (const o of state.objects.values()) {
          if (pluralOf(o) === m.resource) ctx.tell(String(m.watcher), { type: "api.watch.events", watchId, events: [{ type: "ADDED", object: o }] });
        }
        return { watchId, resourceVersion: String(state.revision) };
      },
      "api.unwatch": (m) => {
        state.seen.push(m);
        state.watchers.delete(String(m.watchId));
      },
    },
  };
};

function pluralOf(o: KubeObject): string {
  return builtinResources.find((d) => d.kind === o.kind)?.plural ?? "";
}

/** A running fake cluster: actor system, fake apiserver, HTTP front. */
export interface FakeCluster {
  system: ActorSystem;
  state: FakeState;
  port: number;
  url(path: string): string;
  /** The last `api.*` message of `type` the fake got. */
  last(type: string): AnyMessage | undefined;
  stop(): Promise<void>;
}

/** Boots the fake apiserver and the HTTP front on a free port. */
export async function startFake(config: HttpFrontConfig = {}): Promise<FakeCluster> {
  const system = new ActorSystem({ id: 0, name: "http-test" });
  const state: FakeState = { objects: new Map(), seen: [], watchers: new Map(), revision: 10 };
  await system.spawn("apiserver", fakeApiserver, state);
  // spawn takes factories of untyped messages; the front's handlers are typed by its message union.
  const front = httpFrontActor as unknown as ActorFactory<HttpFrontConfig>;
  await system.spawn("http", front, { port: 0, askTimeoutMs: 2000, ...config });
  const { port } = await system.ask<{ port: number }>("http", { type: "http.info" });
  return {
    system,
    state,
    port,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    last: (type) => [...state.seen].reverse().find((m) => m.type === type),
    stop: async () => {
      await system.stopAll();
      system.close();
    },
  };
}

/** A pod object for tests. */
export function pod(name: string, namespace = "default", extra: Partial<KubeObject> = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, creationTimestamp: new Date(Date.now() - 65_000).toISOString() },
    spec: { containers: [{ name: "c", image: "nginx" }], nodeName: "node-1" },
    status: { phase: "Running", podIP: "10.0.0.5", containerStatuses: [{ name: "c", ready: true, restartCount: 0, image: "nginx", imageID: "", state: { running: {} } }] },
    ...extra,
  };
}
