/**
 * What a client may see of an error: the contract's { code, message } for errors the user can act on
 * (usage, input, cancelled, corrupt bitstream, LMM), and a generic sentence for everything else, whose
 * message may name server paths, temporary files (with the pid), ffmpeg's output or a stack. The detail is
 * logged on the server only.
 */
import type { ApiError } from '../../shared/api/contract.ts';
import { BusyError } from '../services/frames.ts';
import { toApiErrorValue } from '../services/errors.ts';

export { BusyError };

const GENERIC: Partial<Record<ApiError['code'], string>> = {
  ffmpeg: 'the video could not be processed (ffmpeg failed); details are in the studio log',
  model: 'a model could not be loaded or run; details are in the studio log',
  store: 'the project database failed; details are in the studio log',
  internal: 'internal error; details are in the studio log',
};

/** Absolute paths (POSIX or Windows) and "pid N" style detail, which user-facing messages never need. */
const PATHISH = /(?:[A-Za-z]:\\|\/)(?:[^\s'"`:;,()]+[\\/])+[^\s'"`:;,()]*|\bpid\s*\d+/i;

function defaultLog(line: string): void {
  process.stderr.write(`m3c studio: ${line}\n`);
}

/**
 * The error as a client sees it. Unexpected (internal) errors always become the generic sentence; ffmpeg,
 * model and store errors keep their message only when it is one short line naming no path and no pid
 * ("ffmpeg was not found; set its path in Settings" stays). `log` receives the detail of whatever was withheld.
 */
export function publicApiError(e: unknown, log: (line: string) => void = defaultLog): ApiError {
  if (e instanceof BusyError) return { code: 'internal', message: e.message };
  const err = toApiErrorValue(e);
  const generic = GENERIC[err.code];
  if (generic === undefined) return err;
  if (err.code !== 'internal' && err.message.length <= 200 && !err.message.includes('\n') && !leaksDetail(err.message)) return err;
  log(`${err.code}: ${e instanceof Error && e.stack ? e.stack : err.message}`);
  return { code: err.code, message: generic };
}

/** True when a message names a path or a pid (used by tests and as a last check before sending). */
export function leaksDetail(message: string): boolean {
  return PATHISH.test(message);
}
