/** Electron entry (package.json "main", built to dist/main/app/electron-main.js). */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app } from 'electron';
import { registerSchemes, startElectronStudio, type ElectronStudio } from './studio-app.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const projectsArg = process.argv.find((a) => a.startsWith('--projects='))?.slice('--projects='.length);
const modelsDir = process.argv.find((a) => a.startsWith('--models='))?.slice('--models='.length);
const projectsDir = projectsArg ?? process.env.M3C_PROJECTS_DIR ?? path.join(os.homedir(), 'M3C Studio');

registerSchemes();
app.enableSandbox();
let studio: ElectronStudio | undefined;
void app.whenReady().then(() => {
  studio = startElectronStudio({
    projectsDir,
    rendererDir: path.resolve(here, '../../renderer'),
    preloadPath: path.resolve(here, '../../preload/preload.cjs'),
    importRoots: [os.homedir()],
    modelsDir,
  });
});
app.on('window-all-closed', () => {
  void (studio?.close() ?? Promise.resolve()).finally(() => app.quit());
});
