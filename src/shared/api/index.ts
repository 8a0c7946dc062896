export * from './contract.ts';
export { createApiClient, ApiCallError, toApiError, type ApiTransport, type StudioClient, type UploadFile } from './client.ts';
export { createHttpTransport, tokenFromSearch, type HttpTransportOptions, type FetchLike, type ResponseLike, type WebSocketLike, type WebSocketFactory } from './http-transport.ts';
export { createIpcTransport } from './ipc-transport.ts';
export { bytesToBase64, base64ToBytes } from './base64.ts';
export { connectStudio, type RendererGlobals } from './select-transport.ts';
