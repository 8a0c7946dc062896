/**
 * What the dialogue shows the model, computed the same way in main (the describe engine) and in the renderer
 * (the Dialogue tab shows the very frames the model saw).
 */
import { M3cError } from '../engine/errors.ts';

/** Frames of each clip shown to the model when nothing else is asked (the studio never asks otherwise). */
export const DEFAULT_CLIP_SAMPLE_FRAMES = 4;

/** Clip-relative indices of `count` frames spread evenly over `length`, first and last included. */
export function sampleClipFrames(length: number, count: number): number[] {
  if (!Number.isInteger(count) || count < 1) throw new M3cError('usage', `clip sample frames must be a positive integer, got ${count}`);
  if (length <= count) return Array.from({ length }, (_, i) => i);
  if (count === 1) return [0];
  return Array.from({ length: count }, (_, j) => Math.round((j * (length - 1)) / (count - 1)));
}
