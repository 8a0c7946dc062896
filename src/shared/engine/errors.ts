/**
 * Errors are values with a code and a one-line message a user can act on.
 * Each code maps to a distinct CLI exit status.
 */
export type ErrorCode =
  | 'usage'
  | 'input'
  | 'corrupt-bitstream'
  | 'model'
  | 'ffmpeg'
  | 'cancelled'
  | 'lmm'
  | 'store'
  | 'internal';

export const EXIT_CODES: Readonly<Record<ErrorCode, number>> = {
  usage: 2,
  input: 3,
  'corrupt-bitstream': 4,
  model: 5,
  ffmpeg: 6,
  lmm: 7,
  store: 8,
  cancelled: 130,
  internal: 70,
};

export class M3cError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'M3cError';
    this.code = code;
  }
}

export function isAbortError(e: unknown): boolean {
  return e instanceof Error && (e.name === 'AbortError' || (e instanceof M3cError && e.code === 'cancelled'));
}

export function cancelled(): M3cError {
  return new M3cError('cancelled', 'cancelled');
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelled();
}
