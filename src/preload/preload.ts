/**
 * The studio's preload: exposes exactly the contract's M3cBridge as window.m3c, nothing of Node or Electron.
 * A sandboxed preload may only require 'electron', so the channel names are repeated here (a unit test checks
 * they match src/shared/api/contract.ts).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

export const CHANNEL_PREFIX = 'm3c:api:';
export const EVENT_CHANNEL = 'm3c:event';
const METHOD_NAME = /^[A-Za-z]{1,64}$/;

export const bridge = {
  invoke(method: string, params: unknown): Promise<unknown> {
    if (typeof method !== 'string' || !METHOD_NAME.test(method)) {
      return Promise.resolve({ ok: false, error: { code: 'usage', message: `"${String(method)}" is not an API method` } });
    }
    return ipcRenderer.invoke(`${CHANNEL_PREFIX}${method}`, params);
  },
  onEvent(listener: (event: unknown) => void): () => void {
    const handler = (_e: IpcRendererEvent, event: unknown): void => listener(event);
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, handler);
    };
  },
};

contextBridge.exposeInMainWorld('m3c', bridge);
