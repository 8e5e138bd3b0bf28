// Durable file writes: write to a temporary name, fsync the file, rename, fsync the folder.
// A crash at any point leaves either no file or the whole file, never half of one.
import { open, rename, mkdir, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export interface DurableWriteOptions {
  /** Create the folder (and its parents) first; default true. A caller that knows the folder
   * exists skips the `mkdir` and gets ENOENT from the open should it have gone. */
  makeDir?: boolean;
}

export async function writeFileDurable(
  path: string,
  data: Uint8Array | string,
  mode = 0o644,
  opts: DurableWriteOptions = {},
): Promise<void> {
  const dir = dirname(path);
  if (opts.makeDir !== false) await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.tmp-${randomBytes(6).toString('hex')}`);
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  await rename(tmp, path);
  await fsyncDir(dir);
}
