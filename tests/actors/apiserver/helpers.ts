/** Shared setup of the in-process ApiServer tests. */
import { ApiServer } from "../../../actors/apiserver/server.ts";
import { MemoryStore } from "../../../actors/apiserver/store/memory.ts";
import { SimulatedClock } from "../../../runtime/clock.ts";
import type { Status } from "../../../actors/api/status.ts";

/** An ApiServer on a memory store at 2026-03-01T10:00:00Z, with the `default` namespace. */
export async function startApi(watchWindow?: number): Promise<{ api: ApiServer; clock: SimulatedClock }> {
  const clock = new SimulatedClock(Date.parse("2026-03-01T10:00:00Z"));
  const api = new ApiServer({ store: new MemoryStore(), clock, watchWindow });
  await api.start();
  await api.create(api.target("namespaces", "", undefined), { metadata: { name: "default" } });
  return { api, clock };
}

/** The error `p` rejects with; throws when it resolves. */
export async function fails(p: Promise<unknown>): Promise<{ code: string; details: Status; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code: string; details: Status; message: string };
  }
  throw new Error("expected a failure");
}
