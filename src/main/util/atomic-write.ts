import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * Writes a file so that readers see either the old content or the complete new one, and so that
 * once it resolves the new content survives a crash or power cut: the data goes to a temporary file
 * in the same folder, is flushed (fsync), renamed over the target, and the folder itself is flushed
 * so that the rename is durable too. On failure the temporary file is removed and the target is
 * untouched.
 */
export async function writeFileAtomic(target: string, data: Uint8Array): Promise<void> {
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(tmp, 'wx');
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(tmp, target);
  } catch (e) {
    if (handle) await handle.close().catch(() => {});
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw e;
  }
  await syncDir(dir);
}

/**
 * Flushes a folder's entries (a rename, a new file) to disk. Windows cannot open folders, and a few
 * file systems do not support fsync on one (EINVAL, ENOTSUP): nothing more can be done there.
 */
export async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync().catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EINVAL' && e.code !== 'ENOTSUP') throw e;
    });
  } finally {
    await handle.close();
  }
}
