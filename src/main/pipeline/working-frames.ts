import type { Geometry, RgbFrame } from '../../shared/engine/frame.ts';
import { decodeFrames } from '../media/index.ts';

/** A video's frames at the working geometry and rate, streamed from ffmpeg (every pass of the pipeline reads this way). */
export function workingFrames(file: string, geometry: Geometry, signal?: AbortSignal): AsyncGenerator<RgbFrame> {
  return decodeFrames(file, { width: geometry.width, height: geometry.height, fpsNum: geometry.fpsNum, fpsDen: geometry.fpsDen, signal });
}
