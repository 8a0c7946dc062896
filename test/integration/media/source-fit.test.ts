/**
 * Issue 12, point 7: a 2.35:1 source fitted into the 1.6:1 working geometry by crop, pad or stretch. A clip made
 * here with ffmpeg (white, a red strip down its left edge) shows what each fit keeps: crop cuts the strip away,
 * pad keeps the whole picture between black bars, stretch fills the frame with the strip squeezed in. The
 * pipeline's frames (workingFrames) and the studio's pictures (a preview JPEG, the thumbnails, the proxy mp4)
 * of one fit must show the same picture, or the analysis signals would not match what the user sees and codes.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrames, probe, runFfmpeg, type Fit, type ProbeInfo } from '../../../src/main/media/index.ts';
import { workingFrames } from '../../../src/main/pipeline/working-frames.ts';
import { makeAllThumbnails, makeFrameJpeg, makeProxyMp4 } from '../../../src/main/services/frames.ts';
import type { RgbFrame } from '../../../src/shared/engine/frame.ts';
import { collect, makeTempDir, meanAbsDiff } from './fixtures.ts';
import { readJpeg } from './read-jpeg.ts';

const G = { width: 512, height: 320, fpsNum: 8, fpsDen: 1 };

/** Mean of one channel (0 red, 1 green, 2 blue) over a rectangle. */
function channel(f: RgbFrame, c: number, x0: number, y0: number, x1: number, y1: number): number {
  let sum = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += f.data[(y * f.width + x) * 3 + c];
  return sum / ((x1 - x0) * (y1 - y0));
}
const isBlack = (f: RgbFrame, x0: number, y0: number, x1: number, y1: number): boolean => [0, 1, 2].every((c) => channel(f, c, x0, y0, x1, y1) < 20);
const isWhite = (f: RgbFrame, x0: number, y0: number, x1: number, y1: number): boolean => [0, 1, 2].every((c) => channel(f, c, x0, y0, x1, y1) > 225);
const isRed = (f: RgbFrame, x0: number, y0: number, x1: number, y1: number): boolean =>
  channel(f, 0, x0, y0, x1, y1) > 200 && channel(f, 1, x0, y0, x1, y1) < 60 && channel(f, 2, x0, y0, x1, y1) < 60;

describe('a 2.35:1 source at the 512x320 working geometry', () => {
  const tmp = makeTempDir();
  let clip: string;
  let info: ProbeInfo;
  const frameOf = async (fit: Fit): Promise<RgbFrame> => (await collect(decodeFrames(clip, { ...G, fit, maxFrames: 3 })))[2];

  beforeAll(async () => {
    clip = path.join(tmp.dir, 'wide.mp4');
    // 470x200 = 2.35:1; the red strip is the left tenth of the picture.
    await runFfmpeg([
      '-f', 'lavfi', '-i', 'color=c=white:s=470x200:r=8:d=1',
      '-vf', 'drawbox=x=0:y=0:w=47:h=200:color=red:t=fill',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-pix_fmt', 'yuv444p', '-y', clip,
    ]);
    info = await probe(clip);
  }, 60_000);
  afterAll(() => tmp.remove());

  it('crop fills the frame and cuts the sides away (the red strip is gone)', async () => {
    const f = await frameOf('crop');
    expect([f.width, f.height]).toEqual([512, 320]);
    // Scaled to 752x320, 120 columns cut on each side: the 75-column strip is outside.
    expect(isWhite(f, 0, 0, 512, 320)).toBe(true);
  });

  it('pad keeps the whole picture between black bars above and below', async () => {
    const f = await frameOf('pad');
    // Scaled to 512x218: 51 rows of black above and below.
    expect(isBlack(f, 0, 0, 512, 45)).toBe(true);
    expect(isBlack(f, 0, 276, 512, 320)).toBe(true);
    expect(isRed(f, 2, 60, 45, 260)).toBe(true);
    expect(isWhite(f, 60, 60, 512, 260)).toBe(true);
  });

  it('stretch fills the frame with the whole picture (strip kept, no bars)', async () => {
    const f = await frameOf('stretch');
    expect(isRed(f, 2, 0, 45, 320)).toBe(true);
    expect(isWhite(f, 60, 0, 512, 320)).toBe(true);
  });

  it("the pipeline's frames follow the working geometry's fit, crop when it names none", async () => {
    for (const fit of ['pad', 'stretch'] as const) {
      const [viaPipeline] = await collect(workingFrames(clip, { ...G, fit }));
      const [direct] = await collect(decodeFrames(clip, { ...G, fit, maxFrames: 1 }));
      expect(meanAbsDiff(viaPipeline, direct)).toBe(0);
    }
    const [plain] = await collect(workingFrames(clip, G));
    expect(isWhite(plain, 0, 0, 512, 320)).toBe(true);
  });

  it('the preview JPEG, the thumbnails and the proxy mp4 show what the pipeline codes, for each fit', async () => {
    for (const fit of ['crop', 'pad', 'stretch'] as const) {
      const g = { ...G, fit };
      const coded = await frameOf(fit);
      const jpeg = path.join(tmp.dir, `preview-${fit}.jpg`);
      await makeFrameJpeg(clip, info, g, 2, G, jpeg);
      expect(meanAbsDiff(await readJpeg(jpeg, 512, 320), coded), `preview ${fit}`).toBeLessThan(4);

      const proxy = path.join(tmp.dir, `proxy-${fit}.mp4`);
      await makeProxyMp4(clip, info, g, proxy);
      const [, , fromProxy] = await collect(decodeFrames(proxy, { ...G, fit: 'stretch', maxFrames: 3 }));
      expect(meanAbsDiff(fromProxy, coded), `proxy ${fit}`).toBeLessThan(4);

      const dir = path.join(tmp.dir, `cache-${fit}`);
      mkdirSync(dir);
      await makeAllThumbnails(clip, info, g, dir);
      const thumb = await readJpeg(path.join(dir, 'thumbs', '2.jpg'), 160, 100);
      // Bars only for pad (the top eighth of the thumbnail), the strip only where the picture keeps it.
      expect(isBlack(thumb, 0, 0, 160, 12), `thumbnail ${fit} bars`).toBe(fit === 'pad');
      expect(isRed(thumb, 1, 40, 12, 60), `thumbnail ${fit} strip`).toBe(fit !== 'crop');
    }
  }, 60_000);
});
