/**
 * The renderer's handle on main: a StudioApi over any transport, plus events and media URLs.
 * Transports (IPC, HTTP + WebSocket) differ only in how a call, an event and a media URL travel.
 */
import {
  API_METHODS,
  type ApiError,
  type ApiMethod,
  type ErrorCode,
  type JobInfo,
  type MediaRef,
  type SourceInfo,
  type StudioApi,
  type StudioEventListener,
} from './contract.ts';

const CODES: readonly ErrorCode[] = ['usage', 'input', 'corrupt-bitstream', 'model', 'ffmpeg', 'cancelled', 'lmm', 'store', 'internal'];

/** What a rejected call throws in the renderer: an Error carrying the ApiError's code. */
export class ApiCallError extends Error implements ApiError {
  readonly code: ErrorCode;
  readonly method: string;
  constructor(method: string, error: ApiError) {
    super(error.message);
    this.name = 'ApiCallError';
    this.code = error.code;
    this.method = method;
  }
}

/** Reads an ApiError from anything a transport received; unknown shapes become 'internal'. */
export function toApiError(value: unknown): ApiError {
  if (typeof value === 'object' && value !== null) {
    const v = value as { code?: unknown; message?: unknown };
    if (typeof v.message === 'string') {
      const code = CODES.includes(v.code as ErrorCode) ? (v.code as ErrorCode) : 'internal';
      return { code, message: v.message };
    }
  }
  return { code: 'internal', message: String(value) };
}

/** A file to upload in web mode: a browser File/Blob satisfies this. */
export interface UploadFile {
  readonly name: string;
  readonly size: number;
}

export interface ApiTransport {
  readonly mode: 'electron' | 'web';
  /** Resolves with the method's result or rejects with an ApiError-shaped value. */
  invoke(method: ApiMethod, params: unknown): Promise<unknown>;
  subscribe(listener: StudioEventListener): () => void;
  mediaUrl(ref: MediaRef): string;
  /** Web mode only: streams the file to main, which stores it in the project's folder and imports it. */
  upload?(projectId: number, file: UploadFile): Promise<{ source: SourceInfo; job: JobInfo | null }>;
}

export type StudioClient = StudioApi & {
  readonly mode: 'electron' | 'web';
  onEvent(listener: StudioEventListener): () => void;
  mediaUrl(ref: MediaRef): string;
  /** Present in web mode only. */
  readonly upload?: ApiTransport['upload'];
};

export function createApiClient(transport: ApiTransport): StudioClient {
  const methods: Record<string, (params?: unknown) => Promise<unknown>> = {};
  for (const method of API_METHODS) {
    methods[method] = async (params?: unknown) => {
      try {
        return await transport.invoke(method, params ?? {});
      } catch (e) {
        throw new ApiCallError(method, toApiError(e));
      }
    };
  }
  return Object.freeze({
    ...(methods as unknown as StudioApi),
    mode: transport.mode,
    onEvent: (listener: StudioEventListener) => transport.subscribe(listener),
    mediaUrl: (ref: MediaRef) => transport.mediaUrl(ref),
    upload: transport.upload?.bind(transport),
  });
}
