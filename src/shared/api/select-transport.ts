/** Picks the transport at run time: window.m3c present -> IPC, else HTTP + WebSocket with the token from the URL. */
import type { M3cBridge } from './contract.ts';
import { createApiClient, type StudioClient } from './client.ts';
import { createHttpTransport, tokenFromSearch, type FetchLike, type WebSocketFactory } from './http-transport.ts';
import { createIpcTransport } from './ipc-transport.ts';

export interface RendererGlobals {
  /** window.m3c, set by the Electron preload. */
  readonly m3c?: M3cBridge;
  /** window.location (origin and search are read). */
  readonly location: { readonly origin: string; readonly search: string };
  readonly fetch: FetchLike;
  readonly openWebSocket: WebSocketFactory;
}

export function connectStudio(globals: RendererGlobals): StudioClient {
  if (globals.m3c) return createApiClient(createIpcTransport(globals.m3c));
  const token = tokenFromSearch(globals.location.search);
  if (!token) {
    throw new Error('this page was opened without its access token: open the exact URL that "m3c studio --web" printed');
  }
  return createApiClient(createHttpTransport({ origin: globals.location.origin, token, fetch: globals.fetch, openWebSocket: globals.openWebSocket }));
}
