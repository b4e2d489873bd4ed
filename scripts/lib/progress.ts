/**
 * Progress for long work: a redrawn bar on a TTY, plain lines otherwise
 * (a line when the fraction moves, or at most one a second while only the
 * label changes, so logs stay readable).
 */

/** Writable-like sink: process.stderr on Node. */
export interface ProgressSink {
  write(s: string): unknown;
  isTTY?: boolean;
}

/** A progress reporter. */
export interface Progress {
  /** Reports progress 0..1 and what is happening now. */
  update(fraction: number, label?: string): void;
  /** Ends the bar (a newline on a TTY). */
  done(): void;
  /** Where it writes, for other reporters of the same run. */
  readonly sink: ProgressSink;
}

/** A progress bar titled `title` writing to `out`. */
export function progressBar(title: string, out: ProgressSink): Progress {
  const tty = Boolean(out.isTTY);
  let lastLine = "";
  let lastPercent = -1;
  let lastDraw = 0;
  let drawn = false;
  return {
    sink: out,
    update(fraction, label = "") {
      const f = Math.max(0, Math.min(1, fraction));
      const percent = Math.round(f * 100);
      const now = Date.now();
      if (tty) {
        if (now - lastDraw < 80 && f < 1) return;
        lastDraw = now;
        drawn = true;
        const width = 30;
        const filled = Math.round(f * width);
        out.write(`\r${title} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${String(percent).padStart(3)}% ${label}\x1b[K`);
        return;
      }
      const line = `${title}: ${percent}% ${label}`.trimEnd();
      if (line === lastLine) return;
      if (percent === lastPercent && now - lastDraw < 1000) return;
      lastLine = line;
      lastPercent = percent;
      lastDraw = now;
      out.write(`${line}\n`);
    },
    done() {
      if (tty && drawn) out.write("\n");
      drawn = false;
    },
  };
}
