/**
 * Claims, from creation to Bound — the PV controller's binder, the
 * external provisioner of the provider's CSI driver and pvc-protection in
 * one loop over claim keys:
 *  - a claim without storageClassName gets the default class (retroactive
 *    default StorageClass assignment);
 *  - a claim binds to the smallest fitting Available volume of its class, or
 *  - a claim of a class whose provisioner is the driver gets a new disk and a
 *    PersistentVolume `pvc-<claim uid>` (after its first consumer is
 *    scheduled, for WaitForFirstConsumer classes);
 *  - binding writes the PV's claimRef and phase, then the claim's volumeName,
 *    annotations and status, as Kubernetes does;
 *  - the `kubernetes.io/pvc-protection` finalizer holds a deleted claim
 *    until no pod uses it.
 */
import { isAlreadyExists, isNotFound, retryOnConflict } from "../api/client.ts";
import { labelSelectorFromObject } from "../api/label-selector.ts";
import type { Pod } from "../api/types/core-pod.ts";
import type { PersistentVolume, PersistentVolumeClaim } from "../api/types/core-storage.ts";
import { PROVISIONED_BY_ANNOTATION, type StorageClass } from "../api/types/storage.ts";
import { Reconciler, type Controller } from "../controller-manager/controller.ts";
import type { CloudContext } from "./context.ts";
import {
  ANN,
  claimClass,
  claimKeys,
  defaultStorageClass,
  isTerminated,
  PVC_PROTECTION_FINALIZER,
  quantityBytes,
  requestedBytes,
  roundUpGi,
  volumeFits,
} from "./volume-helpers.ts";

/** Builds the claim binder/provisioner. */
export function volumeBinderController(cc: CloudContext): Controller {
  const driver = cc.cloud.diskDriver;
  const claims = cc.informers.informer<PersistentVolumeClaim>({ resource: "persistentvolumeclaims" });
  const volumes = cc.informers.informer<PersistentVolume>({ resource: "persistentvolumes" });
  const classes = cc.informers.informer<StorageClass>({ resource: "storageclasses.storage.k8s.io" });
  const pods = cc.informers.informer<Pod>({ resource: "pods", indexers: { claim: claimKeys } });
  const recorder = cc.recorder("persistentvolume-controller");
  const provisionerEvents = cc.recorder(`${driver}_external-provisioner`);
  const r = new Reconciler(cc, "persistentvolume-binder", sync);
  const counts = { provisioned: 0, bound: 0 };

  claims.addEventHandler({ onAdd: (c) => r.enqueue(c), onUpdate: (_, c) => r.enqueue(c), onDelete: (c) => r.enqueue(c) });
  const byClaimRef = (pv: PersistentVolume) => pv.spec?.claimRef?.name && r.enqueue(`${pv.spec.claimRef.namespace ?? "default"}/${pv.spec.claimRef.name}`);
  const pending = () => {
    for (const c of claims.list()) if (!c.spec?.volumeName) r.enqueue(c);
  };
  volumes.addEventHandler({
    onAdd: (pv) => (pv.spec?.claimRef ? byClaimRef(pv) : pending()),
    onUpdate: (_, pv) => (pv.spec?.claimRef ? byClaimRef(pv) : pending()),
    onDelete: (pv) => byClaimRef(pv),
  });
  classes.addEventHandler({ onAdd: pending, onUpdate: pending });
  const byPod = (p: Pod) => {
    for (const k of claimKeys(p)) r.enqueue(k);
  };
  pods.addEventHandler({ onAdd: byPod, onUpdate: (o, p) => (byPod(p), o.spec?.nodeName !== p.spec?.nodeName && byPod(o)), onDelete: byPod });

  /** True while a pod that has not finished refers to the claim. */
  const inUse = (key: string) => pods.byIndex("claim", key).some((p) => !isTerminated(p));

  async function sync(key: string): Promise<void> {
    const pvc = claims.get(key);
    if (!pvc) return;
    const finalizers = pvc.metadata.finalizers ?? [];
    if (pvc.metadata.deletionTimestamp) {
      if (finalizers.includes(PVC_PROTECTION_FINALIZER) && !inUse(key)) await updateClaim(pvc, (c) => void (c.metadata.finalizers = (c.metadata.finalizers ?? []).filter((f) => f !== PVC_PROTECTION_FINALIZER)));
      return;
    }
    if (!finalizers.includes(PVC_PROTECTION_FINALIZER)) {
      await updateClaim(pvc, (c) => void (c.metadata.finalizers = [...(c.metadata.finalizers ?? []), PVC_PROTECTION_FINALIZER]));
      return;
    }
    if (pvc.spec?.storageClassName === undefined && !pvc.spec?.volumeName) {
      const def = defaultStorageClass(classes.list());
      if (def) {
        await updateClaim(pvc, (c) => void (c.spec.storageClassName ??= def.metadata.name));
        return;
      }
    }
    if (pvc.spec?.volumeName) return syncBoundClaim(pvc);

    const className = claimClass(pvc);
    const cls = className ? classes.get(className) : undefined;
    const delayed = cls?.volumeBindingMode === "WaitForFirstConsumer" && !pods.byIndex("claim", key).some((p) => p.spec?.nodeName && !isTerminated(p));
    if (!delayed) {
      const fit = findVolume(pvc);
      if (fit) return bind(fit, pvc);
    }
    if (!className) {
      await recorder.record(pvc, "Normal", "FailedBinding", "no persistent volumes available for this claim and no storage class is set");
      return;
    }
    if (!cls) {
      await recorder.record(pvc, "Warning", "ProvisioningFailed", `storageclass.storage.k8s.io "${className}" not found`);
      return;
    }
    if (delayed) {
      await recorder.record(pvc, "Normal", "WaitForFirstConsumer", "waiting for first consumer to be created before binding");
      return;
    }
    if (cls.provisioner !== driver) {
      await recorder.record(pvc, "Normal", "ExternalProvisioning", `Waiting for a volume to be created either by the external provisioner '${cls.provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`);
      return;
    }
    await provision(pvc, cls);
  }

  /** The smallest Available volume that fits, or a volume pre-bound to this claim by name. */
  function findVolume(pvc: PersistentVolumeClaim): PersistentVolume | undefined {
    const sel = pvc.spec?.selector ? labelSelectorFromObject(pvc.spec.selector) : undefined;
    const ns = pvc.metadata.namespace ?? "default";
    const candidates = volumes.list().filter((pv) => {
      if (pv.metadata.deletionTimestamp) return false;
      const ref = pv.spec?.claimRef;
      if (ref && !(ref.name === pvc.metadata.name && (ref.namespace ?? "default") === ns && (!ref.uid || ref.uid === pvc.metadata.uid))) return false;
      if (!ref && pv.status?.phase !== "Available" && pv.status?.phase !== "Pending") return false;
      return volumeFits(pv, pvc, (labels) => (sel ? sel.matches(labels) : true));
    });
    const size = (pv: PersistentVolume) => quantityBytes(pv.spec?.capacity?.storage);
    return candidates.sort((a, b) => size(a) - size(b) || a.metadata.name!.localeCompare(b.metadata.name!))[0];
  }

  async function provision(pvc: PersistentVolumeClaim, cls: StorageClass): Promise<void> {
    const name = `pvc-${pvc.metadata.uid}`;
    const ref = `${pvc.metadata.namespace}/${pvc.metadata.name}`;
    let pv = volumes.get(name);
    if (!pv) {
      try {
        if (pvc.metadata.annotations?.[ANN.storageProvisioner] !== driver) {
          await updateClaim(pvc, (c) => void (c.metadata.annotations = { ...c.metadata.annotations, [ANN.storageProvisioner]: driver, [ANN.betaStorageProvisioner]: driver }));
        }
        await provisionerEvents.record(pvc, "Normal", "Provisioning", `External provisioner is provisioning volume for claim "${ref}"`);
        const size = roundUpGi(requestedBytes(pvc));
        const disk = await cc.provider.createDisk(name, size.bytes, cls.parameters ?? {});
        const object: PersistentVolume = {
          apiVersion: "v1",
          kind: "PersistentVolume",
          metadata: { name, annotations: { [PROVISIONED_BY_ANNOTATION]: driver } },
          spec: {
            capacity: { storage: size.quantity },
            accessModes: [...(pvc.spec?.accessModes ?? ["ReadWriteOnce"])],
            persistentVolumeReclaimPolicy: cls.reclaimPolicy ?? "Delete",
            storageClassName: cls.metadata.name,
            volumeMode: pvc.spec?.volumeMode ?? "Filesystem",
            ...(cls.mountOptions?.length ? { mountOptions: [...cls.mountOptions] } : {}),
            claimRef: { kind: "PersistentVolumeClaim", namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid, apiVersion: "v1", resourceVersion: pvc.metadata.resourceVersion },
            csi: { driver, volumeHandle: disk.id, fsType: cls.parameters?.["csi.storage.k8s.io/fstype"] ?? "ext4", volumeAttributes: { "storage.kubernetes.io/csiProvisionerIdentity": `${driver}-${cc.clusterName}` } },
          },
        };
        try {
          pv = await cc.client.create<PersistentVolume>("persistentvolumes", object);
        } catch (err) {
          if (!isAlreadyExists(err)) throw err;
          pv = await cc.client.get<PersistentVolume>("persistentvolumes", name);
        }
        counts.provisioned++;
        await provisionerEvents.record(pvc, "Normal", "ProvisioningSucceeded", `Successfully provisioned volume ${name}`);
      } catch (err) {
        if (isNotFound(err)) return;
        await provisionerEvents.record(pvc, "Warning", "ProvisioningFailed", `failed to provision volume with StorageClass "${cls.metadata.name}": ${(err as Error).message}`);
        throw err;
      }
    }
    await bind(pv, pvc);
  }

  async function syncBoundClaim(pvc: PersistentVolumeClaim): Promise<void> {
    const name = pvc.spec.volumeName!;
    let pv = volumes.get(name);
    if (!pv) {
      try {
        pv = await cc.client.get<PersistentVolume>("persistentvolumes", name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        if (pvc.status?.phase !== "Lost") {
          await updateClaimStatus(pvc, { phase: "Lost" });
          await recorder.record(pvc, "Warning", "ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume is lost!");
        }
        return;
      }
    }
    const ref = pv.spec?.claimRef;
    if (ref && ref.uid && ref.uid !== pvc.metadata.uid) {
      await recorder.record(pvc, "Warning", "FailedBinding", `volume "${name}" already bound to a different claim.`);
      return;
    }
    await bind(pv, pvc);
  }

  /** Binds both ways; each write is skipped when already done, so a repeat is cheap. */
  async function bind(pv: PersistentVolume, pvc: PersistentVolumeClaim): Promise<void> {
    const pvName = pv.metadata.name!;
    try {
      await retryOnConflict(async () => {
        const cur = await cc.client.get<PersistentVolume>("persistentvolumes", pvName);
        const ref = cur.spec?.claimRef;
        if (ref?.uid === pvc.metadata.uid) return;
        if (ref?.uid && ref.uid !== pvc.metadata.uid) throw new Error(`volume ${pvName} is bound to another claim`);
        const annotations = ref ? cur.metadata.annotations : { ...cur.metadata.annotations, [ANN.boundByController]: "yes" };
        const claimRef = { kind: "PersistentVolumeClaim", namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid, apiVersion: "v1", resourceVersion: pvc.metadata.resourceVersion };
        await cc.client.update<PersistentVolume>("persistentvolumes", { ...cur, metadata: { ...cur.metadata, annotations }, spec: { ...cur.spec, claimRef } });
      });
      await retryOnConflict(async () => {
        const cur = await cc.client.get<PersistentVolume>("persistentvolumes", pvName);
        if (cur.status?.phase === "Bound") return;
        await cc.client.updateStatus<PersistentVolume>("persistentvolumes", { ...cur, status: { ...cur.status, phase: "Bound" } });
      });
      const claimAnn = { [ANN.bindCompleted]: "yes", [ANN.boundByController]: "yes" };
      await updateClaim(pvc, (c) => {
        c.spec.volumeName = pvName;
        c.metadata.annotations = { ...c.metadata.annotations, ...claimAnn };
      });
      await updateClaimStatus(pvc, { phase: "Bound", accessModes: pv.spec?.accessModes, capacity: pv.spec?.capacity });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    counts.bound++;
  }

  /** Applies `edit` to a fresh copy of the claim and writes it when it changed. */
  async function updateClaim(pvc: PersistentVolumeClaim, edit: (c: PersistentVolumeClaim) => void): Promise<void> {
    await retryOnConflict(async () => {
      const cur = await cc.client.get<PersistentVolumeClaim>("persistentvolumeclaims", pvc.metadata.name!, { namespace: pvc.metadata.namespace });
      if (cur.metadata.uid !== pvc.metadata.uid) return;
      const next = structuredClone(cur);
      edit(next);
      if (JSON.stringify(next) === JSON.stringify(cur)) return;
      await cc.client.update<PersistentVolumeClaim>("persistentvolumeclaims", next);
    }).catch((err) => {
      if (!isNotFound(err)) throw err;
    });
  }

  async function updateClaimStatus(pvc: PersistentVolumeClaim, status: NonNullable<PersistentVolumeClaim["status"]>): Promise<void> {
    await retryOnConflict(async () => {
      const cur = await cc.client.get<PersistentVolumeClaim>("persistentvolumeclaims", pvc.metadata.name!, { namespace: pvc.metadata.namespace });
      if (cur.metadata.uid !== pvc.metadata.uid) return;
      const next = { ...cur.status, ...status };
      for (const k of Object.keys(next) as Array<keyof typeof next>) if (next[k] === undefined) delete next[k];
      if (JSON.stringify(next) === JSON.stringify(cur.status)) return;
      await cc.client.updateStatus<PersistentVolumeClaim>("persistentvolumeclaims", { ...cur, status: next });
    }).catch((err) => {
      if (!isNotFound(err)) throw err;
    });
  }

  return {
    name: "persistentvolume-binder",
    start: () => r.start(),
    stop: () => r.stop(),
    stats: () => ({ ...r.stats(), ...counts }),
  };
}
