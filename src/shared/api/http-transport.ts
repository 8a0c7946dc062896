/**
 * Web mode: calls are POST /api/<method> with a JSON body, events arrive over one WebSocket at /events,
 * media are GET /media/<ref>. Every request carries the per-launch token (header on POSTs, query elsewhere).
 * fetch and WebSocket are passed in so this module stays free of DOM types.
 */
import {
  API_PATH_PREFIX,
  EVENTS_PATH,
  MEDIA_PATH_PREFIX,
  TOKEN_HEADER,
  TOKEN_QUERY,
  UPLOAD_PATH,
  type JobInfo,
  type MediaRef,
  type SourceInfo,
  type StudioEvent,
  type StudioEventListener,
} from './contract.ts';
import type { ApiTransport, UploadFile } from './client.ts';

export interface ResponseLike {
  readonly ok: boolean;
  readonly status: number;
  text(): Promise<string>;
}

export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: unknown },
) => Promise<ResponseLike>;

export interface WebSocketLike {
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  close(): void;
}

export type WebSocketFactory = (url: string) => WebSocketLike;

export interface HttpTransportOptions {
  /** The server's origin, e.g. "http://127.0.0.1:5123" (location.origin in the renderer). */
  readonly origin: string;
  readonly token: string;
  readonly fetch: FetchLike;
  /** e.g. (url) => new WebSocket(url). */
  readonly openWebSocket: WebSocketFactory;
  /** Delay before reconnecting a dropped event socket (ms). */
  readonly reconnectMs?: number;
  readonly setTimeout?: (fn: () => void, ms: number) => unknown;
}

/** The token from a query string such as location.search ("?token=..."); undefined when absent. */
export function tokenFromSearch(search: string): string | undefined {
  const m = /(?:^\?|&)token=([0-9a-fA-F]+)(?:&|$)/.exec(search);
  return m?.[1];
}

async function readJson(res: ResponseLike): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { code: 'internal', message: `the studio server answered ${res.status} with a non-JSON body` };
  }
}

export function createHttpTransport(options: HttpTransportOptions): ApiTransport {
  const { origin, token } = options;
  const q = `${TOKEN_QUERY}=${encodeURIComponent(token)}`;
  const listeners = new Set<StudioEventListener>();
  let socket: WebSocketLike | null = null;
  const wsOrigin = origin.replace(/^http/, 'ws');
  const later = options.setTimeout ?? ((fn: () => void, ms: number) => globalThis.setTimeout(fn, ms));

  const connect = (): void => {
    const ws = options.openWebSocket(`${wsOrigin}${EVENTS_PATH}?${q}`);
    socket = ws;
    ws.onmessage = (message) => {
      if (typeof message.data !== 'string') return;
      let event: StudioEvent;
      try {
        event = JSON.parse(message.data) as StudioEvent;
      } catch {
        return;
      }
      for (const l of [...listeners]) l(event);
    };
    ws.onerror = () => undefined;
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      // The server may have restarted or the tunnel dropped: keep listening while anyone subscribes.
      if (listeners.size > 0) later(() => (listeners.size > 0 && socket === null ? connect() : undefined), options.reconnectMs ?? 1000);
    };
  };

  const post = async (path: string, body: unknown, headers: Record<string, string>): Promise<unknown> => {
    let res: ResponseLike;
    try {
      res = await options.fetch(`${origin}${path}`, { method: 'POST', headers: { ...headers, [TOKEN_HEADER]: token }, body });
    } catch (e) {
      throw { code: 'internal', message: `cannot reach the studio server at ${origin} (${(e as Error)?.message ?? e}); is "m3c studio --web" still running?` };
    }
    const json = await readJson(res);
    if (!res.ok) throw json;
    return json;
  };

  return {
    mode: 'web',
    invoke: (method, params) => post(`${API_PATH_PREFIX}${method}`, JSON.stringify(params ?? {}), { 'content-type': 'application/json' }),
    subscribe(listener) {
      listeners.add(listener);
      if (!socket) connect();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && socket) {
          const s = socket;
          socket = null;
          s.close();
        }
      };
    },
    mediaUrl: (ref: MediaRef) => `${origin}${MEDIA_PATH_PREFIX}${ref}?${q}`,
    upload: (projectId: number, file: UploadFile) =>
      post(`${UPLOAD_PATH}?projectId=${projectId}&name=${encodeURIComponent(file.name)}`, file, {
        'content-type': 'application/octet-stream',
      }) as Promise<{ source: SourceInfo; job: JobInfo | null }>,
  };
}
