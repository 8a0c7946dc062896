/** Still images through ffmpeg: any format it reads in, PNG out. */
import type { RgbFrame } from '../../shared/engine/frame.ts';
import { makeFrame } from '../../shared/engine/frame.ts';
import { M3cError } from '../../shared/engine/errors.ts';
import { runFfmpeg } from './job.ts';
import { IMAGE_DEMUXERS, probe, sourceInputArgs } from './probe.ts';

/** A still image as packed RGB24 at its stored size. */
export async function readImage(file: string, signal?: AbortSignal): Promise<RgbFrame> {
  const info = await probe(file, signal, IMAGE_DEMUXERS);
  const { stdout } = await runFfmpeg([...sourceInputArgs(file, IMAGE_DEMUXERS), '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { signal });
  if (stdout.length !== info.width * info.height * 3) {
    throw new M3cError('input', `${file} decoded to ${stdout.length} bytes, expected ${info.width}x${info.height} RGB`);
  }
  return makeFrame(info.width, info.height, new Uint8Array(stdout.buffer, stdout.byteOffset, stdout.length));
}

/** The PNG file bytes of a frame (lossless). */
export async function encodePng(frame: RgbFrame, signal?: AbortSignal): Promise<Uint8Array> {
  const { stdout } = await runFfmpeg(
    ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${frame.width}x${frame.height}`, '-i', 'pipe:0', '-frames:v', '1', '-c:v', 'png', '-pred', 'mixed', '-f', 'image2pipe', 'pipe:1'],
    { stdin: frame.data, signal },
  );
  return new Uint8Array(stdout.buffer, stdout.byteOffset, stdout.length);
}
