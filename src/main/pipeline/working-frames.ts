import type { RgbFrame } from '../../shared/engine/frame.ts';
import { decodeFrames } from '../media/index.ts';
import { fitOf, type WorkingGeometry } from '../media/geometry.ts';

export type { WorkingGeometry };

/**
 * A video's frames at the working geometry and rate, the picture fitted by the geometry's fit (cropped when it
 * names none), streamed from ffmpeg: every pass of the pipeline over a source reads this way, so the analysis,
 * the descriptions and the coded keyframes all see the same pixels.
 */
export function workingFrames(file: string, geometry: WorkingGeometry, signal?: AbortSignal): AsyncGenerator<RgbFrame> {
  const { width, height, fpsNum, fpsDen } = geometry;
  return decodeFrames(file, { width, height, fpsNum, fpsDen, fit: fitOf(geometry), signal });
}
