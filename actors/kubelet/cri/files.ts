/**
 * A simulated node's file system: the files the kubelet writes for its pods
 * (volume contents under /var/lib/kubelet/pods, the pod's /etc/hosts) and
 * that containers see through their mounts. Paths are absolute and
 * normalised; directories exist when created or when a file lies below them.
 */

/** Normalises an absolute path: no `.`/`..` segments, no doubled or trailing slash. */
export function normalizePath(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return `/${out.join("/")}`;
}

/** Joins path segments and normalises the result. */
export function joinPath(...parts: string[]): string {
  return normalizePath(parts.join("/"));
}

/** Files and directories of one node, in memory. */
export class NodeFiles {
  readonly #files = new Map<string, string>();
  readonly #dirs = new Set<string>(["/"]);

  /** Writes a file, creating its parent directories. */
  write(path: string, content: string): void {
    const p = normalizePath(path);
    this.#files.set(p, content);
    this.mkdir(p.slice(0, p.lastIndexOf("/")) || "/");
  }

  /** Creates a directory and its parents. */
  mkdir(path: string): void {
    let p = normalizePath(path);
    while (!this.#dirs.has(p)) {
      this.#dirs.add(p);
      p = p.slice(0, p.lastIndexOf("/")) || "/";
    }
  }

  /** A file's content, or undefined when there is no such file. */
  read(path: string): string | undefined {
    return this.#files.get(normalizePath(path));
  }

  /** True for an existing directory. */
  isDir(path: string): boolean {
    return this.#dirs.has(normalizePath(path));
  }

  /** The names directly inside a directory, sorted; undefined when it is not one. */
  list(path: string): string[] | undefined {
    const dir = normalizePath(path);
    if (!this.#dirs.has(dir)) return undefined;
    const prefix = dir === "/" ? "/" : `${dir}/`;
    const names = new Set<string>();
    for (const p of [...this.#files.keys(), ...this.#dirs]) {
      if (p.startsWith(prefix) && p.length > prefix.length) names.add(p.slice(prefix.length).split("/")[0]);
    }
    return [...names].sort();
  }

  /** Removes a directory and everything below it (or one file). */
  remove(path: string): void {
    const p = normalizePath(path);
    const prefix = `${p}/`;
    this.#files.delete(p);
    for (const f of [...this.#files.keys()]) if (f.startsWith(prefix)) this.#files.delete(f);
    if (p === "/") return;
    this.#dirs.delete(p);
    for (const d of [...this.#dirs]) if (d.startsWith(prefix)) this.#dirs.delete(d);
  }

  /** Replaces a directory's contents with `files` (relative path → content), as the kubelet's atomic writer does. */
  replaceDir(path: string, files: Readonly<Record<string, string>>): void {
    this.remove(path);
    this.mkdir(path);
    for (const [rel, content] of Object.entries(files)) this.write(joinPath(path, rel), content);
  }

  /** Number of files held. */
  get size(): number {
    return this.#files.size;
  }
}
