/**
 * Builds the studio and packs it with `electron-builder --linux dir` against the stand-in electronDist
 * (no Electron binary exists here), then reads the packed app.asar. Proves the packed layout, not that
 * Electron runs it. Skipped when M3C_SKIP_PACKAGING=1.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import * as asar from '@electron/asar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outsideAsar } from '../../../src/main/util/resources-dir.ts';
import { ROOT, runNode } from './helpers.ts';
import { rendererIsFresh } from '../../helpers/renderer-build.ts';

const SKIP = process.env.M3C_SKIP_PACKAGING === '1';

describe.skipIf(SKIP)('electron-builder --linux dir', () => {
  let tmp: string;
  let appDir: string;
  let archive: string;
  let files: Set<string>;

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'm3c-pack-'));
    // The renderer is rebuilt only when stale, so the end-to-end test running beside this one never
    // finds dist/renderer emptied under it.
    const build = await runNode('scripts/build-electron.mjs', rendererIsFresh() ? ['--skip-renderer'] : []);
    const stub = path.join(tmp, 'electron-stub');
    await runNode('scripts/electron-stub.mjs', [stub]);
    const pack = await runNode('node_modules/electron-builder/cli.js', [
      '--linux',
      'dir',
      '--config',
      'electron-builder.yml',
      `-c.electronDist=${stub}`,
      // A rebuild would look for Electron's headers, which cannot be downloaded here.
      '-c.npmRebuild=false',
      `-c.directories.output=${path.join(tmp, 'out')}`,
    ]);
    console.log(`packaging: build ${build.seconds.toFixed(1)} s, electron-builder --linux dir ${pack.seconds.toFixed(1)} s`);
    appDir = path.join(tmp, 'out', 'linux-unpacked');
    archive = path.join(appDir, 'resources', 'app.asar');
    files = new Set(asar.listPackage(archive, { isPack: false }).map((f) => f.split(path.sep).join('/')));
  }, 240_000);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const read = (file: string): Buffer => asar.extractFile(archive, file);

  it('app.asar holds package.json, the main and worker bundles and the preload, byte for byte as built', () => {
    const pkg = JSON.parse(read('package.json').toString('utf8')) as { main: string };
    expect(files.has(`/${pkg.main}`)).toBe(true);
    for (const f of ['dist/main/app/electron-main.js', 'dist/main/app/studio-worker.js', 'dist/preload/preload.cjs']) {
      expect(files.has(`/${f}`), f).toBe(true);
      expect(read(f).equals(readFileSync(path.join(ROOT, f))), f).toBe(true);
    }
  });

  it('app.asar holds the renderer: index.html and every asset it references', () => {
    const html = read('dist/renderer/index.html').toString('utf8');
    const refs = [...html.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => m[1]);
    expect(refs.some((r) => r.startsWith('assets/') && r.endsWith('.js'))).toBe(true);
    for (const r of refs) expect(files.has(`/dist/renderer/${r}`), r).toBe(true);
    const packedAssets = [...files].filter((f) => f.startsWith('/dist/renderer/assets/'));
    expect(packedAssets.sort()).toEqual(readdirSync(path.join(ROOT, 'dist/renderer/assets')).map((f) => `/dist/renderer/assets/${f}`).sort());
  });

  it('app.asar holds the model manifest the build was made against', () => {
    const packed = JSON.parse(read('dist/models/manifest.json').toString('utf8')) as { schema: number; packId: string };
    expect(packed).toEqual(JSON.parse(readFileSync(path.join(ROOT, 'resources/models/manifest.json'), 'utf8')));
    expect(typeof packed.packId).toBe('string');
  });

  it('app.asar holds nothing but package.json, dist and runtime node_modules', () => {
    const tops = new Set([...files].map((f) => f.split('/')[1]));
    expect([...tops].sort()).toEqual(['dist', 'node_modules', 'package.json']);
    const leaked = [...files].filter((f) => f.endsWith('.map') || f.endsWith('.ts') && !f.endsWith('.d.ts') || f.startsWith('/dist/electron-stub'));
    expect(leaked).toEqual([]);
    for (const bundled of ['react', 'react-dom', '@mui', 'tsx', 'ws']) expect(files.has(`/node_modules/${bundled}`), bundled).toBe(false);
    for (const runtime of ['better-sqlite3', 'onnxruntime-node', 'onnxruntime-common']) expect(files.has(`/node_modules/${runtime}/package.json`), runtime).toBe(true);
  });

  it('native addons are unpacked beside the archive, for linux-x64 only', () => {
    const natives = [...files].filter((f) => f.endsWith('.node'));
    expect(natives.length).toBeGreaterThanOrEqual(2);
    for (const f of natives) {
      expect(asar.statFile(archive, f.slice(1)), f).toMatchObject({ unpacked: true });
      expect(existsSync(path.join(appDir, 'resources', 'app.asar.unpacked', f)), f).toBe(true);
    }
    expect(natives).toContain('/node_modules/better-sqlite3/build/Release/better_sqlite3.node');
    const onnx = natives.filter((f) => f.includes('/onnxruntime-node/'));
    expect(onnx.length).toBeGreaterThan(0);
    for (const f of onnx) expect(f, f).toMatch(/\/bin\/napi-v\d+\/linux\/x64\//);
  });

  it('models and prompts lie beside app.asar where the bundled code looks for them', () => {
    const resources = path.join(appDir, 'resources');
    // src/main/inference/manifest.ts and src/main/lmm/prompts.ts walk ../../../resources from their bundle in
    // dist/main/app, then step out of the archive.
    const fromBundle = (rel: string): string => outsideAsar(path.resolve(archive, 'dist/main/app', '../../..', 'resources', rel));
    expect(fromBundle('models')).toBe(path.join(resources, 'resources', 'models'));
    expect(readFileSync(fromBundle('models/manifest.json'), 'utf8')).toBe(readFileSync(path.join(ROOT, 'resources/models/manifest.json'), 'utf8'));
    for (const f of readdirSync(path.join(ROOT, 'resources/prompts/v1'))) {
      expect(statSync(fromBundle(`prompts/v1/${f}`)).size, f).toBe(statSync(path.join(ROOT, 'resources/prompts/v1', f)).size);
    }
  });

  it('the executable is the stand-in, named after the app', async () => {
    const exe = path.join(appDir, 'm3c-studio');
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(exe, [], (err, _stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stderr }));
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Electron binary unavailable in this environment');
  });
});
