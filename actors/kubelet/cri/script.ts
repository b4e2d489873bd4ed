/**
 * A behaviour read at a moment: probe answers, resource use, the container's
 * natural end and its log lines are all functions of (behaviour, time), so
 * an idle container needs no timers and no stored log buffer.
 */
import type { Behavior, ProbeAnswer, Step } from "./behavior.ts";

/** How a running container ends by itself, `atMs` after it started running. */
export interface NaturalEnd {
  atMs: number;
  exitCode: number;
  reason: "Completed" | "Error" | "OOMKilled";
}

/** One log line with the epoch-ms time it was written. */
export interface LogLine {
  time: number;
  text: string;
}

/** True when the probe answers success `sinceMs` after the container started running. */
export function probeOk(answer: ProbeAnswer, sinceMs: number): boolean {
  return sinceMs >= answer.okFromMs && sinceMs < answer.okUntilMs;
}

/** The value of a step function `sinceMs` after running (0 before the first step). */
export function valueAt(steps: readonly Step[], sinceMs: number): number {
  let value = 0;
  for (const s of steps) {
    if (s.atMs > sinceMs) break;
    value = s.value;
  }
  return value;
}

/** The reason Kubernetes shows for a container that exited by itself with `code`. */
export function exitReason(code: number): "Completed" | "Error" {
  return code === 0 ? "Completed" : "Error";
}

/**
 * When the container ends on its own: its scripted exit, or earlier the first
 * memory step above `memoryLimitBytes` (the kernel's OOM killer: 137, OOMKilled).
 */
export function naturalEnd(b: Behavior, memoryLimitBytes: number | undefined): NaturalEnd | undefined {
  let end: NaturalEnd | undefined = b.exit && { atMs: b.exit.afterMs, exitCode: b.exit.code, reason: exitReason(b.exit.code) };
  if (memoryLimitBytes !== undefined && memoryLimitBytes > 0) {
    const over = b.memory.find((s) => s.value > memoryLimitBytes);
    if (over && (!end || over.atMs <= end.atMs)) end = { atMs: over.atMs, exitCode: 137, reason: "OOMKilled" };
  }
  return end;
}

/**
 * The log lines a container wrote while it ran from `startedAt` to `until`
 * (epoch ms), oldest first, at most `max` of them (the newest), as a rotated
 * log file keeps only its tail.
 */
export function logLines(b: Behavior, startedAt: number, until: number, max: number): LogLine[] {
  const span = until - startedAt;
  if (span < 0 || max <= 0) return [];
  const lines: Array<LogLine & { order: number }> = [];
  b.logs.forEach((spec, order) => {
    if (spec.atMs > span) return;
    if (spec.everyMs === undefined) {
      lines.push({ time: startedAt + spec.atMs, text: spec.text, order });
      return;
    }
    // Only the newest `max` repetitions can survive the cut, so older ones are never built.
    const count = Math.floor((span - spec.atMs) / spec.everyMs) + 1;
    for (let k = Math.max(0, count - max); k < count; k++) {
      lines.push({ time: startedAt + spec.atMs + k * spec.everyMs, text: spec.text, order });
    }
  });
  lines.sort((x, y) => x.time - y.time || x.order - y.order);
  return lines.slice(-max).map(({ time, text }) => ({ time, text }));
}
