/**
 * The REPL session: Node's REPL (top-level await, history, completion,
 * coloured output) with the helpers on its context, `.help` and `.actors`.
 * With piped input the REPL is fed one line at a time, and the next line
 * goes in only once the previous statement has settled and printed — the
 * stock REPL reads on while an `await` is pending, so scripts would race.
 */
import repl from "node:repl";
import { PassThrough } from "node:stream";
import { createInterface } from "node:readline";
import { inspect } from "node:util";
import type { ClusterPort } from "./port.ts";
import { HELPERS, makeHelpers } from "./helpers.ts";
import { renderTable } from "./print.ts";

/** Options of {@link runSession}. */
export interface SessionOptions {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Interactive (a TTY): prompt, colours, history, completion. Otherwise statements run one by one. */
  interactive: boolean;
  /** Where history is kept (interactive only). */
  historyFile?: string;
  /** First line printed (interactive only). */
  banner?: string;
}

type Completer = (line: string, done: (err: Error | null, result?: [string[], string]) => void) => void;
type Server = repl.REPLServer & { lastError?: unknown; completer: Completer };

/** Runs the REPL until its input ends (or `.exit`); resolves with the exit code (1 when a piped statement failed). */
export async function runSession(port: ClusterPort, options: SessionOptions): Promise<number> {
  const helpers = makeHelpers(port);
  const colors = options.interactive && Boolean(options.output.isTTY);
  const writer = (v: unknown) => inspect(v, { colors, depth: 6, maxArrayLength: 500, breakLength: options.output.columns ?? 100 });
  if (options.interactive) {
    if (options.banner) options.output.write(`${options.banner}\n`);
    const r = repl.start({ prompt: "actorkube> ", input: options.input, output: options.output, terminal: true, useColors: colors, writer }) as Server;
    setUp(r, port, helpers);
    if (options.historyFile) r.setupHistory(options.historyFile, () => {});
    await new Promise<void>((resolve) => r.on("exit", () => resolve()));
    return 0;
  }
  return runPiped(port, helpers, options, writer);
}

async function runPiped(port: ClusterPort, helpers: Record<string, unknown>, options: SessionOptions, writer: (v: unknown) => string): Promise<number> {
  const feed = new PassThrough();
  const r = repl.start({ prompt: "", input: feed, output: options.output, terminal: false, useColors: false, writer, ignoreUndefined: true }) as Server;
  setUp(r, port, helpers);
  // The REPL shows its prompt once a line is fully handled (evaluated and printed, or kept for a multi-line statement).
  let settled: (() => void) | undefined;
  r.displayPrompt = () => {
    const s = settled;
    settled = undefined;
    s?.();
  };
  let failures = 0;
  let lastError = r.lastError;
  const lines = createInterface({ input: options.input, crlfDelay: Infinity });
  for await (const line of lines) {
    await new Promise<void>((resolve) => {
      settled = resolve;
      feed.write(`${line}\n`);
    });
    if (r.lastError !== lastError) {
      failures++;
      lastError = r.lastError;
    }
  }
  const pending = (r as unknown as Record<symbol, unknown>)[Object.getOwnPropertySymbols(r).find((s) => s.description === "bufferedCommand")!];
  if (typeof pending === "string" && pending.trim()) {
    options.output.write(`Uncaught SyntaxError: the input ended inside a statement:\n${pending}`);
    failures++;
  }
  r.close();
  return failures > 0 ? 1 : 0;
}

function setUp(r: Server, port: ClusterPort, helpers: Record<string, unknown>): void {
  Object.assign(r.context, helpers);
  r.defineCommand("help", {
    help: "Show the helpers and commands",
    action() {
      const rows = HELPERS.map((h) => [h.usage, h.doc]);
      const cmds = Object.entries(r.commands).sort(([a], [b]) => a.localeCompare(b)).map(([name, c]) => [`.${name}`, c?.help ?? ""]);
      r.output.write(`Helpers (all async: use await):\n${renderTable(["USAGE", "WHAT"], rows, false).split("\n").slice(1).map((l) => `  ${l}`).join("\n")}\n\nCommands:\n${renderTable(["COMMAND", "WHAT"], cmds, false).split("\n").slice(1).map((l) => `  ${l}`).join("\n")}\n`);
      r.displayPrompt();
    },
  });
  r.defineCommand("actors", {
    help: "List every actor with its worker, thread, mailbox depth and messages handled",
    action() {
      (helpers.actors as () => Promise<unknown>)()
        .then((rows) => r.output.write(`${inspect(rows, { colors: false })}\n`))
        .catch((err) => r.output.write(`${(err as Error).message}\n`))
        .finally(() => r.displayPrompt());
    },
  });
  installCompleter(r, port, helpers);
}

/** Inside a string, Tab completes actor addresses, node names and kinds; elsewhere, Node's own completion (helpers are globals). */
function installCompleter(r: Server, port: ClusterPort, helpers: Record<string, unknown>): void {
  // The REPL's readline calls its completer callback-style: (line, (err, [completions, prefix]) => ...).
  const original = r.completer.bind(r);
  let cached: string[] = [];
  r.completer = (line: string, done: (err: Error | null, result?: [string[], string]) => void) => {
    const m = /(["'`])([^"'`]*)$/.exec(line);
    if (!m) return original(line, done);
    const prefix = m[2];
    Promise.all([port.actors(), (helpers.kinds as () => Promise<string[]>)().catch(() => [] as string[])])
      .then(([rows, kinds]) => {
        const addresses = rows.map((a) => a.address);
        const nodes = addresses.filter((a) => a.startsWith("kubelet/")).map((a) => a.slice("kubelet/".length));
        cached = [...new Set([...addresses, ...nodes, ...kinds])].sort();
      })
      // the cluster is busy or gone: complete from what was seen last
      .catch(() => undefined)
      .then(() => done(null, [cached.filter((w) => w.startsWith(prefix)), prefix]));
  };
}
