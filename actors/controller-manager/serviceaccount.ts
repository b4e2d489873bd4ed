/**
 * The service account controller: every active namespace has a `default`
 * ServiceAccount, created with the namespace and re-created if deleted.
 * Terminating namespaces are left alone (the apiserver refuses new content
 * in them anyway).
 */
import { isAlreadyExists, isNotFound } from "../api/client.ts";
import { errorCode } from "../../runtime/errors.ts";
import type { Informer } from "../api/informer.ts";
import type { Namespace } from "../api/types/core-node.ts";
import type { ServiceAccount } from "../api/types/core-config.ts";
import { Reconciler, type Controller, type ControllerContext } from "./controller.ts";

/** The service accounts every namespace gets (kube-controller-manager's default list). */
export const DEFAULT_SERVICE_ACCOUNTS = ["default"];

/** The service account controller. */
export class ServiceAccountsController implements Controller {
  readonly name = "serviceaccount";
  readonly #cc: ControllerContext;
  readonly #namespaces: Informer<Namespace>;
  readonly #accounts: Informer<ServiceAccount>;
  readonly #queue: Reconciler;
  readonly counts = { created: 0 };

  constructor(cc: ControllerContext) {
    this.#cc = cc;
    this.#queue = new Reconciler(cc, "serviceaccount", (ns) => this.#sync(ns));
    this.#namespaces = cc.informers.informer<Namespace>({ resource: "namespaces" });
    this.#accounts = cc.informers.informer<ServiceAccount>({ resource: "serviceaccounts" });
    this.#namespaces.addEventHandler({
      onAdd: (ns) => this.#queue.enqueue(ns.metadata.name!),
      onUpdate: (_, ns) => this.#queue.enqueue(ns.metadata.name!),
    });
    this.#accounts.addEventHandler({
      onDelete: (sa) => DEFAULT_SERVICE_ACCOUNTS.includes(sa.metadata.name!) && this.#queue.enqueue(sa.metadata.namespace!),
    });
  }

  start(): void {
    this.#queue.start();
  }

  stop(): Promise<void> {
    return this.#queue.stop();
  }

  stats(): Record<string, unknown> {
    return { ...this.#queue.stats(), ...this.counts };
  }

  async #sync(namespace: string): Promise<void> {
    const ns = this.#namespaces.get(namespace);
    if (!ns || ns.metadata.deletionTimestamp || (ns.status?.phase ?? "Active") !== "Active") return;
    for (const name of DEFAULT_SERVICE_ACCOUNTS) {
      if (this.#accounts.get(`${namespace}/${name}`)) continue;
      try {
        await this.#cc.client.create<ServiceAccount>("serviceaccounts", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace } });
        this.counts.created++;
      } catch (err) {
        // Created meanwhile, or the namespace went (or started terminating): nothing to do.
        if (isAlreadyExists(err) || isNotFound(err) || errorCode(err) === "Forbidden") continue;
        throw err;
      }
    }
  }
}

/** Builds the service account controller. */
export const serviceAccountsController = (cc: ControllerContext): Controller => new ServiceAccountsController(cc);
