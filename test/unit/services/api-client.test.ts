import { describe, expect, it } from 'vitest';
import {
  API_METHODS,
  ApiCallError,
  base64ToBytes,
  bytesToBase64,
  connectStudio,
  createApiClient,
  createIpcTransport,
  mediaRefs,
  parseMediaRef,
  tokenFromSearch,
  type ApiTransport,
  type M3cBridge,
  type StudioEvent,
} from '../../../src/shared/api/index.ts';

describe('shared API client', () => {
  it('exposes every contract method and passes one params object through the transport', async () => {
    const calls: [string, unknown][] = [];
    const transport: ApiTransport = {
      mode: 'web',
      invoke: async (m, p) => (calls.push([m, p]), { echoed: m }),
      subscribe: () => () => undefined,
      mediaUrl: (r) => `u:${r}`,
    };
    const client = createApiClient(transport);
    for (const m of API_METHODS) expect(typeof client[m], m).toBe('function');
    expect(await client.renameProject({ projectId: 3, name: 'n' })).toEqual({ echoed: 'renameProject' });
    expect(calls).toEqual([['renameProject', { projectId: 3, name: 'n' }]]);
    expect(client.mediaUrl(mediaRefs.thumbnail(1, 2))).toBe('u:thumb/1/2');
  });

  it('turns rejections into ApiCallError with the code, unknown shapes into internal', async () => {
    const failing = (value: unknown): ApiTransport => ({ mode: 'web', invoke: () => Promise.reject(value), subscribe: () => () => undefined, mediaUrl: String });
    const e1 = await createApiClient(failing({ code: 'input', message: 'no such project' })).listProjects({}).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(ApiCallError);
    expect(e1).toMatchObject({ code: 'input', message: 'no such project', method: 'listProjects' });
    const e2 = await createApiClient(failing({ code: 'bogus', message: 'm' })).listProjects({}).catch((e: unknown) => e);
    expect(e2).toMatchObject({ code: 'internal', message: 'm' });
  });

  it('IPC transport unwraps envelopes and uses the media scheme', async () => {
    const listeners: ((e: StudioEvent) => void)[] = [];
    const bridge: M3cBridge = {
      invoke: async (method) => (method === 'listProjects' ? { ok: true, value: [] } : { ok: false, error: { code: 'usage', message: 'bad' } }),
      onEvent: (l) => (listeners.push(l), () => undefined),
    };
    const client = connectStudio({ m3c: bridge, location: { origin: 'file://', search: '' }, fetch: () => Promise.reject(new Error('unused')), openWebSocket: () => { throw new Error('unused'); } });
    expect(client.mode).toBe('electron');
    expect(await client.listProjects({})).toEqual([]);
    await expect(client.getSettings({})).rejects.toMatchObject({ code: 'usage', message: 'bad' });
    const got: StudioEvent[] = [];
    client.onEvent((e) => got.push(e));
    listeners[0]({ type: 'encodes-changed', projectId: 1 });
    expect(got).toHaveLength(1);
    expect(createIpcTransport(bridge).mediaUrl('original/4')).toBe('m3c-media://media/original/4');
  });

  it('web mode needs the token from the URL', () => {
    expect(tokenFromSearch('?a=1&token=abc123')).toBe('abc123');
    expect(tokenFromSearch('?tokens=abc')).toBeUndefined();
    const globals = { location: { origin: 'http://127.0.0.1:1', search: '' }, fetch: () => Promise.reject(new Error('x')), openWebSocket: () => { throw new Error('x'); } };
    expect(() => connectStudio(globals)).toThrow(/access token/);
    expect(connectStudio({ ...globals, location: { origin: 'http://127.0.0.1:1', search: '?token=ff' } }).mediaUrl('signals/2')).toBe('http://127.0.0.1:1/media/signals/2?token=ff');
  });

  it('media refs round-trip through the strict parser; anything else is refused', () => {
    expect(parseMediaRef(mediaRefs.preview(7, 120))).toEqual({ kind: 'preview', sourceId: 7, frame: 120 });
    expect(parseMediaRef(mediaRefs.download(3, 'mp4'))).toEqual({ kind: 'download', encodeId: 3, format: 'mp4' });
    expect(parseMediaRef(mediaRefs.reconstruction(9))).toEqual({ kind: 'reconstruction', encodeId: 9 });
    for (const bad of ['', 'thumb', 'thumb/1', 'thumb/1/2/3', 'thumb/-1/2', 'thumb/01/2', 'thumb/1/1e3', '../thumb/1/2', 'download/1/exe', 'original/1/', 'x/1']) {
      expect(parseMediaRef(bad), bad).toBeUndefined();
    }
  });

  it('base64 matches Buffer for every length and rejects garbage', () => {
    for (let n = 0; n < 70; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 255);
      const b64 = bytesToBase64(bytes);
      expect(b64).toBe(Buffer.from(bytes).toString('base64'));
      expect(base64ToBytes(b64)).toEqual(bytes);
    }
    expect(() => base64ToBytes('ab$d')).toThrow(/invalid base64/);
  });
});
