import { describe, expect, it } from 'vitest';
import { makeFrame } from '../../../src/shared/engine/frame.ts';
import { measureFrames, MetricsAccumulator } from '../../../bench/rd/metrics.ts';

function frame(value: (i: number) => number, width = 64, height = 40) {
  const f = makeFrame(width, height);
  for (let i = 0; i < f.data.length; i++) f.data[i] = value(i);
  return f;
}

describe('rd metrics', () => {
  it('caps PSNR of identical frames at 100 dB, so that every figure is finite', () => {
    const a = frame((i) => (i * 37) % 251);
    expect(measureFrames([a, a], [a, a])).toEqual({ psnrY: 100, psnrRgb: 100, msssim: 1, hfRatio: 1, gradDist: 0 });
  });

  it('averages per-frame figures over frames', () => {
    const a = frame((i) => (i * 37) % 251);
    const b = frame((i) => Math.min(255, ((i * 37) % 251) + 4));
    const one = measureFrames([a], [b]);
    expect(one.psnrRgb).toBeGreaterThan(30);
    expect(one.psnrRgb).toBeLessThan(40);
    const two = measureFrames([a, a], [b, a]);
    expect(two.psnrRgb).toBeCloseTo((one.psnrRgb + 100) / 2, 10);
    expect(two.msssim).toBeCloseTo((one.msssim + 1) / 2, 10);
  });

  it('pools the HF energy ratio so that a flat reference stays finite', () => {
    const flat = frame(() => 128);
    const busy = frame((i) => ((i / 3) % 2 === 0 ? 0 : 255));
    expect(measureFrames([flat], [flat]).hfRatio).toBe(1);
    const r = measureFrames([flat], [busy]).hfRatio;
    expect(Number.isFinite(r)).toBe(true);
    expect(r).toBeGreaterThan(1);
    // A blurred (here: flattened) reconstruction of a busy reference has less HF energy.
    expect(measureFrames([busy], [flat]).hfRatio).toBeCloseTo(0, 12);
  });

  it('refuses mismatched lengths and an empty mean', () => {
    const a = frame(() => 0);
    expect(() => measureFrames([a], [])).toThrow(RangeError);
    expect(() => new MetricsAccumulator().mean()).toThrow(RangeError);
  });
});
