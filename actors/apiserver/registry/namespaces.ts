/**
 * core/v1 Namespaces: a DNS-label name, the `kubernetes.io/metadata.name`
 * label, phase Active, and the `kubernetes` finalizer that the namespace
 * controller removes once the namespace is empty.
 */
import type { Namespace } from "../../api/types/index.ts";
import type { FieldError, ResourceDef } from "./resource.ts";
import { at, clone, invalid, isQualifiedName, nameIsDNSLabel } from "./validation.ts";

/** The label every namespace carries with its own name, for namespace selectors. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";
/** The finalizer the namespace controller owns. */
export const NAMESPACE_FINALIZER = "kubernetes";

const standardFinalizers = new Set([NAMESPACE_FINALIZER, "orphan", "foregroundDeletion"]);

function validateFinalizers(ns: Namespace): FieldError[] {
  const errs: FieldError[] = [];
  (ns.spec?.finalizers ?? []).forEach((f, i) => {
    const p = at("spec.finalizers", i);
    const msgs = isQualifiedName(f);
    if (msgs.length) errs.push(...msgs.map((m) => invalid(p, f, m)));
    else if (!f.includes("/") && !standardFinalizers.has(f)) errs.push(invalid(p, f, "name is neither a standard finalizer name nor is it fully qualified"));
  });
  return errs;
}

function ensureNameLabel(ns: Namespace): void {
  if (!ns.metadata.name) return;
  ns.metadata.labels = { ...ns.metadata.labels, [NAMESPACE_NAME_LABEL]: ns.metadata.name };
}

/** core/v1 namespaces. */
export const namespaceResource = {
  group: "",
  version: "v1",
  kind: "Namespace",
  listKind: "NamespaceList",
  plural: "namespaces",
  singular: "namespace",
  namespaced: false,
  shortNames: ["ns"],
  subresources: ["status", "finalize"],
  fieldSelectors: {
    "status.phase": (ns) => ns.status?.phase ?? "",
  },
  validateName: nameIsDNSLabel,
  defaults(ns) {
    ensureNameLabel(ns);
    ns.status ??= {};
    ns.status.phase ||= "Active";
  },
  prepareForCreate(ns) {
    ns.status = { phase: "Active" };
    const fins = ns.spec?.finalizers ?? [];
    ns.spec = { ...ns.spec, finalizers: fins.includes(NAMESPACE_FINALIZER) ? fins : [...fins, NAMESPACE_FINALIZER] };
    ensureNameLabel(ns);
  },
  prepareForUpdate(ns, old) {
    ns.status = clone(old.status);
    // spec.finalizers change only through the finalize subresource.
    ns.spec = clone(old.spec);
    ensureNameLabel(ns);
  },
  validate: validateFinalizers,
  validateStatusUpdate(ns, _old) {
    const phase = ns.status?.phase ?? "";
    if (!ns.metadata.deletionTimestamp && phase !== "Active") {
      return [invalid("status.Phase", phase, "may only be 'Active' if `deletionTimestamp` is empty")];
    }
    if (ns.metadata.deletionTimestamp && phase !== "Terminating") {
      return [invalid("status.Phase", phase, "may only be in terminating phase if `deletionTimestamp` is set")];
    }
    return [];
  },
} satisfies ResourceDef<Namespace>;
