import { constants, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { M3cError } from '../../shared/engine/errors.ts';

/**
 * The largest .m3c the CLI reads: 64 MiB. A .m3c holds a few kilobytes per minute of video, so a
 * legitimate file is orders of magnitude smaller; the cap keeps `m3c inspect /dev/zero` or a huge
 * file from filling memory.
 */
export const MAX_M3C_FILE_BYTES = 64 * 1024 * 1024;

/** The largest JSON file the CLI takes as an option (--descriptions, --prompts, --roi): 4 MiB. */
export const MAX_JSON_INPUT_BYTES = 4 * 1024 * 1024;

/** What a non-regular file is, for the one-line refusal. */
function kindOf(s: Stats): string {
  if (s.isDirectory()) return 'it is a directory';
  if (s.isFIFO()) return 'is a FIFO (named pipe), not a regular file';
  if (s.isCharacterDevice()) return 'is a character device, not a regular file';
  if (s.isBlockDevice()) return 'is a block device, not a regular file';
  if (s.isSocket()) return 'is a socket, not a regular file';
  return 'is not a regular file';
}

function unreadable(file: string, e: unknown): M3cError {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (code ?? 'error');
  return new M3cError('input', `cannot read ${file}: ${why}`);
}

/**
 * Refuses, with one line (exit code 'input'), anything but a regular file: a FIFO would block the
 * reader forever and a device such as /dev/zero never ends. Follows symbolic links.
 */
export async function assertRegularFile(file: string): Promise<Stats> {
  let s: Stats;
  try {
    s = await stat(file);
  } catch (e) {
    throw unreadable(file, e);
  }
  if (!s.isFile()) throw new M3cError('input', `cannot read ${file}: ${kindOf(s)}`);
  return s;
}

/**
 * Reads a whole regular file of at most `maxBytes` bytes. The file is checked before it is opened
 * (stat), opened non-blocking so that a FIFO swapped in meanwhile cannot block, checked again on the
 * open descriptor (fstat), and read with a bound, so a file that grows while read is refused too.
 */
export async function readInputFile(file: string, maxBytes: number, what = 'file'): Promise<Uint8Array> {
  await assertRegularFile(file);
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    try {
      handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (e) {
      throw unreadable(file, e);
    }
    const s = await handle.stat();
    if (!s.isFile()) throw new M3cError('input', `cannot read ${file}: ${kindOf(s)}`);
    const tooBig = (): M3cError => new M3cError('input', `cannot read ${file}: larger than the ${formatBytes(maxBytes)} a ${what} may have`);
    if (s.size > maxBytes) throw tooBig();
    // Sized from fstat, grown (up to one byte past the bound) if the file grows while read.
    let buf = new Uint8Array(Math.min(s.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      if (length === buf.length) {
        if (length > maxBytes) throw tooBig();
        const next = new Uint8Array(Math.min(maxBytes + 1, buf.length * 2 + 64 * 1024));
        next.set(buf);
        buf = next;
      }
      const { bytesRead } = await handle.read(buf, length, buf.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes) throw tooBig();
    return buf.subarray(0, length);
  } catch (e) {
    if (e instanceof M3cError) throw e;
    throw unreadable(file, e);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

function formatBytes(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`;
}
