/**
 * `m3c studio --web`: the StudioApi over HTTP (POST /api/<method>), events over a WebSocket (/events), media
 * over GET /media/<ref> with Range support, and the built renderer at /. Bound to 127.0.0.1 only and guarded
 * by a random per-launch token (see security.ts).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { M3cError } from '../../shared/engine/errors.ts';
import { API_PATH_PREFIX, EVENTS_PATH, MEDIA_PATH_PREFIX, UPLOAD_PATH, type ApiError } from '../../shared/api/contract.ts';
import { StudioService, type MediaResource } from '../services/studio-service.ts';
import { BusyError, publicApiError } from './public-error.ts';
import { checkRequest, cookieName, newToken, allowedHosts } from './security.ts';
import { contentTypeOf, rendererBuilt, resolveStatic } from './static-files.ts';
import { openForServing } from './open-file.ts';

export const LISTEN_HOST = '127.0.0.1';
export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../../dist/renderer/', import.meta.url));
const MAX_JSON_BYTES = 4 * 1024 * 1024;
/** Clients send nothing on /events; anything larger than this closes that socket (1009), never the server. */
export const MAX_WS_PAYLOAD = 16 * 1024;

/** Same policy as the Electron window: only this origin; MUI's emotion needs inline styles. */
export const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "font-src 'self' data:",
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

export interface WebStudioOptions {
  /** 0 picks a free port. */
  readonly port?: number;
  readonly projectsDir: string;
  /** Folders whose videos may be imported by typed path (projectsDir always may). */
  readonly importRoots?: readonly string[];
  /** Built renderer (default dist/renderer of this checkout). */
  readonly rendererDir?: string;
  /** Fixed token (tests); default: 32 random bytes. */
  readonly token?: string;
  readonly concurrency?: number;
  /** Model pack folder (default resources/models). */
  readonly modelsDir?: string;
}

export interface WebStudio {
  /** http://127.0.0.1:PORT/?token=... */
  readonly url: string;
  readonly origin: string;
  readonly token: string;
  readonly port: number;
  readonly address: AddressInfo;
  readonly service: StudioService;
  close(): Promise<void>;
}

const STATUS: Record<ApiError['code'], number> = {
  usage: 400,
  input: 400,
  'corrupt-bitstream': 422,
  model: 500,
  ffmpeg: 500,
  cancelled: 409,
  lmm: 502,
  store: 500,
  internal: 500,
};

function baseHeaders(res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // The token rides in URLs: never let it leak to another site through Referer.
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': data.length, 'Cache-Control': 'no-store' });
  res.end(data);
}

function log(line: string): void {
  process.stderr.write(`m3c studio: ${line}\n`);
}

/** Client-facing errors carry no paths, pids or stacks (see public-error.ts); busy queues answer 503. */
function sendError(res: ServerResponse, e: unknown): void {
  const err = publicApiError(e, log);
  if (e instanceof BusyError) res.setHeader('Retry-After', String(e.retryAfterSec));
  sendJson(res, e instanceof BusyError ? 503 : STATUS[err.code], err);
}

function sendPage(res: ServerResponse, status: number, title: string, text: string): void {
  const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head><body style="font-family:sans-serif;max-width:40em;margin:3em auto"><h1>${esc(title)}</h1><p>${esc(text)}</p></body></html>`;
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'", 'Cache-Control': 'no-store' });
  res.end(html);
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_BYTES) throw new M3cError('usage', `the request body is larger than ${MAX_JSON_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new M3cError('usage', 'the request body is not valid JSON');
  }
}

/** Serves a file or bytes, honouring a single "bytes=a-b" Range so <video> can seek. */
function sendMedia(req: IncomingMessage, res: ServerResponse, m: MediaResource): void {
  const headers: Record<string, string | number> = { 'Content-Type': m.contentType, 'Accept-Ranges': 'bytes', 'Cache-Control': 'private, max-age=60' };
  if (m.kind === 'file' && m.downloadName) {
    headers['Content-Disposition'] = `attachment; filename="${m.downloadName.replace(/"/g, '')}"`;
  }
  const file = m.kind === 'file' ? openForServing(m.path) : undefined;
  const size = file ? file.size : m.kind === 'bytes' ? m.bytes.length : 0;
  const range = req.headers.range;
  let start = 0;
  let end = size - 1;
  let status = 200;
  if (range) {
    const r = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
    if (!r || (r[1] === '' && r[2] === '')) {
      file?.close();
      res.writeHead(416, { 'Content-Range': `bytes */${size}` });
      res.end();
      return;
    }
    if (r[1] === '') {
      start = Math.max(0, size - Number(r[2]));
    } else {
      start = Number(r[1]);
      end = r[2] === '' ? size - 1 : Math.min(size - 1, Number(r[2]));
    }
    if (start > end || start >= size) {
      file?.close();
      res.writeHead(416, { 'Content-Range': `bytes */${size}` });
      res.end();
      return;
    }
    status = 206;
    headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
  }
  headers['Content-Length'] = size === 0 ? 0 : end - start + 1;
  res.writeHead(status, headers);
  if (req.method === 'HEAD' || size === 0) {
    file?.close();
    res.end();
    return;
  }
  if (m.kind === 'bytes') {
    res.end(Buffer.from(m.bytes.buffer, m.bytes.byteOffset + start, end - start + 1));
    return;
  }
  const stream = file!.stream(start, end);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

export async function startWebStudio(options: WebStudioOptions): Promise<WebStudio> {
  const token = options.token ?? newToken();
  if (!/^[0-9a-f]{32,}$/.test(token)) throw new M3cError('usage', 'the token must be at least 32 lower-case hex digits');
  const rendererDir = options.rendererDir ?? DEFAULT_RENDERER_DIR;
  const service = new StudioService({ projectsDir: options.projectsDir, importRoots: options.importRoots, mode: 'web', concurrency: options.concurrency, modelsDir: options.modelsDir });
  const server = createServer();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_PAYLOAD });
  // A hostile peer must never take the process down: every emitter that can fail has a handler.
  wss.on('error', (e) => log(`events server: ${e.message}`));
  const sockets = new Set<WebSocket>();
  let port = 0;

  const unsubscribe = service.onEvent((event) => {
    const data = JSON.stringify(event);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(data);
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    baseHeaders(res);
    const url = new URL(req.url ?? '/', `http://${LISTEN_HOST}:${port}`);
    const method = req.method ?? 'GET';
    const isPost = method === 'POST';
    if (!isPost && method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD, POST' });
      res.end();
      return;
    }
    const gate = checkRequest(req, url, { port, token, accept: isPost ? { header: true } : { query: true, cookie: true } });
    if (!gate.ok) {
      if (!isPost && !url.pathname.startsWith(MEDIA_PATH_PREFIX) && (req.headers.accept ?? '').includes('text/html')) {
        sendPage(res, gate.status, 'M3C Studio: access refused', gate.reason);
      } else {
        sendJson(res, gate.status, { code: 'usage', message: gate.reason });
      }
      return;
    }
    try {
      if (isPost && url.pathname.startsWith(API_PATH_PREFIX)) {
        const name = url.pathname.slice(API_PATH_PREFIX.length);
        const params = await readJsonBody(req);
        sendJson(res, 200, (await service.call(name, params)) ?? null);
        return;
      }
      if (isPost && url.pathname === UPLOAD_PATH) {
        const projectId = Number(url.searchParams.get('projectId'));
        if (!Number.isSafeInteger(projectId) || projectId < 0) throw new M3cError('usage', 'the upload needs ?projectId=N');
        sendJson(res, 200, await service.importUpload(projectId, url.searchParams.get('name') ?? '', req));
        return;
      }
      if (isPost) throw new M3cError('usage', `nothing to POST at ${url.pathname}`);
      if (url.pathname.startsWith(MEDIA_PATH_PREFIX)) {
        sendMedia(req, res, await service.resolveMedia(url.pathname.slice(MEDIA_PATH_PREFIX.length)));
        return;
      }
      if (!rendererBuilt(rendererDir)) {
        log(`the renderer is not built: there is no ${path.join(rendererDir, 'index.html')}`);
        sendPage(res, 503, 'M3C Studio: the renderer is not built', 'The studio has no built renderer (index.html). Build it with "npm run build:renderer", then reload this page.');
        return;
      }
      const file = resolveStatic(rendererDir, url.pathname);
      if (!file) {
        sendJson(res, 404, { code: 'input', message: `no such file: ${url.pathname}` });
        return;
      }
      const headers: Record<string, string> = { 'Content-Type': contentTypeOf(file), 'Content-Security-Policy': WEB_CSP };
      if (url.searchParams.has('token')) {
        // Lets the page's own scripts and styles load without the token in every asset URL.
        headers['Set-Cookie'] = `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
      }
      headers['Cache-Control'] = file.endsWith('.html') ? 'no-store' : 'private, max-age=3600';
      const body = await readFile(file);
      res.writeHead(200, { ...headers, 'Content-Length': String(body.length) });
      res.end(method === 'HEAD' ? undefined : body);
    } catch (e) {
      if (!res.headersSent) sendError(res, e);
      else res.destroy();
    }
  };

  server.on('request', (req, res) => {
    req.on('error', () => req.socket.destroy());
    res.on('error', () => res.destroy());
    void handle(req, res).catch((e: unknown) => {
      log(`request failed: ${e instanceof Error ? e.message : String(e)}`);
      res.destroy();
    });
  });
  // Malformed HTTP (bad headers, oversized head, a reset mid-request): answer 400 if the socket still can, else drop it.
  server.on('clientError', (_e: Error, socket: Duplex) => {
    // _httpMessage: a response is already being written on this socket, so raw bytes would corrupt it.
    if (socket.writable && !(socket as Duplex & { _httpMessage?: unknown })._httpMessage) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', `http://${LISTEN_HOST}:${port}`);
    const gate = url.pathname === EVENTS_PATH ? checkRequest(req, url, { port, token, accept: { query: true } }) : ({ ok: false, status: 403, reason: 'no such endpoint' } as const);
    if (!gate.ok) {
      socket.end(`HTTP/1.1 ${gate.status} ${gate.status === 401 ? 'Unauthorized' : 'Forbidden'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      // A reserved opcode, a bad mask or a message over MAX_WS_PAYLOAD: ws closes this socket and reports here.
      ws.on('error', () => {
        sockets.delete(ws);
        ws.terminate();
      });
      ws.on('close', () => sockets.delete(ws));
      // Events flow one way; anything a client sends is ignored.
      ws.on('message', () => undefined);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new M3cError('usage', e.code === 'EADDRINUSE' ? `port ${options.port} is already in use: pick another with --port` : `cannot listen on ${LISTEN_HOST}:${options.port ?? 0}: ${e.message}`)),
    );
    server.listen(options.port ?? 0, LISTEN_HOST, () => resolve());
  }).catch(async (e) => {
    unsubscribe();
    await service.close();
    throw e;
  });
  server.on('error', (e) => log(`server: ${e.message}`));
  const address = server.address() as AddressInfo;
  port = address.port;
  const origin = `http://${allowedHosts(port)[0]}`;

  let closed: Promise<void> | undefined;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    token,
    port,
    address,
    service,
    close() {
      closed ??= (async () => {
        unsubscribe();
        for (const ws of sockets) ws.terminate();
        wss.close();
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
        await service.close();
      })();
      return closed;
    },
  };
}
