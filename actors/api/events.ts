/**
 * Records core/v1 Events as Kubernetes components do: one Event per
 * (object, reason, message), a repeat bumps `count` and `lastTimestamp`
 * instead of creating another. Recording never fails the caller.
 */
import type { ApiClient } from "./client.ts";
import type { Clock } from "../../runtime/clock.ts";
import type { KubeObject } from "./meta.ts";

/** Normal or Warning, as Kubernetes. */
export type EventType = "Normal" | "Warning";

interface Seen {
  name: string;
  namespace: string;
  count: number;
}

// Remembered (object, reason, message) triples; bounded so a long run cannot grow without end.
const MAX_REMEMBERED = 10_000;

/** Writes Events for one component (`default-scheduler`, `replicaset-controller`, …). */
export class EventRecorder {
  readonly component: string;
  readonly #client: ApiClient;
  readonly #clock: Clock;
  readonly #seen = new Map<string, Seen>();
  #n = 0;

  constructor(client: ApiClient, clock: Clock, component: string) {
    this.#client = client;
    this.#clock = clock;
    this.component = component;
  }

  /** Records an event about `obj`; resolves when written (errors are swallowed and counted). */
  async record(obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const namespace = obj.metadata.namespace ?? "default";
    const key = `${obj.metadata.uid}\u0000${reason}\u0000${message}`;
    const now = new Date(this.#clock.now()).toISOString().replace(/\.\d+Z$/, "Z");
    const seen = this.#seen.get(key);
    try {
      if (seen) {
        seen.count++;
        await this.#client.patch("events", seen.name, "merge", { count: seen.count, lastTimestamp: now }, { namespace: seen.namespace });
        return;
      }
      const name = `${obj.metadata.name}.${(this.#clock.now() * 1000 + (this.#n++ % 1000)).toString(16)}`;
      await this.#client.create("events", {
        apiVersion: "v1",
        kind: "Event",
        metadata: { name, namespace },
        involvedObject: { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion },
        reason,
        message,
        type,
        count: 1,
        firstTimestamp: now,
        lastTimestamp: now,
        source: { component: this.component },
        reportingComponent: this.component,
        reportingInstance: this.component,
      } as KubeObject);
      if (this.#seen.size >= MAX_REMEMBERED) this.#seen.delete(this.#seen.keys().next().value!);
      this.#seen.set(key, { name, namespace, count: 1 });
    } catch {
      this.failures++;
    }
  }

  /** Events that could not be written. */
  failures = 0;
}
