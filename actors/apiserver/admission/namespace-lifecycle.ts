/**
 * NamespaceLifecycle: default, kube-system and kube-public may not be
 * deleted. (Its other half, refusing new objects in a missing or
 * terminating namespace, is enforced on every create by the apiserver's
 * write path itself, in the same words, so no object is ever orphaned.)
 */
import { forbidden } from "../../api/status.ts";
import type { AdmissionPlugin } from "./types.ts";

/** Namespaces that can never be deleted. */
export const IMMORTAL_NAMESPACES: readonly string[] = ["default", "kube-system", "kube-public"];

/** The NamespaceLifecycle plugin. */
export const namespaceLifecycle: AdmissionPlugin = {
  name: "NamespaceLifecycle",
  validate(a) {
    if (a.operation !== "DELETE" || a.def.group !== "" || a.def.plural !== "namespaces") return;
    if (IMMORTAL_NAMESPACES.includes(a.name)) throw forbidden("namespaces", a.name, "this namespace may not be deleted");
  },
};
