/**
 * The file operations the write-ahead log needs, behind one small seam: the
 * default uses `node:fs/promises`, which Node and Deno 2 both provide, and
 * tests substitute failing or slow files to exercise disk errors.
 */
import { mkdir, open, readFile, rename, rm, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";

/** A file opened for appending. */
export interface AppendFile {
  /** Appends all of `data` (UTF-8) at the end of the file. */
  append(data: string): Promise<void>;
  /** Forces written data to stable storage (fsync). */
  sync(): Promise<void>;
  /** Cuts the file to `size` bytes; later appends continue at the new end. */
  truncate(size: number): Promise<void>;
  close(): Promise<void>;
}

/** The file system as the write-ahead log uses it. */
export interface WalFiles {
  /** Creates a directory and its parents if missing. */
  mkdirp(dir: string): Promise<void>;
  /** A whole file's bytes, or undefined when it does not exist. */
  read(path: string): Promise<Uint8Array | undefined>;
  /** Opens (creating if needed) a file for appending. */
  openAppend(path: string): Promise<AppendFile>;
  /**
   * Replaces `path` all at once: writes `chunks` to a temporary file, syncs
   * it, renames it over `path` and syncs the directory, so a crash leaves
   * either the old file or the new one, never a mix.
   */
  writeAtomic(path: string, chunks: Iterable<string>): Promise<void>;
  /** Deletes a file; a missing file is fine. */
  remove(path: string): Promise<void>;
}

const encoder = new TextEncoder();

async function writeAll(fh: FileHandle, data: string): Promise<void> {
  const bytes = encoder.encode(data);
  let offset = 0;
  // A short write (possible when the disk fills) must not silently drop the rest.
  while (offset < bytes.length) {
    const { bytesWritten } = await fh.write(bytes, offset, bytes.length - offset);
    if (bytesWritten <= 0) throw new Error("write made no progress");
    offset += bytesWritten;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, "r");
    await fh.sync();
  } catch {
    // Some platforms (Windows, some Deno builds) cannot open or fsync a directory; the rename still happened.
  } finally {
    await fh?.close().catch(() => {});
  }
}

/** The real file system through `node:fs/promises`. */
export const nodeWalFiles: WalFiles = {
  async mkdirp(dir) {
    await mkdir(dir, { recursive: true });
  },
  async read(path) {
    try {
      return await readFile(path);
    } catch (err) {
      if ((err as { code?: string }).code === "ENOENT") return undefined;
      throw err;
    }
  },
  async openAppend(path) {
    const fh = await open(path, "a");
    return {
      append: (data) => writeAll(fh, data),
      sync: () => fh.sync(),
      truncate: (size) => fh.truncate(size),
      close: () => fh.close(),
    };
  },
  async writeAtomic(path, chunks) {
    const tmp = `${path}.tmp`;
    const fh = await open(tmp, "w");
    try {
      let buffered = "";
      for (const chunk of chunks) {
        buffered += chunk;
        if (buffered.length >= 1 << 20) {
          await writeAll(fh, buffered);
          buffered = "";
        }
      }
      await writeAll(fh, buffered);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    await syncDirectory(dirname(path));
  },
  async remove(path) {
    await rm(path, { force: true });
  },
};
