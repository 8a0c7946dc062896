import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_MEDIA } from '../../helpers/media.ts';
import { decodeFrames, readVideoFrames, type Fit } from '../../../src/main/media/index.ts';
import type { Progress } from '../../../src/main/media/index.ts';
import { M3cError } from '../../../src/shared/engine/errors.ts';
import type { RgbFrame } from '../../../src/shared/engine/frame.ts';
import {
  BIKES, CARPHONE, collect, ffmpegChildren, makeOddInputs, makeTempDir, mean, meanAbsDiff, rotateCcw, rotateCw,
} from './fixtures.ts';

const NTSC = { fpsNum: 30000, fpsDen: 1001 };

async function first(file: string, width: number, height: number, fit: Fit = 'crop'): Promise<RgbFrame> {
  const frames = await collect(decodeFrames(file, { width, height, ...NTSC, fit, maxFrames: 1 }));
  expect(frames).toHaveLength(1);
  return frames[0];
}

describe.skipIf(!HAS_MEDIA)('decodeFrames', () => {
  const tmp = makeTempDir();
  let odd: Awaited<ReturnType<typeof makeOddInputs>>;
  beforeAll(async () => {
    odd = await makeOddInputs(tmp.dir);
  });
  afterAll(() => tmp.remove());

  it('streams bikes.mp4 at 512x320, 8 fps: 10 s gives 80 frames', async () => {
    const progress: Progress[] = [];
    let count = 0;
    const means: number[] = [];
    for await (const f of decodeFrames(BIKES, { width: 512, height: 320, fpsNum: 8, fpsDen: 1, onProgress: (p) => progress.push(p) })) {
      expect(f.width).toBe(512);
      expect(f.height).toBe(320);
      expect(f.data.length).toBe(512 * 320 * 3);
      if (count % 10 === 0) means.push(mean(f));
      count++;
    }
    expect(count).toBe(80);
    expect(means.every((m) => m > 10)).toBe(true);
    // Hard cuts between shots: the frames are not all alike.
    expect(Math.max(...means) - Math.min(...means)).toBeGreaterThan(5);
    expect(progress.at(-1)).toMatchObject({ frame: 80, fraction: 1, done: true });
    expect(progress.filter((p) => p.done)).toHaveLength(1);
    const fractions = progress.map((p) => p.fraction ?? 0);
    expect(fractions.every((v, i) => i === 0 || v >= fractions[i - 1])).toBe(true);
  });

  it('breaking out early stops ffmpeg and leaves no process behind', async () => {
    const started = Date.now();
    let count = 0;
    for await (const f of decodeFrames(BIKES, { width: 512, height: 320, fpsNum: 25, fpsDen: 1 })) {
      expect(f.data.length).toBe(512 * 320 * 3);
      if (++count === 2) break;
    }
    expect(count).toBe(2);
    expect(ffmpegChildren()).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('cancels through an AbortSignal mid-decode', async () => {
    const ac = new AbortController();
    let count = 0;
    const run = async (): Promise<void> => {
      for await (const _ of decodeFrames(BIKES, { width: 512, height: 320, fpsNum: 25, fpsDen: 1, signal: ac.signal })) {
        if (++count === 3) ac.abort();
      }
    };
    const e = await run().catch((err: unknown) => err);
    expect(e).toBeInstanceOf(M3cError);
    expect((e as M3cError).code).toBe('cancelled');
    expect(count).toBe(3);
    expect(ffmpegChildren()).toEqual([]);
  });

  it('cancels while waiting for ffmpeg, not only between frames', async () => {
    const ac = new AbortController();
    const frames = decodeFrames(BIKES, { width: 512, height: 320, fpsNum: 25, fpsDen: 1, signal: ac.signal });
    const it0 = frames[Symbol.asyncIterator]();
    expect((await it0.next()).done).toBe(false);
    const pending = it0.next();
    ac.abort();
    // The frame may already be in the pipe; the one after can no longer come.
    const e = await (async () => {
      await pending;
      await it0.next();
    })().catch((err: unknown) => err);
    expect((e as M3cError).code).toBe('cancelled');
    expect(ffmpegChildren()).toEqual([]);
  });

  it('decodes the odd-sized carphone.mp4, upscaled and downscaled', async () => {
    const frames = await collect(decodeFrames(CARPHONE, { width: 352, height: 288, fpsNum: 10, fpsDen: 1 }));
    expect(frames.length).toBeGreaterThanOrEqual(39);
    expect(frames.length).toBeLessThanOrEqual(41);
    expect(frames[0].data.length).toBe(352 * 288 * 3);
    const small = await first(CARPHONE, 64, 48);
    expect(small.data.length).toBe(64 * 48 * 3);
    expect(mean(small)).toBeGreaterThan(10);
    // Same input, same flags, same pixels.
    expect(Buffer.from((await first(CARPHONE, 64, 48)).data).equals(Buffer.from(small.data))).toBe(true);
  });

  it('turns video with rotation metadata upright before the centre crop', async () => {
    const landscape = await first(CARPHONE, 64, 64);
    const rotated = await first(odd.rotated, 64, 64);
    // The display matrix says a quarter turn counter-clockwise.
    expect(meanAbsDiff(rotated, rotateCcw(landscape))).toBeLessThan(1);
    expect(meanAbsDiff(rotated, rotateCw(landscape))).toBeGreaterThan(30);
  });

  it('centre-crops portrait pixels like the landscape source turned', async () => {
    const landscape = await first(CARPHONE, 96, 128, 'stretch');
    const portrait = await first(odd.transposed, 128, 96, 'stretch');
    expect(meanAbsDiff(portrait, rotateCw(landscape))).toBeLessThan(1);
    // Cropped, the two differ only by where half a pixel of rounding falls.
    const a = await first(CARPHONE, 64, 64);
    const b = await first(odd.transposed, 64, 64);
    expect(meanAbsDiff(b, rotateCw(a))).toBeLessThan(10);
    expect(meanAbsDiff(b, rotateCcw(a))).toBeGreaterThan(30);
  });

  it('pads with centred black bars when asked', async () => {
    // 640x272 (2.35:1) into 256x256: 256x109 picture, 73/74 black rows above and below.
    const f = await first(BIKES, 256, 256, 'pad');
    expect(mean(f, 0, 0, 256, 70)).toBeLessThan(1);
    expect(mean(f, 0, 186, 256, 256)).toBeLessThan(1);
    expect(mean(f, 0, 100, 256, 160)).toBeGreaterThan(10);
    const cropped = await first(BIKES, 256, 256, 'crop');
    expect(mean(cropped, 0, 0, 256, 70)).toBeGreaterThan(10);
  });

  it('refuses an odd working size and bad input with clear errors', async () => {
    await expect(collect(decodeFrames(BIKES, { width: 175, height: 144, fpsNum: 8, fpsDen: 1 }))).rejects.toMatchObject({ code: 'usage' });
    for (const file of [odd.text, odd.empty, odd.audio, `${tmp.dir}/missing.mp4`]) {
      await expect(collect(decodeFrames(file, { width: 64, height: 64, fpsNum: 8, fpsDen: 1 }))).rejects.toMatchObject({ code: 'input' });
    }
  });

  it('reads a video back at its own size and rate', async () => {
    const frames = await collect(readVideoFrames(CARPHONE, { maxFrames: 5 }));
    expect(frames).toHaveLength(5);
    expect(frames[0]).toMatchObject({ width: 176, height: 144 });
    const rotated = await collect(readVideoFrames(odd.rotated));
    expect(rotated).toHaveLength(8);
    expect(rotated[0]).toMatchObject({ width: 144, height: 176 });
    expect(meanAbsDiff(rotated[0], rotateCcw(frames[0]))).toBeLessThan(1);
  });
});
