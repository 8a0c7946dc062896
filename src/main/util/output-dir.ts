import { access, constants, stat } from 'node:fs/promises';
import path from 'node:path';
import { M3cError } from '../../shared/engine/errors.ts';

/** Fails fast, before any long work, when `output` could not be written. */
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
}
