/**
 * lumaBicubic (the guide search's one-channel upscale) against the decoder's three-channel one: the luma of
 * resizeRgbBicubic's frame, which rounds each channel, is within 0.5 of it wherever nothing clips.
 */
import { describe, expect, it } from 'vitest';
import { makeFrame } from '../../../src/shared/engine/frame.ts';
import { lumaBt601 } from '../../../src/shared/metrics/index.ts';
import { lumaBicubic, resizeRgbBicubic } from '../../../src/shared/vision/index.ts';

function noise(width: number, height: number, lo: number, hi: number, seed: number): ReturnType<typeof makeFrame> {
  const data = new Uint8Array(width * height * 3);
  let s = seed >>> 0;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = lo + (s % (hi - lo + 1));
  }
  return makeFrame(width, height, data);
}

describe('lumaBicubic', () => {
  it('is the luma of resizeRgbBicubic before its rounding, up and down, where nothing clips', () => {
    // Bicubic (A = -0.75) overshoots by at most 1.25 per axis: [64, 192] stays inside [0, 255].
    const f = noise(37, 23, 64, 192, 7);
    for (const [w, h] of [[96, 60], [37, 23], [20, 11]] as const) {
      const ours = lumaBicubic(f, w, h);
      const theirs = lumaBt601(resizeRgbBicubic(f, w, h));
      expect(ours.width).toBe(w);
      expect(ours.height).toBe(h);
      let worst = 0;
      for (let i = 0; i < ours.data.length; i++) worst = Math.max(worst, Math.abs(ours.data[i] - theirs.data[i]));
      expect(worst).toBeLessThanOrEqual(0.5 + 1e-9);
      if (w === f.width) expect(worst).toBe(0);
    }
  });

  it('clamps overshoot to [0, 255]', () => {
    const f = noise(16, 10, 0, 255, 3);
    const up = lumaBicubic(f, 64, 40);
    expect(Math.min(...up.data)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...up.data)).toBeLessThanOrEqual(255);
    expect(() => lumaBicubic(f, 0, 40)).toThrow(RangeError);
  });
});
