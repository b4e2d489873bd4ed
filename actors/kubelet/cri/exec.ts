/**
 * What `kubectl exec` finds inside a simulated container: a handful of
 * commands (echo, cat, ls, env, printenv, hostname, true, false, exit,
 * `sh -c` with `;`, `&&`, `||` and `$VAR`) answered from the container's
 * environment and the files it sees (sandbox files and volume mounts).
 * Any other program succeeds silently, as a stand-in for the real thing.
 */
import type { ExecSyncResponse } from "./types.ts";

/** The container as a command sees it. */
export interface ExecView {
  env: Readonly<Record<string, string>>;
  hostname: string;
  /** A file's content, or undefined when absent. */
  read(path: string): string | undefined;
  /** A directory's entries, or undefined when it is not a directory. */
  list(path: string): string[] | undefined;
}

const SHELLS = new Set(["sh", "bash", "ash", "dash", "zsh"]);

/** Runs one command line (argv, as ExecSync gets it). */
export function runCommand(argv: readonly string[], view: ExecView): ExecSyncResponse {
  const prog = basename(argv[0] ?? "");
  if (SHELLS.has(prog) && argv[1] === "-c" && argv.length > 2) return runScript(argv[2], view);
  return runProgram(argv, view);
}

function runProgram(argv: readonly string[], view: ExecView): ExecSyncResponse {
  const [cmd = "", ...args] = argv;
  const ok = (stdout = ""): ExecSyncResponse => ({ stdout, stderr: "", exitCode: 0 });
  const fail = (stderr: string, exitCode = 1): ExecSyncResponse => ({ stdout: "", stderr, exitCode });
  switch (basename(cmd)) {
    case "echo":
      return args[0] === "-n" ? ok(args.slice(1).join(" ")) : ok(`${args.join(" ")}\n`);
    case "true":
    case ":":
      return ok();
    case "false":
      return fail("");
    case "exit":
      return { stdout: "", stderr: "", exitCode: (Number(args[0]) || 0) & 255 };
    case "hostname":
      return ok(`${view.hostname}\n`);
    case "env":
      return ok(Object.entries(view.env).map(([k, v]) => `${k}=${v}\n`).join(""));
    case "printenv": {
      if (args.length === 0) return runProgram(["env"], view);
      const found = args.filter((a) => a in view.env).map((a) => `${view.env[a]}\n`);
      return { stdout: found.join(""), stderr: "", exitCode: found.length === args.length ? 0 : 1 };
    }
    case "cat": {
      let out = "";
      let err = "";
      for (const path of args) {
        const content = view.read(path);
        if (content !== undefined) out += content;
        else err += `cat: ${path}: ${view.list(path) ? "Is a directory" : "No such file or directory"}\n`;
      }
      return { stdout: out, stderr: err, exitCode: err ? 1 : 0 };
    }
    case "ls": {
      const paths = args.filter((a) => !a.startsWith("-"));
      let out = "";
      let err = "";
      for (const path of paths.length ? paths : ["/"]) {
        const entries = view.list(path);
        if (entries) out += entries.map((e) => `${e}\n`).join("");
        else if (view.read(path) !== undefined) out += `${path}\n`;
        else err += `ls: cannot access '${path}': No such file or directory\n`;
      }
      return { stdout: out, stderr: err, exitCode: err ? 2 : 0 };
    }
  }
  return ok();
}

/** A tiny shell: statements split on `;`, `&&`, `||` and newlines, `$VAR`/`${VAR}` expanded outside single quotes. */
function runScript(script: string, view: ExecView): ExecSyncResponse {
  let stdout = "";
  let stderr = "";
  let exitCode = 0;
  for (const { words, after } of parseScript(script, view.env)) {
    const skip = (after === "&&" && exitCode !== 0) || (after === "||" && exitCode === 0);
    if (skip || words.length === 0) continue;
    const r = runProgram(words, view);
    stdout += r.stdout;
    stderr += r.stderr;
    exitCode = r.exitCode;
    if (basename(words[0]) === "exit") break;
  }
  return { stdout, stderr, exitCode };
}

/** One statement and the operator that joined it to the previous one. */
interface Statement {
  words: string[];
  after: ";" | "&&" | "||";
}

/** Splits a script into statements of words, honouring quotes and expanding variables as sh does. */
export function parseScript(script: string, env: Readonly<Record<string, string>>): Statement[] {
  const out: Statement[] = [];
  let words: string[] = [];
  let word: string | undefined;
  let after: Statement["after"] = ";";
  const endWord = () => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  const endStatement = (next: Statement["after"]) => {
    endWord();
    out.push({ words, after });
    words = [];
    after = next;
  };
  for (let i = 0; i < script.length; i++) {
    const ch = script[i];
    if (ch === "'") {
      const close = script.indexOf("'", i + 1);
      const end = close < 0 ? script.length : close;
      word = (word ?? "") + script.slice(i + 1, end);
      i = end;
    } else if (ch === '"') {
      const close = script.indexOf('"', i + 1);
      const end = close < 0 ? script.length : close;
      word = (word ?? "") + expandShell(script.slice(i + 1, end), env);
      i = end;
    } else if (ch === "$") {
      const m = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(script.slice(i));
      if (m) {
        word = (word ?? "") + (env[m[1] ?? m[2]] ?? "");
        i += m[0].length - 1;
      } else word = (word ?? "") + ch;
    } else if (ch === ";" || ch === "\n") endStatement(";");
    else if ((ch === "&" || ch === "|") && script[i + 1] === ch) {
      endStatement(ch === "&" ? "&&" : "||");
      i++;
    } else if (/\s/.test(ch)) endWord();
    else word = (word ?? "") + ch;
  }
  endStatement(";");
  return out.filter((s) => s.words.length > 0);
}

/** Expands `$VAR` and `${VAR}` as sh does (unset variables are empty). */
export function expandShell(text: string, env: Readonly<Record<string, string>>): string {
  return text.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_, a, b) => env[a ?? b] ?? "");
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
