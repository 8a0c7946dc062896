/**
 * The web bridge's gate. Every request must: name this server in Host (127.0.0.1:PORT or localhost:PORT, which
 * defeats DNS rebinding), come from this server's own Origin when it sends one, and carry the per-launch token
 * (header on POSTs; query or the SameSite=Strict cookie set by the first page load on GETs; query on the WebSocket).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { TOKEN_HEADER, TOKEN_QUERY } from '../../shared/api/contract.ts';

export function newToken(): string {
  return randomBytes(32).toString('hex');
}

export function cookieName(port: number): string {
  // Cookies ignore ports: the name keeps two studios on one machine from overwriting each other's token.
  return `m3c_token_${port}`;
}

export type GateResult = { readonly ok: true } | { readonly ok: false; readonly status: 401 | 403; readonly reason: string };

export interface GateOptions {
  readonly port: number;
  readonly token: string;
  /** Where the token may come from for this request. */
  readonly accept: { readonly header?: boolean; readonly query?: boolean; readonly cookie?: boolean };
}

export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

export function allowedOrigins(port: number): string[] {
  return allowedHosts(port).map((h) => `http://${h}`);
}

function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...rest] = part.trim().split('=');
    if (k === name) return rest.join('=');
  }
  return undefined;
}

export function tokenFromRequest(req: IncomingMessage, url: URL, opts: GateOptions): string | undefined {
  if (opts.accept.header) {
    const h = req.headers[TOKEN_HEADER];
    if (typeof h === 'string') return h;
  }
  if (opts.accept.query) {
    const q = url.searchParams.get(TOKEN_QUERY);
    if (q !== null) return q;
  }
  if (opts.accept.cookie) return cookieValue(req, cookieName(opts.port));
  return undefined;
}

export function checkRequest(req: IncomingMessage, url: URL, opts: GateOptions): GateResult {
  const host = req.headers.host;
  if (!host || !allowedHosts(opts.port).includes(host.toLowerCase())) {
    return { ok: false, status: 403, reason: `Host "${host ?? ''}" is not this studio (open http://127.0.0.1:${opts.port}/)` };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !allowedOrigins(opts.port).includes(origin.toLowerCase())) {
    return { ok: false, status: 403, reason: `requests from ${origin} are not allowed` };
  }
  const given = tokenFromRequest(req, url, opts);
  if (given === undefined) return { ok: false, status: 401, reason: 'the access token is missing: open the exact URL that "m3c studio --web" printed' };
  if (!sameToken(given, opts.token)) return { ok: false, status: 403, reason: 'the access token is wrong (the studio was restarted?): open the URL it printed last' };
  return { ok: true };
}
