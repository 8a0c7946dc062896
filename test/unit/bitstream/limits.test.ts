/** The decoder's resource limits (docs/bitstream.md, "Resource limits") and the frame-rate range. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_DECODE_LIMITS, frameRateProblem, parseErrorToM3cError, parseM3c, writeM3c } from '../../../src/shared/bitstream/index.ts';
import type { DecodeLimits } from '../../../src/shared/bitstream/index.ts';
import { typicalFile, type FileInput } from './fixtures.ts';

/** The typical file with another geometry, rate or length (one clip holds all frames). */
function variant(change: Partial<Pick<FileInput['header'], 'width' | 'height' | 'fpsNum' | 'fpsDen' | 'frameCount'>>): Uint8Array {
  const f = typicalFile();
  Object.assign(f.header, change);
  f.clips = [{ ...f.clips[0], length: f.header.frameCount }];
  return writeM3c(f);
}

function refusal(bytes: Uint8Array, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): string {
  const r = parseM3c(bytes, { limits });
  if (r.ok) throw new Error('accepted');
  expect(r.error.kind).toBe('exceeds-limits');
  expect(r.error.offset).toBe(4);
  expect(parseErrorToM3cError(r.error).code).toBe('corrupt-bitstream');
  return r.error.message;
}

describe('decode limits', () => {
  it('are the documented defaults', () => {
    expect(DEFAULT_DECODE_LIMITS).toEqual({ maxDimension: 4096, maxPixels: 1920 * 1088, maxFrameCount: 108_000, maxDurationSec: 3600 });
  });

  it('accept what the product makes, up to each limit exactly', () => {
    for (const change of [{}, { width: 1920, height: 1088 }, { width: 4096, height: 510 }, { width: 16, height: 4096 }, { frameCount: 28_800 }, { fpsNum: 30, frameCount: 108_000 }]) {
      expect(parseM3c(variant(change), { limits: DEFAULT_DECODE_LIMITS }).ok).toBe(true);
    }
  });

  it('refuse an 8192x8192 header, a 10,000,000-frame header, too many pixels and too long a video', () => {
    expect(refusal(variant({ width: 8192, height: 8192 }))).toMatch(/8192x8192, larger than the 4096 pixels per side/);
    expect(refusal(variant({ width: 4098, height: 16 }))).toMatch(/4098x16/);
    expect(refusal(variant({ width: 1920, height: 1090 }))).toMatch(/2092800 pixels a frame\), more than the 2088960/);
    expect(refusal(variant({ frameCount: 10_000_000 }))).toMatch(/10000000 frames, more than the 108000/);
    expect(refusal(variant({ frameCount: 28_801 }))).toMatch(/lasts 3600.2 s \(28801 frames at 8\/1 fps\), longer than the 3600 s/);
    expect(refusal(variant({ fpsNum: 1, fpsDen: 10, frameCount: 361 }))).toMatch(/lasts 3610.0 s/);
  });

  it('are checked right after the header, before the clips are read', () => {
    // The clips are cut off: without limits this is 'truncated', with them the header decides.
    const bytes = variant({ width: 8192, height: 8192 });
    const headerOnly = bytes.subarray(0, bytes.length - 2);
    expect(parseM3c(headerOnly)).toMatchObject({ ok: false, error: { kind: 'truncated' } });
    expect(refusal(headerOnly)).toMatch(/8192x8192/);
  });

  it('do not apply unless asked: the format still reaches 8192 pixels and 10,000,000 frames', () => {
    expect(parseM3c(variant({ width: 8192, height: 8192, frameCount: 10_000_000 })).ok).toBe(true);
  });

  it('follow the limits given', () => {
    const tight: DecodeLimits = { maxDimension: 512, maxPixels: 512 * 320, maxFrameCount: 80, maxDurationSec: 10 };
    expect(parseM3c(variant({}), { limits: tight }).ok).toBe(true);
    expect(refusal(variant({ frameCount: 81 }), tight)).toMatch(/81 frames/);
    expect(refusal(variant({ width: 514 }), tight)).toMatch(/514x320/);
  });
});

describe('frame-rate range (0.1..240 fps, denominators up to 1001)', () => {
  it('the writer accepts the rates the product uses and refuses the rest', () => {
    for (const [fpsNum, fpsDen] of [[8, 1], [30000, 1001], [12500, 1000], [240, 1], [240_000, 1000], [1, 10], [100, 1000]]) {
      expect(() => variant({ fpsNum, fpsDen })).not.toThrow();
    }
    expect(() => variant({ fpsNum: 1, fpsDen: 1_000_000 })).toThrow(/header\.fpsDen must be an integer in 1\.\.1001 \(got 1000000\)/);
    expect(() => variant({ fpsNum: 1, fpsDen: 11 })).toThrow(/frame rate 1\/11 is below 0\.1 fps/);
    expect(() => variant({ fpsNum: 99, fpsDen: 1000 })).toThrow(/below 0\.1 fps/);
    expect(() => variant({ fpsNum: 241, fpsDen: 1 })).toThrow(/exceeds 240 fps/);
    expect(() => variant({ fpsNum: 240_001, fpsDen: 1001 })).toThrow(/fpsNum must be an integer in 1\.\.240000/);
  });
});

describe('frameRateProblem', () => {
  it('is the parser and writer rule, for rates a user types', () => {
    expect(frameRateProblem(30000, 1001)).toBeNull();
    expect(frameRateProblem(1, 10)).toBeNull();
    expect(frameRateProblem(1, 1_000_000)).toMatch(/fps denominator must be an integer in 1\.\.1001/);
    expect(frameRateProblem(50, 1000)).toMatch(/below 0\.1 fps/);
    expect(frameRateProblem(241, 1)).toMatch(/exceeds 240 fps/);
  });
});
