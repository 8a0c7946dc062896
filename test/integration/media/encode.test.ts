import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeMp4, probe, readVideoFrames, runFfmpeg, type Progress } from '../../../src/main/media/index.ts';
import { M3cError } from '../../../src/shared/engine/errors.ts';
import type { RgbFrame } from '../../../src/shared/engine/frame.ts';
import { collect, ffmpegChildren, makeTempDir } from './fixtures.ts';

const W = 128;
const H = 96;

/** A smooth moving gradient with a bright square: compressible, and every frame different. */
function syntheticFrame(i: number): RgbFrame {
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const o = (y * W + x) * 3;
      data[o] = (x * 2 + i * 4) & 255;
      data[o + 1] = (y * 2) & 255;
      data[o + 2] = 128;
      if (x >= 10 + i * 4 && x < 30 + i * 4 && y >= 30 && y < 50) data.fill(240, o, o + 3);
    }
  }
  return { width: W, height: H, data };
}

async function* synthetic(n: number, onEach?: (i: number) => void | Promise<void>): AsyncGenerator<RgbFrame> {
  for (let i = 0; i < n; i++) {
    await onEach?.(i);
    yield syntheticFrame(i);
  }
}

/** Top-level MP4 boxes in file order. */
function topLevelBoxes(file: string): string[] {
  const buf = readFileSync(file);
  const names: string[] = [];
  for (let off = 0; off + 8 <= buf.length; ) {
    let size = buf.readUInt32BE(off);
    if (size === 1) size = Number(buf.readBigUInt64BE(off + 8));
    names.push(buf.toString('latin1', off + 4, off + 8));
    if (size < 8) break;
    off += size;
  }
  return names;
}

function psnr(a: RgbFrame, b: RgbFrame): number {
  let se = 0;
  for (let i = 0; i < a.data.length; i++) se += (a.data[i] - b.data[i]) ** 2;
  return 10 * Math.log10((255 * 255) / (se / a.data.length));
}

/** Polls `check` for up to 5 s: process start-up time varies a lot on a busy machine. */
async function eventually(check: () => boolean): Promise<boolean> {
  for (const t0 = Date.now(); Date.now() - t0 < 5000; await new Promise((r) => setTimeout(r, 20))) {
    if (check()) return true;
  }
  return false;
}

const tmp = makeTempDir();
afterAll(() => tmp.remove());

describe('encodeMp4', () => {
  it('writes an H.264 yuv420p faststart mp4 that decodes back to the frames', async () => {
    const out = path.join(tmp.dir, 'round-trip.mp4');
    const progress: Progress[] = [];
    const result = await encodeMp4(synthetic(16), out, {
      fpsNum: 8, fpsDen: 1, preset: 'veryfast', totalFrames: 16, onProgress: (p) => progress.push(p),
    });
    expect(result.frames).toBe(16);
    expect(result.bytes).toBeGreaterThan(500);
    expect(readFileSync(out).length).toBe(result.bytes);
    expect(await probe(out)).toMatchObject({
      codec: 'h264', pixFmt: 'yuv420p', width: W, height: H, fpsNum: 8, fpsDen: 1, frameCount: 16, durationSec: 2,
    });
    const boxes = topLevelBoxes(out);
    expect(boxes).toContain('mdat');
    expect(boxes.indexOf('moov')).toBeGreaterThanOrEqual(0);
    expect(boxes.indexOf('moov')).toBeLessThan(boxes.indexOf('mdat'));
    expect(progress.at(-1)).toMatchObject({ done: true, fraction: 1 });

    const back = await collect(readVideoFrames(out));
    expect(back).toHaveLength(16);
    for (const i of [0, 7, 15]) expect(psnr(back[i], syntheticFrame(i))).toBeGreaterThan(30);
    // Frames keep their order: frame 15 is far from frame 0's picture.
    expect(psnr(back[15], syntheticFrame(0))).toBeLessThan(25);
    expect(readdirSync(tmp.dir).filter((f) => f.includes('.partial'))).toEqual([]);
  });

  it('leaves neither the output nor a temporary file when cancelled mid-encode', async () => {
    const dir = path.join(tmp.dir, 'cancel');
    mkdirSync(dir);
    const out = path.join(dir, 'cancelled.mp4');
    const ac = new AbortController();
    const sawTemp: boolean[] = [];
    const e = await encodeMp4(
      synthetic(1000, async (i) => {
        if (i === 6) {
          sawTemp.push(await eventually(() => readdirSync(dir).some((f) => f.endsWith('.partial'))));
          ac.abort();
        }
      }),
      out,
      { fpsNum: 8, fpsDen: 1, preset: 'ultrafast', signal: ac.signal },
    ).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(M3cError);
    expect((e as M3cError).code).toBe('cancelled');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
    expect(ffmpegChildren()).toEqual([]);
    expect(sawTemp).toEqual([true]);
  });

  it("surfaces ffmpeg's own message when the output folder does not exist", async () => {
    const out = path.join(tmp.dir, 'no-such-dir', 'out.mp4');
    const e = await encodeMp4(synthetic(2), out, { fpsNum: 8, fpsDen: 1, preset: 'ultrafast' }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(M3cError);
    expect((e as M3cError).code).toBe('ffmpeg');
    expect((e as M3cError).message).toMatch(/^ffmpeg failed: .*no-such-dir.*No such file or directory$/);
    expect(existsSync(path.dirname(out))).toBe(false);
  });

  it('rejects frames that change size and an empty source', async () => {
    async function* changing(): AsyncGenerator<RgbFrame> {
      yield syntheticFrame(0);
      yield { width: 64, height: 48, data: new Uint8Array(64 * 48 * 3) };
    }
    const out = path.join(tmp.dir, 'bad.mp4');
    await expect(encodeMp4(changing(), out, { fpsNum: 8, fpsDen: 1, preset: 'ultrafast' })).rejects.toThrow(/frame 2 is 64x48/);
    await expect(encodeMp4(synthetic(0), out, { fpsNum: 8, fpsDen: 1 })).rejects.toMatchObject({ code: 'input' });
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(tmp.dir).filter((f) => f.includes('.partial'))).toEqual([]);
  });
});

describe('runFfmpeg', () => {
  it('pipes stdin in and returns stdout', async () => {
    const frame = syntheticFrame(3);
    const { stdout } = await runFfmpeg(
      ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${W}x${H}`, '-i', 'pipe:0', '-vf', 'hflip', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
      { stdin: frame.data },
    );
    expect(stdout.length).toBe(W * H * 3);
    const x = 5;
    const y = 40;
    const src = (y * W + (W - 1 - x)) * 3;
    expect([...stdout.subarray((y * W + x) * 3, (y * W + x) * 3 + 3)]).toEqual([...frame.data.subarray(src, src + 3)]);
  });

  it('reports progress with a fraction of the given duration', async () => {
    const progress: Progress[] = [];
    await runFfmpeg(['-f', 'lavfi', '-i', 'testsrc=s=64x48:r=25:d=2', '-f', 'null', '-'], {
      durationSec: 2, onProgress: (p) => progress.push(p),
    });
    expect(progress.at(-1)).toMatchObject({ done: true, fraction: 1, frame: 50 });
  });

  it("fails with ffmpeg's most relevant line, and removes the named output", async () => {
    const out = path.join(tmp.dir, 'filter-fail.mp4');
    const e = await runFfmpeg(['-f', 'lavfi', '-i', 'testsrc=s=64x48:d=0.2', '-vf', 'nosuchfilter', '-y', out], { outputPath: out }).catch(
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(M3cError);
    expect((e as M3cError).code).toBe('ffmpeg');
    expect((e as M3cError).message).toBe("ffmpeg failed: No such filter: 'nosuchfilter'");
    expect(existsSync(out)).toBe(false);
  });

  it('kills a running ffmpeg on abort and removes its partial output', async () => {
    // NUT stores raw RGB natively (Matroska refuses it, which made ffmpeg fail on its own and race the abort).
    const out = path.join(tmp.dir, 'endless.nut');
    const ac = new AbortController();
    const p = runFfmpeg(['-re', '-f', 'lavfi', '-i', 'testsrc=s=64x48:r=25', '-c:v', 'rawvideo', '-y', out], {
      signal: ac.signal, outputPath: out,
    });
    // Observed below; this keeps a rejection before then from being reported as unhandled.
    p.catch(() => undefined);
    expect(await eventually(() => existsSync(out))).toBe(true);
    const t0 = Date.now();
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'cancelled' });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(existsSync(out)).toBe(false);
    expect(ffmpegChildren()).toEqual([]);
  });
});
