/**
 * Runs every `tests/**\/*.test.ts` file in its own Node process (uvu inside),
 * two at a time, and ends with one line `N passed, N failed, N skipped`.
 * Usage: npm test [-- filter...]  (a filter keeps files whose path contains it)
 */
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { availableParallelism } from "node:os";

const root = fileURLToPath(new URL("..", import.meta.url));
const filters = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const perFileTimeoutMs = Number(process.env.TEST_FILE_TIMEOUT_MS ?? 300_000);

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (entry.endsWith(".test.ts")) out.push(p);
  }
  return out.sort();
}

interface FileResult {
  file: string;
  passed: number;
  failed: number;
  skipped: number;
  ms: number;
  output: string;
}

function runFile(file: string): Promise<FileResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", file], {
      cwd: root,
      env: { ACTORKUBE_LOG: "error", ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\n[test runner] ${relative(root, file)} timed out after ${perFileTimeoutMs} ms; killed\n`;
      child.kill("SIGKILL");
    }, perFileTimeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      const total = /Total:\s+(\d+)/.exec(output);
      const passed = /Passed:\s+(\d+)/.exec(output);
      const skipped = /Skipped:\s+(\d+)/.exec(output);
      let p = passed ? Number(passed[1]) : 0;
      let f = total ? Number(total[1]) - p : 0;
      const s = skipped ? Number(skipped[1]) : 0;
      // A file that crashed or exited non-zero without failures counted still fails once.
      if (!total || (code !== 0 && f === 0)) f += 1;
      resolve({ file, passed: p, failed: f, skipped: s, ms: Date.now() - started, output });
    });
  });
}

const files = findTests(join(root, "tests")).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
const concurrency = Math.max(1, Math.min(Number(process.env.TEST_CONCURRENCY ?? 2), availableParallelism()));
const results: FileResult[] = [];
let next = 0;
async function lane(): Promise<void> {
  while (next < files.length) {
    const file = files[next++];
    const r = await runFile(file);
    results.push(r);
    const mark = r.failed ? "FAIL" : "ok  ";
    console.log(`${mark} ${relative(root, file)}  ${r.passed} passed, ${r.failed} failed (${(r.ms / 1000).toFixed(1)} s)`);
    if (r.failed) console.log(r.output.split("\n").map((l) => "     | " + l).join("\n"));
  }
}
await Promise.all(Array.from({ length: concurrency }, lane));
const sum = (k: "passed" | "failed" | "skipped") => results.reduce((a, r) => a + r[k], 0);
if (files.length === 0) console.log("no test files matched");
console.log(`${sum("passed")} passed, ${sum("failed")} failed, ${sum("skipped")} skipped`);
process.exit(sum("failed") > 0 || files.length === 0 ? 1 : 0);
