// Polling for the end-to-end tests of this folder, which watch a cluster on real workers settle.

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
