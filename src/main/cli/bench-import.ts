/**
 * The benchmark harness (bench/: benchmarks, the media-folder resolver, the demo's sample clips) lives
 * in a source checkout, not in the packaged studio (electron-builder.yml packs dist/ only). Commands
 * that use it load it lazily through here, so the CLI starts without it and says why it cannot run.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { M3cError } from '../../shared/engine/errors.ts';

export const BENCH_DIR = fileURLToPath(new URL('../../../bench/', import.meta.url));

/** Runs `load` (a dynamic import of a bench/ module) when bench/ is there; `what` names the command in the error. */
export async function importBench<T>(load: () => Promise<T>, what: string, benchDir: string = BENCH_DIR): Promise<T> {
  if (!existsSync(benchDir)) {
    throw new M3cError('usage', `${what} needs the benchmark harness in ${benchDir}, which this installation does not include: run it from a source checkout`);
  }
  return load();
}
