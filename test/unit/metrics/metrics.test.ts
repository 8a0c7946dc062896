import { describe, expect, it } from 'vitest';
import { makeFrame } from '../../../src/shared/engine/frame.ts';
import {
  capPsnr,
  gradientHistogram,
  gradientHistogramDistance,
  highFrequencyEnergyRatio,
  lumaBt601,
  msSsim,
  msSsimScales,
  psnrLuma,
  psnrRgb,
  ssim,
} from '../../../src/shared/metrics/index.ts';
import { addNoise, boxBlur, testCard } from './synthetic.ts';

const card = testCard(256, 192, 7);

function offset(frame: typeof card, delta: number) {
  const out = makeFrame(frame.width, frame.height);
  for (let i = 0; i < frame.data.length; i++) out.data[i] = frame.data[i] + delta;
  return out;
}

describe('PSNR', () => {
  it('of a constant offset of 10 is 10 log10(255^2 / 100) on RGB and on luma', () => {
    const shifted = offset(card, 10);
    const expected = 10 * Math.log10((255 * 255) / 100);
    expect(psnrRgb(shifted, card)).toBeCloseTo(expected, 10);
    // Luma coefficients sum to 1, so a grey offset moves luma by exactly the same amount.
    expect(psnrLuma(shifted, card)).toBeCloseTo(expected, 4);
  });

  it('luma PSNR ignores a chroma-only change that RGB PSNR sees', () => {
    // 0.299 * 8 - 0.114 * 20 = 0.112: luma barely moves (the card stays in [20, 235], so nothing wraps).
    const f = makeFrame(card.width, card.height, card.data.slice());
    for (let i = 0; i < f.data.length; i += 3) {
      f.data[i] += 8;
      f.data[i + 2] -= 20;
    }
    expect(psnrRgb(f, card)).toBeLessThan(30);
    expect(psnrLuma(f, card)).toBeGreaterThan(60);
  });

  it('is Infinity for identical images and capPsnr bounds it', () => {
    expect(psnrRgb(card, card)).toBe(Infinity);
    expect(psnrLuma(card, card)).toBe(Infinity);
    expect(capPsnr(Infinity)).toBe(100);
    expect(capPsnr(31.5)).toBe(31.5);
  });

  it('rejects images of different sizes', () => {
    expect(() => psnrRgb(card, testCard(255, 192))).toThrow(RangeError);
  });
});

describe('luma', () => {
  it('is full-range BT.601', () => {
    const f = makeFrame(2, 1, new Uint8Array([255, 0, 0, 10, 200, 30]));
    const l = lumaBt601(f).data;
    expect(l[0]).toBeCloseTo(76.245, 6);
    expect(l[1]).toBeCloseTo(0.299 * 10 + 0.587 * 200 + 0.114 * 30, 6);
  });
});

describe('SSIM and MS-SSIM', () => {
  it('are exactly 1 for identical images', () => {
    expect(ssim(card, card)).toBe(1);
    expect(msSsim(card, card)).toBe(1);
  });

  it('are symmetric and below 1 for different images', () => {
    const noisy = addNoise(card, 20, 3);
    expect(ssim(noisy, card)).toBeCloseTo(ssim(card, noisy), 12);
    expect(ssim(noisy, card)).toBeLessThan(0.95);
    expect(msSsim(noisy, card)).toBeCloseTo(msSsim(card, noisy), 12);
  });

  it('MS-SSIM decreases monotonically with noise', () => {
    const scores = [2, 6, 12, 24, 48].map((a) => msSsim(addNoise(card, a, 11), card));
    for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeLessThan(scores[i - 1]);
    expect(scores[0]).toBeGreaterThan(0.98);
  });

  it('MS-SSIM decreases monotonically with blur', () => {
    const scores = [1, 2, 4, 8].map((r) => msSsim(boxBlur(card, r), card));
    for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeLessThan(scores[i - 1]);
  });

  it('uses 5 scales when the image allows and fewer for small images', () => {
    expect(msSsimScales(512, 320)).toBe(5);
    expect(msSsimScales(176, 176)).toBe(5);
    expect(msSsimScales(175, 400)).toBe(4);
    expect(msSsimScales(40, 40)).toBe(2);
    const small = testCard(48, 40, 2);
    const v = msSsim(addNoise(small, 10, 1), small);
    expect(v).toBeGreaterThan(0);
    expect(v).toBeLessThan(1);
    expect(() => msSsim(testCard(10, 30), testCard(10, 30))).toThrow(RangeError);
  });

  it('an anti-correlated image scores near 0, not NaN', () => {
    const inv = makeFrame(card.width, card.height);
    for (let i = 0; i < card.data.length; i++) inv.data[i] = 255 - card.data[i];
    const v = msSsim(inv, card);
    expect(Number.isNaN(v)).toBe(false);
    expect(v).toBeLessThan(0.1);
  });
});

describe('perception proxies', () => {
  it('high-frequency energy ratio is 1 for identical, below 1 for blur, above 1 for noise', () => {
    expect(highFrequencyEnergyRatio(card, card)).toBe(1);
    const blurred = highFrequencyEnergyRatio(boxBlur(card, 2), card);
    expect(blurred).toBeLessThan(0.5);
    expect(highFrequencyEnergyRatio(boxBlur(card, 4), card)).toBeLessThan(blurred);
    expect(highFrequencyEnergyRatio(addNoise(card, 30, 5), card)).toBeGreaterThan(1.5);
  });

  it('flat references give 1 or Infinity', () => {
    const flat = makeFrame(32, 32, new Uint8Array(32 * 32 * 3).fill(90));
    expect(highFrequencyEnergyRatio(flat, flat)).toBe(1);
    expect(highFrequencyEnergyRatio(testCard(32, 32), flat)).toBe(Infinity);
  });

  it('gradient histograms are normalised and their JS distance grows with blur', () => {
    const h = gradientHistogram(card);
    expect(h.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(gradientHistogramDistance(card, card)).toBe(0);
    const d1 = gradientHistogramDistance(boxBlur(card, 1), card);
    const d3 = gradientHistogramDistance(boxBlur(card, 3), card);
    expect(d1).toBeGreaterThan(0.01);
    expect(d3).toBeGreaterThan(d1);
    expect(d3).toBeLessThanOrEqual(1);
    expect(gradientHistogramDistance(boxBlur(card, 3), card)).toBeCloseTo(gradientHistogramDistance(card, boxBlur(card, 3)), 12);
  });
});
