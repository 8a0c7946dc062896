/**
 * `m3c bench keyframes` on real media with the small test model pack, real ONNX Runtime and real
 * ffmpeg (libaom, dav1d): one Kodak image and one evaluation-clip keyframe; then the command's
 * usage and model errors in child processes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchKeyframes, BENCH_ROWS, KODAK_CROP, renderBenchReport, SEPARATOR_PX, type BenchKeyframesResult } from '../../../bench/keyframes/index.ts';
import { EXIT_CODES } from '../../../src/shared/engine/errors.ts';
import { MEDIA_DIR, REPO_ROOT } from '../../helpers/media.ts';
import { runCli } from '../../helpers/cli.ts';

const PACK = path.join(REPO_ROOT, 'test', 'fixtures', 'learned');
let dir: string;
let result: BenchKeyframesResult;
const events: string[] = [];

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const b = readFileSync(file);
  expect(b.subarray(1, 4).toString('latin1')).toBe('PNG');
  expect(b.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-bench-kf-'));
  result = await benchKeyframes({ modelsDir: PACK, mediaDir: MEDIA_DIR, limit: 1, gridsDir: path.join(dir, 'grids') }, undefined, (e) => events.push(e.stage));
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('benchKeyframes', () => {
  it('measures ours, ours without diffusion and AV1 on one image per set', () => {
    expect(result.packId).toBe('m3c-learned-smoke-1');
    expect(result.grids).toEqual(['coarse']);
    expect(result.steps).toBe(4);
    expect(result.sets.map((s) => s.set)).toEqual(['kodak', 'clips']);
    const [kodak, clips] = result.sets;
    expect(kodak.images.map((i) => [i.name, i.width, i.height])).toEqual([['kodim01', 768, 512]]);
    // Frame 0 of the first evaluation clip is always a keyframe, at the 512x320 working geometry.
    expect(clips.images.map((i) => [i.name, i.frame, i.width, i.height])).toEqual([['04_coffee-f0', 0, 512, 320]]);
    expect(events).toContain('kodak');
    expect(events).toContain('clips');
    expect(events.some((s) => s.startsWith('analysis'))).toBe(true);
    for (const s of result.sets) {
      expect(s.averages.map((a) => a.row)).toEqual([...BENCH_ROWS]);
      for (const im of s.images) {
        expect(im.rows.map((r) => r.row)).toEqual([...BENCH_ROWS]);
        const [ours, plain, av1] = im.rows;
        // The same payload decoded two ways; the denoiser changes the pixels.
        expect(plain.bytes).toBe(ours.bytes);
        expect(plain.psnr).not.toBe(ours.psnr);
        expect(av1.av1?.targetBytes).toBe(ours.bytes);
        if (av1.av1?.withinTolerance) expect(Math.abs(av1.bytes - ours.bytes)).toBeLessThanOrEqual(0.05 * ours.bytes);
        else expect(av1.av1?.withinTolerance).toBe(false);
        for (const r of im.rows) {
          expect(r.bpp).toBeCloseTo((8 * r.bytes) / (im.width * im.height), 10);
          expect(r.bytes).toBeGreaterThan(50);
          expect(r.psnr).toBeGreaterThan(12);
          expect(r.psnr).toBeLessThan(40);
          expect(r.msssim).toBeGreaterThan(0.2);
          expect(r.msssim).toBeLessThanOrEqual(1);
          expect(Number.isFinite(r.hfRatio) && r.hfRatio > 0).toBe(true);
          // A ultra-low-rate reconstruction has lost detail.
          expect(r.hfRatio).toBeLessThan(1);
          expect(r.gradDist).toBeGreaterThan(0);
          expect(r.gradDist).toBeLessThanOrEqual(1);
          expect(r.encodeMs).toBeGreaterThan(0);
          expect(r.decodeMs).toBeGreaterThan(0);
        }
      }
    }
    // Averages of one image are that image's numbers.
    expect(result.sets[0].averages[2].psnr).toBe(result.sets[0].images[0].rows[2].psnr);
  });

  it('writes the side-by-side grids: 4 panels with separators', () => {
    expect(readdirSync(path.join(dir, 'grids')).sort()).toEqual(['04_coffee-f0-coarse.png', 'kodim01-coarse.png']);
    expect(pngSize(path.join(dir, 'grids', 'kodim01-coarse.png'))).toEqual({ width: 4 * KODAK_CROP.width + 3 * SEPARATOR_PX, height: KODAK_CROP.height });
    expect(pngSize(path.join(dir, 'grids', '04_coffee-f0-coarse.png'))).toEqual({ width: 4 * 512 + 3 * SEPARATOR_PX, height: 320 });
    expect(result.gridPngs.reduce((s, g) => s + g.bytes, 0)).toBeLessThan(8_000_000);
  });

  it('renders a report with the machine, the rows, the definitions and the grids', () => {
    const md = renderBenchReport(result, (f) => path.relative(dir, f));
    expect(md).toContain('m3c-learned-smoke-1');
    expect(md).toContain(os.cpus()[0].model.trim());
    for (const row of BENCH_ROWS) expect(md).toMatch(new RegExp(`^\\| ${row} \\| coarse \\| 1 \\|`, 'm'));
    expect(md).toMatch(/^\| kodim01 \| 768x512 \| av1 \| coarse \|/m);
    expect(md).toContain('HF ratio: high-frequency energy');
    expect(md).toContain('Jensen-Shannon');
    expect(md).toContain('equal bytes');
    expect(md).toContain('](grids/kodim01-coarse.png)');
  });
});

describe('m3c bench (CLI)', () => {
  it('without a subcommand, or with an unknown one, is a usage error naming "keyframes"', async () => {
    for (const args of [['bench'], ['bench', 'frames']]) {
      const r = await runCli(args);
      expect(r.code).toBe(EXIT_CODES.usage);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('keyframes');
    }
  }, 60_000);

  it('refuses a models folder without a pack with the model exit code, writing nothing', async () => {
    const out = path.join(dir, 'cli-out');
    const r = await runCli(['bench', 'keyframes', '--models', path.join(dir, 'no-such-pack'), '--out', out, '--limit', '1']);
    expect(r.code).toBe(EXIT_CODES.model);
    expect(r.stderr).toMatch(/^m3c: model manifest .*no-such-pack.* is missing/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(readdirSync(out)).toEqual([]);
  }, 60_000);

  it('rejects bad option values as usage errors', async () => {
    const r = await runCli(['bench', 'keyframes', '--models', PACK, '--steps', '9', '--out', path.join(dir, 'x')]);
    expect(r.code).toBe(EXIT_CODES.usage);
    expect(r.stderr).toContain('--steps');
  }, 60_000);
});
