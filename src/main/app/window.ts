/** The studio window and its hardening: isolated, sandboxed, no Node, strict CSP, no navigation, no new windows. */
import type { BrowserWindow as BrowserWindowType, BrowserWindowConstructorOptions, Session } from 'electron';
import { BrowserWindow } from 'electron';
import { MEDIA_SCHEME } from '../../shared/api/contract.ts';

export const ELECTRON_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // MUI (emotion) injects <style> elements at run time.
  "style-src 'self' 'unsafe-inline'",
  `img-src 'self' data: blob: ${MEDIA_SCHEME}:`,
  `media-src 'self' blob: ${MEDIA_SCHEME}:`,
  `connect-src 'self' ${MEDIA_SCHEME}:`,
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

export function windowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'M3C Studio',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      sandbox: true,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  };
}

/** Adds the CSP header to every response the studio's session loads. */
export function installCsp(session: Session): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [ELECTRON_CSP] } });
  });
  // The studio needs no camera, microphone, notifications or anything else a page may ask for.
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
}

export function createStudioWindow(options: { preloadPath: string; indexFile: string; isTrustedUrl: (url: string) => boolean }): BrowserWindowType {
  const win = new BrowserWindow(windowOptions(options.preloadPath));
  const contents = win.webContents;
  contents.on('will-navigate', (event, url) => {
    if (!options.isTrustedUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!options.isTrustedUrl(url)) event.preventDefault();
  });
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  win.once('ready-to-show', () => win.show());
  void win.loadFile(options.indexFile);
  return win;
}
