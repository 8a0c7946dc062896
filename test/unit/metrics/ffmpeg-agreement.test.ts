/**
 * Cross-checks the metrics against ffmpeg's own `psnr` and `ssim` filters on a real photograph and a
 * JPEG-compressed copy made here with ffmpeg. Both sides read the very same raw RGB bytes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFrame, type RgbFrame } from '../../../src/shared/engine/frame.ts';
import { msSsim, psnrLuma, psnrRgb, ssim } from '../../../src/shared/metrics/index.ts';
import { mediaPath } from '../../helpers/media.ts';

const FFMPEG = '/usr/bin/ffmpeg';
const SOURCE = mediaPath('images', 'kodak', 'kodim23.png');
const W = 768;
const H = 512;

function readRgb(file: string): RgbFrame {
  const out = execFileSync(FFMPEG, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', file, '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-'], {
    maxBuffer: 64 << 20,
  });
  return makeFrame(W, H, new Uint8Array(out.buffer, out.byteOffset, out.length));
}

/** Runs a two-input comparison filter on the raw files and returns ffmpeg's stderr, where it reports. */
function filterReport(a: string, b: string, pixFmt: string, filter: string): string {
  const raw = ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${W}x${H}`];
  const graph = `[0:v]format=${pixFmt}[x];[1:v]format=${pixFmt}[y];[x][y]${filter}`;
  const res = spawnSync(FFMPEG, ['-hide_banner', '-nostdin', ...raw, '-i', a, ...raw, '-i', b, '-lavfi', graph, '-f', 'null', '-'], {
    encoding: 'latin1',
  });
  if (res.status !== 0) throw new Error(`ffmpeg ${filter} failed: ${res.stderr}`);
  return res.stderr;
}

const available = existsSync(FFMPEG) && existsSync(SOURCE);
let dir = '';
let ref: RgbFrame;
let dist: RgbFrame;
let refRaw = '';
let distRaw = '';

describe.runIf(available)('metrics agree with ffmpeg on kodim23 vs a JPEG copy', () => {
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'm3c-metrics-'));
    const jpg = path.join(dir, 'dist.jpg');
    execFileSync(FFMPEG, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', SOURCE, '-q:v', '12', jpg]);
    ref = readRgb(SOURCE);
    dist = readRgb(jpg);
    refRaw = path.join(dir, 'ref.rgb');
    distRaw = path.join(dir, 'dist.rgb');
    writeFileSync(refRaw, ref.data);
    writeFileSync(distRaw, dist.data);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('RGB PSNR matches ffmpeg psnr (average over R, G, B) within 0.01 dB', () => {
    const line = filterReport(distRaw, refRaw, 'gbrp', 'psnr');
    const m = /average:([0-9.]+)/.exec(line);
    expect(m).not.toBeNull();
    const ours = psnrRgb(dist, ref);
    expect(ours).toBeGreaterThan(25);
    expect(ours).toBeLessThan(45);
    expect(Math.abs(ours - Number(m![1]))).toBeLessThan(0.01);
  });

  it('luma PSNR matches ffmpeg psnr on full-range grey within 0.05 dB', () => {
    // ffmpeg's rgb24 -> gray is full-range BT.601 rounded to integers; ours keeps luma in float.
    const line = filterReport(distRaw, refRaw, 'gray', 'psnr');
    const m = /average:([0-9.]+)/.exec(line);
    expect(m).not.toBeNull();
    expect(Math.abs(psnrLuma(dist, ref) - Number(m![1]))).toBeLessThan(0.05);
  });

  it('SSIM is within 0.02 of ffmpeg ssim (8x8 blocks) and MS-SSIM ranks the copy as close', () => {
    const line = filterReport(distRaw, refRaw, 'gray', 'ssim');
    const m = /All:([0-9.]+)/.exec(line);
    expect(m).not.toBeNull();
    const ours = ssim(dist, ref);
    expect(ours).toBeLessThan(0.995);
    expect(Math.abs(ours - Number(m![1]))).toBeLessThan(0.02);
    const ms = msSsim(dist, ref);
    expect(ms).toBeGreaterThan(ours - 0.05);
    expect(ms).toBeLessThan(1);
  });
});
