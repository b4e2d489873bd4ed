/**
 * Records core/v1 Events as Kubernetes components do, through the same three
 * steps as client-go's EventCorrelator:
 * - spam filter: per (component, object) a token bucket of 25 events that
 *   refills one every 5 minutes; events beyond it are dropped (and counted);
 * - aggregation: once 10 different messages with the same (object, type,
 *   reason) arrive within 10 minutes, further ones go to one event whose
 *   message reads `(combined from similar events): <latest message>`;
 * - de-duplication: a repeat of (object, type, reason, message) bumps
 *   `count` and `lastTimestamp` of the existing Event instead of creating one.
 * Recording never fails the caller.
 */
import type { ApiClient } from "./client.ts";
import type { Clock } from "../../runtime/clock.ts";
import { timestamp, type KubeObject } from "./meta.ts";

/** Normal or Warning, as Kubernetes. */
export type EventType = "Normal" | "Warning";

interface Seen {
  name: string;
  namespace: string;
  count: number;
}

interface Similar {
  since: number;
  messages: Set<string>;
}

interface Bucket {
  tokens: number;
  at: number;
}

// Remembered keys; bounded so a long run cannot grow without end.
const MAX_REMEMBERED = 10_000;
/** client-go's defaults: burst 25, refill 1 per 300 s. */
const SPAM_BURST = 25;
const SPAM_REFILL_MS = 300_000;
/** client-go's aggregation: 10 similar messages within 600 s. */
const AGGREGATE_MAX_EVENTS = 10;
const AGGREGATE_WINDOW_MS = 600_000;
const COMBINED = "(combined from similar events): ";

function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  if (!map.has(key) && map.size >= MAX_REMEMBERED) map.delete(map.keys().next().value!);
  map.set(key, value);
}

/** Writes Events for one component (`default-scheduler`, `replicaset-controller`, …). */
export class EventRecorder {
  readonly component: string;
  readonly #client: ApiClient;
  readonly #clock: Clock;
  readonly #seen = new Map<string, Seen>();
  readonly #similar = new Map<string, Similar>();
  readonly #buckets = new Map<string, Bucket>();
  #n = 0;

  constructor(client: ApiClient, clock: Clock, component: string) {
    this.#client = client;
    this.#clock = clock;
    this.component = component;
  }

  /** False (and counted in `dropped`) when the object's spam budget is spent. */
  #admit(objectKey: string, now: number): boolean {
    const b = this.#buckets.get(objectKey) ?? { tokens: SPAM_BURST, at: now };
    b.tokens = Math.min(SPAM_BURST, b.tokens + (now - b.at) / SPAM_REFILL_MS);
    b.at = now;
    remember(this.#buckets, objectKey, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Records an event about `obj`; resolves when written (errors are swallowed and counted). */
  async record(obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const namespace = obj.metadata.namespace ?? "default";
    const at = this.#clock.now();
    const objectKey = `${obj.kind}\u0000${namespace}\u0000${obj.metadata.name}\u0000${obj.metadata.uid}`;
    if (!this.#admit(objectKey, at)) {
      this.dropped++;
      return;
    }
    const similarKey = `${objectKey}\u0000${type}\u0000${reason}`;
    let similar = this.#similar.get(similarKey);
    if (!similar || at - similar.since > AGGREGATE_WINDOW_MS) remember(this.#similar, similarKey, (similar = { since: at, messages: new Set() }));
    if (similar.messages.size < AGGREGATE_MAX_EVENTS) similar.messages.add(message);
    const combined = similar.messages.size >= AGGREGATE_MAX_EVENTS;
    const key = combined ? `${similarKey}\u0000${COMBINED}` : `${similarKey}\u0000${message}`;
    if (combined) message = COMBINED + message;
    const now = timestamp(at);
    const seen = this.#seen.get(key);
    try {
      if (seen) {
        seen.count++;
        await this.#client.patch("events", seen.name, "merge", { count: seen.count, lastTimestamp: now, ...(combined ? { message } : {}) }, { namespace: seen.namespace });
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
      remember(this.#seen, key, { name, namespace, count: 1 });
    } catch {
      this.failures++;
    }
  }

  /** Events that could not be written. */
  failures = 0;
  /** Events dropped by the spam filter. */
  dropped = 0;
}
