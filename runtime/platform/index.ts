/** Picks the platform adapter for the running runtime (Deno or Node). */
import type { Platform } from "./types.ts";

const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";

/** The adapter for this runtime. */
export const platform: Platform = isDeno
  ? (await import("./deno.ts")).denoPlatform
  : (await import("./node.ts")).nodePlatform;

export type { Platform, PortLike, WorkerHandle, WorkerExit } from "./types.ts";
