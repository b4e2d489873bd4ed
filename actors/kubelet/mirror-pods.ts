/**
 * Mirror pods: the apiserver's read-only copies of a node's static pods, so
 * `kubectl get pods` shows them. The kubelet creates one per static pod,
 * re-creates it when it is deleted through the API (its deletion never stops
 * the static pod), replaces it when the manifest changes, and deletes mirror
 * pods whose static pod is gone.
 */
import { isAlreadyExists, isConflict, isNotFound, type ApiClient } from "../api/client.ts";
import type { Pod } from "../api/types/index.ts";
import { MIRROR_ANNOTATION, mirrorPodOf } from "./static-pods.ts";

/** What the mirror pod manager needs from its kubelet. */
export interface MirrorPodsDeps {
  node: string;
  client: ApiClient;
  /** The Node's uid for the mirror pods' ownerReference; undefined while the node is not registered. */
  nodeUid(): Promise<string | undefined>;
  /** A mirror pod for this static pod appeared: its status must be written to it. */
  onMirror(staticUid: string): void;
  log(level: "info" | "warn", message: string): void;
}

const key = (p: Pod) => `${p.metadata.namespace ?? "default"}/${p.metadata.name}`;

/** Keeps the apiserver's mirror pods in step with the node's static pods. */
export class MirrorPods {
  readonly #d: MirrorPodsDeps;
  readonly #mirrors = new Map<string, Pod>();
  readonly #statics = new Map<string, Pod>();
  #scanned = false;

  constructor(deps: MirrorPodsDeps) {
    this.#d = deps;
  }

  /** The informer saw a mirror pod on this node. */
  observe(pod: Pod): void {
    const k = key(pod);
    const before = this.#mirrors.get(k);
    this.#mirrors.set(k, pod);
    const staticUid = pod.metadata.annotations?.[MIRROR_ANNOTATION];
    if (staticUid && before?.metadata.uid !== pod.metadata.uid && this.#statics.get(k)?.metadata.uid === staticUid) this.#d.onMirror(staticUid);
  }

  /** A mirror pod left the apiserver. */
  forget(pod: Pod): void {
    if (this.#mirrors.get(key(pod))?.metadata.uid === pod.metadata.uid) this.#mirrors.delete(key(pod));
  }

  /** The static pods the node runs now (after a scan of the manifest folder). */
  setStatics(pods: Iterable<Pod>): void {
    this.#statics.clear();
    for (const p of pods) this.#statics.set(key(p), p);
    this.#scanned = true;
  }

  /** Creates, replaces and deletes mirror pods; false when something must be tried again later. */
  async sync(): Promise<boolean> {
    let ok = true;
    for (const [k, mirror] of [...this.#mirrors]) {
      const wanted = this.#statics.get(k);
      const stale = mirror.metadata.deletionTimestamp !== undefined || (wanted && mirror.metadata.annotations?.[MIRROR_ANNOTATION] !== wanted.metadata.uid);
      // Until the first scan we cannot tell an orphan from a mirror of a manifest not read yet.
      if (stale || (!wanted && this.#scanned)) ok = (await this.#delete(mirror)) && ok;
    }
    const missing = [...this.#statics].filter(([k]) => !this.#mirrors.has(k));
    if (missing.length === 0) return ok;
    const uid = await this.#d.nodeUid().catch(() => undefined);
    if (!uid) return false;
    for (const [k, pod] of missing) {
      try {
        const created = await this.#d.client.create<Pod>("pods", mirrorPodOf(pod, { name: this.#d.node, uid }));
        this.observe(created);
      } catch (err) {
        // AlreadyExists: the informer has not told us of it yet; it will.
        if (!isAlreadyExists(err)) {
          this.#d.log("warn", `mirror pod ${k} not created: ${(err as Error).message}`);
          ok = false;
        }
      }
    }
    return ok;
  }

  async #delete(mirror: Pod): Promise<boolean> {
    try {
      await this.#d.client.delete("pods", mirror.metadata.name!, { namespace: mirror.metadata.namespace, gracePeriodSeconds: 0, preconditions: { uid: mirror.metadata.uid } });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) {
        this.#d.log("warn", `mirror pod ${key(mirror)} not deleted: ${(err as Error).message}`);
        return false;
      }
    }
    this.forget(mirror);
    return true;
  }
}
