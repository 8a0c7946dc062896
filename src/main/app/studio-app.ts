/**
 * The Electron studio: one StudioService in main, IPC handlers generated from the contract, the media
 * protocol, and one hardened window. Importable in plain Node (tests mock the `electron` module).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as electron from 'electron';
import { app, ipcMain, protocol, session, type BrowserWindow } from 'electron';
import { StudioService } from '../services/studio-service.ts';
import { defaultSecretStore, type SafeStorageLike } from '../services/settings.ts';
import { electronDialogs } from './dialogs.ts';
import { forwardEvents, registerIpcHandlers } from './ipc.ts';
import { mediaSchemePrivileges, registerMediaProtocol } from './media-protocol.ts';
import { createStudioWindow, installCsp } from './window.ts';

export interface ElectronStudioOptions {
  readonly projectsDir: string;
  /** Built renderer folder holding index.html. */
  readonly rendererDir: string;
  /** The bundled preload script. */
  readonly preloadPath: string;
  readonly importRoots?: readonly string[];
  /** Model pack folder (default: resources/models of the app). */
  readonly modelsDir?: string;
}

export interface ElectronStudio {
  readonly service: StudioService;
  readonly window: BrowserWindow;
  close(): Promise<void>;
}

/** Only the renderer's own files are trusted: its folder as a file:// URL. */
export function trustedUrlCheck(rendererDir: string): (url: string) => boolean {
  const base = pathToFileURL(path.resolve(rendererDir) + path.sep).href;
  return (url) => url.startsWith(base) && !decodeURIComponent(url.slice(base.length)).split(/[\\/]/).includes('..');
}

/** Call before app 'ready'. */
export function registerSchemes(): void {
  protocol.registerSchemesAsPrivileged(mediaSchemePrivileges());
}

/** Electron's safeStorage, or null where this Electron (or a test's stand-in module) has none. */
function electronSafeStorage(): SafeStorageLike | null {
  try {
    return (electron as { safeStorage?: SafeStorageLike }).safeStorage ?? null;
  } catch {
    return null;
  }
}

/** Call once app is ready. */
export function startElectronStudio(options: ElectronStudioOptions): ElectronStudio {
  // Dialogs are parented to the window, which exists only once the service does.
  const shell: { win?: BrowserWindow } = {};
  // The API key goes to the OS keychain (safeStorage, usable once the app is ready), else a 0600 file.
  const secrets = defaultSecretStore(path.resolve(options.projectsDir), electronSafeStorage());
  const service = new StudioService({ projectsDir: options.projectsDir, importRoots: options.importRoots, mode: 'electron', modelsDir: options.modelsDir, dialogs: electronDialogs(() => shell.win), secrets });
  const isTrustedUrl = trustedUrlCheck(options.rendererDir);
  installCsp(session.defaultSession);
  registerMediaProtocol(protocol, service);
  const unregister = registerIpcHandlers(ipcMain, service, { isTrustedUrl });
  const win = createStudioWindow({ preloadPath: options.preloadPath, indexFile: path.join(options.rendererDir, 'index.html'), isTrustedUrl });
  shell.win = win;
  const stopEvents = forwardEvents(service, win.webContents);
  // Any other web contents (a devtools extension, a stray webview) get the same navigation lock.
  app.on('web-contents-created', (_e, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (event, url) => {
      if (!isTrustedUrl(url)) event.preventDefault();
    });
  });
  return {
    service,
    window: win,
    async close() {
      stopEvents();
      unregister();
      await service.close();
    },
  };
}
