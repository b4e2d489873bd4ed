/**
 * The root CA certificate publisher: a ConfigMap `kube-root-ca.crt` in every
 * active namespace whose `ca.crt` is the cluster's CA bundle, so pods can
 * verify the apiserver; re-created when deleted, restored when edited.
 *
 * The CA comes from the controller-manager option `rootCA` (PEM text, what
 * kube-controller-manager reads from `--root-ca-file`); a cluster serving
 * plain HTTP has none, and `ca.crt` is then the empty string.
 */
import { isAlreadyExists, isNotFound, retryOnConflict } from "../api/client.ts";
import { errorCode } from "../../runtime/errors.ts";
import type { Informer } from "../api/informer.ts";
import type { ConfigMap } from "../api/types/core-config.ts";
import type { Namespace } from "../api/types/core-node.ts";
import { Reconciler, type Controller, type ControllerContext, type ControllerOptions } from "./controller.ts";

/** The ConfigMap's name in every namespace. */
export const ROOT_CA_CONFIGMAP = "kube-root-ca.crt";
/** Its one key. */
export const ROOT_CA_KEY = "ca.crt";
const DESCRIPTION_ANNOTATION = "kubernetes.io/description";
const DESCRIPTION =
  "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

/** The cluster CA (PEM) from the manager's options, "" when there is none; throws when `rootCA` is not text. */
export function rootCAOf(options: ControllerOptions): string {
  const ca = options.rootCA;
  if (ca === undefined) return "";
  if (typeof ca !== "string") throw new TypeError(`controller-manager option rootCA must be PEM text, got ${typeof ca}`);
  return ca;
}

/** The root-ca-cert-publisher controller. */
export class RootCACertPublisher implements Controller {
  readonly name = "root-ca-cert-publisher";
  readonly #cc: ControllerContext;
  readonly #ca: string;
  readonly #namespaces: Informer<Namespace>;
  readonly #configMaps: Informer<ConfigMap>;
  readonly #queue: Reconciler;
  readonly counts = { created: 0, updated: 0 };

  constructor(cc: ControllerContext) {
    this.#cc = cc;
    this.#ca = rootCAOf(cc.options);
    this.#queue = new Reconciler(cc, "root-ca-cert-publisher", (ns) => this.#sync(ns));
    this.#namespaces = cc.informers.informer<Namespace>({ resource: "namespaces" });
    this.#configMaps = cc.informers.informer<ConfigMap>({ resource: "configmaps", fieldSelector: `metadata.name=${ROOT_CA_CONFIGMAP}` });
    this.#namespaces.addEventHandler({
      onAdd: (ns) => this.#queue.enqueue(ns.metadata.name!),
      onUpdate: (_, ns) => this.#queue.enqueue(ns.metadata.name!),
    });
    this.#configMaps.addEventHandler({
      onAdd: (cm) => !this.#current(cm) && this.#queue.enqueue(cm.metadata.namespace!),
      onUpdate: (_, cm) => !this.#current(cm) && this.#queue.enqueue(cm.metadata.namespace!),
      onDelete: (cm) => this.#queue.enqueue(cm.metadata.namespace!),
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

  #current(cm: ConfigMap): boolean {
    const data = cm.data ?? {};
    return Object.keys(data).length === 1 && data[ROOT_CA_KEY] === this.#ca && Boolean(cm.metadata.annotations?.[DESCRIPTION_ANNOTATION]) && !cm.binaryData;
  }

  async #sync(namespace: string): Promise<void> {
    const ns = this.#namespaces.get(namespace);
    if (!ns || ns.metadata.deletionTimestamp || (ns.status?.phase ?? "Active") !== "Active") return;
    const { client } = this.#cc;
    const cached = this.#configMaps.get(`${namespace}/${ROOT_CA_CONFIGMAP}`);
    if (!cached) {
      try {
        await client.create<ConfigMap>("configmaps", {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: ROOT_CA_CONFIGMAP, namespace, annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } },
          data: { [ROOT_CA_KEY]: this.#ca },
        });
        this.counts.created++;
      } catch (err) {
        // Made meanwhile (its add event will bring it here if it needs fixing), or the namespace is going.
        if (!isAlreadyExists(err) && !isNotFound(err) && errorCode(err) !== "Forbidden") throw err;
      }
      return;
    }
    if (this.#current(cached)) return;
    try {
      await retryOnConflict(async () => {
        const cm = await client.get<ConfigMap>("configmaps", ROOT_CA_CONFIGMAP, { namespace });
        if (this.#current(cm)) return;
        const next: ConfigMap = { ...cm, data: { [ROOT_CA_KEY]: this.#ca }, metadata: { ...cm.metadata, annotations: { ...cm.metadata.annotations, [DESCRIPTION_ANNOTATION]: DESCRIPTION } } };
        delete next.binaryData;
        await client.update("configmaps", next);
        this.counts.updated++;
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

/** Builds the root CA publisher. */
export const rootCACertPublisher = (cc: ControllerContext): Controller => new RootCACertPublisher(cc);
