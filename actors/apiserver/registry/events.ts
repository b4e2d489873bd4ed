/**
 * core/v1 Events, validated as the legacy event API validates them: the
 * involved object's namespace must match the event's; events that carry
 * an eventTime (events.k8s.io-style writers) must also say who reported them.
 */
import type { Event } from "../../api/types/index.ts";
import type { FieldError, ResourceDef } from "./resource.ts";
import { invalid, isQualifiedName, required } from "./validation.ts";

/** Longest reportingInstance Kubernetes accepts. */
export const REPORTING_INSTANCE_LENGTH_LIMIT = 128;
/** Longest action Kubernetes accepts. */
export const ACTION_LENGTH_LIMIT = 128;
/** Longest reason Kubernetes accepts. */
export const REASON_LENGTH_LIMIT = 128;
/** Longest note/message Kubernetes accepts on new-style events. */
export const NOTE_LENGTH_LIMIT = 1024;

function validateEvent(ev: Event): FieldError[] {
  const errs: FieldError[] = [];
  const ns = ev.metadata.namespace ?? "";
  const involvedNs = ev.involvedObject?.namespace ?? "";
  const mismatch = invalid("involvedObject.namespace", involvedNs, "does not match event.namespace");
  if (!ev.eventTime) {
    // Old clients write cluster-scoped objects' events into "default".
    if (!involvedNs ? ns !== "" && ns !== "default" : ns !== involvedNs) errs.push(mismatch);
    return errs;
  }
  if (!involvedNs && ns !== "default" && ns !== "kube-system") errs.push(mismatch);
  const component = ev.reportingComponent ?? "";
  if (!component) errs.push(required("reportingComponent"));
  errs.push(...isQualifiedName(component).map((m) => invalid("reportingComponent", component, m)));
  if (!ev.reportingInstance) errs.push(required("reportingInstance"));
  else if (ev.reportingInstance.length > REPORTING_INSTANCE_LENGTH_LIMIT) {
    errs.push(invalid("reportingInstance", "", `can have at most ${REPORTING_INSTANCE_LENGTH_LIMIT} characters`));
  }
  if (!ev.action) errs.push(required("action"));
  else if (ev.action.length > ACTION_LENGTH_LIMIT) errs.push(invalid("action", "", `can have at most ${ACTION_LENGTH_LIMIT} characters`));
  if (!ev.reason) errs.push(required("reason"));
  else if (ev.reason.length > REASON_LENGTH_LIMIT) errs.push(invalid("reason", "", `can have at most ${REASON_LENGTH_LIMIT} characters`));
  if ((ev.message ?? "").length > NOTE_LENGTH_LIMIT) errs.push(invalid("message", "", `can have at most ${NOTE_LENGTH_LIMIT} characters`));
  return errs;
}

/** core/v1 events. */
export const eventResource = {
  group: "",
  version: "v1",
  kind: "Event",
  listKind: "EventList",
  plural: "events",
  singular: "event",
  namespaced: true,
  shortNames: ["ev"],
  subresources: [],
  fieldSelectors: {
    "involvedObject.kind": (e) => e.involvedObject?.kind ?? "",
    "involvedObject.namespace": (e) => e.involvedObject?.namespace ?? "",
    "involvedObject.name": (e) => e.involvedObject?.name ?? "",
    "involvedObject.uid": (e) => e.involvedObject?.uid ?? "",
    "involvedObject.apiVersion": (e) => e.involvedObject?.apiVersion ?? "",
    "involvedObject.resourceVersion": (e) => e.involvedObject?.resourceVersion ?? "",
    "involvedObject.fieldPath": (e) => e.involvedObject?.fieldPath ?? "",
    reason: (e) => e.reason ?? "",
    reportingComponent: (e) => e.reportingComponent ?? "",
    source: (e) => e.source?.component ?? "",
    type: (e) => e.type ?? "",
  },
  defaults(ev) {
    ev.involvedObject ??= {};
  },
  validate: validateEvent,
} satisfies ResourceDef<Event>;
