/**
 * Issue 13, cases 3, 4 and 13 through the real `m3c decode`: files the format allows but the
 * decoder's limits refuse, and a frame rate the parser now refuses, all crafted with the real
 * writer. Each is refused quickly with one line, exit 4, and no output.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DECODE_LIMITS } from '../../../src/shared/bitstream/index.ts';
import { replaceField } from '../../unit/bitstream/fixtures.ts';
import { addFrames, leftovers, makeRealM3c, rewrite, runMeasured } from './helpers.ts';

let dir: string;
let real: Uint8Array;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'm3c-limits-'));
  real = await makeRealM3c(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const BASE_FILES = ['pattern.mp4', 'pattern.m3c'];

async function expectRefused(name: string, bytes: Uint8Array, message: RegExp, extra: string[] = []): Promise<void> {
  const input = path.join(dir, `${name}.m3c`);
  await writeFile(input, bytes);
  const out = path.join(dir, `${name}.mp4`);
  const r = await runMeasured(['decode', input, '-o', out, ...extra], dir, 60_000);
  expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at |Error:/);
  expect(r.killed).toBeUndefined();
  expect(r.code).toBe(4);
  // Refused from the header: no keyframe decoded, no ffmpeg started (startup is most of it).
  expect(r.wallMs).toBeLessThan(15_000);
  expect(r.maxRssMiB).toBeLessThan(400);
  expect(await leftovers(dir, [...BASE_FILES, `${name}.m3c`])).toEqual([]);
  await rm(input);
}

describe('m3c decode refuses what a file claims beyond the limits', () => {
  it('a 127-byte CRC-valid file declaring 8192x8192', async () => {
    const bytes = rewrite(real, (f) => {
      f.header.width = 8192;
      f.header.height = 8192;
      const empty = new Uint8Array(0);
      f.clips = [{ ...f.clips[0], length: f.header.frameCount, keyframe: f.clips[0].keyframe.subarray(0, 16), keyframeText: empty, clipText: empty }];
    });
    expect(bytes.length).toBe(127);
    await expectRefused('huge-geometry', bytes, /^m3c: the video is 8192x8192, larger than the 4096 pixels per side this decoder allows; decode it anyway with --allow-large$/m);
  });

  it('a file declaring 10,000,000 frames', async () => {
    await expectRefused('ten-million', rewrite(real, (f) => addFrames(f, 10_000_000 - f.header.frameCount)), /10000000 frames, more than the 108000 this decoder allows/);
  });

  it('a file one frame past an hour, and one pixel row past the pixel cap', async () => {
    await expectRefused('past-an-hour', rewrite(real, (f) => addFrames(f, 3600 * 8 + 1 - f.header.frameCount)), /longer than the 3600 s/);
    await expectRefused('past-1080p', rewrite(real, (f) => {
      f.header.width = 1920;
      f.header.height = 1090;
    }), /more than the 2088960 this decoder allows/);
  });

  it('a frame rate of 1/1000000 fps (once accepted, then failed inside ffmpeg with exit 6)', async () => {
    const bytes = replaceField(real, 'header', 'fps denominator', [0xc0, 0x84, 0x3d]);
    await expectRefused('one-per-million', bytes, /fps denominator must be an integer in 1\.\.1001 \(got 1000000\)/);
    // 1/1000: both terms in range, but 0.001 fps is below 0.1.
    const slow = replaceField(replaceField(real, 'header', 'fps numerator', [0x01]), 'header', 'fps denominator', [0xe8, 0x07]);
    await expectRefused('one-per-thousand', slow, /frame rate 1\/1000 is below 0\.1 fps/);
  });

  it('--allow-large lifts the limits', async () => {
    // 361 frames at 0.1 fps last 3610 s, past the hour; small enough to decode here.
    const long = rewrite(real, (f) => {
      f.header.fpsNum = 1;
      f.header.fpsDen = 10;
      addFrames(f, 361 - f.header.frameCount);
    });
    expect(361 * 10).toBeGreaterThan(DEFAULT_DECODE_LIMITS.maxDurationSec);
    await expectRefused('slow-long', long, /the video lasts 3610\.0 s/);
    const input = path.join(dir, 'slow-long.m3c');
    await writeFile(input, long);
    const out = path.join(dir, 'slow-long.mp4');
    const r = await runMeasured(['decode', input, '-o', out, '--allow-large', '--json'], dir, 120_000);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}')).toMatchObject({ frames: 361, fpsNum: 1, fpsDen: 10 });
    await rm(out);
    await rm(input);
  });

  it('the writer refuses to write 1/1000000 fps in the first place', () => {
    expect(() => rewrite(real, (f) => void (f.header.fpsDen = 1_000_000))).toThrow(/fpsDen must be an integer in 1\.\.1001/);
  });
});
