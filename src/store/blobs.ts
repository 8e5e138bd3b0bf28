// Content-addressed blob storage. A blob is named by the SHA-256 of its bytes, so a message
// sent to 1,500 people is stored once. Invariant: `put` returns only after the bytes and their
// folder entry are fsynced, so a row that names the hash may be committed right after.
// Reference counts live in the `blobs` table (core/blobs.ts); this layer only holds bytes.
import { createHash } from 'node:crypto';
import { readFile, rename, stat, unlink, readdir, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fsyncDir, writeFileDurable } from '../util/fsync.ts';

export interface BlobStore {
  /** Stores the bytes durably; returns their SHA-256 (hex). */
  put(data: Uint8Array): Promise<string>;
  get(hash: string): Promise<Buffer>;
  has(hash: string): Promise<boolean>;
  delete(hash: string): Promise<void>;
  /**
   * Deletes an unreferenced blob unless it was stored again within `graceMs` (a `put` of the
   * same bytes may be about to take a new reference). Returns whether it went.
   */
  collect(hash: string, graceMs: number): Promise<boolean>;
  /** Every stored hash, for garbage collection and backups. */
  list(): AsyncIterable<string>;
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

const HASH = /^[0-9a-f]{64}$/;
/** How many recently stored hashes `put` remembers. */
const RECENT = 1024;

export class FsBlobStore implements BlobStore {
  readonly root: string;
  constructor(root: string) {
    this.root = root;
  }

  path(hash: string): string {
    if (!HASH.test(hash)) throw new Error(`not a blob hash: ${hash}`);
    return join(this.root, hash.slice(0, 2), hash.slice(2, 4), hash);
  }

  // Fan-out folders known to exist: `mkdir` runs once per folder, not once per message
  // (at most 65,536 entries). A folder removed behind our back shows as ENOENT and is made again.
  readonly #dirs = new Set<string>();
  // Hashes this process stored lately (insertion order, oldest dropped first). Only a hint for
  // which way `put` tries first; each way copes with the other outcome.
  readonly #recent = new Set<string>();

  async put(data: Uint8Array): Promise<string> {
    const hash = sha256Hex(data);
    const path = this.path(hash);
    // Stored again: touch the copy, since `collect` spares blobs stored within its grace time.
    // Only tried for a hash seen lately (one message to local and remote recipients is put
    // twice), so a new blob costs no failing system call.
    if (this.#recent.has(hash)) {
      const now = new Date();
      const touched = await utimes(path, now, now).then(
        () => true,
        () => false,
      );
      if (touched) return hash;
    }
    // Otherwise write it whole. Should a copy exist after all, the rename replaces it with the
    // same bytes and a fresh mtime, which touches it just as well (and cannot race `collect`:
    // whichever rename comes first, the name ends up holding the bytes, or the mtime is new).
    const dir = dirname(path);
    const known = this.#dirs.has(dir);
    try {
      await writeFileDurable(path, data, 0o640, { makeDir: !known });
    } catch (err) {
      if (!known || (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.#dirs.delete(dir);
      await writeFileDurable(path, data, 0o640);
    }
    this.#dirs.add(dir);
    this.#recent.add(hash);
    if (this.#recent.size > RECENT) this.#recent.delete(this.#recent.values().next().value!);
    return hash;
  }

  async collect(hash: string, graceMs: number): Promise<boolean> {
    const path = this.path(hash);
    const trash = `${path}.gc`;
    // Rename first: a `put` after this point finds no file and writes a new one; a `put`
    // before it touched the file, which the mtime check below sees.
    try {
      await rename(path, trash);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
    const { mtimeMs } = await stat(trash);
    if (Date.now() - mtimeMs < graceMs) {
      if (await this.has(hash)) await unlink(trash);
      else {
        // Put back durably: a delivery that touched it may already have committed its row.
        await rename(trash, path);
        await fsyncDir(dirname(path));
      }
      return false;
    }
    await unlink(trash);
    return true;
  }

  get(hash: string): Promise<Buffer> {
    return readFile(this.path(hash));
  }

  async has(hash: string): Promise<boolean> {
    try {
      await stat(this.path(hash));
      return true;
    } catch {
      return false;
    }
  }

  async delete(hash: string): Promise<void> {
    await unlink(this.path(hash)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  async *list(): AsyncIterable<string> {
    const level = async (dir: string): Promise<string[]> =>
      readdir(dir).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return [];
        throw err;
      });
    for (const a of await level(this.root)) {
      for (const b of await level(join(this.root, a))) {
        for (const name of await level(join(this.root, a, b))) if (HASH.test(name)) yield name;
      }
    }
  }
}
