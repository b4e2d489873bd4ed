/**
 * Where a container's behaviour comes from: the pod annotation
 * `actorkube.io/behavior.<container>` or `actorkube.io/behavior`, else what
 * its command and args would do (`sleep 5; exit 1`, `true`, a server).
 */
import { BehaviorError, DEFAULT_BEHAVIOR, parseBehavior, type Behavior, type LogSpec } from "./behavior.ts";

/** The pod annotation that scripts every container of a pod. */
export const BEHAVIOR_ANNOTATION = "actorkube.io/behavior";

/** Waiting reason the kubelet shows when a behaviour cannot be parsed (as for a bad env reference). */
export const CONFIG_ERROR_REASON = "CreateContainerConfigError";

/** The outcome of resolving a container's behaviour; never throws, so a bad script becomes a waiting reason. */
export type BehaviorResolution =
  | { ok: true; behavior: Behavior; source: "annotation" | "command" }
  | { ok: false; reason: typeof CONFIG_ERROR_REASON; message: string };

/** The container fields inference reads. */
export interface CommandLine {
  name: string;
  command?: readonly string[];
  args?: readonly string[];
}

/** Picks and parses a container's behaviour from pod annotations, else infers it from command/args. */
export function resolveBehavior(annotations: Readonly<Record<string, string>> | undefined, container: CommandLine): BehaviorResolution {
  const key = `${BEHAVIOR_ANNOTATION}.${container.name}`;
  const own = annotations?.[key];
  const [annotation, text] = own !== undefined ? [key, own] : [BEHAVIOR_ANNOTATION, annotations?.[BEHAVIOR_ANNOTATION]];
  if (text === undefined) return { ok: true, behavior: inferBehavior(container), source: "command" };
  try {
    return { ok: true, behavior: parseBehavior(text), source: "annotation" };
  } catch (err) {
    if (!(err instanceof BehaviorError)) throw err;
    return { ok: false, reason: CONFIG_ERROR_REASON, message: `annotation ${annotation}: ${err.message}` };
  }
}

/** What a shell script does, step by step, as far as the simulator cares. */
interface ShellRun {
  atMs: number;
  forever: boolean;
  exitCode: number;
  logs: LogSpec[];
  ignoreTerm: boolean;
}

const SHELLS = new Set(["sh", "bash", "ash", "dash", "zsh"]);

const inferred = new Map<string, Behavior>();
const INFERRED_MAX = 2048;

/** Infers a behaviour from command + args; anything unrecognised is a long-running server. Results are shared per command line. */
export function inferBehavior(c: Pick<CommandLine, "command" | "args">): Behavior {
  const argv = [...(c.command ?? []), ...(c.args ?? [])];
  if (argv.length === 0) return DEFAULT_BEHAVIOR;
  const key = argv.join("\0");
  let behavior = inferred.get(key);
  if (!behavior) {
    if (inferred.size >= INFERRED_MAX) inferred.clear();
    behavior = inferArgv(argv);
    inferred.set(key, behavior);
  }
  return behavior;
}

function inferArgv(argv: string[]): Behavior {
  const prog = basename(argv[0]);
  // As in sh, words after the script are $0, $1...: they are not part of it.
  if (SHELLS.has(prog) && argv[1] === "-c" && argv.length > 2) return fromShell(argv[2]);
  const run: ShellRun = { atMs: 0, forever: false, exitCode: 0, logs: [], ignoreTerm: false };
  return step(run, argv) === "server" ? DEFAULT_BEHAVIOR : toBehavior(run);
}

/** Runs a `;` / `&&` / newline separated script; supports sleep, exit, echo, true, false, trap and `while true; do ...; done`. */
function fromShell(script: string): Behavior {
  const run: ShellRun = { atMs: 0, forever: false, exitCode: 0, logs: [], ignoreTerm: false };
  const loop = /while\s+(?:true|:)\s*;?\s*do\s+(.*?);?\s*done/s.exec(script);
  const before = loop ? script.slice(0, loop.index) : script;
  for (const words of statements(before)) {
    const next = step(run, words);
    if (next === "server") return DEFAULT_BEHAVIOR;
    if (next === "stop" || run.forever) return toBehavior(run);
  }
  if (loop) {
    // A `while true` body repeats forever: echo lines become repeating log lines.
    const body = statements(loop[1]);
    let periodMs = 0;
    const texts: Array<{ text: string; offset: number }> = [];
    for (const words of body) {
      if (words[0] === "echo") texts.push({ text: words.slice(1).join(" "), offset: periodMs });
      else if (words[0] === "sleep") periodMs += sleepMs(words[1]) ?? 0;
    }
    if (periodMs > 0) for (const t of texts) run.logs.push({ text: t.text, atMs: run.atMs + t.offset, everyMs: periodMs });
    run.forever = true;
  }
  return toBehavior(run);
}

/** Applies one command: "next" to go on, "stop" after exit, "server" for a program we cannot model. */
function step(run: ShellRun, words: string[]): "next" | "stop" | "server" {
  const [cmd, ...rest] = words;
  switch (basename(cmd ?? "")) {
    case "sleep": {
      const ms = sleepMs(rest[0]);
      // `sleep` with a bad operand fails at once, as coreutils does.
      if (ms === undefined) run.exitCode = 1;
      else if (ms === Infinity) run.forever = true;
      else {
        run.atMs += ms;
        run.exitCode = 0;
      }
      return "next";
    }
    case "exit":
      run.exitCode = rest[0] === undefined ? run.exitCode : (Number(rest[0]) || 0) & 255;
      return "stop";
    case "echo":
      run.logs.push({ text: rest.join(" "), atMs: run.atMs });
      run.exitCode = 0;
      return "next";
    case "true":
    case ":":
      run.exitCode = 0;
      return "next";
    case "false":
      run.exitCode = 1;
      return "next";
    case "trap":
      if (rest[0] === "" && rest.slice(1).some((s) => /^(SIG)?TERM$|^15$/.test(s))) run.ignoreTerm = true;
      return "next";
    case "exec":
      return step(run, rest);
  }
  return "server";
}

function toBehavior(run: ShellRun): Behavior {
  const exit = run.forever ? undefined : { code: run.exitCode, afterMs: run.atMs };
  const sigterm = run.ignoreTerm ? "ignore" as const : DEFAULT_BEHAVIOR.sigterm;
  return Object.freeze({ ...DEFAULT_BEHAVIOR, exit, sigterm, logs: run.logs });
}

/** Splits a script into statements of words, honouring single and double quotes. */
function statements(script: string): string[][] {
  const out: string[][] = [];
  let words: string[] = [];
  let word: string | undefined;
  const endWord = () => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  const endStatement = () => {
    endWord();
    if (words.length) out.push(words);
    words = [];
  };
  for (let i = 0; i < script.length; i++) {
    const ch = script[i];
    if (ch === "'" || ch === '"') {
      const close = script.indexOf(ch, i + 1);
      const end = close < 0 ? script.length : close;
      word = (word ?? "") + script.slice(i + 1, end);
      i = end;
    } else if (ch === ";" || ch === "\n" || (ch === "&" && script[i + 1] === "&")) {
      if (ch === "&") i++;
      endStatement();
    } else if (/\s/.test(ch)) endWord();
    else word = (word ?? "") + ch;
  }
  endStatement();
  return out;
}

/** `sleep` arguments: seconds with an optional s/m/h/d suffix, or infinity. */
function sleepMs(arg: string | undefined): number | undefined {
  if (arg === "infinity" || arg === "inf") return Infinity;
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(arg ?? "");
  if (!m) return undefined;
  const unit = { "": 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2]] ?? 1000;
  return Math.round(Number(m[1]) * unit);
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
