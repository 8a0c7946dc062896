/** Runs the packaging scripts and tools as child processes, as `npm run` would. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface Ran {
  readonly stdout: string;
  readonly seconds: number;
}

/** Runs `node <script> ...args` in the repository root; rejects with the output when it fails. */
export function runNode(script: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Ran> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.resolve(ROOT, script), ...args], { cwd: ROOT, env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${script} ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve({ stdout, seconds: (performance.now() - t0) / 1000 });
    });
  });
}
