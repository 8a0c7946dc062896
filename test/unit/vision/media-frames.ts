/** Test-only helpers: real frames decoded with the system ffmpeg into packed RGB24. */
import { execFileSync } from 'node:child_process';
import type { RgbFrame } from '../../../src/shared/engine/frame.ts';
import { mediaPath } from '../../helpers/media.ts';

const FFMPEG = '/usr/bin/ffmpeg';

function rawFrames(args: string[], width: number, height: number): RgbFrame[] {
  const out = execFileSync(FFMPEG, ['-v', 'error', ...args, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
    maxBuffer: 1 << 30,
  });
  const size = width * height * 3;
  const frames: RgbFrame[] = [];
  for (let o = 0; o + size <= out.length; o += size) {
    frames.push({ width, height, data: new Uint8Array(out.buffer, out.byteOffset + o, size).slice() });
  }
  return frames;
}

/** The first `count` frames of a shared video, resampled to `fps` and scaled to width x height. */
export function videoFrames(name: string, count: number, width = 512, height = 320, fps = 8): RgbFrame[] {
  const frames = rawFrames(
    ['-i', mediaPath('video', name), '-vf', `fps=${fps},scale=${width}:${height}:flags=area`, '-frames:v', String(count)],
    width,
    height,
  );
  if (frames.length !== count) throw new Error(`decoded ${frames.length} of ${count} frames from ${name}`);
  return frames;
}

/** A Kodak image scaled to width x height. */
export function kodakImage(name: string, width: number, height: number): RgbFrame {
  const [frame] = rawFrames(['-i', mediaPath('images', 'kodak', name), '-vf', `scale=${width}:${height}:flags=bicubic`], width, height);
  return frame;
}

/** Mean of `factor` x `factor` blocks starting at (ox, oy): exact sub-pixel shifts without interpolation. */
export function cropDownsample(src: RgbFrame, ox: number, oy: number, factor: number, width: number, height: number): RgbFrame {
  const out = new Uint8Array(width * height * 3);
  const area = factor * factor;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let j = 0; j < factor; j++) {
          const row = ((oy + y * factor + j) * src.width + ox + x * factor) * 3 + c;
          for (let i = 0; i < factor; i++) s += src.data[row + i * 3];
        }
        out[(y * width + x) * 3 + c] = Math.round(s / area);
      }
    }
  }
  return { width, height, data: out };
}

export function psnr(a: RgbFrame, b: RgbFrame): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = a.data[i] - b.data[i];
    s += d * d;
  }
  const mse = s / a.data.length;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}
