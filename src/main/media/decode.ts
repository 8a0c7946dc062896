import { M3cError, throwIfAborted } from '../../shared/engine/errors.ts';
import type { RgbFrame } from '../../shared/engine/frame.ts';
import { assertEvenSize, fitFilters, type Fit, type Size } from './geometry.ts';
import { MediaJob, ffmpegBaseArgs } from './job.ts';
import { locateFfmpeg } from './locate.ts';
import { displaySize, probe, sourceInputArgs, type ProbeInfo } from './probe.ts';
import type { Progress } from './progress.ts';

export interface DecodeOptions {
  width: number;
  height: number;
  fpsNum: number;
  fpsDen: number;
  fit?: Fit;
  maxFrames?: number;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
}

/** How many frames the fps filter will give for `info` at the working rate (within one frame). */
export function expectedFrameCount(info: ProbeInfo, fpsNum: number, fpsDen: number): number {
  return Math.max(1, Math.round((info.durationSec * fpsNum) / fpsDen));
}

/**
 * Streams the video's frames as packed RGB24 at the working geometry and rate. Frames are read
 * from ffmpeg's stdout one at a time: while the consumer works on a frame nothing is read, the
 * pipe fills and ffmpeg blocks, so memory stays at a few frames whatever the video's length.
 * Leaving the loop early (break, throw) stops ffmpeg and waits until it is gone.
 */
export async function* decodeFrames(file: string, options: DecodeOptions): AsyncGenerator<RgbFrame> {
  assertEvenSize(options, 'working size');
  const { fpsNum, fpsDen } = options;
  if (!(Number.isInteger(fpsNum) && fpsNum > 0 && Number.isInteger(fpsDen) && fpsDen > 0)) {
    throw new M3cError('usage', `working frame rate ${fpsNum}/${fpsDen} must be a ratio of positive integers`);
  }
  const info = await probe(file, options.signal);
  yield* streamFrames(file, info, options, options);
}

/**
 * Every frame of a video as stored (rotation applied, pixels neither resized nor resampled to
 * square) at its own rate, e.g. to compare a decoded .mp4 with its source. The size need not be
 * even here: nothing is re-encoded.
 */
export async function* readVideoFrames(
  file: string,
  options: { maxFrames?: number; signal?: AbortSignal; onProgress?: (p: Progress) => void } = {},
): AsyncGenerator<RgbFrame> {
  const info = await probe(file, options.signal);
  yield* streamFrames(file, info, info, { ...options, fpsNum: info.fpsNum, fpsDen: info.fpsDen, fit: 'stretch' }, false);
}

async function* streamFrames(
  file: string,
  info: ProbeInfo,
  target: Size,
  options: Omit<DecodeOptions, 'width' | 'height'>,
  resample = true,
): AsyncGenerator<RgbFrame> {
  const { signal, onProgress, maxFrames } = options;
  throwIfAborted(signal);
  const { width, height } = target;
  const frameBytes = width * height * 3;
  const limit = maxFrames !== undefined && maxFrames >= 0 ? Math.floor(maxFrames) : undefined;
  if (limit === 0) return;
  const total = Math.min(limit ?? Infinity, expectedFrameCount(info, options.fpsNum, options.fpsDen));

  // ffmpeg applies the rotation metadata itself (autorotate) before our filters see the picture.
  // Without resampling every stored frame comes out once, whatever its timestamp.
  const filters = [
    ...(resample ? [`fps=${options.fpsNum}/${options.fpsDen}`] : []),
    ...fitFilters(displaySize(info), target, options.fit ?? 'crop'),
    'format=rgb24',
  ];
  const { ffmpeg } = locateFfmpeg();
  const job = new MediaJob(
    ffmpeg,
    [
      ...ffmpegBaseArgs({ stdin: false, progress: false }),
      // Local files, supported containers only: a playlist must not make ffmpeg read other files.
      ...sourceInputArgs(file),
      '-map', '0:v:0', '-an', '-sn', '-dn',
      '-vf', filters.join(','),
      // The fps filter (or nothing) decides which frames exist; the muxer must not drop or repeat any.
      '-fps_mode', 'passthrough',
      ...(limit !== undefined ? ['-frames:v', String(limit)] : []),
      '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1',
    ],
    { tool: 'ffmpeg', signal },
  );

  let count = 0;
  const report = (done: boolean): void =>
    onProgress?.({
      frame: count,
      timeSec: (count * options.fpsDen) / options.fpsNum,
      fraction: done ? 1 : Math.min(1, count / total),
      done,
    });
  try {
    let frame = new Uint8Array(frameBytes);
    let filled = 0;
    try {
      reading: for await (const chunk of job.stdout as AsyncIterable<Buffer>) {
        let offset = 0;
        while (offset < chunk.length) {
          const n = Math.min(frameBytes - filled, chunk.length - offset);
          frame.set(chunk.subarray(offset, offset + n), filled);
          filled += n;
          offset += n;
          if (filled === frameBytes) {
            count++;
            yield { width, height, data: frame };
            throwIfAborted(signal);
            frame = new Uint8Array(frameBytes);
            filled = 0;
            if (limit !== undefined && count >= limit) break reading;
            report(false);
          }
        }
      }
    } catch (e) {
      // Cancelling destroys the pipe under the reader; say why it broke rather than how.
      throwIfAborted(signal);
      throw e;
    }
    if (limit === undefined || count < limit) {
      await job.done;
      if (filled !== 0) throw new M3cError('ffmpeg', `ffmpeg output ended inside frame ${count + 1} of ${file}`);
      if (count === 0) throw new M3cError('input', `${file} has no video frames ffmpeg can decode`);
    }
    report(true);
  } finally {
    job.stop();
    await job.exited;
  }
}
