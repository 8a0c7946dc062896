import { describe, expect, it } from 'vitest';
import {
  buildPyramid,
  frameOfRgbPlanes,
  gaussianBlur,
  lumaArea,
  lumaOf,
  makePlane,
  resizeArea,
  resizeBilinear,
  rgbPlanesOf,
  sampleBilinear,
  warpPlane,
  warpRgb,
} from '../../../src/shared/vision/index.ts';

function ramp(width: number, height: number): Float32Array {
  const d = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) d[y * width + x] = x + 10 * y;
  return d;
}

describe('planes', () => {
  it('luma follows BT.601 and lies in [0, 1]', () => {
    const l = lumaOf({ width: 3, height: 1, data: Uint8Array.from([255, 255, 255, 0, 0, 0, 255, 0, 0]) });
    expect(l.data[0]).toBeCloseTo(1, 5);
    expect(l.data[1]).toBe(0);
    expect(l.data[2]).toBeCloseTo(0.299, 5);
  });

  it('rgb planes round-trip exactly and clamp when packing', () => {
    const data = Uint8Array.from({ length: 4 * 2 * 3 }, (_, i) => (i * 37) % 256);
    const [r, g, b] = rgbPlanesOf({ width: 4, height: 2, data });
    expect(frameOfRgbPlanes(r, g, b).data).toEqual(data);
    r.data[0] = 300;
    g.data[0] = -4;
    const packed = frameOfRgbPlanes(r, g, b);
    expect([packed.data[0], packed.data[1]]).toEqual([255, 0]);
  });
});

describe('resize', () => {
  it('area resize averages exact blocks and preserves the mean', () => {
    const p = makePlane(4, 2, Float32Array.from([1, 3, 5, 7, 1, 3, 5, 7]));
    expect(Array.from(resizeArea(p, 2, 1).data)).toEqual([2, 6]);
    const big = makePlane(30, 20, ramp(30, 20));
    const small = resizeArea(big, 7, 3);
    const mean = (a: Float32Array) => a.reduce((s, x) => s + x, 0) / a.length;
    expect(mean(small.data)).toBeCloseTo(mean(big.data), 3);
  });

  it('lumaArea equals area-resizing the full-resolution luma', () => {
    const data = Uint8Array.from({ length: 20 * 12 * 3 }, (_, i) => (i * 71 + (i >> 5)) % 256);
    const frame = { width: 20, height: 12, data };
    const fused = lumaArea(frame, 6, 5);
    const twoStep = resizeArea(lumaOf(frame), 6, 5);
    for (let i = 0; i < 30; i++) expect(fused.data[i]).toBeCloseTo(twoStep.data[i], 5);
  });

  it('bilinear resize reproduces a linear ramp in the interior', () => {
    const up = resizeBilinear(makePlane(8, 4, ramp(8, 4)), 16, 8);
    // Output pixel (x, y) maps to input ((x + 0.5) / 2 - 0.5, ...).
    expect(up.data[3 * 16 + 5]).toBeCloseTo(5 * 0.5 - 0.25 + 10 * (3 * 0.5 - 0.25), 5);
  });
});

describe('blur and pyramid', () => {
  it('blur keeps constants and flattens an impulse symmetrically', () => {
    const c = gaussianBlur(makePlane(9, 9, new Float32Array(81).fill(0.5)), 1.5);
    for (const x of c.data) expect(x).toBeCloseTo(0.5, 6);
    const imp = new Float32Array(81);
    imp[40] = 1;
    const b = gaussianBlur(makePlane(9, 9, imp), 1);
    expect(b.data[40]).toBeLessThan(0.2);
    expect(b.data[39]).toBeCloseTo(b.data[41], 6);
    expect(b.data[31]).toBeCloseTo(b.data[49], 6);
    expect(b.data.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 4);
  });

  it('pyramid halves each level and stops before 8 px', () => {
    const levels = buildPyramid(makePlane(128, 80), 6);
    expect(levels.map((p) => `${p.width}x${p.height}`)).toEqual(['128x80', '64x40', '32x20', '16x10']);
  });
});

describe('sampling and warping', () => {
  it('samples bilinearly and clamps outside the image', () => {
    const p = makePlane(8, 4, ramp(8, 4));
    expect(sampleBilinear(p, 2.25, 1.5)).toBeCloseTo(2.25 + 15, 5);
    expect(sampleBilinear(p, -3, -2)).toBe(0);
    expect(sampleBilinear(p, 100, 100)).toBe(7 + 30);
  });

  it('backward warp by a constant displacement shifts the content', () => {
    const p = makePlane(8, 4, ramp(8, 4));
    const n = 32;
    const w = warpPlane(p, new Float32Array(n).fill(1.5), new Float32Array(n).fill(1));
    expect(w.data[0 * 8 + 2]).toBeCloseTo(3.5 + 10, 5);
  });

  it('warpRgb with zero flow is the identity and an integer shift moves pixels exactly', () => {
    const data = Uint8Array.from({ length: 6 * 5 * 3 }, (_, i) => (i * 53) % 256);
    const f = { width: 6, height: 5, data };
    const zero = new Float32Array(30);
    expect(warpRgb(f, zero, zero).data).toEqual(data);
    const shifted = warpRgb(f, new Float32Array(30).fill(2), new Float32Array(30).fill(1));
    expect(Array.from(shifted.data.subarray(0, 3))).toEqual(Array.from(data.subarray((1 * 6 + 2) * 3, (1 * 6 + 2) * 3 + 3)));
  });
});
