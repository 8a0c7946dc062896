import { randomBytes } from 'node:crypto';
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { M3cError, cancelled, throwIfAborted } from '../../shared/engine/errors.ts';
import type { RgbFrame } from '../../shared/engine/frame.ts';
import { SCALER_FLAGS, assertEvenSize } from './geometry.ts';
import { MediaJob, ffmpegBaseArgs } from './job.ts';
import { locateFfmpeg } from './locate.ts';
import type { Progress } from './progress.ts';

export interface EncodeOptions {
  fpsNum: number;
  fpsDen: number;
  /** libx264 constant rate factor; lower is better quality. */
  crf?: number;
  /** libx264 preset (ultrafast ... veryslow). */
  preset?: string;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** Number of frames the source will give, so progress can carry a fraction. */
  totalFrames?: number;
}

export const DEFAULT_CRF = 18;
export const DEFAULT_PRESET = 'medium';

/**
 * Encodes RGB24 frames to an H.264 mp4 at `outPath`. ffmpeg writes a hidden temporary file in the
 * same folder, renamed over `outPath` only once complete: a failed or cancelled encode leaves
 * neither a partial file nor the temporary one. Frames are piped as they come, waiting for the
 * pipe to drain, so a long source is never held in memory.
 */
export async function encodeMp4(
  frames: AsyncIterable<RgbFrame>,
  outPath: string,
  options: EncodeOptions,
): Promise<{ frames: number; bytes: number }> {
  const { signal, fpsNum, fpsDen } = options;
  if (!(Number.isInteger(fpsNum) && fpsNum > 0 && Number.isInteger(fpsDen) && fpsDen > 0)) {
    throw new M3cError('usage', `frame rate ${fpsNum}/${fpsDen} must be a ratio of positive integers`);
  }
  throwIfAborted(signal);
  const target = path.resolve(outPath);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}-${randomBytes(4).toString('hex')}.partial`);

  let job: MediaJob | undefined;
  let count = 0;
  try {
    let width = 0;
    let height = 0;
    for await (const frame of frames) {
      throwIfAborted(signal);
      if (!job) {
        ({ width, height } = frame);
        assertEvenSize(frame, 'H.264 yuv420p frame size');
        job = startEncoder(temp, width, height, options);
      } else if (frame.width !== width || frame.height !== height) {
        throw new M3cError('internal', `frame ${count + 1} is ${frame.width}x${frame.height}, earlier frames were ${width}x${height}`);
      }
      if (frame.data.length !== width * height * 3) {
        throw new M3cError('internal', `frame ${count + 1} has ${frame.data.length} bytes, expected ${width * height * 3}`);
      }
      count++;
      if (!job.stdin.write(frame.data)) await drainedOrGone(job);
      // ffmpeg gave up (its error is read below); pulling more frames would only waste work.
      if (!job.running) break;
    }
    if (!job) throw new M3cError('input', `no frames to encode into ${outPath}`);
    job.stdin.end();
    await job.done;
    throwIfAborted(signal);
    await rename(temp, target);
    const { size } = await stat(target);
    return { frames: count, bytes: size };
  } catch (e) {
    if (job) {
      job.stop();
      await job.exited;
    }
    await rm(temp, { force: true });
    if (signal?.aborted) throw cancelled();
    throw e;
  }
}

function startEncoder(temp: string, width: number, height: number, options: EncodeOptions): MediaJob {
  const { ffmpeg } = locateFfmpeg();
  return new MediaJob(
    ffmpeg,
    [
      ...ffmpegBaseArgs({ stdin: true, progress: options.onProgress !== undefined }),
      '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`,
      '-framerate', `${options.fpsNum}/${options.fpsDen}`,
      '-i', 'pipe:0',
      // RGB -> YUV with BT.601 limited range, and the file says so: players guess BT.709 for
      // untagged HD video, which would shift every colour.
      '-vf', `scale=out_color_matrix=bt601:out_range=tv:flags=${SCALER_FLAGS},format=yuv420p`,
      '-c:v', 'libx264', '-preset', options.preset ?? DEFAULT_PRESET, '-crf', String(options.crf ?? DEFAULT_CRF),
      '-pix_fmt', 'yuv420p',
      '-colorspace', 'smpte170m', '-color_primaries', 'smpte170m', '-color_trc', 'smpte170m', '-color_range', 'tv',
      '-movflags', '+faststart',
      '-f', 'mp4', '-y', temp,
    ],
    { tool: 'ffmpeg', signal: options.signal, stdin: true, onProgress: options.onProgress, totalFrames: options.totalFrames },
  );
}

function drainedOrGone(job: MediaJob): Promise<void> {
  return new Promise((resolve) => {
    const finish = (): void => {
      job.stdin.off('drain', finish);
      job.stdin.off('close', finish);
      resolve();
    };
    job.stdin.once('drain', finish);
    job.stdin.once('close', finish);
    void job.exited.then(finish);
  });
}
