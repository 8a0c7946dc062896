import { M3cError } from '../engine/errors.ts';

export interface BitrateEstimate {
  /** Payload bytes: every keyframe's image payload plus the texts of its keyframe and clip. */
  readonly bytes: number;
  readonly seconds: number;
  readonly bitsPerSecond: number;
}

/**
 * Rough rate of a selection for the studio's live readout, before anything is encoded.
 * `bytesPerText` is the compressed size of the texts sent with one keyframe and its clip (D^F and D^C together).
 * Container overhead is not counted.
 */
export function estimateBitrate(
  keyframeCount: number,
  frames: number,
  fps: number,
  bytesPerKeyframe: number,
  bytesPerText: number,
): BitrateEstimate {
  if (!(fps > 0) || !Number.isFinite(fps)) throw new M3cError('usage', `frame rate must be positive, got ${fps}`);
  if (!(frames >= 0) || !(keyframeCount >= 0) || !(bytesPerKeyframe >= 0) || !(bytesPerText >= 0)) {
    throw new M3cError('usage', 'frame, keyframe and byte counts must be non-negative');
  }
  const bytes = keyframeCount * (bytesPerKeyframe + bytesPerText);
  const seconds = frames / fps;
  return { bytes, seconds, bitsPerSecond: seconds > 0 ? (bytes * 8) / seconds : 0 };
}
