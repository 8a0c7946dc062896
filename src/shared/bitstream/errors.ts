import { M3cError } from '../engine/errors.ts';
import type { ErrorCode } from '../engine/errors.ts';
import type { M3cParseError } from './types.ts';

/**
 * Maps a parse error to the engine's error (and so to a CLI exit status): a missing model pack
 * is a model problem, a file that is not .m3c or is too new is an input problem, the rest is
 * corruption.
 */
export function parseErrorToM3cError(e: M3cParseError): M3cError {
  let code: ErrorCode = 'corrupt-bitstream';
  if (e.kind === 'unknown-model-pack') code = 'model';
  else if (e.kind === 'wrong-magic' || e.kind === 'unsupported-version') code = 'input';
  return new M3cError(code, e.message);
}
