/**
 * Static pods: Pod manifests (YAML or JSON) in the kubelet's
 * `staticPodPath`, run by the kubelet itself without the apiserver. As the
 * kubelet's file source does, each becomes `<name>-<nodeName>` in its
 * namespace (default `default`), bound to this node, tolerating NoExecute
 * taints, with a uid that is a hash of the manifest and the node, so an
 * edited file is a new pod. The apiserver only sees them as mirror pods.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { parseAllDocuments } from "yaml";
import type { Pod } from "../api/types/index.ts";
import { defaultPod } from "../apiserver/registry/pod-defaults.ts";
import { validatePodSpec } from "../apiserver/registry/pod-spec-validation.ts";
import { errorText } from "../apiserver/registry/field-errors.ts";
import { imageId } from "./cri/images.ts";

/** On a mirror pod: the hash (uid) of the static pod it mirrors. */
export const MIRROR_ANNOTATION = "kubernetes.io/config.mirror";
/** Where a pod came from: `file` for static pods, `api` for the rest. */
export const SOURCE_ANNOTATION = "kubernetes.io/config.source";
/** The static pod's hash, also its uid on the node. */
export const HASH_ANNOTATION = "kubernetes.io/config.hash";
/** When the kubelet first read the manifest. */
export const SEEN_ANNOTATION = "kubernetes.io/config.seen";

/** What one scan of the folder found: pods by uid, and the files that could not be used. */
export interface StaticPodScan {
  pods: Map<string, Pod>;
  errors: string[];
}

/** Reads every manifest of `path` (a folder, or one file); a missing folder holds no pods. */
export async function scanStaticPods(path: string, nodeName: string, nowMs: number): Promise<StaticPodScan> {
  const out: StaticPodScan = { pods: new Map(), errors: [] };
  let files: string[];
  try {
    const st = await stat(path);
    files = st.isDirectory() ? (await readdir(path)).filter((f) => !f.startsWith(".")).sort().map((f) => `${path.replace(/\/$/, "")}/${f}`) : [path];
  } catch (err) {
    if ((err as { code?: string }).code === "ENOENT") return out;
    out.errors.push(`unable to read config path ${JSON.stringify(path)}: ${(err as Error).message}`);
    return out;
  }
  for (const file of files) {
    try {
      if (!(await stat(file)).isFile()) continue;
      const pod = staticPodFromManifest(await readFile(file, "utf8"), nodeName, nowMs);
      const clash = out.pods.get(pod.metadata.uid!);
      if (clash) throw new Error(`same pod as another manifest (${pod.metadata.namespace}/${pod.metadata.name})`);
      out.pods.set(pod.metadata.uid!, pod);
    } catch (err) {
      // Removed between listing and reading: simply gone.
      if ((err as { code?: string }).code === "ENOENT") continue;
      out.errors.push(`could not process manifest file ${JSON.stringify(file)}: ${(err as Error).message}`);
    }
  }
  return out;
}

/** One manifest's text as the static pod the kubelet runs; throws with what is wrong. */
export function staticPodFromManifest(text: string, nodeName: string, nowMs: number): Pod {
  const docs = parseAllDocuments(text).filter((d) => d.contents !== null);
  if (docs.length !== 1) throw new Error(`expected one Pod, found ${docs.length} documents`);
  if (docs[0].errors.length) throw new Error(docs[0].errors[0].message);
  const obj = docs[0].toJS() as Partial<Pod> | null;
  if (!obj || typeof obj !== "object" || obj.kind !== "Pod" || obj.apiVersion !== "v1") throw new Error(`expected apiVersion v1, kind Pod, got ${obj?.apiVersion}/${obj?.kind}`);
  const name = obj.metadata?.name;
  if (typeof name !== "string" || name === "") throw new Error("metadata.name: Required value");
  const pod = { apiVersion: "v1", kind: "Pod", metadata: { ...obj.metadata }, spec: { ...obj.spec } } as Pod;
  defaultPod(pod);
  const errs = validatePodSpec(pod.spec, "spec");
  if (errs.length) throw new Error(errs.map(errorText).join(", "));
  pod.metadata.name = `${name}-${nodeName.toLowerCase()}`;
  pod.metadata.namespace ||= "default";
  pod.spec.nodeName = nodeName;
  pod.spec.tolerations = [...(pod.spec.tolerations ?? []), { operator: "Exists", effect: "NoExecute" }];
  delete pod.status;
  // The hash covers the node and the pod as read, so any edit makes a new pod.
  const uid = imageId(`${nodeName}\n${JSON.stringify(pod)}`).slice(7, 39);
  pod.metadata.uid = uid;
  pod.metadata.annotations = { ...pod.metadata.annotations, [HASH_ANNOTATION]: uid, [SOURCE_ANNOTATION]: "file", [SEEN_ANNOTATION]: new Date(nowMs).toISOString() };
  return pod;
}

/** The mirror pod the apiserver holds for a static pod: same spec, owned by the Node. */
export function mirrorPodOf(pod: Pod, node: { name: string; uid?: string }): Pod {
  const { uid: _uid, resourceVersion: _rv, creationTimestamp: _ct, ...meta } = pod.metadata;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      ...meta,
      annotations: { ...meta.annotations, [MIRROR_ANNOTATION]: pod.metadata.uid! },
      ...(node.uid ? { ownerReferences: [{ apiVersion: "v1", kind: "Node", name: node.name, uid: node.uid, controller: false }] } : {}),
    },
    spec: pod.spec,
  };
}

/** True for a mirror pod (the apiserver's copy of a static pod). */
export function isMirrorPod(pod: Pod): boolean {
  return pod.metadata.annotations?.[MIRROR_ANNOTATION] !== undefined;
}
