/**
 * The kubelet's image manager: makes sure a container's image is on the
 * node per its `imagePullPolicy`, with Kubernetes' events (`Pulling`,
 * `Pulled`, `Failed`, `BackOff`) and a per-container pull back-off of 10 s
 * doubling to 5 min after failures (ErrImagePull, then ImagePullBackOff).
 */
import type { Clock } from "../../runtime/clock.ts";
import type { EventRecorder } from "../api/events.ts";
import type { Container, Pod } from "../api/types/index.ts";
import type { ImageService } from "./cri/types.ts";

/** The image is there (its id), or why the container waits and when to try again. */
export type PullOutcome =
  | { ok: true; imageID: string }
  | { ok: false; waiting: { reason: string; message: string }; retryInMs?: number };

/** Ensures images for the pods of one node. */
export class ImagePuller {
  readonly #runtime: ImageService;
  readonly #clock: Clock;
  readonly #events: EventRecorder;
  readonly #backoff = new Map<string, { failures: number; until: number }>();

  constructor(deps: { runtime: ImageService; clock: Clock; events: EventRecorder }) {
    this.#runtime = deps.runtime;
    this.#clock = deps.clock;
    this.#events = deps.events;
  }

  /** Pulls the container's image if its policy says so. */
  async ensure(pod: Pod, c: Container): Promise<PullOutcome> {
    const image = c.image ?? "";
    const record = (type: "Normal" | "Warning", reason: string, message: string) => void this.#events.record(pod as never, type, reason, message);
    const policy = c.imagePullPolicy ?? (image.endsWith(":latest") || !image.split("/").pop()!.includes(":") ? "Always" : "IfNotPresent");
    const present = await this.#runtime.ImageStatus(image);
    if (policy === "Never" && !present) {
      const message = `Container image "${image}" is not present with pull policy of Never`;
      record("Warning", "ErrImageNeverPull", message);
      return { ok: false, waiting: { reason: "ErrImageNeverPull", message } };
    }
    if (policy !== "Always" && present) {
      record("Normal", "Pulled", `Container image "${image}" already present on machine`);
      return { ok: true, imageID: present.id };
    }
    const key = `${pod.metadata.uid}/${c.name}`;
    const now = this.#clock.now();
    const backoff = this.#backoff.get(key);
    if (backoff && now < backoff.until) {
      record("Normal", "BackOff", `Back-off pulling image "${image}"`);
      record("Warning", "Failed", "Error: ImagePullBackOff");
      return { ok: false, waiting: { reason: "ImagePullBackOff", message: `Back-off pulling image "${image}"` }, retryInMs: backoff.until - now };
    }
    record("Normal", "Pulling", `Pulling image "${image}"`);
    try {
      const imageID = await this.#runtime.PullImage(image);
      const took = goDuration(this.#clock.now() - now);
      const size = (await this.#runtime.ImageStatus(image))?.size ?? 0;
      record("Normal", "Pulled", `Successfully pulled image "${image}" in ${took} (${took} including waiting). Image size: ${size} bytes.`);
      this.#backoff.delete(key);
      return { ok: true, imageID };
    } catch (err) {
      const failures = (backoff?.failures ?? 0) + 1;
      const wait = Math.min(300_000, 10_000 * 2 ** (failures - 1));
      this.#backoff.set(key, { failures, until: this.#clock.now() + wait });
      const message = (err as Error).message;
      record("Warning", "Failed", `Failed to pull image "${image}": ${message}`);
      record("Warning", "Failed", "Error: ErrImagePull");
      return { ok: false, waiting: { reason: "ErrImagePull", message }, retryInMs: wait };
    }
  }

  /** Drops a pod's back-off state. */
  forget(uid: string): void {
    for (const key of [...this.#backoff.keys()]) if (key.startsWith(`${uid}/`)) this.#backoff.delete(key);
  }
}

/** A duration as Go prints it: 0s, 523ms, 1.2s, 2m3.5s. */
export function goDuration(ms: number): string {
  if (ms <= 0) return "0s";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const m = Math.floor(ms / 60_000);
  const s = Number(((ms % 60_000) / 1000).toFixed(3));
  return m ? `${m}m${s}s` : `${s}s`;
}
