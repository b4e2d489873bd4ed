/**
 * What `npm start` and the REPL do after the nodes are up: apply the
 * `--apply` manifests (all checked first, nothing written when one is bad)
 * and, for `--once`, wait until the applied workloads are ready, showing
 * progress (workloads ready, pods running/total).
 */
import type { Messenger } from "../../runtime/actor.ts";
import type { KubeObject } from "../../actors/api/meta.ts";
import { applyManifests, appliedLine, clientOf, ManifestError, validateManifests, type Applied, type Manifest } from "./apply.ts";
import { NotReadyError, podReady, waitForWorkloads, workloads } from "./ready.ts";
import { progressBar } from "./progress.ts";

/** Where startup messages go. */
export interface StartupOutput {
  /** One line for people (stderr). */
  say(line: string): void;
  /** The progress bar's sink (stderr); a TTY gets a redrawn bar. */
  progress: { write(s: string): unknown; isTTY?: boolean };
  /** No human output at all (`--json`). */
  quiet?: boolean;
}

/** How {@link applyAndWait} ended: 0 ready, 1 not ready in time (or a failure), 2 a bad manifest. */
export interface StartupResult {
  code: 0 | 1 | 2;
  applied: Applied[];
  /** Why it did not end with 0. */
  message?: string;
  /** The wait reached its deadline (rather than a workload failing for good, or a write failing). */
  timedOut?: boolean;
}

/**
 * Validates and applies `manifests` through the apiserver; when `waitReady`,
 * waits for every applied workload until `deadline` (ms since the epoch).
 */
export async function applyAndWait(api: Pick<Messenger, "ask">, manifests: readonly Manifest[], options: { waitReady: boolean; deadline: number; out: StartupOutput }): Promise<StartupResult> {
  const { out } = options;
  let applied: Applied[] = [];
  if (manifests.length > 0) {
    let resolved;
    try {
      resolved = await validateManifests(api, manifests);
    } catch (err) {
      if (err instanceof ManifestError) return { code: 2, applied, message: `${err.message}\nnothing was applied` };
      throw err;
    }
    try {
      applied = await applyManifests(api, resolved, { onApplied: (a) => !out.quiet && out.say(appliedLine(a)) });
    } catch (err) {
      return { code: 1, applied, message: (err as Error).message };
    }
  }
  if (!options.waitReady) return { code: 0, applied };
  const list = workloads(applied);
  if (list.length === 0) return { code: 0, applied };
  const bar = progressBar("workloads ready", out.progress);
  try {
    await waitForWorkloads(api, list, {
      deadline: options.deadline,
      onProgress: async (ready, total) => {
        if (out.quiet) return;
        const pods = await podCounts(api);
        bar.update(ready / total, `${ready}/${total}, pods running ${pods.running}/${pods.total}`);
      },
    });
    bar.done();
    return { code: 0, applied };
  } catch (err) {
    bar.done();
    if (err instanceof NotReadyError) return { code: 1, applied, message: err.message, timedOut: !err.states.some((s) => s.failed) };
    throw err;
  }
}

/** Pods running (or done) out of all pods. */
export async function podCounts(api: Pick<Messenger, "ask">): Promise<{ running: number; total: number }> {
  const list = await clientOf(api).list<KubeObject & { status?: Record<string, unknown> }>("pods");
  return { running: list.items.filter((p) => podReady(p as never)).length, total: list.items.length };
}
