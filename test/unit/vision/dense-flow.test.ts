import { describe, expect, it } from 'vitest';
import type { FlowField } from '../../../src/shared/engine/interfaces.ts';
import {
  consistencyError,
  DenseFlowEstimator,
  flowMagnitudeFraction,
  invertScaledFlow,
  lumaOf,
  meanAbsDiff,
  upsampleFlow,
  warpPlane,
} from '../../../src/shared/vision/index.ts';
import { cropDownsample, kodakImage, videoFrames } from './media-frames.ts';

// kodim23 at 4x the test resolution: crops offset by whole pixels there become exact sub-pixel
// translations after 4x4 block averaging.
const FACTOR = 4;
const big = kodakImage('kodim23.png', 1536, 1024);
const OX = 200;
const OY = 150;

/** `to` shows `from`'s content moved by (du, dv) pixels, so the true flow is (du, dv) everywhere. */
function shiftedPair(width: number, height: number, du: number, dv: number) {
  const from = cropDownsample(big, OX, OY, FACTOR, width, height);
  const to = cropDownsample(big, OX - du * FACTOR, OY - dv * FACTOR, FACTOR, width, height);
  return { from, to };
}

function interiorMean(f: FlowField, margin = 0.1) {
  const mx = Math.round(f.width * margin);
  const my = Math.round(f.height * margin);
  let su = 0;
  let sv = 0;
  let n = 0;
  for (let y = my; y < f.height - my; y++) {
    for (let x = mx; x < f.width - mx; x++) {
      su += f.u[y * f.width + x];
      sv += f.v[y * f.width + x];
      n++;
    }
  }
  return { u: su / n, v: sv / n };
}

describe('DenseFlowEstimator on exact translations of a real photograph', () => {
  const full = new DenseFlowEstimator({ workingWidth: 256 });

  it.each([
    [2.5, -1.25],
    [6, 3],
    [-0.5, 0.25],
  ])('recovers a (%f, %f) px shift at 256x160 within 0.25 px', async (du, dv) => {
    const { from, to } = shiftedPair(256, 160, du, dv);
    const f = await full.estimate(from, to);
    expect([f.width, f.height]).toEqual([256, 160]);
    const m = interiorMean(f);
    expect(Math.abs(m.u - du)).toBeLessThan(0.25);
    expect(Math.abs(m.v - dv)).toBeLessThan(0.25);
  });

  it('returns the field on the default 128-wide grid, in that grid’s pixels', async () => {
    const { from, to } = shiftedPair(256, 160, 6, 3);
    const f = await new DenseFlowEstimator().estimate(from, to);
    expect([f.width, f.height]).toEqual([128, 80]);
    const m = interiorMean(f);
    expect(Math.abs(m.u - 3)).toBeLessThan(0.15);
    expect(Math.abs(m.v - 1.5)).toBeLessThan(0.15);
    // Vectors scale with the grid when brought back to the frame size.
    const up = interiorMean(upsampleFlow(f, 256, 160));
    expect(Math.abs(up.u - 6)).toBeLessThan(0.3);
  });

  it('measures motion proportional to the shift', async () => {
    const est = new DenseFlowEstimator();
    const small = shiftedPair(256, 160, 2, 1);
    const large = shiftedPair(256, 160, 6, 3);
    const a = flowMagnitudeFraction(await est.estimate(small.from, small.to));
    const b = flowMagnitudeFraction(await est.estimate(large.from, large.to));
    // 2.24 px of 256x160 is 0.0074 of the diagonal; 6.7 px is 0.0222.
    expect(Math.abs(a - Math.hypot(2, 1) / Math.hypot(256, 160))).toBeLessThan(0.002);
    expect(b / a).toBeGreaterThan(2.6);
    expect(b / a).toBeLessThan(3.4);
  });

  it('gives an exactly zero field for identical frames', async () => {
    const { from } = shiftedPair(256, 160, 0, 0);
    const f = await full.estimate(from, from);
    expect(f.u.every((x) => x === 0) && f.v.every((x) => x === 0)).toBe(true);
    expect(flowMagnitudeFraction(f)).toBe(0);
  });

  it('forward and backward flows of a translation are consistent', async () => {
    const { from, to } = shiftedPair(256, 160, 2.5, -1.25);
    const est = new DenseFlowEstimator();
    const fwd = await est.estimate(from, to);
    const bwd = await est.estimate(to, from);
    const err = consistencyError(fwd, bwd);
    // Border pixels whose content leaves the frame have no counterpart; judge the interior.
    let good = 0;
    let n = 0;
    for (let y = 8; y < fwd.height - 8; y++) {
      for (let x = 8; x < fwd.width - 8; x++, n++) if (err[y * fwd.width + x] < 1) good++;
    }
    expect(good / n).toBeGreaterThan(0.9);
  });

  it('is deterministic and honours an aborted signal', async () => {
    const { from, to } = shiftedPair(256, 160, 2.5, -1.25);
    const est = new DenseFlowEstimator();
    const a = await est.estimate(from, to);
    const b = await est.estimate(from, to);
    expect(Buffer.from(a.u.buffer).equals(Buffer.from(b.u.buffer))).toBe(true);
    const ac = new AbortController();
    ac.abort();
    await expect(est.estimate(from, to, ac.signal)).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('rejects bad options and mismatched frames', async () => {
    expect(() => new DenseFlowEstimator({ workingWidth: 4 })).toThrow(RangeError);
    expect(() => new DenseFlowEstimator({ iterations: 0 })).toThrow(RangeError);
    const { from } = shiftedPair(256, 160, 0, 0);
    const other = cropDownsample(big, 0, 0, FACTOR, 128, 80);
    await expect(new DenseFlowEstimator().estimate(from, other)).rejects.toThrow(RangeError);
  });
});

describe('DenseFlowEstimator on real video', () => {
  const frames = videoFrames('01_dog.mp4', 14);

  it('backward warping with the estimated flow cuts the photometric error of consecutive frames', async () => {
    const est = new DenseFlowEstimator({ workingWidth: 256 });
    for (const [i, j] of [
      [0, 1],
      [12, 13],
    ]) {
      const f = upsampleFlow(await est.estimate(frames[i], frames[j]), 512, 320);
      const a = lumaOf(frames[i]);
      const b = lumaOf(frames[j]);
      const plain = meanAbsDiff(a, b);
      const warped = meanAbsDiff(a, warpPlane(b, f.u, f.v));
      expect(warped).toBeLessThan(0.75 * plain);
    }
  });
});

describe('flow field helpers', () => {
  it('flowMagnitudeFraction is mean endpoint length over the diagonal', () => {
    const f = { width: 4, height: 3, u: new Float32Array(12).fill(3), v: new Float32Array(12).fill(4) };
    expect(flowMagnitudeFraction(f)).toBeCloseTo(1, 6);
  });

  it('upsampleFlow rescales vectors per axis', () => {
    const f = { width: 4, height: 3, u: new Float32Array(12).fill(1), v: new Float32Array(12).fill(-2) };
    const up = upsampleFlow(f, 16, 6);
    expect(up.u[37]).toBeCloseTo(4, 6);
    expect(up.v[37]).toBeCloseTo(-4, 6);
  });

  it('invertScaledFlow lands each pixel on the source it came from', () => {
    // A smooth shear: F(x, y) = (0.1 * y, 0).
    const w = 20;
    const h = 10;
    const u = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) u[y * w + x] = 0.1 * y + 0.05 * x;
    const field = { width: w, height: h, u, v: new Float32Array(w * h) };
    const g = invertScaledFlow(field, 0.5, 6);
    const i = 5 * w + 8;
    const p = 8 + g.u[i];
    // p + 0.5 * F(p) must equal 8 (row 5 is unchanged vertically).
    expect(p + 0.5 * (0.1 * 5 + 0.05 * p)).toBeCloseTo(8, 3);
  });
});
