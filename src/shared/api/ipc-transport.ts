/** The renderer side of Electron IPC: wraps the preload's window.m3c (passed in, so shared stays DOM-free). */
import { MEDIA_SCHEME, type M3cBridge, type MediaRef } from './contract.ts';
import type { ApiTransport } from './client.ts';

export function createIpcTransport(bridge: M3cBridge): ApiTransport {
  return {
    mode: 'electron',
    async invoke(method, params) {
      const envelope = await bridge.invoke(method, params);
      if (envelope.ok) return envelope.value;
      throw envelope.error;
    },
    subscribe: (listener) => bridge.onEvent(listener),
    mediaUrl: (ref: MediaRef) => `${MEDIA_SCHEME}://media/${ref}`,
  };
}
