/**
 * Shared test helpers for registry tests: objects as a client would send
 * them, and field errors as `path: message` lines.
 */
import type { KubeObject } from "../../../../actors/api/meta.ts";
import type { ResourceDef } from "../../../../actors/apiserver/registry/resource.ts";
import { errorText } from "../../../../actors/apiserver/registry/validation.ts";
import type { FieldError } from "../../../../actors/apiserver/registry/resource.ts";

/** Errors as Kubernetes prints them. */
export function texts(errs: FieldError[]): string[] {
  return errs.map(errorText);
}

/** A deep copy with `edit` applied, so cases can start from one valid object. */
export function variant<T>(base: T, edit: (o: T) => void): T {
  const copy = structuredClone(base);
  edit(copy);
  return copy;
}

/** What the apiserver does on create before storing: defaults, then prepareForCreate. */
export function created<T extends KubeObject>(def: ResourceDef<T>, obj: T): T {
  const o = structuredClone(obj);
  def.defaults?.(o);
  def.prepareForCreate?.(o);
  return o;
}

/** Defaults then validate: the errors a create would report (metadata aside). */
export function createErrors<T extends KubeObject>(def: ResourceDef<T>, obj: T): string[] {
  const o = structuredClone(obj);
  def.defaults?.(o);
  def.prepareForCreate?.(o);
  return texts(def.validate(o));
}

/** The errors an update of the main resource would report: defaults, prepareForUpdate, validate + validateUpdate. */
export function updateErrors<T extends KubeObject>(def: ResourceDef<T>, next: T, old: T): string[] {
  const o = structuredClone(next);
  def.defaults?.(o);
  def.prepareForUpdate?.(o, old);
  return texts([...def.validate(o), ...(def.validateUpdate?.(o, old) ?? [])]);
}
