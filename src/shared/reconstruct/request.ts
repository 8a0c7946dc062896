import type { ClipRequest } from '../engine/interfaces.ts';
import { M3cError } from '../engine/errors.ts';

/** Rejects requests that break the ClipRequest contract; these are bugs in the caller, not bad input. */
export function checkRequest(request: ClipRequest): void {
  const { first, next, previous, length } = request;
  if (!Number.isInteger(length) || length < 1) {
    throw new M3cError('internal', `clip length must be a positive integer, got ${length}`);
  }
  if (first.data.length !== first.width * first.height * 3) {
    throw new M3cError('internal', `keyframe has ${first.data.length} bytes, expected ${first.width * first.height * 3}`);
  }
  for (const [name, other] of [['next', next], ['previous', previous?.frame]] as const) {
    if (other && (other.width !== first.width || other.height !== first.height)) {
      throw new M3cError(
        'internal',
        `${name} keyframe is ${other.width}x${other.height}, the clip's keyframe is ${first.width}x${first.height}`,
      );
    }
  }
}
