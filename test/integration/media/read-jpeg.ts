import { runFfmpeg } from '../../../src/main/media/index.ts';
import { makeFrame, type RgbFrame } from '../../../src/shared/engine/frame.ts';

/** A cached thumbnail or preview (a .jpg of a known size) as RGB, decoded by ffmpeg. */
export async function readJpeg(file: string, width: number, height: number): Promise<RgbFrame> {
  const { stdout } = await runFfmpeg(['-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
  if (stdout.length !== width * height * 3) throw new Error(`${file} is not ${width}x${height}`);
  return makeFrame(width, height, new Uint8Array(stdout.buffer, stdout.byteOffset, stdout.length));
}
