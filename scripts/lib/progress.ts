/**
 * Progress for long work: a redrawn bar on a TTY, plain lines otherwise
 * (one per step change, so logs stay readable).
 */

/** A progress reporter. */
export interface Progress {
  /** Reports progress 0..1 and what is happening now. */
  update(fraction: number, label?: string): void;
  /** Ends the bar (a newline on a TTY). */
  done(): void;
}

/** Writable-like sink: process.stderr on Node. */
interface Sink {
  write(s: string): unknown;
  isTTY?: boolean;
}

/** A progress bar titled `title` writing to `out`. */
export function progressBar(title: string, out: Sink): Progress {
  const tty = Boolean(out.isTTY);
  let lastLabel = "";
  let lastDraw = 0;
  return {
    update(fraction, label = "") {
      const f = Math.max(0, Math.min(1, fraction));
      if (tty) {
        const now = Date.now();
        if (now - lastDraw < 80 && f < 1) return;
        lastDraw = now;
        const width = 30;
        const filled = Math.round(f * width);
        out.write(`\r${title} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${(f * 100).toFixed(0).padStart(3)}% ${label}\x1b[K`);
      } else if (label !== lastLabel) {
        lastLabel = label;
        out.write(`${title}: ${(f * 100).toFixed(0)}% ${label}\n`);
      }
    },
    done() {
      if (tty) out.write("\n");
    },
  };
}
