import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWebStudio, type WebStudio } from '../../../src/main/server/index.ts';
import { createApiClient, createHttpTransport, ApiCallError, type StudioEvent } from '../../../src/shared/api/index.ts';
import { mediaPath, MEDIA_DIR, HAS_MEDIA } from '../../helpers/media.ts';
import { request, type Reply } from '../../helpers/raw-http.ts';


function wsOutcome(url: string, headers: Record<string, string> = {}): Promise<{ opened: boolean; status?: number; ws?: WebSocket }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => resolve({ opened: true, ws }));
    ws.on('unexpected-response', (_req, res) => resolve({ opened: false, status: res.statusCode }));
    ws.on('error', () => resolve({ opened: false }));
  });
}

describe('web studio bridge: security and transport', () => {
  let dir: string;
  let rendererDir: string;
  let studio: WebStudio;
  let api: (method: string, body: unknown, headers?: Record<string, string>) => Promise<Reply>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-web-'));
    rendererDir = path.join(dir, 'renderer');
    mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
    writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>studio</title><script src="./assets/app.js"></script>');
    writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(path.join(dir, 'secret.txt'), 'outside');
    symlinkSync(path.join(dir, 'secret.txt'), path.join(rendererDir, 'assets', 'link.txt'));
    studio = await startWebStudio({ port: 0, projectsDir: path.join(dir, 'projects'), rendererDir, importRoots: [MEDIA_DIR] });
    api = (method, body, headers = {}) =>
      request(studio.port, { method: 'POST', path: `/api/${method}`, body: JSON.stringify(body), headers: { 'content-type': 'application/json', 'x-m3c-token': studio.token, ...headers } });
  });

  afterAll(async () => {
    await studio?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 only, with a 64-hex-digit token in the printed URL', async () => {
    expect(studio.address.address).toBe('127.0.0.1');
    expect(studio.token).toMatch(/^[0-9a-f]{64}$/);
    expect(studio.url).toBe(`http://127.0.0.1:${studio.port}/?token=${studio.token}`);
    const other = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal);
    const addresses = [other?.address, '127.0.0.2'].filter((a): a is string => !!a);
    for (const address of addresses) {
      const connected = await new Promise<boolean>((resolve) => {
        const s = net.connect({ host: address, port: studio.port });
        s.once('connect', () => (s.destroy(), resolve(true)));
        s.once('error', () => resolve(false));
      });
      expect(connected, `reachable through ${address}`).toBe(false);
    }
  });

  it('refuses requests without the token (401) or with a wrong one (403)', async () => {
    expect((await api('listProjects', {}, { 'x-m3c-token': '' })).status).toBe(403);
    const none = await request(studio.port, { method: 'POST', path: '/api/listProjects', body: '{}' });
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body).message).toMatch(/token/);
    expect((await api('listProjects', {}, { 'x-m3c-token': 'ab'.repeat(32) })).status).toBe(403);
    // A token in the query does not authorise a POST (only the header does).
    expect((await request(studio.port, { method: 'POST', path: `/api/listProjects?token=${studio.token}`, body: '{}' })).status).toBe(401);
    expect((await request(studio.port, { path: '/' })).status).toBe(401);
    expect((await request(studio.port, { path: `/media/thumb/1/0` })).status).toBe(401);
    expect((await api('listProjects', {})).status).toBe(200);
  });

  it('refuses other Origins and other Host names (DNS rebinding)', async () => {
    expect((await api('listProjects', {}, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await api('listProjects', {}, { origin: `http://127.0.0.1:${studio.port + 1}` })).status).toBe(403);
    expect((await api('listProjects', {}, { origin: `http://127.0.0.1:${studio.port}` })).status).toBe(200);
    expect((await api('listProjects', {}, { host: `evil.example:${studio.port}` })).status).toBe(403);
    expect((await api('listProjects', {}, { host: `127.0.0.1:${studio.port + 1}` })).status).toBe(403);
    expect((await request(studio.port, { path: `/?token=${studio.token}`, headers: { host: `rebind.example:${studio.port}` } })).status).toBe(403);
  });

  it('refuses WebSockets without the token, with a wrong one or from another Origin; accepts the right one', async () => {
    const base = `ws://127.0.0.1:${studio.port}/events`;
    expect(await wsOutcome(base)).toMatchObject({ opened: false, status: 401 });
    expect(await wsOutcome(`${base}?token=${'0'.repeat(64)}`)).toMatchObject({ opened: false, status: 403 });
    expect(await wsOutcome(`${base}?token=${studio.token}`, { origin: 'http://evil.example' })).toMatchObject({ opened: false, status: 403 });
    const ok = await wsOutcome(`${base}?token=${studio.token}`, { origin: studio.origin });
    expect(ok.opened).toBe(true);
    // The token gate holds for the whole connection's life: events are checked end to end in the transport test below.
    ok.ws!.close();
  });

  it('rejects path traversal in static files, media refs and imported paths', async () => {
    const q = `?token=${studio.token}`;
    const page = await request(studio.port, { path: `/${q}` });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(String(page.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    // The page's assets load with the cookie alone.
    const cookie = String(page.headers['set-cookie']).split(';')[0];
    expect((await request(studio.port, { path: '/assets/app.js', headers: { cookie } })).status).toBe(200);
    for (const p of ['/..%2fsecret.txt', '/assets/..%2f..%2fsecret.txt', '/%2e%2e/secret.txt', '/assets/link.txt', '/assets/%00.js']) {
      const r = await request(studio.port, { path: `${p}${q}` });
      expect(r.status, p).toBe(404);
      expect(r.body).not.toContain('outside');
    }
    // URL parsing folds "/media/../studio.db" into "/studio.db", which is not a renderer file.
    const dotdot = await request(studio.port, { path: `/media/../studio.db${q}` });
    expect(dotdot.status).toBe(404);
    expect(dotdot.body).not.toContain('SQLite');
    for (const ref of ['..%2fstudio.db', 'thumb/1/..%2f..', 'download/1/exe', 'thumb/01/2', 'signals/1/x']) {
      expect((await request(studio.port, { path: `/media/${ref}${q}` })).status, ref).toBe(400);
    }
    const project = JSON.parse((await api('createProject', { name: 'paths' })).body) as { id: number };
    for (const p of ['/etc/passwd', 'relative/video.mp4', `${MEDIA_DIR}/video/../../../etc/passwd`, `${MEDIA_DIR}/video/bikes.mp4\u0000.txt`, path.join(dir, 'secret.txt')]) {
      const r = await api('importSource', { projectId: project.id, path: p });
      expect(r.status, p).toBe(400);
      expect(JSON.parse(r.body).code).toBe('input');
    }
    expect((await api('importSource', { projectId: project.id, path: 42 })).status).toBe(400);
  });

  it('answers unknown methods with 400 and other HTTP methods with 405', async () => {
    expect(JSON.parse((await api('constructor', {})).body)).toMatchObject({ code: 'usage' });
    expect((await api('__proto__', {})).status).toBe(400);
    expect((await request(studio.port, { method: 'PUT', path: `/api/listProjects?token=${studio.token}` })).status).toBe(405);
    expect((await request(studio.port, { method: 'POST', path: '/api/listProjects', body: '{not json', headers: { 'x-m3c-token': studio.token } })).status).toBe(400);
  });

  it.skipIf(!HAS_MEDIA)('drives the API through the shared HTTP transport: upload, events, media with Range', async () => {
    const client = createApiClient(
      createHttpTransport({ origin: studio.origin, token: studio.token, fetch: (url, init) => fetch(url, init as RequestInit), openWebSocket: (url) => new WebSocket(url) as never }),
    );
    const events: StudioEvent[] = [];
    const off = client.onEvent((e) => events.push(e));
    await new Promise((r) => setTimeout(r, 200));
    const project = await client.createProject({ name: 'upload' });
    const bytes = readFileSync(mediaPath('video', 'bikes.mp4'));
    const { source, job } = await client.upload!(project.id, new File([bytes], '../../evil name.mp4'));
    expect(source.name).toBe('evil name.mp4');
    expect(source.path.startsWith(path.join(dir, 'projects', 'projects', String(project.id), 'sources'))).toBe(true);
    expect(job?.kind).toBe('analysis');
    for (let i = 0; i < 100 && !events.some((e) => e.type === 'job-progress' && e.job.id === job!.id); i++) await new Promise((r) => setTimeout(r, 50));
    expect(events.some((e) => e.type === 'job-progress' && e.job.id === job!.id)).toBe(true);
    await client.cancelJob({ jobId: job!.id });

    const err = await client.getSignals({ sourceId: 12345 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiCallError);
    expect((err as ApiCallError).code).toBe('input');

    const url = client.mediaUrl(`preview/${source.id}/3`);
    const img = await fetch(url);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/jpeg');
    const full = Buffer.from(await img.arrayBuffer());
    expect(full.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    const part = await fetch(url, { headers: { range: 'bytes=2-9' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 2-9/${full.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(full.subarray(2, 10));
    expect((await fetch(url, { headers: { range: `bytes=${full.length + 5}-` } })).status).toBe(416);
    off();
  });

  it('serves a page saying how to build the renderer when dist/renderer is missing', async () => {
    const bare = await startWebStudio({ port: 0, projectsDir: path.join(dir, 'projects2'), rendererDir: path.join(dir, 'nowhere') });
    try {
      const r = await request(bare.port, { path: `/?token=${bare.token}` });
      expect(r.status).toBe(503);
      expect(r.body).toContain('npm run build:renderer');
    } finally {
      await bare.close();
    }
  });
});
