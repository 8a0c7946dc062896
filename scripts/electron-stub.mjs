#!/usr/bin/env node
/**
 * STAND-IN, NOT ELECTRON. Writes dist/electron-stub/: a folder shaped like an unpacked Electron
 * distribution for Linux, so `electron-builder --linux dir -c.electronDist=dist/electron-stub` can be run on
 * machines where no Electron binary can be obtained (this project's CI). Its `electron` executable only
 * prints that the binary is unavailable and exits 1: the packed app it produces proves the layout
 * (app.asar contents, unpacked natives, extraResources), never that the app runs.
 *
 * On a developer machine with internet, leave electronDist unset and electron-builder uses the real
 * Electron for the version in node_modules/electron.
 *
 * Usage: node scripts/electron-stub.mjs [outDir]   (prints the folder it wrote)
 */
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const STUB_MESSAGE = 'Electron binary unavailable in this environment';

export async function writeElectronStub(outDir = path.join(ROOT, 'dist', 'electron-stub')) {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(path.join(outDir, 'resources'), { recursive: true });
  const exe = path.join(outDir, 'electron');
  await writeFile(exe, `#!/bin/sh\n# Stand-in written by scripts/electron-stub.mjs: not Electron.\necho '${STUB_MESSAGE}' >&2\nexit 1\n`);
  await chmod(exe, 0o755);
  await writeFile(
    path.join(outDir, 'README-STAND-IN.txt'),
    'This folder is a stand-in for an unpacked Electron distribution, written by scripts/electron-stub.mjs.\n' +
      'It contains no Electron binary. Apps packed against it have the real layout but do not run.\n',
  );
  return outDir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ? path.resolve(process.argv[2]) : undefined;
  writeElectronStub(out).then(
    (dir) => console.log(dir),
    (e) => {
      console.error(`electron-stub: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    },
  );
}
