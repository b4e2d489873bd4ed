/**
 * How REPL results look: lists of objects print as kubectl's tables (the
 * apiserver's own printers) yet stay arrays to script with; typed errors
 * print as `ActorError [NotFound]: pods "x" not found` without a stack.
 */
import type { KubeObject } from "../../../actors/api/meta.ts";
import { printerFor } from "../../../actors/apiserver/http/table/index.ts";
import { table } from "../summary.ts";
import { errorCode } from "../../../runtime/errors.ts";

/** Node's (and Deno's Node-compatible) custom inspect hook. */
export const inspectSymbol = Symbol.for("nodejs.util.inspect.custom");

type InspectOptions = { colors?: boolean; stylize?: (s: string, style: string) => string };

/** Gives `value` a printed form in the REPL while it stays what it is. */
export function printedAs<T extends object>(value: T, render: (colors: boolean) => string): T {
  Object.defineProperty(value, inspectSymbol, { value: (_depth: number, options: InspectOptions) => render(Boolean(options?.colors)), enumerable: false });
  return value;
}

/** Bold header line when colours are on. */
export function renderTable(header: string[], rows: (string | number | undefined)[][], colors: boolean): string {
  if (rows.length === 0) return "(none)";
  const lines = table(header, rows);
  if (colors) lines[0] = `\x1b[1m${lines[0]}\x1b[22m`;
  return lines.join("\n");
}

/** An array of objects of one kind, printed as `kubectl get` prints them. */
export function objectList<T extends KubeObject>(items: T[], plural: string, group: string, withNamespace: boolean): T[] {
  return printedAs(items, (colors) => {
    if (items.length === 0) return "No resources found";
    const printer = printerFor(plural, group);
    const now = Date.now();
    const shown = printer.columns.map((c, i) => ({ c, i })).filter((x) => x.c.priority === 0);
    const header = [...(withNamespace ? ["NAMESPACE"] : []), ...shown.map((x) => x.c.name.toUpperCase())];
    const rows = items.map((o) => {
      let cells: unknown[];
      try {
        cells = printer.cells(o, now);
      } catch {
        cells = [o.metadata.name];
      }
      return [...(withNamespace ? [o.metadata.namespace ?? ""] : []), ...shown.map((x) => cellText(cells[x.i]))];
    });
    return renderTable(header, rows, colors);
  });
}

function cellText(v: unknown): string {
  if (v === undefined || v === null || v === "") return "<none>";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

/** Lines of text that print as themselves (no quotes, no brackets). */
export function textLines(lines: string[]): string[] {
  return printedAs(lines, () => (lines.length ? lines.join("\n") : "(nothing)"));
}

/**
 * Makes an error print as `Name [Code]: message`: the stack of a typed error
 * from another thread says nothing to the user. Details stay readable on the
 * error (`err.details`) but are not printed.
 */
export function presentError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const code = errorCode(err);
  if (code === "HandlerFailed" && !(err as { code?: unknown }).code) return err;
  const head = `${err.name} [${code}]: ${err.message}`;
  try {
    Object.defineProperty(err, "stack", { value: head, configurable: true, writable: true, enumerable: false });
    for (const key of ["details", "code", "cause"]) {
      const d = Object.getOwnPropertyDescriptor(err, key);
      if (d?.enumerable) Object.defineProperty(err, key, { ...d, enumerable: false });
    }
  } catch {
    // a frozen error prints as it is
  }
  return err;
}
