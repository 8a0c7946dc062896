/** m3c-media://media/<ref>: thumbnails, previews and videos for the Electron renderer, with Range for <video>. */
import { Readable } from 'node:stream';
import type { Protocol } from 'electron';
import { MEDIA_SCHEME } from '../../shared/api/contract.ts';
import type { MediaResource, StudioService } from '../services/studio-service.ts';
import { BusyError, publicApiError } from '../server/public-error.ts';
import { openForServing } from '../server/open-file.ts';

/** Must be called before app 'ready' (Electron's rule for privileged schemes). */
export function mediaSchemePrivileges(): { scheme: string; privileges: { standard: boolean; secure: boolean; stream: boolean; supportFetchAPI: boolean } }[] {
  return [{ scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true } }];
}

export function mediaResponse(m: MediaResource, range: string | null): Response {
  const file = m.kind === 'file' ? openForServing(m.path) : undefined;
  const size = file ? file.size : m.kind === 'bytes' ? m.bytes.length : 0;
  const headers = new Headers({ 'Content-Type': m.contentType, 'Accept-Ranges': 'bytes' });
  let start = 0;
  let end = size - 1;
  let status = 200;
  const r = range ? /^bytes=(\d*)-(\d*)$/.exec(range.trim()) : null;
  if (r && !(r[1] === '' && r[2] === '')) {
    if (r[1] === '') start = Math.max(0, size - Number(r[2]));
    else {
      start = Number(r[1]);
      end = r[2] === '' ? size - 1 : Math.min(size - 1, Number(r[2]));
    }
    if (start > end || start >= size) {
      file?.close();
      return new Response(null, { status: 416, headers: { 'Content-Range': `bytes */${size}` } });
    }
    status = 206;
    headers.set('Content-Range', `bytes ${start}-${end}/${size}`);
  }
  headers.set('Content-Length', String(size === 0 ? 0 : end - start + 1));
  if (size === 0) {
    file?.close();
    return new Response(null, { status, headers });
  }
  const body = file ? (Readable.toWeb(file.stream(start, end)) as unknown as ReadableStream<Uint8Array>) : m.kind === 'bytes' ? m.bytes.slice(start, end + 1) : null;
  return new Response(body, { status, headers });
}

export function registerMediaProtocol(protocol: Protocol, service: Pick<StudioService, 'resolveMedia'>): void {
  protocol.handle(MEDIA_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== 'media') return new Response(null, { status: 404 });
    try {
      const m = await service.resolveMedia(decodeURIComponent(url.pathname.replace(/^\//, '')));
      return mediaResponse(m, request.headers.get('range'));
    } catch (e) {
      // Same rule as the web bridge: no paths, pids or stacks in the body; busy previews answer 503.
      const err = publicApiError(e);
      const status = e instanceof BusyError ? 503 : err.code === 'input' || err.code === 'usage' ? 404 : 500;
      return new Response(JSON.stringify(err), { status, headers: { 'Content-Type': 'application/json' } });
    }
  });
}
