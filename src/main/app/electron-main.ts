/** Electron entry (package.json "main", built to dist/main/app/electron-main.js). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app } from 'electron';
import { parseShellArgs } from './launch-args.ts';
import { registerSchemes, startElectronStudio, type ElectronStudio } from './studio-app.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
// --allow folders come from `m3c studio` (checked there); the home folder only when none is given.
const { projectsDir, modelsDir, importRoots } = parseShellArgs(process.argv.slice(1));

registerSchemes();
app.enableSandbox();
let studio: ElectronStudio | undefined;
void app.whenReady().then(() => {
  studio = startElectronStudio({
    projectsDir,
    rendererDir: path.resolve(here, '../../renderer'),
    preloadPath: path.resolve(here, '../../preload/preload.cjs'),
    importRoots,
    modelsDir,
  });
});
app.on('window-all-closed', () => {
  void (studio?.close() ?? Promise.resolve()).finally(() => app.quit());
});
