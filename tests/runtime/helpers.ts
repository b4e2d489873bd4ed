/** Shared test helpers for tests/runtime. */

/** The rejection of `p`; throws when `p` resolves instead. */
export async function rejects(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}
