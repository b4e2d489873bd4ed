/**
 * One-line structured logs on stderr, tagged with the actor or component.
 * The level comes from `ACTORKUBE_LOG` (debug, info, warn, error; default warn).
 */
import type { LogLevel } from "./actor.ts";

const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
let threshold: number = order[(env?.ACTORKUBE_LOG as LogLevel) ?? "warn"] ?? order.warn;

/** Changes the level for this thread. */
export function setLogLevel(level: LogLevel): void {
  threshold = order[level];
}

/** True when lines of `level` are written. */
export function logEnabled(level: LogLevel): boolean {
  return order[level] >= threshold;
}

/** Writes one log line when `level` is enabled. */
export function log(level: LogLevel, source: string, message: string, fields?: Record<string, unknown>): void {
  if (order[level] < threshold) return;
  let line = `${new Date().toISOString()} ${level.padEnd(5)} [${source}] ${message}`;
  if (fields) {
    for (const [k, v] of Object.entries(fields)) line += ` ${k}=${typeof v === "string" ? v : safeJson(v)}`;
  }
  console.error(line);
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}
