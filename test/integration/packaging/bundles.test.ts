/**
 * The Electron bundles from scripts/build-electron.mjs, checked without Electron: the preload is one
 * CommonJS file exposing exactly the contract's bridge; the main bundle leaves only Node built-ins and the
 * native/Electron externals to run time; the worker bundle really analyses a video in a worker thread.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_METHODS, IPC_EVENT_CHANNEL, ipcChannel, type M3cBridge } from '../../../src/shared/api/contract.ts';
import type { AnalysisOutcome, FromWorker, ToWorker } from '../../../src/main/services/worker-tasks.ts';
import { mediaPath } from '../../helpers/media.ts';
import { ROOT, runNode } from './helpers.ts';

/** Every key of M3cBridge, and nothing else (checked both ways by the two type assertions below). */
const BRIDGE_KEYS = ['invoke', 'onEvent'] as const satisfies readonly (keyof M3cBridge)[];
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const bridgeKeysAreExact: Exact<(typeof BRIDGE_KEYS)[number], keyof M3cBridge> = true;

const MAIN_EXTERNALS = new Set(['electron', 'better-sqlite3', 'onnxruntime-node']);

/** A stand-in checkout: <stage>/dist built here, <stage>/node_modules and <stage>/resources linked to the real ones. */
let stage: string;
let out: string;

beforeAll(async () => {
  stage = mkdtempSync(path.join(os.tmpdir(), 'm3c-bundles-'));
  out = path.join(stage, 'dist');
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(stage, 'node_modules'), 'dir');
  symlinkSync(path.join(ROOT, 'resources'), path.join(stage, 'resources'), 'dir');
  await runNode('scripts/build-electron.mjs', ['--out', out, '--skip-renderer']);
});

afterAll(() => {
  if (stage) rmSync(stage, { recursive: true, force: true });
});

interface FakeIpc {
  readonly invoked: [string, unknown][];
  readonly listeners: Map<string, Set<(...a: unknown[]) => void>>;
}

/** Evaluates the preload as Electron's sandbox does: a CommonJS function whose only module is `electron`. */
function loadPreload(): { exposed: Map<string, unknown>; ipc: FakeIpc; required: string[] } {
  const source = readFileSync(path.join(out, 'preload', 'preload.cjs'), 'utf8');
  const exposed = new Map<string, unknown>();
  const ipc: FakeIpc = { invoked: [], listeners: new Map() };
  const required: string[] = [];
  const electron = {
    contextBridge: {
      exposeInMainWorld(key: string, api: unknown) {
        if (exposed.has(key)) throw new Error(`${key} exposed twice`);
        exposed.set(key, api);
      },
    },
    ipcRenderer: {
      invoke(channel: string, params: unknown) {
        ipc.invoked.push([channel, params]);
        return Promise.resolve({ ok: true, value: channel });
      },
      on(channel: string, fn: (...a: unknown[]) => void) {
        if (!ipc.listeners.has(channel)) ipc.listeners.set(channel, new Set());
        ipc.listeners.get(channel)?.add(fn);
      },
      removeListener(channel: string, fn: (...a: unknown[]) => void) {
        ipc.listeners.get(channel)?.delete(fn);
      },
    },
  };
  const requireInSandbox = (id: string): unknown => {
    required.push(id);
    if (id === 'electron') return electron;
    throw new Error(`a sandboxed preload cannot require "${id}"`);
  };
  const module = { exports: {} as Record<string, unknown> };
  // Wrapping it the way CommonJS does makes any top-level import/export a syntax error here.
  const fn = vm.runInNewContext(`(function (exports, require, module) {\n${source}\n})`, {}, { filename: 'preload.cjs' }) as (
    e: unknown,
    r: (id: string) => unknown,
    m: unknown,
  ) => void;
  fn(module.exports, requireInSandbox, module);
  return { exposed, ipc, required };
}

describe('preload bundle', () => {
  it('is one CommonJS file that requires only electron and exposes exactly the M3cBridge as window.m3c', () => {
    expect(bridgeKeysAreExact).toBe(true);
    const { exposed, required } = loadPreload();
    expect([...new Set(required)]).toEqual(['electron']);
    expect([...exposed.keys()]).toEqual(['m3c']);
    const bridge = exposed.get('m3c') as Record<string, unknown>;
    expect(Object.keys(bridge).sort()).toEqual([...BRIDGE_KEYS].sort());
    for (const k of BRIDGE_KEYS) expect(typeof bridge[k]).toBe('function');
  });

  it('sends every contract method on its contract channel and refuses names that are not methods', async () => {
    const { exposed, ipc } = loadPreload();
    const bridge = exposed.get('m3c') as M3cBridge;
    for (const method of API_METHODS) await bridge.invoke(method, { probe: method });
    expect(ipc.invoked).toEqual(API_METHODS.map((m) => [ipcChannel(m), { probe: m }]));

    const refused = await bridge.invoke('../evil' as (typeof API_METHODS)[number], {});
    expect(refused).toMatchObject({ ok: false, error: { code: 'usage' } });
    expect(ipc.invoked).toHaveLength(API_METHODS.length);
  });

  it('subscribes to the contract event channel and unsubscribes', () => {
    const { exposed, ipc } = loadPreload();
    const bridge = exposed.get('m3c') as M3cBridge;
    const seen: unknown[] = [];
    const off = bridge.onEvent((e) => seen.push(e));
    const listeners = ipc.listeners.get(IPC_EVENT_CHANNEL);
    expect(listeners?.size).toBe(1);
    for (const l of listeners ?? []) l({ sender: 'ipc' }, { type: 'analysis-ready' });
    expect(seen).toEqual([{ type: 'analysis-ready' }]);
    off();
    expect(listeners?.size).toBe(0);
  });
});

describe('main bundles', () => {
  const importsOf = (file: string): string[] => {
    const code = readFileSync(file, 'utf8');
    const specs = [...code.matchAll(/\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)|^import\s*["']([^"']+)["']/gm)].map((m) => m[1] ?? m[2] ?? m[3]);
    return [...new Set(specs)];
  };

  it('leave only Node built-ins, electron and the native addons to run time', () => {
    for (const name of ['electron-main.js', 'studio-worker.js']) {
      const file = path.join(out, 'main', 'app', name);
      const code = readFileSync(file, 'utf8');
      const specs = importsOf(file);
      expect(specs.length).toBeGreaterThan(3);
      for (const s of specs) expect(s.startsWith('node:') || MAIN_EXTERNALS.has(s), `${name} imports ${s}`).toBe(true);
      // esbuild's require shim throws in an ESM bundle: a CommonJS dependency slipped in.
      expect(code).not.toMatch(/\b__require\b/);
      // Sources are gone: no TypeScript specifiers left to resolve at run time.
      expect(specs.some((s) => s.endsWith('.ts'))).toBe(false);
    }
    expect(importsOf(path.join(out, 'main', 'app', 'electron-main.js'))).toContain('electron');
    expect(importsOf(path.join(out, 'main', 'app', 'studio-worker.js'))).not.toContain('electron');
  });

  it('sit at the depth of their sources, so module-relative resource paths reach resources/', () => {
    // package.json "main" names the bundle Electron starts.
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { main: string };
    expect(pkg.main).toBe('dist/main/app/electron-main.js');
    // The walk src/main/inference/manifest.ts makes from its module, taken from the bundle.
    const bundle = pathToFileURL(path.join(out, 'main', 'app', 'electron-main.js'));
    expect(existsSync(bundle)).toBe(true);
    expect(existsSync(new URL('../../../resources/models/manifest.json', bundle))).toBe(true);
    expect(existsSync(new URL('../../../resources/prompts/v1/manifest.json', bundle))).toBe(true);
  });

  // Loads onnxruntime-node and the model manifest the way the packaged app does: from beside the bundle.
  it('the worker bundle analyses a real video in a plain Node worker thread', async () => {
    const worker = new Worker(`import(${JSON.stringify(pathToFileURL(path.join(out, 'main', 'app', 'studio-worker.js')).href)})`, { eval: true });
    const progress: string[] = [];
    try {
      const outcome = await new Promise<AnalysisOutcome>((resolve, reject) => {
        worker.on('message', (m: FromWorker) => {
          if (m.type === 'progress') progress.push(m.stage);
          else if (m.type === 'result') resolve(m.value as AnalysisOutcome);
          else if (m.type === 'error') reject(new Error(`${m.code}: ${m.message}`));
        });
        worker.on('error', reject);
        const run: ToWorker = {
          type: 'run',
          task: { kind: 'analysis', input: mediaPath('video/carphone.mp4'), geometry: { width: 176, height: 144, fpsNum: 8, fpsDen: 1 }, modelsDir: null },
        };
        worker.postMessage(run);
      });
      // carphone: 120 frames at 29.97 fps, resampled to 8 fps.
      expect(outcome.frameCount).toBe(32);
      expect(outcome.signals.byteLength).toBeGreaterThan(1000);
      expect(outcome.embedderId).not.toBe('');
      expect(progress.length).toBeGreaterThan(0);
    } finally {
      await worker.terminate();
    }
  });
});
