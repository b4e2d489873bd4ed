/**
 * A scripted apiserver for informer tests: one resource, objects with
 * revisions, an event history watches replay from, compaction (410 Expired)
 * and hooks to close watches, fail lists and write without telling watchers.
 */
import type { ActorContext, ActorFactory, Message } from "../../../runtime/actor.ts";
import type { KubeList, KubeObject, WatchEvent } from "../../../actors/api/meta.ts";
import type { ApiRequest, WatchMessage, WatchStarted } from "../../../actors/api/protocol.ts";
import { expired, failure, internalError, notFound, type Status } from "../../../actors/api/status.ts";
import { parseLabelSelector } from "../../../actors/api/label-selector.ts";

type Req<K extends ApiRequest["type"]> = Extract<ApiRequest, { type: K }>;

interface FakeWatch {
  id: string;
  watcher: string;
  namespace?: string;
  labelSelector?: string;
}

/** The fake's state, shared with the test that drives it. */
export class FakeApi {
  rev = 100;
  objects = new Map<string, KubeObject>();
  history: { rev: number; event: WatchEvent }[] = [];
  watches = new Map<string, FakeWatch>();
  /** Watches from before this revision fail with Expired. */
  compactedRev = 0;
  /** Writes while true are not told to watchers (but are kept in the history). */
  silent = false;
  /** The next N lists fail with InternalError. */
  failLists = 0;
  lists: Req<"api.list">[] = [];
  watchRequests: Req<"api.watch">[] = [];
  unwatched: string[] = [];
  #nextWatch = 1;
  ctx?: ActorContext;

  /** Creates or replaces a pod, returning the stored object. */
  put(name: string, fields: { namespace?: string; labels?: Record<string, string>; nodeName?: string } = {}): KubeObject {
    const namespace = fields.namespace ?? "default";
    const key = `${namespace}/${name}`;
    const existed = this.objects.has(key);
    const obj: KubeObject = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace, resourceVersion: String(++this.rev), ...(fields.labels ? { labels: fields.labels } : {}) },
      spec: { nodeName: fields.nodeName ?? "" },
    };
    this.objects.set(key, obj);
    this.#record({ type: existed ? "MODIFIED" : "ADDED", object: obj });
    return obj;
  }

  /** Deletes a pod; the DELETED event carries the deletion's revision. */
  remove(key: string): void {
    const old = this.objects.get(key);
    if (!old) throw new Error(`no ${key}`);
    this.objects.delete(key);
    this.#record({ type: "DELETED", object: { ...old, metadata: { ...old.metadata, resourceVersion: String(++this.rev) } } });
  }

  /** Tells raw events to every watch (for stale events and bookmarks). */
  push(events: WatchEvent[]): void {
    for (const w of this.watches.values()) this.#tell(w, { type: "api.watch.events", watchId: w.id, events });
  }

  /** Ends every watch, with `status` as the reason when given. */
  closeAll(status?: Status): void {
    for (const w of [...this.watches.values()]) {
      this.watches.delete(w.id);
      this.#tell(w, { type: "api.watch.closed", watchId: w.id, ...(status ? { status } : {}) });
    }
  }

  /** Compacts the history: resuming from any earlier revision now fails with Expired. */
  compact(): void {
    this.compactedRev = this.rev;
    this.history = [];
  }

  /** The 410 a watch is closed with after compaction. */
  static expiredStatus(): Status {
    return failure("Expired", "too old resource version");
  }

  list(msg: Req<"api.list">): KubeList {
    this.lists.push(msg);
    if (this.failLists > 0) {
      this.failLists--;
      throw internalError("etcd is sulking");
    }
    const items = [...this.objects.values()].filter((o) => this.#matches(o, msg));
    return { apiVersion: "v1", kind: "PodList", metadata: { resourceVersion: String(this.rev) }, items };
  }

  watch(msg: Req<"api.watch">): WatchStarted {
    this.watchRequests.push(msg);
    const from = Number(msg.resourceVersion ?? "0");
    if (from < this.compactedRev) throw expired(`too old resource version: ${from} (${this.compactedRev})`);
    const w: FakeWatch = { id: `w${this.#nextWatch++}`, watcher: msg.watcher, namespace: msg.namespace, labelSelector: msg.labelSelector };
    this.watches.set(w.id, w);
    // Replayed before the reply is seen, as a real server may: the client must hold them.
    const replay = this.history.filter((h) => h.rev > from && this.#matches(h.event.object, w)).map((h) => h.event);
    if (replay.length) this.#tell(w, { type: "api.watch.events", watchId: w.id, events: replay });
    return { watchId: w.id, resourceVersion: String(from) };
  }

  unwatch(msg: Req<"api.unwatch">): Status {
    this.unwatched.push(msg.watchId);
    if (!this.watches.delete(msg.watchId)) throw notFound("watches", msg.watchId);
    return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 200 };
  }

  #record(event: WatchEvent): void {
    this.history.push({ rev: this.rev, event });
    if (this.silent) return;
    for (const w of this.watches.values()) {
      if (this.#matches(event.object, w)) this.#tell(w, { type: "api.watch.events", watchId: w.id, events: [event] });
    }
  }

  #matches(obj: KubeObject, q: { namespace?: string; labelSelector?: string }): boolean {
    if (q.namespace && obj.metadata.namespace !== q.namespace) return false;
    return !q.labelSelector || parseLabelSelector(q.labelSelector).matches(obj.metadata.labels);
  }

  #tell(w: FakeWatch, msg: WatchMessage): void {
    this.ctx!.tell(w.watcher, msg);
  }
}

/** The actor around a {@link FakeApi}. */
export const fakeApiserver: ActorFactory<FakeApi, Req<"api.list" | "api.watch" | "api.unwatch">> = (ctx, api) => {
  api.ctx = ctx;
  return {
    handlers: {
      "api.list": (m) => api.list(m),
      "api.watch": (m) => api.watch(m),
      "api.unwatch": (m) => api.unwatch(m),
    },
  };
};

/** `ActorSystem.spawn` takes untyped factories; a typed one is the same function at runtime. */
export function untyped<C, M extends Message>(factory: ActorFactory<C, M>): ActorFactory<C> {
  return factory as unknown as ActorFactory<C>;
}
