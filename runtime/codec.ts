/**
 * superjson wherever a value leaves structured clone: comlink's control calls
 * (errors keep their class, code and details; registered classes arrive as
 * instances), the REPL's attach protocol and persisted records.
 */
import superjson from "superjson";
import * as Comlink from "comlink";
import { ActorError, fromWire, toWire, type WireError } from "./errors.ts";

superjson.registerCustom<ActorError, JSONValue>(
  {
    isApplicable: (v): v is ActorError => v instanceof ActorError,
    // details may hold anything; a JSON round trip keeps the wire form plain.
    serialize: (v) => JSON.parse(JSON.stringify(toWire(v))) as JSONValue,
    deserialize: (s) => fromWire(s as unknown as WireError),
  },
  "ActorError",
);

type JSONValue = ReturnType<typeof superjson.serialize>["json"];

const registered = new Set<unknown>();

/** Makes instances of `cls` cross comlink calls and the attach protocol as instances. */
export function registerClass(cls: new (...args: never[]) => unknown, identifier?: string): void {
  superjson.registerClass(cls as never, identifier ? { identifier } : undefined);
  registered.add(cls);
}

/** Serializes a value (errors, Maps, Dates, BigInts, registered classes) to a JSON string. */
export function encode(value: unknown): string {
  return superjson.stringify(value);
}

/** Reverses {@link encode}. */
export function decode<T = unknown>(text: string): T {
  return superjson.parse<T>(text);
}

let installed = false;

/** Installs the comlink transfer handlers (idempotent; every thread calls it at start). */
export function installComlinkHandlers(): void {
  if (installed) return;
  installed = true;
  const original = Comlink.transferHandlers.get("throw")!;
  Comlink.transferHandlers.set("throw", {
    canHandle: original.canHandle,
    serialize(thrown: unknown) {
      const value = (thrown as { value: unknown }).value;
      // Every error crosses as an ActorError so its code and details survive.
      const err = value instanceof ActorError ? value : fromWire(toWire(value));
      return [{ sj: superjson.stringify(err) }, []];
    },
    deserialize(data: unknown) {
      throw superjson.parse((data as { sj: string }).sj);
    },
  });
  Comlink.transferHandlers.set("superjson", {
    canHandle: (v: unknown): v is object => v !== null && typeof v === "object" && registered.has((v as object).constructor),
    serialize: (v: unknown) => [superjson.stringify(v), []],
    deserialize: (s: unknown) => superjson.parse(s as string),
  });
}
