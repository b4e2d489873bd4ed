/**
 * The attach/detach controller for the provider's disks, one sync per node:
 * every disk behind a bound claim of a pod on the node (not yet finished) is
 * attached to the node's instance; a disk no such pod needs is detached —
 * after the kubelet stops reporting it in node.status.volumesInUse, or after
 * maxWaitForUnmount. node.status.volumesAttached lists what is attached, as
 * `kubernetes.io/csi/<driver>^<volumeHandle>` with the device path; the
 * kubelet mounts a volume once its name appears there. Failures are events
 * on the pods (FailedAttachVolume, Multi-Attach) and retried with backoff.
 */
import { isNotFound, retryOnConflict } from "../api/client.ts";
import type { Node, NodeStatus } from "../api/types/core-node.ts";
import type { Pod } from "../api/types/core-pod.ts";
import type { PersistentVolume, PersistentVolumeClaim } from "../api/types/core-storage.ts";
import { hasCode } from "../../runtime/errors.ts";
import { Reconciler, type Controller } from "../controller-manager/controller.ts";
import type { CloudContext } from "./context.ts";
import { CloudCodes } from "./provider.ts";
import { claimKeys, isTerminated, uniqueVolumeName } from "./volume-helpers.ts";

// How often a detach waiting for the kubelet to unmount is retried.
const UNMOUNT_POLL_MS = 1_000;

/** Builds the attach/detach controller. */
export function attachDetachController(cc: CloudContext): Controller {
  const driver = cc.cloud.diskDriver;
  const nodes = cc.informers.informer<Node>({ resource: "nodes" });
  const pods = cc.informers.informer<Pod>({ resource: "pods", indexers: { nodeName: (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []), claim: claimKeys } });
  const claims = cc.informers.informer<PersistentVolumeClaim>({ resource: "persistentvolumeclaims" });
  const volumes = cc.informers.informer<PersistentVolume>({ resource: "persistentvolumes" });
  const podEvents = cc.recorder("attachdetach-controller");
  const r = new Reconciler(cc, "attachdetach", sync);
  // node/handle → when a detach was first held back by volumesInUse.
  const waitingUnmount = new Map<string, number>();
  const counts = { attached: 0, detached: 0, failures: 0 };

  const byClaim = (key: string) => {
    for (const p of pods.byIndex("claim", key)) if (p.spec?.nodeName) r.enqueue(p.spec.nodeName);
  };
  pods.addEventHandler({
    onAdd: (p) => p.spec?.nodeName && claimKeys(p).length > 0 && r.enqueue(p.spec.nodeName),
    onUpdate: (o, p) => {
      if (claimKeys(p).length === 0) return;
      if (p.spec?.nodeName) r.enqueue(p.spec.nodeName);
      if (o.spec?.nodeName && o.spec.nodeName !== p.spec?.nodeName) r.enqueue(o.spec.nodeName);
    },
    onDelete: (p) => p.spec?.nodeName && claimKeys(p).length > 0 && r.enqueue(p.spec.nodeName),
  });
  claims.addEventHandler({ onUpdate: (o, c) => o.spec?.volumeName !== c.spec?.volumeName && byClaim(`${c.metadata.namespace}/${c.metadata.name}`) });
  volumes.addEventHandler({
    onUpdate: (o, pv) => {
      const ref = pv.spec?.claimRef;
      if (ref?.name && o.status?.phase !== pv.status?.phase) byClaim(`${ref.namespace ?? "default"}/${ref.name}`);
    },
  });
  nodes.addEventHandler({
    onAdd: (n) => r.enqueue(n),
    onUpdate: (o, n) => (o.status?.volumesInUse ?? []).join() !== (n.status?.volumesInUse ?? []).join() && r.enqueue(n),
    onDelete: (n) => r.enqueue(n),
  });

  /** The disks the node's pods need: handle → the volume and the pods using it. */
  function desired(nodeName: string): Map<string, { pv: PersistentVolume; pods: Pod[] }> {
    const out = new Map<string, { pv: PersistentVolume; pods: Pod[] }>();
    for (const pod of pods.byIndex("nodeName", nodeName)) {
      if (isTerminated(pod)) continue;
      for (const key of claimKeys(pod)) {
        const volumeName = claims.get(key)?.spec?.volumeName;
        const pv = volumeName ? volumes.get(volumeName) : undefined;
        const handle = pv?.spec?.csi?.driver === driver ? pv.spec.csi.volumeHandle : undefined;
        if (!pv || !handle) continue;
        const entry = out.get(handle) ?? { pv, pods: [] };
        entry.pods.push(pod);
        out.set(handle, entry);
      }
    }
    return out;
  }

  async function sync(nodeName: string): Promise<void> {
    const node = nodes.get(nodeName);
    const attached = await cc.provider.disksAttachedTo(nodeName);
    if (!node) {
      for (const d of attached) {
        await cc.provider.detachDisk(d.id, nodeName);
        wakeWaiters(d.id, nodeName);
      }
      counts.detached += attached.length;
      return;
    }
    const want = desired(nodeName);
    const errors: string[] = [];
    for (const [handle, { pv, pods: users }] of want) {
      if (attached.some((d) => d.id === handle)) continue;
      try {
        await cc.provider.attachDisk(handle, nodeName);
        counts.attached++;
        for (const p of users) await podEvents.record(p, "Normal", "SuccessfulAttachVolume", `AttachVolume.Attach succeeded for volume "${pv.metadata.name}"`);
      } catch (err) {
        counts.failures++;
        const message = hasCode(err, CloudCodes.MultiAttach)
          ? `Multi-Attach error for volume "${pv.metadata.name}" Volume is already exclusively attached to one node and can't be attached to another`
          : `AttachVolume.Attach failed for volume "${pv.metadata.name}" : ${(err as Error).message}`;
        for (const p of users) await podEvents.record(p, "Warning", "FailedAttachVolume", message);
        errors.push(message);
      }
    }
    let holding = false;
    const inUse = new Set(node.status?.volumesInUse ?? []);
    for (const d of attached) {
      if (want.has(d.id)) {
        waitingUnmount.delete(`${nodeName}/${d.id}`);
        continue;
      }
      const waitKey = `${nodeName}/${d.id}`;
      if (inUse.has(uniqueVolumeName(driver, d.id))) {
        const since = waitingUnmount.get(waitKey) ?? cc.clock.now();
        waitingUnmount.set(waitKey, since);
        if (cc.clock.now() - since < cc.cloud.maxWaitForUnmountMs) {
          holding = true;
          continue;
        }
        cc.log("warn", `detaching ${d.id} from ${nodeName} although still in use after ${cc.cloud.maxWaitForUnmountMs} ms`);
      }
      waitingUnmount.delete(waitKey);
      await cc.provider.detachDisk(d.id, nodeName);
      counts.detached++;
      wakeWaiters(d.id, nodeName);
    }
    await reportAttached(nodeName);
    if (errors.length > 0) throw new Error(errors.join("; "));
    if (holding) r.enqueueAfter(nodeName, UNMOUNT_POLL_MS);
  }

  /** A detached disk may be what another node waits for (a pod that moved): sync the nodes whose pods use it. */
  function wakeWaiters(handle: string, from: string): void {
    const pv = volumes.list().find((v) => v.spec?.csi?.driver === driver && v.spec.csi.volumeHandle === handle);
    const ref = pv?.spec?.claimRef;
    if (!ref?.name) return;
    for (const p of pods.byIndex("claim", `${ref.namespace ?? "default"}/${ref.name}`)) if (p.spec?.nodeName && p.spec.nodeName !== from) r.enqueue(p.spec.nodeName);
  }

  /** Writes node.status.volumesAttached from what the provider says is attached. */
  async function reportAttached(nodeName: string): Promise<void> {
    const list = (await cc.provider.disksAttachedTo(nodeName))
      .map((d) => ({ name: uniqueVolumeName(driver, d.id), devicePath: d.devicePath ?? "" }))
      .sort((a, b) => a.name.localeCompare(b.name));
    await retryOnConflict(async () => {
      const cur = await cc.client.get<Node>("nodes", nodeName);
      const have = [...(cur.status?.volumesAttached ?? [])].sort((a, b) => a.name.localeCompare(b.name));
      if (JSON.stringify(have) === JSON.stringify(list)) return;
      const status: NodeStatus = { ...cur.status, volumesAttached: list };
      if (list.length === 0) delete status.volumesAttached;
      await cc.client.updateStatus<Node>("nodes", { ...cur, status });
    }).catch((err) => {
      if (!isNotFound(err)) throw err;
    });
  }

  return {
    name: "attachdetach",
    start: () => r.start(),
    stop: () => r.stop(),
    stats: () => ({ ...r.stats(), ...counts, waitingForUnmount: waitingUnmount.size }),
  };
}
