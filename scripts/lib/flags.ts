/**
 * Command-line flags: declared once (name, type, default, help), parsed
 * strictly. A bad flag is a `FlagError` naming the flag; callers exit 2.
 */
import { platform } from "../../runtime/platform/index.ts";

/** One flag's declaration. */
export interface FlagSpec {
  name: string;
  type: "string" | "number" | "boolean";
  help: string;
  default?: string | number | boolean;
  /** May be given more than once (values collected in order). */
  repeatable?: boolean;
  /** Placeholder shown in --help, e.g. `N`. */
  arg?: string;
  /** For numbers: the smallest value allowed. */
  min?: number;
  /** For numbers: the largest value allowed. */
  max?: number;
}

/** A flag the user got wrong. */
export class FlagError extends Error {
  override name = "FlagError";
  readonly code = "BadFlag";
}

/** Parsed values by flag name (repeatable flags as arrays). */
export type FlagValues = Record<string, string | number | boolean | (string | number)[] | undefined>;

/** Parses `argv` against `specs`; throws {@link FlagError}. */
export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[]): FlagValues {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const out: FlagValues = {};
  for (const s of specs) out[s.name] = s.repeatable ? [] : s.default;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) throw new FlagError(`unexpected argument "${a}" (flags start with --; see --help)`);
    const eq = a.indexOf("=");
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const spec = byName.get(name);
    if (!spec) throw new FlagError(`unknown flag --${name} (see --help)`);
    let raw: string | undefined = eq < 0 ? undefined : a.slice(eq + 1);
    if (spec.type === "boolean") {
      if (raw === undefined || raw === "true") out[name] = true;
      else if (raw === "false") out[name] = false;
      else throw new FlagError(`--${name} takes no value or true/false, got "${raw}"`);
      continue;
    }
    if (raw === undefined) {
      raw = argv[++i];
      if (raw === undefined || raw.startsWith("--")) throw new FlagError(`--${name} needs a value${spec.arg ? ` (${spec.arg})` : ""}`);
    }
    let value: string | number = raw;
    if (spec.type === "number") {
      const n = Number(raw);
      if (raw.trim() === "" || !Number.isFinite(n) || !Number.isInteger(n)) throw new FlagError(`--${name} must be a whole number, got "${raw}"`);
      if (spec.min !== undefined && n < spec.min) throw new FlagError(`--${name} must be at least ${spec.min}, got ${n}`);
      if (spec.max !== undefined && n > spec.max) throw new FlagError(`--${name} must be at most ${spec.max}, got ${n}`);
      value = n;
    }
    if (spec.repeatable) (out[name] as (string | number)[]).push(value);
    else out[name] = value;
  }
  return out;
}

/** The --help text for `specs`. */
export function helpText(usage: string, specs: readonly FlagSpec[]): string {
  const left = specs.map((s) => `  --${s.name}${s.type === "boolean" ? "" : ` ${s.arg ?? s.type.toUpperCase()}`}`);
  const w = Math.max(...left.map((l) => l.length)) + 2;
  const lines = specs.map((s, i) => `${left[i].padEnd(w)}${s.help}${s.default !== undefined && s.default !== false ? ` (default ${s.default})` : ""}${s.repeatable ? " (repeatable)" : ""}`);
  return `${usage}\n\nFlags:\n${lines.join("\n")}\n`;
}

/** How a script reads its command line with {@link parseCommandLine}. */
export interface CommandLine {
  /** Prefixes error lines: `bench-http: unknown flag --x`. */
  name: string;
  /** The first line of --help. */
  usage: string;
  specs: readonly FlagSpec[];
  /** Checks beyond parsing; throws {@link FlagError}. */
  check?(flags: FlagValues): void;
  /** Default: the process's arguments. */
  argv?: readonly string[];
}

/**
 * Parses and checks the command line. A bad flag prints `name: message` on
 * stderr and exits 2; `--help` prints {@link helpText} and exits 0.
 */
export function parseCommandLine(cl: CommandLine): FlagValues {
  let flags: FlagValues;
  try {
    flags = parseFlags(cl.argv ?? platform.args(), cl.specs);
    cl.check?.(flags);
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    console.error(`${cl.name}: ${err.message}`);
    return platform.exit(2);
  }
  if (flags.help) {
    console.log(helpText(cl.usage, cl.specs));
    return platform.exit(0);
  }
  return flags;
}
