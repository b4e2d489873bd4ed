/**
 * Puts admission on an apiserver: the chain of enabled plugins on its
 * writes, and, with ResourceQuota on, the tracker that gives quota back.
 */
import type { KubeObject } from "../../api/meta.ts";
import type { ApiServer } from "../server.ts";
import { AdmissionChain } from "./chain.ts";
import { QuotaTracker } from "./quota-tracker.ts";

/** What was installed. */
export interface InstalledAdmission {
  chain: AdmissionChain;
  tracker?: QuotaTracker;
  stop(): void;
}

/**
 * Installs the plugins named in `enabled` (as `--enable-admission-plugins`;
 * default all: NamespaceLifecycle, LimitRanger, ServiceAccount,
 * DefaultTolerationSeconds, ResourceQuota). An unknown name throws.
 */
export async function installAdmission(api: ApiServer, enabled?: readonly string[], onError?: (err: unknown) => void): Promise<InstalledAdmission> {
  const chain = new AdmissionChain(
    {
      store: api.store,
      registry: api.registry,
      clock: api.clock,
      create: (resource: string, namespace: string, object: KubeObject) => api.create(api.target(resource, undefined, namespace), object),
    },
    enabled,
  );
  api.admission = chain;
  let tracker: QuotaTracker | undefined;
  if (chain.plugins.some((p) => p.name === "ResourceQuota")) {
    tracker = new QuotaTracker({ store: api.store, registry: api.registry, clock: api.clock, onError });
    await tracker.start();
  }
  return { chain, tracker, stop: () => tracker?.stop() };
}
