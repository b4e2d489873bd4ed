/**
 * The kubelet's volume manager: before a pod's sandbox is created, every
 * volume is set up on the node (files written under
 * /var/lib/kubelet/pods/<uid>/volumes, claims waited on until bound and
 * attached). Failed set-ups are retried with exponential back-off (500 ms
 * doubling to 2 min 2 s, as the kubelet's operation executor) and reported
 * as FailedMount events; a pod still waiting after 2 min 3 s gets the
 * kubelet's "Unable to attach or mount volumes" event, and waits on.
 */
import type { Clock } from "../../runtime/clock.ts";
import type { EventRecorder } from "../api/events.ts";
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod, Volume } from "../api/types/index.ts";
import type { NodeFiles } from "./cri/files.ts";
import type { ObjectLookup } from "./config-objects.ts";
import type { PodRuntimeFacts } from "./env.ts";
import { MountError, pluginDir, volumeFiles } from "./volume-contents.ts";

/** How long WaitForAttachAndMount waits before the kubelet reports the pod's volumes as timed out. */
export const ATTACH_AND_MOUNT_TIMEOUT_MS = 123_000;
const BACKOFF_INITIAL_MS = 500;
const BACKOFF_MAX_MS = 122_000;
// Waiting for the attach/detach controller is a poll of the node's status, not an error: it backs off less.
const ATTACH_POLL_MAX_MS = 2_000;

/** What the volume manager needs from its kubelet. */
export interface VolumeManagerDeps {
  clock: Clock;
  files: NodeFiles;
  events: EventRecorder;
  /** A fresh lookup of the objects the pod `podUid` refers to. */
  lookup(podUid: string): ObjectLookup;
  /** The node object, read fresh (its status.volumesAttached). */
  getNode(): Promise<Node | undefined>;
  /** Mints a service account token for a projected volume. */
  token(pod: Pod, audience: string | undefined, expirationSeconds: number): string;
  /** The attachable volumes in use on this node changed (node.status.volumesInUse). */
  volumesInUse(uniqueNames: string[]): void;
}

/** One volume of one pod. */
interface VolumeState {
  volume: Volume;
  mounted: boolean;
  hostPath?: string;
  failures: number;
  nextTryAt: number;
  /** `kubernetes.io/csi/<driver>^<handle>` once the claim is processed and the volume needs attaching. */
  uniqueName?: string;
  attached: boolean;
  /** Why the claim could not be processed (unbound, missing). */
  processError?: string;
}

interface PodVolumes {
  volumes: Map<string, VolumeState>;
  waitingSince: number;
}

/** Mounted: the node path of each volume, by volume name. Not yet: when to try again. */
export type MountResult = { ready: true; paths: Map<string, string> } | { ready: false; retryInMs: number };

/** The node path of a pod's files (`/var/lib/kubelet/pods/<uid>`). */
export function podDir(uid: string): string {
  return `/var/lib/kubelet/pods/${uid}`;
}

/** Sets up and tears down the volumes of every pod on one node. */
export class VolumeManager {
  readonly #d: VolumeManagerDeps;
  readonly #pods = new Map<string, PodVolumes>();
  #inUse = "";

  constructor(deps: VolumeManagerDeps) {
    this.#d = deps;
  }

  /** Sets up whatever is due (reading through `lookup`, fresh by default); ready once every volume of the pod is mounted. */
  async mount(pod: Pod, facts: PodRuntimeFacts, lookup: ObjectLookup = this.#d.lookup(pod.metadata.uid ?? "")): Promise<MountResult> {
    const uid = pod.metadata.uid!;
    const now = this.#d.clock.now();
    let state = this.#pods.get(uid);
    if (!state) {
      state = { volumes: new Map(), waitingSince: now };
      for (const v of pod.spec.volumes ?? []) state.volumes.set(v.name, { volume: v, mounted: false, failures: 0, nextTryAt: now, attached: false });
      this.#pods.set(uid, state);
    }
    const pending = [...state.volumes.values()].filter((s) => !s.mounted);
    if (pending.length === 0) return { ready: true, paths: paths(state) };
    let node: Promise<Node | undefined> | undefined;
    const nodeOnce = () => (node ??= this.#d.getNode().catch(() => undefined));
    for (const s of pending) {
      if (s.nextTryAt > now) continue;
      await this.#setUp(pod, s, lookup, facts, nodeOnce);
    }
    this.#reportInUse();
    const waiting = [...state.volumes.values()].filter((s) => !s.mounted);
    if (waiting.length === 0) return { ready: true, paths: paths(state) };
    if (now - state.waitingSince >= ATTACH_AND_MOUNT_TIMEOUT_MS) {
      void this.#d.events.record(pod as never, "Warning", "FailedMount", `Unable to attach or mount volumes: ${describe(state)}: timed out waiting for the condition`);
      state.waitingSince = now;
    }
    const next = Math.min(...waiting.map((s) => s.nextTryAt), state.waitingSince + ATTACH_AND_MOUNT_TIMEOUT_MS);
    return { ready: false, retryInMs: Math.max(0, next - now) };
  }

  /** Unmounts a pod's volumes and removes its files from the node. */
  unmount(uid: string): void {
    if (!this.#pods.delete(uid)) return;
    this.#d.files.remove(podDir(uid));
    this.#reportInUse();
  }

  /** Pods with volume state. */
  get size(): number {
    return this.#pods.size;
  }

  async #setUp(pod: Pod, s: VolumeState, lookup: ObjectLookup, facts: PodRuntimeFacts, node: () => Promise<Node | undefined>): Promise<void> {
    const v = s.volume;
    const { files, clock } = this.#d;
    const dir = `${podDir(pod.metadata.uid!)}/volumes/${pluginDir(v)}/${v.name}`;
    try {
      if (v.hostPath) {
        const path = v.hostPath.path;
        // The simulated node has every host path a pod asks for; *OrCreate types create it as a real kubelet would.
        if (v.hostPath.type === "FileOrCreate" || v.hostPath.type === "File") {
          if (files.read(path) === undefined && !files.isDir(path)) files.write(path, "");
        } else files.mkdir(path);
        this.#mounted(s, path);
      } else if (v.persistentVolumeClaim) await this.#claim(pod, s, lookup, node);
      else if (v.configMap || v.secret || v.downwardAPI || v.projected) {
        const contents = await volumeFiles(pod, v, { lookup, facts, token: (aud, exp) => this.#d.token(pod, aud, exp) });
        files.replaceDir(dir, contents);
        this.#mounted(s, dir);
      } else {
        files.mkdir(dir);
        this.#mounted(s, dir);
      }
    } catch (err) {
      s.failures++;
      s.nextTryAt = clock.now() + backoff(s.failures, BACKOFF_MAX_MS);
      const message = err instanceof MountError ? err.message : (err as Error).message;
      void this.#d.events.record(pod as never, "Warning", "FailedMount", `MountVolume.SetUp failed for volume "${v.name}" : ${message}`);
    }
  }

  // A claim: bound → its PV → (CSI) attached by the controller, as node.status.volumesAttached says → mounted.
  async #claim(pod: Pod, s: VolumeState, lookup: ObjectLookup, node: () => Promise<Node | undefined>): Promise<void> {
    const ns = pod.metadata.namespace ?? "default";
    const claim = s.volume.persistentVolumeClaim!.claimName;
    const now = this.#d.clock.now();
    const failProcessing = (why: string) => {
      s.processError = `error processing PVC ${ns}/${claim}: ${why}`;
      s.uniqueName = undefined;
      s.failures++;
      s.nextTryAt = now + backoff(s.failures, BACKOFF_MAX_MS);
      const state = this.#pods.get(pod.metadata.uid!)!;
      void this.#d.events.record(pod as never, "Warning", "FailedMount", `Unable to attach or mount volumes: ${describe(state)}: ${s.processError}`);
    };
    const pvc = await lookup.get<PersistentVolumeClaim>("persistentvolumeclaims", claim, ns);
    if (!pvc) return failProcessing(`failed to fetch PVC from API server: persistentvolumeclaims "${claim}" not found`);
    if (pvc.status?.phase !== "Bound" || !pvc.spec.volumeName) return failProcessing("PVC is not bound");
    const pvName = pvc.spec.volumeName;
    const pv = await lookup.get<PersistentVolume>("persistentvolumes", pvName);
    if (!pv) return failProcessing(`failed to fetch PV ${pvName} from API server: persistentvolumes "${pvName}" not found`);
    s.processError = undefined;
    const dir = `${podDir(pod.metadata.uid!)}/volumes/kubernetes.io~csi/${pvName}/mount`;
    const csi = pv.spec.csi;
    if (!csi) {
      // hostPath / local / nfs volumes need no attaching.
      const path = pv.spec.hostPath?.path ?? pv.spec.local?.path ?? dir;
      this.#d.files.mkdir(path);
      this.#mounted(s, path);
      return;
    }
    s.uniqueName = `kubernetes.io/csi/${csi.driver}^${csi.volumeHandle}`;
    const attached = (await node())?.status?.volumesAttached?.some((a) => a.name === s.uniqueName) ?? false;
    s.attached = attached;
    if (!attached) {
      s.failures++;
      s.nextTryAt = now + backoff(s.failures, ATTACH_POLL_MAX_MS);
      return;
    }
    this.#d.files.mkdir(dir);
    this.#mounted(s, dir);
  }

  #mounted(s: VolumeState, hostPath: string): void {
    s.mounted = true;
    s.hostPath = hostPath;
    s.failures = 0;
  }

  #reportInUse(): void {
    const names = new Set<string>();
    for (const p of this.#pods.values()) for (const s of p.volumes.values()) if (s.uniqueName) names.add(s.uniqueName);
    const list = [...names].sort();
    const key = list.join("\n");
    if (key === this.#inUse) return;
    this.#inUse = key;
    this.#d.volumesInUse(list);
  }
}

function backoff(failures: number, max: number): number {
  return Math.min(max, BACKOFF_INITIAL_MS * 2 ** Math.max(0, failures - 1));
}

function paths(state: PodVolumes): Map<string, string> {
  return new Map([...state.volumes].map(([name, s]) => [name, s.hostPath!]));
}

// `unmounted volumes=[a b], unattached volumes=[b], failed to process volumes=[]`, as Go prints string slices.
function describe(state: PodVolumes): string {
  const all = [...state.volumes.values()];
  const names = (f: (s: VolumeState) => boolean) => `[${all.filter(f).map((s) => s.volume.name).sort().join(" ")}]`;
  const unmounted = names((s) => !s.mounted);
  const unattached = names((s) => !s.mounted && s.uniqueName !== undefined && !s.attached);
  const failed = names((s) => !s.mounted && s.processError !== undefined);
  return `unmounted volumes=${unmounted}, unattached volumes=${unattached}, failed to process volumes=${failed}`;
}
