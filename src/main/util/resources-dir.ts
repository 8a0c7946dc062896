import path from 'node:path';

/**
 * Main-side code finds shipped resources from its own module (`<root>/resources/...`). In the packaged app
 * the code's root is `<resourcesPath>/app.asar`, while electron-builder.yml puts the resources beside the
 * archive as extraResources (`<resourcesPath>/resources/...`), outside it so that model packs stay plain
 * files: drop the archive from the path. Any other path is returned unchanged.
 */
export function outsideAsar(p: string): string {
  const parts = p.split(path.sep);
  const i = parts.findIndex((s) => s.endsWith('.asar'));
  return i < 0 ? p : [...parts.slice(0, i), ...parts.slice(i + 1)].join(path.sep);
}
