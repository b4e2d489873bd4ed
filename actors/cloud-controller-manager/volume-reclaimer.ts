/**
 * Volumes after their claims: the PV controller's volume loop. A new
 * volume with no claim becomes Available; a bound volume whose claim is gone
 * (deleted, or replaced by one with another uid) becomes Released and is
 * reclaimed per persistentVolumeReclaimPolicy — Retain keeps it Released,
 * Delete deletes the provider's disk (once detached) and then the volume.
 */
import { isNotFound, retryOnConflict } from "../api/client.ts";
import type { PersistentVolume, PersistentVolumeClaim } from "../api/types/core-storage.ts";
import { PROVISIONED_BY_ANNOTATION } from "../api/types/storage.ts";
import { hasCode } from "../../runtime/errors.ts";
import { Reconciler, type Controller } from "../controller-manager/controller.ts";
import type { CloudContext } from "./context.ts";
import { timestamp } from "../api/meta.ts";
import { CloudCodes } from "./provider.ts";

// How soon a Delete-policy volume whose disk is still attached is looked at again.
const DETACH_WAIT_MS = 1_000;

/** Builds the volume reclaimer. */
export function volumeReclaimerController(cc: CloudContext): Controller {
  const driver = cc.cloud.diskDriver;
  const volumes = cc.informers.informer<PersistentVolume>({ resource: "persistentvolumes" });
  const claims = cc.informers.informer<PersistentVolumeClaim>({ resource: "persistentvolumeclaims" });
  const recorder = cc.recorder("persistentvolume-controller");
  const r = new Reconciler(cc, "persistentvolume-reclaimer", sync);
  const counts = { released: 0, deleted: 0 };

  volumes.addEventHandler({ onAdd: (pv) => r.enqueue(pv), onUpdate: (_, pv) => r.enqueue(pv) });
  const byClaim = (c: PersistentVolumeClaim) => {
    if (c.spec?.volumeName) r.enqueue(c.spec.volumeName);
  };
  claims.addEventHandler({ onUpdate: (_, c) => byClaim(c), onDelete: byClaim });

  async function sync(name: string): Promise<void> {
    const pv = volumes.get(name);
    if (!pv || pv.metadata.deletionTimestamp) return;
    const ref = pv.spec?.claimRef;
    const phase = pv.status?.phase;
    if (!ref?.name) {
      if (phase !== "Available" && phase !== "Failed") await setPhase(pv, "Available");
      return;
    }
    const key = `${ref.namespace ?? "default"}/${ref.name}`;
    const cached = claims.get(key);
    if (cached && (!ref.uid || cached.metadata.uid === ref.uid)) return;
    // The cache may lag a new claim; the apiserver decides.
    try {
      const live = await cc.client.get<PersistentVolumeClaim>("persistentvolumeclaims", ref.name, { namespace: ref.namespace ?? "default" });
      if (!ref.uid || live.metadata.uid === ref.uid) return;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (!ref.uid) return;
    if (phase !== "Released" && phase !== "Failed") {
      await setPhase(pv, "Released");
      counts.released++;
    }
    const policy = pv.spec?.persistentVolumeReclaimPolicy ?? "Retain";
    if (policy !== "Delete") return;
    const ours = pv.spec?.csi?.driver === driver || pv.metadata.annotations?.[PROVISIONED_BY_ANNOTATION] === driver;
    if (!ours) {
      if (phase !== "Failed") {
        await setPhase(pv, "Failed", `no volume plugin can delete volume ${name}`);
        await recorder.record(pv, "Warning", "VolumeFailedDelete", `error getting deleter volume plugin for volume "${name}": no deletable volume plugin matched`);
      }
      return;
    }
    const handle = pv.spec?.csi?.volumeHandle;
    if (handle) {
      try {
        await cc.provider.deleteDisk(handle);
      } catch (err) {
        if (hasCode(err, CloudCodes.DiskInUse)) {
          r.enqueueAfter(name, DETACH_WAIT_MS);
          return;
        }
        await recorder.record(pv, "Warning", "VolumeFailedDelete", (err as Error).message);
        throw err;
      }
    }
    try {
      await cc.client.delete("persistentvolumes", name);
      counts.deleted++;
      cc.log("info", `deleted volume ${name} and its disk ${handle ?? "(none)"}: its claim ${key} is gone and the policy is Delete`);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async function setPhase(pv: PersistentVolume, phase: NonNullable<PersistentVolume["status"]>["phase"], message?: string): Promise<void> {
    await retryOnConflict(async () => {
      const cur = await cc.client.get<PersistentVolume>("persistentvolumes", pv.metadata.name!);
      if (cur.status?.phase === phase) return;
      const status: PersistentVolume["status"] = { phase, lastPhaseTransitionTime: timestamp(cc.clock.now()) };
      if (message) status.message = message;
      await cc.client.updateStatus<PersistentVolume>("persistentvolumes", { ...cur, status });
    }).catch((err) => {
      if (!isNotFound(err)) throw err;
    });
  }

  return {
    name: "persistentvolume-reclaimer",
    start: () => r.start(),
    stop: () => r.stop(),
    stats: () => ({ ...r.stats(), ...counts }),
  };
}
