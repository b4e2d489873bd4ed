/**
 * core/v1 Event: what `kubectl describe` and `kubectl get events` show.
 */
import type { ObjectMeta } from "../meta.ts";
import type { ObjectReference } from "./core-common.ts";

/** core/v1 EventSource */
export interface EventSource {
  component?: string;
  host?: string;
}

/** core/v1 EventSeries: set on events that repeat. */
export interface EventSeries {
  count?: number;
  lastObservedTime?: string;
}

/** core/v1 Event */
export interface Event {
  apiVersion: "v1";
  kind: "Event";
  metadata: ObjectMeta;
  involvedObject: ObjectReference;
  reason?: string;
  message?: string;
  source?: EventSource;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  count?: number;
  type?: "Normal" | "Warning" | (string & {});
  /** Micro-time; set by events.k8s.io-style writers, which must then fill the reporting fields. */
  eventTime?: string | null;
  series?: EventSeries;
  action?: string;
  related?: ObjectReference;
  reportingComponent?: string;
  reportingInstance?: string;
  [field: string]: unknown;
}
