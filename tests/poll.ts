// Polling for tests that watch a cluster (or one actor) settle.

/** Polls `fn` every `everyMs` until it returns a truthy value, which it resolves with; throws after `ms`, with the last error seen. */
export async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    const v = await fn().catch((e: unknown) => ((last = e), undefined));
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Polls `fn` every `everyMs` until `ok` accepts its value, which it resolves with; throws after `ms`, showing the last value. */
export async function untilValue<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000, everyMs = 50): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() - start > ms) throw new Error(`${what}: not reached in ${ms} ms; last: ${JSON.stringify(v)?.slice(0, 600)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
