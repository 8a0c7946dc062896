import { describe, expect, it } from 'vitest';
import { gaussianNoise, Xoshiro128 } from '../../../src/main/codecs/learned/index.ts';

describe('seeded denoiser noise', () => {
  it('is a pure function of the seed', () => {
    expect(gaussianNoise(42, 1000)).toEqual(gaussianNoise(42, 1000));
    expect(gaussianNoise(42, 1000)).not.toEqual(gaussianNoise(43, 1000));
    // Seeds differing only above bit 32 give different streams too.
    expect(gaussianNoise(2 ** 40 + 5, 100)).not.toEqual(gaussianNoise(5, 100));
  });

  it('pins the stream, so a change of generator cannot slip through unnoticed', () => {
    const r = new Xoshiro128(0);
    const first = [r.nextUint32(), r.nextUint32(), r.nextUint32()];
    expect(first.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32)).toBe(true);
    expect(new Set(first).size).toBe(3);
    expect(Array.from(gaussianNoise(7, 4))).toEqual(Array.from(PINNED_7));
  });

  it('has mean 0 and variance 1 within sampling error, bounded to [-6, 6]', () => {
    const n = 200_000;
    const x = gaussianNoise(123, n);
    let s = 0;
    let s2 = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const v of x) {
      s += v;
      s2 += v * v;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    const mean = s / n;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(s2 / n - mean * mean - 1)).toBeLessThan(0.01);
    expect(min).toBeGreaterThanOrEqual(-6);
    expect(max).toBeLessThanOrEqual(6);
  });

  it('rejects seeds that are not safe integers', () => {
    expect(() => gaussianNoise(1.5, 1)).toThrow(RangeError);
    expect(() => gaussianNoise(2 ** 60, 1)).toThrow(RangeError);
  });
});

/**
 * gaussianNoise(7, 4), computed by an independent Python transcription of splitmix32 + xoshiro128**
 * + Irwin-Hall(12) with explicit 32-bit masks (the reference the training side can reproduce).
 */
const PINNED_7 = Float32Array.of(-0.7634692788124084, -0.29357415437698364, -1.2251911163330078, -0.8242434859275818);
