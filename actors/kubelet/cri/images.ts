/**
 * A node's simulated image store: pulls take a seeded, jittered delay,
 * pulled images are cached for the node's lifetime, concurrent pulls of one
 * image share one download, and some names fail as a registry would.
 */
import type { Clock } from "../../../runtime/clock.ts";
import { ActorError } from "../../../runtime/errors.ts";
import { CriCodes, type AuthConfig, type Image, type ImageService } from "./types.ts";

/** Options for {@link SimulatedImages}. */
export interface SimulatedImagesOptions {
  clock: Clock;
  /** Mean time to download an image (default 200 ms). */
  pullDelayMs?: number;
  /** Each pull takes pullDelayMs ± this fraction of it (default 0.25). */
  pullJitter?: number;
  /** Seed of the jitter, so runs repeat (default 1). */
  seed?: number;
  /** Images already on the node, like the pause image (default none). */
  preloaded?: readonly string[];
  /** Images that do not exist in any registry (default: names containing `does-not-exist`). */
  failingImages?: RegExp;
  /** Images that need credentials (default: names containing `private`). */
  privateImages?: RegExp;
}

/** Fully qualifies a reference as containerd does: `nginx` → `docker.io/library/nginx:latest`. */
export function normalizeImage(ref: string): string {
  let name = ref.trim();
  const slash = name.indexOf("/");
  const first = slash < 0 ? "" : name.slice(0, slash);
  if (slash < 0) name = `docker.io/library/${name}`;
  else if (!/[.:]/.test(first) && first !== "localhost") name = `docker.io/${name}`;
  const lastPart = name.slice(name.lastIndexOf("/") + 1);
  if (!lastPart.includes(":") && !name.includes("@")) name += ":latest";
  return name;
}

/** A stable fake digest for a reference (FNV-1a, eight lanes), so an image's id is the same on every node. */
export function imageId(ref: string): string {
  let hex = "";
  for (let lane = 0; lane < 8; lane++) {
    let h = 0x811c9dc5 ^ lane;
    for (let i = 0; i < ref.length; i++) h = Math.imul(h ^ ref.charCodeAt(i), 0x01000193);
    hex += (h >>> 0).toString(16).padStart(8, "0");
  }
  return `sha256:${hex}`;
}

/** A small seeded generator (mulberry32): same seed, same pull delays. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The ImageService of one simulated node. */
export class SimulatedImages implements ImageService {
  readonly #clock: Clock;
  readonly #delayMs: number;
  readonly #jitter: number;
  readonly #random: () => number;
  readonly #failing: RegExp;
  readonly #private: RegExp;
  readonly #images = new Map<string, Image>();
  readonly #pulling = new Map<string, Promise<string>>();

  constructor(options: SimulatedImagesOptions) {
    this.#clock = options.clock;
    this.#delayMs = options.pullDelayMs ?? 200;
    this.#jitter = options.pullJitter ?? 0.25;
    this.#random = seededRandom(options.seed ?? 1);
    this.#failing = options.failingImages ?? /does-not-exist/;
    this.#private = options.privateImages ?? /private/;
    for (const ref of options.preloaded ?? []) this.#store(normalizeImage(ref));
  }

  /** Downloads unless cached (a cache hit resolves at once); rejects with ErrImagePull. */
  PullImage(image: string, auth?: AuthConfig): Promise<string> {
    const ref = normalizeImage(image);
    const cached = this.#images.get(ref);
    if (cached) return Promise.resolve(cached.id);
    const inFlight = this.#pulling.get(ref);
    if (inFlight) return inFlight;
    const pull = this.#download(image, ref, auth).finally(() => this.#pulling.delete(ref));
    this.#pulling.set(ref, pull);
    return pull;
  }

  async ImageStatus(image: string): Promise<Image | null> {
    return this.#lookup(image) ?? null;
  }

  async ListImages(): Promise<Image[]> {
    return [...this.#images.values()];
  }

  /** Removing an absent image succeeds, as the CRI asks. */
  async RemoveImage(image: string): Promise<void> {
    const found = this.#lookup(image);
    if (found) for (const tag of found.repoTags) this.#images.delete(tag);
  }

  /** The image a reference or an id names, if present. */
  lookup(image: string): Image | undefined {
    return this.#lookup(image);
  }

  #lookup(image: string): Image | undefined {
    if (image.startsWith("sha256:")) {
      for (const img of this.#images.values()) if (img.id === image) return img;
      return undefined;
    }
    return this.#images.get(normalizeImage(image));
  }

  async #download(image: string, ref: string, auth: AuthConfig | undefined): Promise<string> {
    const spread = (this.#random() * 2 - 1) * this.#jitter;
    await this.#clock.sleep(Math.max(0, Math.round(this.#delayMs * (1 + spread))));
    if (this.#failing.test(ref)) {
      throw new ActorError(CriCodes.ErrImagePull, `failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`, { details: { image } });
    }
    if (this.#private.test(ref) && !hasCredentials(auth)) {
      throw new ActorError(CriCodes.ErrImagePull, `failed to pull and unpack image "${ref}": failed to authorize: pull access denied, repository does not exist or may require authorization`, { details: { image } });
    }
    return this.#store(ref).id;
  }

  #store(ref: string): Image {
    const id = imageId(ref);
    // A plausible size (5-200 MB) derived from the digest, so it is stable.
    const size = 5_000_000 + (parseInt(id.slice(7, 15), 16) % 195_000_000);
    const img: Image = { id, repoTags: [ref], size };
    this.#images.set(ref, img);
    return img;
  }
}

function hasCredentials(auth: AuthConfig | undefined): boolean {
  return !!auth && !!(auth.auth || auth.registryToken || (auth.username && auth.password));
}
