#!/usr/bin/env node
/**
 * Builds the desktop studio into dist/ for electron-builder:
 *   dist/main/app/electron-main.js    Electron main process (ESM bundle; package.json "main")
 *   dist/main/app/studio-worker.js    worker-thread entry for analysis/describe/encode/decode jobs (ESM bundle)
 *   dist/preload/preload.cjs          the sandboxed preload (one CommonJS file, `electron` its only require)
 *   dist/renderer/                    the React renderer (vite, vite.renderer.config.ts)
 *   dist/models/manifest.json         the model pack manifest this build was made against
 *
 * The main bundles sit at dist/main/app/, the depth of their sources under src/main/<area>/, because the
 * main-side code finds resources relative to its own module (`new URL('../../../resources/models/',
 * import.meta.url)`): from dist/main/app that is the repository's resources/ in development and
 * <process.resourcesPath>/resources/ in the packaged app, where electron-builder.yml puts extraResources.
 *
 * Usage: node scripts/build-electron.mjs [--out DIR] [--skip-renderer]
 *   --out DIR        write there instead of dist/ (test/integration/packaging/bundles.test.ts builds
 *                    into a temporary folder)
 *   --skip-renderer  leave the renderer out (main and preload only)
 */
import { copyFile, mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Native addons and Electron itself are loaded at run time from node_modules (electron-builder packs
 * them; their *.node files are unpacked from app.asar), never inlined.
 */
export const MAIN_EXTERNALS = ['electron', 'better-sqlite3', 'onnxruntime-node'];

/** Electron 41 runs Node 24 and Chromium 146; both targets are conservative floors. */
const NODE_TARGET = 'node22';
const CHROME_TARGET = 'chrome130';

async function buildMain(out) {
  await rm(path.join(out, 'main'), { recursive: true, force: true });
  const result = await esbuild({
    absWorkingDir: ROOT,
    entryPoints: {
      'electron-main': 'src/main/app/electron-main.ts',
      // run-in-worker.ts starts this file when it lies beside the bundle (see its BUNDLED_WORKER).
      'studio-worker': 'src/main/services/worker.ts',
    },
    outdir: path.join(out, 'main', 'app'),
    outExtension: { '.js': '.js' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: NODE_TARGET,
    external: MAIN_EXTERNALS,
    sourcemap: 'linked',
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  return result.metafile;
}

async function buildPreload(out) {
  await rm(path.join(out, 'preload'), { recursive: true, force: true });
  // A sandboxed preload cannot load other files: everything it uses must be inside this one CJS file,
  // and the only module it may require is `electron`.
  const result = await esbuild({
    absWorkingDir: ROOT,
    entryPoints: ['src/preload/preload.ts'],
    outfile: path.join(out, 'preload', 'preload.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: CHROME_TARGET,
    external: ['electron'],
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  return result.metafile;
}

async function buildRenderer(out) {
  const { build } = await import('vite');
  await build({
    configFile: path.join(ROOT, 'vite.renderer.config.ts'),
    logLevel: 'warn',
    build: { outDir: path.join(out, 'renderer'), emptyOutDir: true },
  });
}

async function copyModelManifest(out) {
  // The packaged app reads models from extraResources; this copy inside app.asar records which pack the
  // build was made and tested against, so a mismatched resources folder can be diagnosed from the asar.
  const to = path.join(out, 'models', 'manifest.json');
  await mkdir(path.dirname(to), { recursive: true });
  await copyFile(path.join(ROOT, 'resources', 'models', 'manifest.json'), to);
}

async function sizeOf(file) {
  return (await stat(file)).size;
}

async function timed(label, fn) {
  const t0 = performance.now();
  const value = await fn();
  console.log(`${label}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return value;
}

/** Builds everything into `out` (default dist/). */
export async function buildElectron({ out = path.join(ROOT, 'dist'), renderer = true } = {}) {
  const t0 = performance.now();
  await timed('main', () => buildMain(out));
  await timed('preload', () => buildPreload(out));
  if (renderer) await timed('renderer', () => buildRenderer(out));
  await copyModelManifest(out);
  for (const f of ['main/app/electron-main.js', 'main/app/studio-worker.js', 'preload/preload.cjs']) {
    console.log(`  ${path.relative(ROOT, path.join(out, f))}  ${(await sizeOf(path.join(out, f))).toLocaleString('en')} bytes`);
  }
  console.log(`build-electron: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

function parseArgs(argv) {
  const options = { renderer: true };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--skip-renderer') options.renderer = false;
    else if (argv[i] === '--out' && argv[i + 1]) options.out = path.resolve(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]}; usage: build-electron.mjs [--out DIR] [--skip-renderer]`);
  }
  return options;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  Promise.resolve()
    .then(() => buildElectron(parseArgs(process.argv.slice(2))))
    .catch((e) => {
      console.error(`build-electron: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    });
}
