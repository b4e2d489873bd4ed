/** The remaining tables: events, leases, persistent volumes and claims. */
import { ageColumn, age, arr, col, nameColumn, num, rec, since, str, type Printer } from "./format.ts";

/** events */
export const eventPrinter: Printer = {
  columns: [
    col("Last Seen", "Time when last this event was observed"),
    col("Type", "Type of this event (Normal, Warning), new types could be added in the future."),
    col("Reason", "This should be a short, machine understandable string that gives the reason for this event being generated."),
    col("Object", "The object that this event is about."),
    col("Subobject", "The subobject that this event is about.", { wide: true }),
    col("Source", "The component reporting this event.", { wide: true }),
    col("Message", "A human-readable description of the status of this operation."),
    col("First Seen", "The time at which the event was first recorded.", { wide: true }),
    col("Count", "The number of times this event has occurred.", { type: "integer", wide: true }),
    col("Name", "Name must be unique within a namespace.", { wide: true, format: "name" }),
  ],
  cells(ev, now) {
    const involved = rec(ev.involvedObject);
    const source = rec(ev.source);
    const last = str(ev.lastTimestamp) || str(ev.eventTime) || ev.metadata.creationTimestamp;
    const first = str(ev.firstTimestamp) || str(ev.eventTime) || ev.metadata.creationTimestamp;
    const count = num(ev.count) || num(rec(ev.series).count) || 1;
    const lastSeen = count > 1 && first ? `${since(last, now)} (x${count} over ${since(first, now)})` : since(last, now);
    const sourceText = [str(source.component) || str(ev.reportingComponent), str(source.host) || str(ev.reportingInstance)].filter((s) => s).join(", ");
    return [
      lastSeen,
      str(ev.type),
      str(ev.reason),
      `${str(involved.kind).toLowerCase()}/${str(involved.name)}`,
      str(involved.fieldPath),
      sourceText,
      str(ev.message).trim(),
      since(first, now),
      count,
      ev.metadata.name,
    ];
  },
};

/** leases */
export const leasePrinter: Printer = {
  columns: [nameColumn, col("Holder", "The holder of the lease."), ageColumn],
  cells: (l, now) => [l.metadata.name, str(rec(l.spec).holderIdentity), age(l, now)],
};

function accessModes(spec: Record<string, unknown>): string {
  const short: Record<string, string> = { ReadWriteOnce: "RWO", ReadOnlyMany: "ROX", ReadWriteMany: "RWX", ReadWriteOncePod: "RWOP" };
  return arr(spec.accessModes).map((m) => short[String(m)] ?? String(m)).join(",");
}

/** persistentvolumes */
export const persistentVolumePrinter: Printer = {
  columns: [
    nameColumn,
    col("Capacity", "capacity is the description of the persistent volume's resources and capacity."),
    col("Access Modes", "accessModes contains all ways the volume can be mounted."),
    col("Reclaim Policy", "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim."),
    col("Status", "phase indicates if a volume is available, bound to a claim, or released by a claim."),
    col("Claim", "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim."),
    col("StorageClass", "storageClassName is the name of StorageClass to which this persistent volume belongs."),
    col("VolumeAttributesClass", "Name of VolumeAttributesClass to which this persistent volume belongs."),
    col("Reason", "reason is a brief CamelCase string that describes any failure."),
    ageColumn,
    col("VolumeMode", "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.", { wide: true }),
  ],
  cells(pv, now) {
    const spec = rec(pv.spec);
    const status = rec(pv.status);
    const claim = rec(spec.claimRef);
    return [
      pv.metadata.name,
      str(rec(spec.capacity).storage),
      accessModes(spec),
      str(spec.persistentVolumeReclaimPolicy) || "Retain",
      str(status.phase),
      claim.name ? `${str(claim.namespace)}/${str(claim.name)}` : "",
      str(spec.storageClassName),
      str(spec.volumeAttributesClassName) || "<unset>",
      str(status.reason),
      age(pv, now),
      str(spec.volumeMode) || "Filesystem",
    ];
  },
};

/** persistentvolumeclaims */
export const persistentVolumeClaimPrinter: Printer = {
  columns: [
    nameColumn,
    col("Status", "phase represents the current phase of PersistentVolumeClaim."),
    col("Volume", "volumeName is the binding reference to the PersistentVolume backing this claim."),
    col("Capacity", "capacity represents the actual resources of the underlying volume."),
    col("Access Modes", "accessModes contains the actual access modes the volume backing the PVC has."),
    col("StorageClass", "storageClassName is the name of the StorageClass required by the claim."),
    col("VolumeAttributesClass", "volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim."),
    ageColumn,
    col("VolumeMode", "volumeMode defines what type of volume is required by the claim.", { wide: true }),
  ],
  cells(pvc, now) {
    const spec = rec(pvc.spec);
    const status = rec(pvc.status);
    return [
      pvc.metadata.name,
      str(status.phase) || "Pending",
      str(spec.volumeName),
      str(rec(status.capacity).storage),
      accessModes(status),
      str(spec.storageClassName),
      str(spec.volumeAttributesClassName) || "<unset>",
      age(pvc, now),
      str(spec.volumeMode) || "Filesystem",
    ];
  },
};
