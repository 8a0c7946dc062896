/**
 * "Walk the frames, keep these indices": the one place a frame stream is filtered down to chosen frame
 * numbers. Stops reading as soon as the last wanted frame has been seen (the caller's iterator is closed,
 * so an ffmpeg child behind it is stopped), and fails when the stream ends first.
 */
import { M3cError, throwIfAborted } from '../../shared/engine/errors.ts';
import type { RgbFrame } from '../../shared/engine/frame.ts';

export interface PickedFrame {
  /** Frame number in the stream, from 0. */
  readonly index: number;
  readonly frame: RgbFrame;
}

/**
 * Yields the frames whose numbers are in `wanted` (any order, duplicates ignored), in stream order.
 * `what` names the stream in the error when it is shorter than the largest wanted index.
 */
export async function* pickFrames(
  frames: AsyncIterable<RgbFrame> | Iterable<RgbFrame>,
  wanted: Iterable<number>,
  options: { signal?: AbortSignal; what?: string } = {},
): AsyncGenerator<PickedFrame> {
  const sorted = [...new Set(wanted)].sort((a, b) => a - b);
  if (sorted.length === 0) return;
  for (const i of sorted) if (!Number.isInteger(i) || i < 0) throw new M3cError('internal', `frame index ${i} is not a non-negative integer`);
  let k = 0;
  let index = 0;
  for await (const frame of frames as AsyncIterable<RgbFrame>) {
    throwIfAborted(options.signal);
    if (index === sorted[k]) {
      yield { index, frame };
      k++;
      if (k === sorted.length) return;
    }
    index++;
  }
  throw new M3cError('input', `${options.what ?? 'the video'} has ${index} frames, fewer than the ${sorted[sorted.length - 1] + 1} its analysis counted: the file may be damaged; re-run the analysis`);
}
