/**
 * `--apply FILE`: manifests read from files and folders (YAML with several
 * documents, JSON, `List` objects), every document checked before anything is
 * written — parse errors first, then the server's own validation as a dry
 * run — then created or updated through the apiserver actor in dependency
 * order (Namespaces first), as `kubectl apply` does.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { LineCounter, parseAllDocuments } from "yaml";
import type { Messenger } from "../../runtime/actor.ts";
import { errorCode } from "../../runtime/errors.ts";
import type { KubeObject } from "../../actors/api/meta.ts";
import { ApiClient, isNotFound } from "../../actors/api/client.ts";
import { Resources, type ResourceInfo } from "./resources.ts";

/** One object from a manifest, and where it came from. */
export interface Manifest {
  /** File name, or `<input>` for text given directly. */
  source: string;
  /** 1-based document number in the file. */
  document: number;
  /** 1-based item number when the document is a `List`. */
  item?: number;
  /** 1-based line where the document starts. */
  line: number;
  object: KubeObject;
}

/** A manifest that cannot be applied: names the file, the document and what is wrong. */
export class ManifestError extends Error {
  override name = "ManifestError";
  readonly code = "BadManifest";
  readonly source: string;
  readonly document?: number;

  constructor(where: { source: string; document?: number; item?: number; line?: number }, problem: string) {
    super(`${describeWhere(where)}: ${problem}`);
    this.source = where.source;
    this.document = where.document;
  }
}

/** `examples/web.yaml, document 2 (line 21)`. */
export function describeWhere(w: { source: string; document?: number; item?: number; line?: number }): string {
  let s = w.source;
  if (w.document !== undefined) s += `, document ${w.document}`;
  if (w.item !== undefined) s += `, item ${w.item}`;
  if (w.line !== undefined) s += ` (line ${w.line})`;
  return s;
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/** Reads every manifest in `paths` (files, or folders of .yaml/.yml/.json files, not recursive, in name order). */
export async function loadManifests(paths: readonly string[]): Promise<Manifest[]> {
  const out: Manifest[] = [];
  for (const path of paths) {
    let isDir: boolean;
    try {
      isDir = (await stat(path)).isDirectory();
    } catch {
      throw new ManifestError({ source: path }, "no such file or directory");
    }
    const files = isDir ? (await readdir(path)).filter((f) => MANIFEST_FILE.test(f)).sort().map((f) => join(path, f)) : [path];
    if (isDir && files.length === 0) throw new ManifestError({ source: path }, "the folder holds no .yaml, .yml or .json files");
    for (const file of files) out.push(...parseManifests(await readFile(file, "utf8"), file));
  }
  return out;
}

/** Parses one file's text: YAML documents (JSON is YAML too); `List` kinds are unpacked. Throws {@link ManifestError}. */
export function parseManifests(text: string, source = "<input>"): Manifest[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const out: Manifest[] = [];
  const list = Array.isArray(docs) ? docs : [];
  for (let i = 0; i < list.length; i++) {
    const doc = list[i];
    // The document's first line of content, not its `---` marker.
    const where = { source, document: i + 1, line: lines.linePos(doc.contents?.range?.[0] ?? doc.range[0]).line };
    const err = doc.errors[0];
    if (err) {
      const pos = err.linePos?.[0] ?? (err.pos ? lines.linePos(err.pos[0]) : undefined);
      throw new ManifestError({ ...where, line: pos?.line ?? where.line }, `YAML parse error: ${err.message.split("\n")[0]}${pos ? ` at line ${pos.line}, column ${pos.col}` : ""}`);
    }
    const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
    if (value === null || value === undefined) continue; // an empty document, as after a trailing ---
    if (isListKind(value)) {
      const items = (value as { items?: unknown }).items;
      if (!Array.isArray(items)) throw new ManifestError(where, `${(value as { kind: string }).kind}: items must be a list`);
      items.forEach((item, k) => out.push({ ...where, item: k + 1, object: checkShape(item, { ...where, item: k + 1 }) }));
    } else out.push({ ...where, object: checkShape(value, where) });
  }
  if (out.length === 0 && source !== "<input>") throw new ManifestError({ source }, "no objects found (the file is empty)");
  return out;
}

function isListKind(v: unknown): boolean {
  return typeof v === "object" && v !== null && typeof (v as { kind?: unknown }).kind === "string" && (v as { kind: string }).kind.endsWith("List") && "items" in v;
}

/** The checks kubectl makes before sending anything: an object, apiVersion, kind, metadata.name. */
function checkShape(v: unknown, where: ConstructorParameters<typeof ManifestError>[0]): KubeObject {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new ManifestError(where, `expected a Kubernetes object (a mapping with apiVersion, kind and metadata), got ${Array.isArray(v) ? "a list" : typeof v === "object" ? "null" : `a ${typeof v}`}`);
  }
  const o = v as Record<string, unknown>;
  if (typeof o.apiVersion !== "string" || o.apiVersion === "") throw new ManifestError(where, "apiVersion: Required value: apiVersion not set");
  if (typeof o.kind !== "string" || o.kind === "") throw new ManifestError(where, "kind: Required value: kind not set");
  if (o.metadata !== undefined && (typeof o.metadata !== "object" || o.metadata === null || Array.isArray(o.metadata))) throw new ManifestError(where, "metadata: Invalid value: must be a mapping");
  const meta = (o.metadata ?? {}) as Record<string, unknown>;
  if ((typeof meta.name !== "string" || meta.name === "") && typeof meta.generateName !== "string") throw new ManifestError(where, `metadata.name: Required value: name is required (${o.kind})`);
  if (meta.namespace !== undefined && typeof meta.namespace !== "string") throw new ManifestError(where, "metadata.namespace: Invalid value: must be a string");
  return { ...o, metadata: meta } as unknown as KubeObject;
}

/** A manifest resolved against the server: its kind and where it goes. */
export interface Resolved extends Manifest {
  info: ResourceInfo;
  namespace?: string;
  name: string;
}

/** What applying one object did: kubectl's `deployment.apps/web created`. */
export interface Applied {
  info: ResourceInfo;
  namespace?: string;
  name: string;
  action: "created" | "configured" | "unchanged";
  object: KubeObject;
}

// Install order: what others depend on first (as Helm's and kubectl's orderings).
const ORDER = [
  "Namespace", "ResourceQuota", "LimitRange", "PriorityClass", "StorageClass", "PersistentVolume", "ServiceAccount",
  "Secret", "ConfigMap", "PersistentVolumeClaim", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding",
  "Service", "Endpoints", "EndpointSlice", "DaemonSet", "Pod", "ReplicaSet", "Deployment", "StatefulSet", "Job", "CronJob",
];
const rank = (kind: string) => {
  const i = ORDER.indexOf(kind);
  return i < 0 ? ORDER.length : i;
};

/** How to reach the apiserver: anything that can ask (a system, the supervisor, a REPL port). */
export type ApiMessenger = Pick<Messenger, "ask">;

/** The typed apiserver client over any asker. */
export function clientOf(api: ApiMessenger, timeoutMs = 30_000): ApiClient {
  return new ApiClient({ ask: (to, msg, o) => api.ask(to, msg, o), tell: () => false }, { timeoutMs });
}

/** Options of {@link validateManifests} and {@link applyManifests}. */
export interface ApplyOptions {
  /** Namespace of namespaced objects that name none (default `default`). */
  namespace?: string;
  /** Recorded in managedFields (default `actorkube-apply`). */
  fieldManager?: string;
  /** Per request (default 30 000 ms). */
  timeoutMs?: number;
}

/**
 * Resolves every manifest's kind and runs the apiserver's validation on it as a
 * dry run (create or update, whichever applying would do). Throws a
 * {@link ManifestError} naming the first bad document; writes nothing.
 */
export async function validateManifests(api: ApiMessenger, manifests: readonly Manifest[], options: ApplyOptions = {}): Promise<Resolved[]> {
  const resources = await Resources.load(api);
  const client = clientOf(api, options.timeoutMs);
  const resolved = manifests.map((m) => resolveManifest(resources, m, options.namespace ?? "default"));
  const newNamespaces = new Set(resolved.filter((r) => r.info.kind === "Namespace" && r.info.group === "").map((r) => r.name));
  const seen = new Map<string, Resolved>();
  for (const r of resolved) {
    const key = `${r.info.resource}/${r.namespace ?? ""}/${r.name}`;
    const dup = seen.get(key);
    if (dup) throw new ManifestError(r, `${r.info.singularRef} "${r.name}" is also defined in ${describeWhere(dup)}`);
    seen.set(key, r);
    // An object in a namespace this batch creates is checked as if in `default`: its fields do not depend on the namespace.
    const ns = r.namespace && newNamespaces.has(r.namespace) ? "default" : r.namespace;
    const object = ns === r.namespace ? r.object : { ...r.object, metadata: { ...r.object.metadata, namespace: ns } };
    try {
      await client.patch(r.info.resource, r.name, "apply", object, { namespace: ns, dryRun: "All", fieldManager: options.fieldManager ?? "actorkube-apply" });
    } catch (err) {
      throw new ManifestError(r, `${r.info.singularRef} "${r.name}": ${(err as Error).message}${errorCode(err) !== "HandlerFailed" ? ` (${errorCode(err)})` : ""}`);
    }
  }
  return resolved;
}

function resolveManifest(resources: Resources, m: Manifest, defaultNamespace: string): Resolved {
  const o = m.object;
  const info = resources.forManifest(o.apiVersion!, o.kind!);
  if (!info) throw new ManifestError(m, `no matches for kind "${o.kind}" in version "${o.apiVersion}"`);
  const name = o.metadata.name ?? "";
  if (!name) throw new ManifestError(m, `metadata.name: Required value: generateName cannot be applied; give ${o.kind} a name`);
  const namespace = info.namespaced ? o.metadata.namespace || defaultNamespace : undefined;
  const object = structuredClone(o);
  if (namespace) object.metadata.namespace = namespace;
  else delete object.metadata.namespace;
  return { ...m, object, info, namespace, name };
}

/** Creates or updates every object, in dependency order; stops at the first failure (earlier objects stay applied). */
export async function applyManifests(api: ApiMessenger, resolved: readonly Resolved[], options: ApplyOptions & { onApplied?: (a: Applied) => void } = {}): Promise<Applied[]> {
  const ordered = resolved.map((r, i) => ({ r, i })).sort((a, b) => rank(a.r.info.kind) - rank(b.r.info.kind) || a.i - b.i).map((x) => x.r);
  const client = clientOf(api, options.timeoutMs);
  const out: Applied[] = [];
  for (const r of ordered) {
    let before: KubeObject | undefined;
    try {
      before = await client.get(r.info.resource, r.name, { namespace: r.namespace });
    } catch (err) {
      if (!isNotFound(err)) throw new ManifestError(r, `reading ${r.info.singularRef} "${r.name}" failed: ${(err as Error).message}`);
    }
    let object: KubeObject;
    try {
      object = await client.patch(r.info.resource, r.name, "apply", r.object, { namespace: r.namespace, fieldManager: options.fieldManager ?? "actorkube-apply" });
    } catch (err) {
      throw new ManifestError(r, `applying ${r.info.singularRef} "${r.name}" failed: ${(err as Error).message}`);
    }
    const action = !before ? "created" : before.metadata.resourceVersion === object.metadata.resourceVersion ? "unchanged" : "configured";
    const a: Applied = { info: r.info, namespace: r.namespace, name: r.name, action, object };
    out.push(a);
    options.onApplied?.(a);
  }
  return out;
}

/** kubectl's line for an applied object: `deployment.apps/web created`. */
export function appliedLine(a: Applied): string {
  return `${a.info.singularRef}/${a.name} ${a.action}`;
}
