// @vitest-environment jsdom
/** Issue 13: the web studio's token leaves the address bar and history once the page has read it. */
import { afterEach, describe, expect, it } from 'vitest';
import { takeToken, tokenStorageKey, urlWithoutToken } from '../../../src/renderer/url-token.ts';

const TOKEN = 'ab'.repeat(32);

afterEach(() => {
  window.sessionStorage.clear();
  window.history.replaceState(null, '', '/');
});

describe('takeToken (renderer)', () => {
  it('reads ?token=, replaces the URL without it (no new history entry) and keeps it for this tab', () => {
    window.history.replaceState(null, '', `/?token=${TOKEN}&view=jobs#top`);
    const before = window.history.length;
    const loc = takeToken(window.location, window.history, window.sessionStorage);
    expect(loc).toEqual({ origin: window.location.origin, search: `?token=${TOKEN}` });
    expect(window.location.href).not.toContain(TOKEN);
    expect(window.location.search).toBe('?view=jobs');
    expect(window.location.hash).toBe('#top');
    expect(window.history.length).toBe(before);
    expect(window.sessionStorage.getItem(tokenStorageKey(window.location.origin))).toBe(TOKEN);
  });

  it('after a reload (no token in the URL) the stored token still connects; without one the search is left alone', () => {
    window.sessionStorage.setItem(tokenStorageKey(window.location.origin), TOKEN);
    expect(takeToken(window.location, window.history, window.sessionStorage).search).toBe(`?token=${TOKEN}`);
    window.sessionStorage.clear();
    window.history.replaceState(null, '', '/?x=1');
    expect(takeToken(window.location, window.history, window.sessionStorage).search).toBe('?x=1');
    expect(takeToken(window.location, window.history, null).search).toBe('?x=1');
  });

  it('urlWithoutToken keeps the path, other parameters and the hash', () => {
    expect(urlWithoutToken(`http://127.0.0.1:9/a/b?x=1&token=${TOKEN}&y=2#h`)).toBe('/a/b?x=1&y=2#h');
    expect(urlWithoutToken(`http://127.0.0.1:9/?token=${TOKEN}`)).toBe('/');
  });
});
