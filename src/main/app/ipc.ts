/**
 * IPC for the Electron studio: one ipcMain.handle per contract method, generated from API_METHODS, each
 * answering an Envelope so { code, message } survives the trip; events go to the window with webContents.send.
 * Calls from any frame other than the studio's own page are refused.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { M3cError } from '../../shared/engine/errors.ts';
import { API_METHODS, IPC_EVENT_CHANNEL, ipcChannel, type ApiMethod, type Envelope } from '../../shared/api/contract.ts';
import type { StudioService } from '../services/studio-service.ts';
import { toApiErrorValue } from '../services/errors.ts';

export interface IpcOptions {
  /** Whether a frame URL is the studio's own page (the renderer's file or app URL). */
  readonly isTrustedUrl: (url: string) => boolean;
}

export function registerIpcHandlers(ipcMain: IpcMain, service: Pick<StudioService, 'call'>, options: IpcOptions): () => void {
  const channels: string[] = [];
  for (const method of API_METHODS) {
    const channel = ipcChannel(method);
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, params: unknown) => invoke(service, method, event, params, options));
    channels.push(channel);
  }
  return () => {
    for (const c of channels) ipcMain.removeHandler(c);
  };
}

async function invoke(service: Pick<StudioService, 'call'>, method: ApiMethod, event: IpcMainInvokeEvent, params: unknown, options: IpcOptions): Promise<Envelope<unknown>> {
  try {
    const url = event.senderFrame?.url ?? '';
    if (!options.isTrustedUrl(url)) throw new M3cError('usage', `IPC from ${url || 'an unknown frame'} is not allowed`);
    return { ok: true, value: (await service.call(method, params)) ?? null };
  } catch (e) {
    return { ok: false, error: toApiErrorValue(e) };
  }
}

/** Forwards every studio event to the window until it is destroyed; returns the unsubscribe function. */
export function forwardEvents(service: Pick<StudioService, 'onEvent'>, contents: WebContents): () => void {
  const off = service.onEvent((event) => {
    if (!contents.isDestroyed()) contents.send(IPC_EVENT_CHANNEL, event);
  });
  contents.once('destroyed', off);
  return off;
}
