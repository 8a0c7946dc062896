/**
 * The web studio's access token leaves the address bar once it has been read: the page swaps its URL for one
 * without `?token=` (history.replaceState, so no history entry keeps it either). The token is kept in this
 * tab's sessionStorage so a reload still connects; the HttpOnly cookie the first page load set keeps serving
 * the page's own assets.
 */
import { TOKEN_QUERY } from '../shared/api/contract.ts';
import { tokenFromSearch } from '../shared/api/http-transport.ts';

export interface TokenLocation {
  readonly href: string;
  readonly origin: string;
  readonly search: string;
}

export interface TokenHistory {
  readonly state: unknown;
  replaceState(data: unknown, unused: string, url?: string | URL | null): void;
}

export interface TokenStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export function tokenStorageKey(origin: string): string {
  return `m3c-token:${origin}`;
}

/** The URL without its token parameter (other parameters and the hash kept). */
export function urlWithoutToken(href: string): string {
  const url = new URL(href);
  url.searchParams.delete(TOKEN_QUERY);
  return url.pathname + url.search + url.hash;
}

/**
 * Reads the token (from the URL, else from this tab's storage), removes it from the address bar and returns the
 * location the transport should use: the origin and a search that carries the token, or the page's own search
 * when there is none (the transport then says how to get one).
 */
export function takeToken(location: TokenLocation, history: TokenHistory | null, storage: TokenStorage | null): { origin: string; search: string } {
  const fromUrl = tokenFromSearch(location.search);
  const key = tokenStorageKey(location.origin);
  if (fromUrl !== undefined) {
    try {
      storage?.setItem(key, fromUrl);
    } catch {
      // Storage may be full or disabled: the token then lives only in this page's memory.
    }
    history?.replaceState(history.state, '', urlWithoutToken(location.href));
    return { origin: location.origin, search: `?${TOKEN_QUERY}=${fromUrl}` };
  }
  let stored: string | null = null;
  try {
    stored = storage?.getItem(key) ?? null;
  } catch {
    stored = null;
  }
  return { origin: location.origin, search: stored && /^[0-9a-fA-F]+$/.test(stored) ? `?${TOKEN_QUERY}=${stored}` : location.search };
}
