/**
 * The Electron shell in plain Node: `electron` is replaced by a recording fake (no Electron binary exists here),
 * everything else (StudioService, SQLite) is real.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startElectronStudio, registerSchemes } from '../../../src/main/app/studio-app.ts';
import { API_METHODS, IPC_CHANNEL_PREFIX, IPC_EVENT_CHANNEL, ipcChannel, MEDIA_SCHEME, type Envelope } from '../../../src/shared/api/contract.ts';

type Handler = (...args: unknown[]) => unknown;

const fake = vi.hoisted(() => {
  const state = {
    handlers: new Map<string, Handler>(),
    protocolHandlers: new Map<string, (req: Request) => Promise<Response>>(),
    privileged: [] as unknown[],
    windows: [] as FakeWindow[],
    headerHooks: [] as Handler[],
    permissionHandler: undefined as Handler | undefined,
    appListeners: new Map<string, Handler>(),
    exposed: new Map<string, unknown>(),
    rendererInvokes: [] as [string, unknown][],
    rendererListeners: new Map<string, Handler[]>(),
    dialogResult: null as string | null,
  };
  class FakeContents {
    listeners = new Map<string, Handler[]>();
    sent: [string, unknown][] = [];
    openHandler: Handler | undefined;
    destroyed = false;
    on(name: string, fn: Handler) {
      this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn]);
      return this;
    }
    once(name: string, fn: Handler) {
      return this.on(name, fn);
    }
    emit(name: string, ...args: unknown[]) {
      for (const fn of this.listeners.get(name) ?? []) fn(...args);
    }
    setWindowOpenHandler(fn: Handler) {
      this.openHandler = fn;
    }
    send(channel: string, payload: unknown) {
      this.sent.push([channel, payload]);
    }
    isDestroyed() {
      return this.destroyed;
    }
  }
  class FakeWindow {
    options: unknown;
    webContents = new FakeContents();
    loaded: string | undefined;
    constructor(options: unknown) {
      this.options = options;
      state.windows.push(this);
    }
    once() {
      return this;
    }
    show() {}
    async loadFile(file: string) {
      this.loaded = file;
    }
  }
  return { state, FakeWindow, FakeContents };
});

vi.mock('electron', () => {
  const { state, FakeWindow } = fake;
  return {
    app: {
      on: (name: string, fn: Handler) => state.appListeners.set(name, fn),
      whenReady: () => new Promise(() => undefined),
      enableSandbox: () => undefined,
      quit: () => undefined,
    },
    ipcMain: {
      handle: (channel: string, fn: Handler) => {
        if (state.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
        state.handlers.set(channel, fn);
      },
      removeHandler: (channel: string) => state.handlers.delete(channel),
    },
    protocol: {
      handle: (scheme: string, fn: (req: Request) => Promise<Response>) => state.protocolHandlers.set(scheme, fn),
      registerSchemesAsPrivileged: (list: unknown[]) => state.privileged.push(...list),
    },
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived: (fn: Handler) => state.headerHooks.push(fn) },
        setPermissionRequestHandler: (fn: Handler) => (state.permissionHandler = fn),
      },
    },
    dialog: {
      showOpenDialog: async () => ({ canceled: state.dialogResult === null, filePaths: state.dialogResult ? [state.dialogResult] : [] }),
      showSaveDialog: async () => ({ canceled: state.dialogResult === null, filePath: state.dialogResult ?? undefined }),
    },
    BrowserWindow: FakeWindow,
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => state.exposed.set(key, api) },
    ipcRenderer: {
      invoke: async (channel: string, params: unknown) => (state.rendererInvokes.push([channel, params]), { ok: true, value: 'answer' }),
      on: (channel: string, fn: Handler) => state.rendererListeners.set(channel, [...(state.rendererListeners.get(channel) ?? []), fn]),
      removeListener: (channel: string, fn: Handler) => state.rendererListeners.set(channel, (state.rendererListeners.get(channel) ?? []).filter((f) => f !== fn)),
    },
  };
});


describe('Electron shell (electron mocked)', () => {
  let dir: string;
  let rendererDir: string;
  let studio: Awaited<ReturnType<typeof startElectronStudio>>;
  const trustedFrame = () => ({ senderFrame: { url: pathToFileURL(path.join(rendererDir, 'index.html')).href } });
  const call = (method: string, params: unknown, event: unknown = trustedFrame()) =>
    fake.state.handlers.get(`${IPC_CHANNEL_PREFIX}${method}`)!(event, params) as Promise<Envelope<unknown>>;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-electron-'));
    rendererDir = path.join(dir, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html>');
    registerSchemes();
    studio = startElectronStudio({ projectsDir: path.join(dir, 'projects'), rendererDir, preloadPath: path.join(dir, 'preload.cjs') });
  });
  afterAll(async () => {
    await studio?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers exactly one ipcMain handler per contract method', () => {
    expect([...fake.state.handlers.keys()].sort()).toEqual(API_METHODS.map((m) => ipcChannel(m)).sort());
  });

  it('creates the window isolated, sandboxed, without Node, with the preload, loading the built renderer', () => {
    const win = fake.state.windows[0];
    const prefs = (win.options as { webPreferences: Record<string, unknown> }).webPreferences;
    expect(prefs).toMatchObject({ contextIsolation: true, nodeIntegration: false, sandbox: true, webSecurity: true, webviewTag: false, preload: path.join(dir, 'preload.cjs') });
    expect(win.loaded).toBe(path.join(rendererDir, 'index.html'));
  });

  it('blocks navigation away from the renderer and every new window', () => {
    const contents = fake.state.windows[0].webContents;
    const navigate = (url: string) => {
      let prevented = false;
      contents.emit('will-navigate', { preventDefault: () => (prevented = true) }, url);
      return prevented;
    };
    expect(navigate('https://example.com/')).toBe(true);
    expect(navigate('file:///etc/passwd')).toBe(true);
    expect(navigate(pathToFileURL(path.join(rendererDir, 'index.html')).href)).toBe(false);
    expect(contents.openHandler?.({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    let webview = false;
    contents.emit('will-attach-webview', { preventDefault: () => (webview = true) });
    expect(webview).toBe(true);
  });

  it('adds a strict CSP to every response and refuses permission requests', () => {
    let headers: Record<string, string[]> = {};
    fake.state.headerHooks[0]({ responseHeaders: { 'X-Other': ['1'] } }, (r: { responseHeaders: Record<string, string[]> }) => (headers = r.responseHeaders));
    const csp = headers['Content-Security-Policy'][0];
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-eval');
    expect(headers['X-Other']).toEqual(['1']);
    let granted: boolean | undefined;
    fake.state.permissionHandler?.({}, 'media', (ok: boolean) => (granted = ok));
    expect(granted).toBe(false);
    expect(fake.state.privileged).toEqual([expect.objectContaining({ scheme: MEDIA_SCHEME })]);
  });

  it('every IPC handler calls the service with its method and params', async () => {
    const spy = vi.spyOn(studio.service, 'call');
    for (const method of API_METHODS) {
      await call(method, { probe: method });
      expect(spy).toHaveBeenLastCalledWith(method, { probe: method });
    }
    expect(spy).toHaveBeenCalledTimes(API_METHODS.length);
    spy.mockRestore();
  });

  it('answers with envelopes: real results, validation errors as { code, message }', async () => {
    const created = await call('createProject', { name: 'ipc' });
    expect(created).toMatchObject({ ok: true, value: { name: 'ipc' } });
    const listed = await call('listProjects', {});
    expect(listed.ok && (listed.value as { name: string }[]).map((p) => p.name)).toEqual(['ipc']);
    expect(await call('importSource', { projectId: 1, path: '/etc/passwd' })).toMatchObject({ ok: false, error: { code: 'input' } });
    expect(await call('importSource', { projectId: 1, path: '../x.mp4' })).toMatchObject({ ok: false, error: { code: 'input', message: expect.stringMatching(/absolute/) } });
    expect(await call('renameProject', { projectId: 'x', name: 'y' })).toMatchObject({ ok: false, error: { code: 'usage' } });
  });

  it('refuses calls from frames other than the renderer', async () => {
    for (const url of ['https://evil.example/', 'file:///tmp/other.html', '']) {
      expect(await call('listProjects', {}, { senderFrame: { url } })).toMatchObject({ ok: false, error: { code: 'usage' } });
    }
    expect(await call('listProjects', {}, {})).toMatchObject({ ok: false });
  });

  it('forwards service events to the window', async () => {
    const contents = fake.state.windows[0].webContents;
    const before = contents.sent.length;
    (studio.service as unknown as { ctx: { emit(e: unknown): void } }).ctx.emit({ type: 'encodes-changed', projectId: 1 });
    expect(contents.sent.slice(before)).toEqual([[IPC_EVENT_CHANNEL, { type: 'encodes-changed', projectId: 1 }]]);
  });

  it('the file dialog allows exactly the picked file for import', async () => {
    const video = path.join(dir, 'picked.mp4');
    writeFileSync(video, 'not really a video');
    expect(await call('importSource', { projectId: 1, path: video })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/outside the folders/) } });
    fake.state.dialogResult = video;
    expect(await call('chooseSourceFile', {})).toEqual({ ok: true, value: { path: video } });
    // Now allowed past the path check; it fails later because the bytes are not a video.
    expect(await call('importSource', { projectId: 1, path: video })).toMatchObject({ ok: false, error: { code: 'input', message: expect.stringMatching(/not a video/) } });
    fake.state.dialogResult = null;
  });

  it('the media protocol refuses malformed refs', async () => {
    const handler = fake.state.protocolHandlers.get(MEDIA_SCHEME)!;
    expect((await handler(new Request(`${MEDIA_SCHEME}://media/..%2f..%2fstudio.db`))).status).toBe(404);
    expect((await handler(new Request(`${MEDIA_SCHEME}://other/thumb/1/1`))).status).toBe(404);
    expect((await handler(new Request(`${MEDIA_SCHEME}://media/thumb/77/1`))).status).toBe(404);
  });
});

describe('preload (electron mocked)', () => {
  it('exposes exactly { invoke, onEvent } as window.m3c on the contract channels', async () => {
    await import('../../../src/preload/preload.ts');
    const bridge = fake.state.exposed.get('m3c') as { invoke(m: string, p: unknown): Promise<unknown>; onEvent(l: (e: unknown) => void): () => void };
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'onEvent']);
    expect(await bridge.invoke('listProjects', { a: 1 })).toEqual({ ok: true, value: 'answer' });
    expect(fake.state.rendererInvokes.at(-1)).toEqual([ipcChannel('listProjects'), { a: 1 }]);
    expect(await bridge.invoke('../evil', {})).toMatchObject({ ok: false, error: { code: 'usage' } });
    expect(fake.state.rendererInvokes).toHaveLength(1);
    const got: unknown[] = [];
    const off = bridge.onEvent((e) => got.push(e));
    for (const fn of fake.state.rendererListeners.get(IPC_EVENT_CHANNEL) ?? []) fn({}, { type: 'encodes-changed', projectId: 2 });
    expect(got).toEqual([{ type: 'encodes-changed', projectId: 2 }]);
    off();
    expect(fake.state.rendererListeners.get(IPC_EVENT_CHANNEL)).toEqual([]);
  });
});
