/**
 * The behaviour language of simulated containers: what a container does
 * (start delay, exit code, probe answers, logs, resource use) as a short
 * `;`-separated string. The grammar is documented in BEHAVIOR.md.
 */
import { parseCPU, parseQuantity } from "../../api/quantity.ts";
import { ActorError } from "../../../runtime/errors.ts";

/** A window of time, in ms since the container started running, in which a probe succeeds. */
export interface ProbeAnswer {
  /** The probe succeeds from this offset on (Infinity: never). */
  readonly okFromMs: number;
  /** The probe fails from this offset on (Infinity: never). */
  readonly okUntilMs: number;
}

/** A value that holds from `atMs` (since running) until the next step. */
export interface Step {
  readonly atMs: number;
  readonly value: number;
}

/** A log line written at `atMs`, or every `everyMs` from `atMs` on. */
export interface LogSpec {
  readonly text: string;
  readonly atMs: number;
  /** Set for repeating lines. */
  readonly everyMs?: number;
}

/** A parsed behaviour: everything the simulated runtime needs to play a container. */
export interface Behavior {
  /** Exit with `code` `afterMs` after running; undefined runs until stopped. */
  readonly exit?: { readonly code: number; readonly afterMs: number };
  readonly startDelayMs?: number;
  /** How the container answers SIGTERM; "ignore" waits to be killed at the end of the grace period. */
  readonly sigterm: { readonly code: number; readonly afterMs: number } | "ignore";
  readonly liveness: ProbeAnswer;
  readonly readiness: ProbeAnswer;
  readonly startup: ProbeAnswer;
  readonly logs: readonly LogSpec[];
  /** CPU use in millicores, as steps over time. */
  readonly cpu: readonly Step[];
  /** Memory use in bytes, as steps over time. */
  readonly memory: readonly Step[];
}

/** The three probe kinds a kubelet runs. */
export type ProbeKind = "liveness" | "readiness" | "startup";

/** Error code of a malformed behaviour string. */
export const INVALID_BEHAVIOR = "InvalidBehavior";

/** A malformed behaviour string; `position` is the 1-based character where the problem starts. */
export class BehaviorError extends ActorError {
  override name = "BehaviorError";
  readonly position: number;
  constructor(message: string, position: number) {
    super(INVALID_BEHAVIOR, message);
    this.position = position;
  }
}

/** Every clause name, in the order error messages list them. */
export const BEHAVIOR_CLAUSES = [
  "run", "exit", "crash", "start-delay", "ignore-sigterm", "sigterm", "ready-after",
  "readiness", "liveness", "startup", "log", "log-every", "cpu", "memory",
] as const;

/** The syntax of each clause, quoted in error messages. */
const USAGE: Record<string, string> = {
  run: "run", exit: "exit:<code>[@<time>]", crash: "crash[@<time>]", "start-delay": "start-delay:<duration>",
  "ignore-sigterm": "ignore-sigterm", sigterm: "sigterm:<code>[@<time>]", "ready-after": "ready-after:<duration>",
  readiness: "readiness:<answer>", liveness: "liveness:<answer>", startup: "startup:<answer>",
  log: 'log:"<text>"[@<time>]', "log-every": 'log-every:<duration>:"<text>"[@<time>]',
  cpu: "cpu:<quantity>[@<time>]", memory: "memory:<quantity>[@<time>]",
};

const ALWAYS: ProbeAnswer = { okFromMs: 0, okUntilMs: Infinity };

/** The behaviour of a container with no script: runs until stopped, healthy, silent, idle. */
export const DEFAULT_BEHAVIOR: Behavior = Object.freeze({
  sigterm: { code: 143, afterMs: 0 },
  liveness: ALWAYS,
  readiness: ALWAYS,
  startup: ALWAYS,
  logs: [],
  cpu: [],
  memory: [],
});

/** One argument of a clause, with where it starts in the text. */
interface Arg {
  text: string;
  quoted: boolean;
  pos: number;
}

/** A clause split into its name, `:` arguments and `@` time. */
interface Clause {
  name: string;
  pos: number;
  args: Arg[];
  at?: Arg;
}

/** A mutable draft filled clause by clause, then frozen into a Behavior. */
type Draft = { -readonly [K in keyof Behavior]: Behavior[K] } & { lifecycleAt?: Clause };

const cache = new Map<string, Behavior>();
const CACHE_MAX = 2048;

/** Parses a behaviour string; throws BehaviorError with the position of the first problem. Results are shared, so thousands of replicas cost one object. */
export function parseBehavior(text: string): Behavior {
  const hit = cache.get(text);
  if (hit) return hit;
  const draft: Draft = { ...DEFAULT_BEHAVIOR, logs: [], cpu: [], memory: [] };
  for (const clause of splitClauses(text)) applyClause(draft, clause);
  delete draft.lifecycleAt;
  draft.cpu = [...draft.cpu].sort((a, b) => a.atMs - b.atMs);
  draft.memory = [...draft.memory].sort((a, b) => a.atMs - b.atMs);
  const behavior = Object.freeze(draft) as Behavior;
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(text, behavior);
  return behavior;
}

/** Tokenises `name:arg:"quoted arg"@time; ...`, honouring quotes so `;` may appear in log text. */
function splitClauses(text: string): Clause[] {
  const clauses: Clause[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const readArg = (): Arg => {
    const pos = i + 1;
    if (text[i] === '"') {
      let out = "";
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === "\\" && i + 1 < text.length) i++;
        out += text[i];
      }
      if (i >= text.length) throw new BehaviorError(`unterminated string at position ${pos}; close it with "`, pos);
      i++;
      return { text: out, quoted: true, pos };
    }
    const start = i;
    while (i < text.length && !/[\s;:@"]/.test(text[i])) i++;
    return { text: text.slice(start, i), quoted: false, pos };
  };
  for (;;) {
    skipSpace();
    if (i >= text.length) break;
    if (text[i] === ";") {
      i++;
      continue;
    }
    const name = readArg();
    if (name.quoted || name.text === "") {
      throw new BehaviorError(`expected a behavior name at position ${name.pos}, got ${JSON.stringify(text[name.pos - 1])}`, name.pos);
    }
    const clause: Clause = { name: name.text, pos: name.pos, args: [] };
    while (text[i] === ":") {
      i++;
      clause.args.push(readArg());
    }
    if (text[i] === "@") {
      i++;
      clause.at = readArg();
    }
    skipSpace();
    if (i < text.length && text[i] !== ";") {
      throw new BehaviorError(`unexpected ${JSON.stringify(text[i])} at position ${i + 1}; separate behaviors with ";"`, i + 1);
    }
    clauses.push(clause);
  }
  return clauses;
}

function applyClause(d: Draft, c: Clause): void {
  const known = (BEHAVIOR_CLAUSES as readonly string[]).includes(c.name);
  if (!known) {
    throw new BehaviorError(`unknown behavior ${JSON.stringify(c.name)} at position ${c.pos}; expected one of: ${BEHAVIOR_CLAUSES.join(", ")}`, c.pos);
  }
  const atMs = c.at ? duration(c, c.at) : 0;
  switch (c.name) {
    case "run":
      arity(c, 0, 0, false);
      lifecycle(d, c, undefined);
      return;
    case "exit":
      arity(c, 1, 1, true);
      lifecycle(d, c, { code: exitCode(c, c.args[0]), afterMs: atMs });
      return;
    case "crash":
      arity(c, 0, 0, true);
      lifecycle(d, c, { code: 1, afterMs: atMs });
      return;
    case "start-delay":
      arity(c, 1, 1, false);
      d.startDelayMs = duration(c, c.args[0]);
      return;
    case "ignore-sigterm":
      arity(c, 0, 0, false);
      d.sigterm = "ignore";
      return;
    case "sigterm":
      arity(c, 1, 1, true);
      d.sigterm = { code: exitCode(c, c.args[0]), afterMs: atMs };
      return;
    case "ready-after":
      arity(c, 1, 1, false);
      d.readiness = { ...d.readiness, okFromMs: duration(c, c.args[0]) };
      return;
    case "readiness":
    case "liveness":
    case "startup":
      d[c.name] = probeAnswer(c, d[c.name]);
      return;
    case "log":
      arity(c, 1, 1, true);
      d.logs = [...d.logs, { text: quoted(c, c.args[0]), atMs }];
      return;
    case "log-every": {
      arity(c, 2, 2, true);
      const everyMs = duration(c, c.args[0]);
      if (everyMs <= 0) fail(c, c.args[0], `period ${JSON.stringify(c.args[0].text)}`, "it must be more than 0s");
      d.logs = [...d.logs, { text: quoted(c, c.args[1]), atMs, everyMs }];
      return;
    }
    case "cpu":
    case "memory": {
      arity(c, 1, 1, true);
      const value = quantity(c, c.args[0]);
      d[c.name] = [...d[c.name], { atMs, value }];
      return;
    }
  }
}

/** Only one of run / exit / crash may say how the container ends. */
function lifecycle(d: Draft, c: Clause, exit: Behavior["exit"]): void {
  if (d.lifecycleAt) {
    throw new BehaviorError(`behavior ${JSON.stringify(c.name)} at position ${c.pos} conflicts with ${JSON.stringify(d.lifecycleAt.name)} at position ${d.lifecycleAt.pos}; use one of run, exit, crash`, c.pos);
  }
  d.lifecycleAt = c;
  if (exit) d.exit = exit;
}

function probeAnswer(c: Clause, prev: ProbeAnswer): ProbeAnswer {
  const [mode, arg] = c.args;
  const modes = "ok, fail, fail-after:<duration>, succeed-after:<duration>";
  if (!mode) throw new BehaviorError(`missing answer at position ${c.pos} in ${JSON.stringify(c.name)}; expected one of: ${modes}`, c.pos);
  if (c.at) fail(c, c.at, "unexpected @time", "use fail-after or succeed-after");
  const plain = (answer: ProbeAnswer) => {
    if (c.args.length > 1) fail(c, c.args[1], "unexpected argument", `"${mode.text}" takes none`);
    return answer;
  };
  const timed = () => {
    if (!arg) fail(c, mode, `missing duration after "${mode.text}"`, `e.g. ${c.name}:${mode.text}:30s`);
    if (c.args.length > 2) fail(c, c.args[2], "unexpected argument", `"${mode.text}" takes one duration`);
    return duration(c, arg);
  };
  switch (mode.text) {
    case "ok": return plain(ALWAYS);
    case "fail": return plain({ okFromMs: Infinity, okUntilMs: Infinity });
    case "fail-after": return { ...prev, okUntilMs: timed() };
    case "succeed-after": return { ...prev, okFromMs: timed() };
  }
  return fail(c, mode, `unknown answer ${JSON.stringify(mode.text)}`, `expected one of: ${modes}`);
}

function arity(c: Clause, min: number, max: number, allowAt: boolean): void {
  const usage = `usage: ${USAGE[c.name]}`;
  if (!allowAt && c.at) fail(c, c.at, "unexpected @time", usage);
  if (c.args.length > max) fail(c, c.args[max], "unexpected argument", usage);
  if (c.args.length < min) throw new BehaviorError(`missing argument at position ${c.pos} in ${JSON.stringify(c.name)}; ${usage}`, c.pos);
}

/** Throws "<problem> at position N in "<clause>"; <hint>", the one shape of argument errors. */
function fail(c: Clause, a: Arg, problem: string, hint?: string): never {
  throw new BehaviorError(`${problem} at position ${a.pos} in ${JSON.stringify(c.name)}${hint ? `; ${hint}` : ""}`, a.pos);
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `500ms`, `5s`, `1.5m`, `2h` into milliseconds. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text);
  return m ? Math.round(Number(m[1]) * UNIT_MS[m[2]]) : undefined;
}

function duration(c: Clause, a: Arg): number {
  const ms = a.quoted ? undefined : parseDuration(a.text);
  if (ms === undefined) fail(c, a, `invalid duration ${JSON.stringify(a.text)}`, "expected e.g. 500ms, 5s, 2m, 1h");
  return ms;
}

function exitCode(c: Clause, a: Arg): number {
  const n = /^\d{1,3}$/.test(a.text) && !a.quoted ? Number(a.text) : NaN;
  if (!(n >= 0 && n <= 255)) fail(c, a, `invalid exit code ${JSON.stringify(a.text)}`, "expected 0-255");
  return n;
}

function quoted(c: Clause, a: Arg): string {
  if (!a.quoted) fail(c, a, "unquoted log text", `write it in double quotes, e.g. "${a.text}"`);
  return a.text;
}

function quantity(c: Clause, a: Arg): number {
  try {
    if (a.quoted || a.text === "") throw new Error();
    return c.name === "cpu" ? parseCPU(a.text) : Math.ceil(parseQuantity(a.text));
  } catch {
    const eg = c.name === "cpu" ? "250m, 1" : "64Mi, 1Gi";
    return fail(c, a, `invalid quantity ${JSON.stringify(a.text)}`, `expected e.g. ${eg}`);
  }
}
