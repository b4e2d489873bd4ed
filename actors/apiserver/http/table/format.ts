/**
 * Shared pieces of the Table printers: the column and printer shapes, and
 * ages written as kubectl writes them (`5s`, `3m20s`, `2d4h`).
 */
import type { KubeObject } from "../../../api/meta.ts";

/** meta/v1 TableColumnDefinition */
export interface Column {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  format: string;
  description: string;
  /** 0 = always shown; 1 = only with `-o wide`. */
  priority: number;
}

/** Turns one object of a kind into a row of cells. */
export interface Printer {
  columns: Column[];
  cells(obj: KubeObject, now: number): unknown[];
}

/** A column; `wide` ones show only with `-o wide`. */
export function col(name: string, description: string, options: { type?: Column["type"]; format?: string; wide?: boolean } = {}): Column {
  return { name, type: options.type ?? "string", format: options.format ?? "", description, priority: options.wide ? 1 : 0 };
}

/** The NAME column every printer starts with. */
export const nameColumn = col("Name", "Name must be unique within a namespace.", { format: "name" });

/** The AGE column. */
export const ageColumn = col("Age", "CreationTimestamp is a timestamp representing the server time when this object was created.");

/** A duration as kubectl prints it (apimachinery's HumanDuration). */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24) % 365;
    return days === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${days}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** Time since a timestamp, `<unknown>` when there is none. */
export function since(timestamp: string | undefined | null, now: number): string {
  if (!timestamp) return "<unknown>";
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? "<unknown>" : humanDuration(now - t);
}

/** The object's age. */
export function age(obj: KubeObject, now: number): string {
  return since(obj.metadata.creationTimestamp, now);
}

/** A plain record view of an unknown field (spec, status), never undefined. */
export function rec(v: unknown): Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** An array view of an unknown field. */
export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A string view of an unknown field. */
export function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** A number view of an unknown field (0 when absent). */
export function num(v: unknown): number {
  return typeof v === "number" ? v : 0;
}

/** `a,b,c`, or `<none>` when empty. */
export function listOrNone(items: string[]): string {
  return items.length ? items.join(",") : "<none>";
}
