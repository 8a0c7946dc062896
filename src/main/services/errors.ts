import { M3cError } from '../../shared/engine/errors.ts';
import type { ApiError } from '../../shared/api/contract.ts';

/** Any thrown value as the contract's { code, message }; unexpected errors keep a one-line message, no stack. */
export function toApiErrorValue(e: unknown): ApiError {
  if (e instanceof M3cError) return { code: e.code, message: e.message };
  if (e instanceof Error && e.name === 'AbortError') return { code: 'cancelled', message: 'cancelled' };
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'internal', message: `internal error: ${message.split('\n')[0]}` };
}
