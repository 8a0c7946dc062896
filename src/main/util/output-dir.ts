import { access, constants, lstat, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { M3cError } from '../../shared/engine/errors.ts';

/**
 * Fails fast, before any long work, when `output` could not be written. Also removes the hidden
 * temporary files that crashed runs left in the output's folder (see removeStalePartials).
 */
export async function assertWritableOutput(output: string): Promise<void> {
  const dir = path.dirname(path.resolve(output));
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
    await access(dir, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'the folder does not exist' : code === 'EACCES' ? 'the folder is not writable' : 'the folder cannot be written';
    throw new M3cError('input', `cannot write ${output}: ${why}`);
  }
  const existing = await stat(output).catch(() => undefined);
  if (existing?.isDirectory()) throw new M3cError('input', `cannot write ${output}: it is a directory`);
  await removeStalePartials(dir);
}

/**
 * The hidden temporary files our writers create beside their target, named with the writing
 * process's pid: `.NAME.PID-HEX.partial` (ffmpeg's mp4, media/encode.ts) and `.NAME.PID.STAMP.tmp`
 * (writeFileAtomic).
 */
const PARTIAL_NAME = /^\..+\.(\d+)[.-][0-9a-z]+\.(?:partial|tmp)$/;

/** A partial whose writer still runs is left alone unless it has not changed for this long (pid reuse). */
export const STALE_PARTIAL_AGE_MS = 60 * 60 * 1000;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the pid exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes, from `dir`, the partial files of runs that can no longer finish them: their writer
 * process is gone (a SIGKILL, a crash, a power cut), or they have not changed for an hour. Those of
 * this process and of live runs are kept. Best effort: returns the names removed, never throws.
 */
export async function removeStalePartials(dir: string, now = Date.now()): Promise<string[]> {
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = PARTIAL_NAME.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid) continue;
    const file = path.join(dir, name);
    try {
      const s = await lstat(file);
      if (!s.isFile()) continue;
      const stale = !Number.isSafeInteger(pid) || pid <= 0 || !processAlive(pid) || now - s.mtimeMs > STALE_PARTIAL_AGE_MS;
      if (!stale) continue;
      await rm(file, { force: true });
      removed.push(name);
    } catch {
      // Gone meanwhile, or not ours to remove: leave it.
    }
  }
  return removed;
}
