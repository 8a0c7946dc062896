import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './media.ts';

function newestMtime(p: string): number {
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, name)));
  return newest;
}

/**
 * Whether dist/renderer is at least as new as everything it is built from. Tests that need the
 * renderer rebuild it only when it is not, so two test files never rebuild (and so empty) the
 * folder while another serves it; scripts/test.sh builds it once before the tests.
 */
export function rendererIsFresh(): boolean {
  const index = path.join(REPO_ROOT, 'dist/renderer/index.html');
  const inputs = ['src/renderer', 'src/shared', 'vite.renderer.config.ts'].map((p) => path.join(REPO_ROOT, p));
  return existsSync(index) && statSync(index).mtimeMs >= Math.max(...inputs.map(newestMtime));
}
