import { describe, expect, it } from 'vitest';
import { bdQuality, bdRate, hermiteIntegral, pchipSlopes, type RdPoint } from '../../../bench/rd/bd.ts';

/** A typical concave R-D curve: PSNR rising with log rate, 4 points as in JVET's common test conditions. */
const ANCHOR: RdPoint[] = [
  { rate: 1.2, quality: 22.1 },
  { rate: 2.5, quality: 24.3 },
  { rate: 5.1, quality: 26.0 },
  { rate: 10.4, quality: 27.2 },
];

const scaleRate = (c: RdPoint[], f: number): RdPoint[] => c.map((p) => ({ rate: p.rate * f, quality: p.quality }));
const shiftQuality = (c: RdPoint[], d: number): RdPoint[] => c.map((p) => ({ rate: p.rate, quality: p.quality + d }));

describe('pchipSlopes and hermiteIntegral', () => {
  it('reproduce a straight line exactly and integrate it', () => {
    const x = [0, 1, 3, 4];
    const y = x.map((v) => 2 * v + 1);
    expect(pchipSlopes(x, y)).toEqual([2, 2, 2, 2]);
    // ∫_0.5^3.5 (2x + 1) dx = [x^2 + x] = 15.75 - 0.75 = 15
    expect(hermiteIntegral(x, y, pchipSlopes(x, y), 0.5, 3.5)).toBeCloseTo(15, 12);
  });

  it('keep the interpolant monotone: zero slope at a local extremum of the data', () => {
    const d = pchipSlopes([0, 1, 2, 3], [0, 1, 1, 2]);
    expect(d[1]).toBe(0);
    expect(d[2]).toBe(0);
    expect(d.every((v) => v >= 0)).toBe(true);
  });

  it('give the Fritsch-Butland slopes on uneven data, as scipy PchipInterpolator does', () => {
    // h = [1, 2, 1], secants [2, 0.5, 4]; interior: weighted harmonic means 6/7 and 36/37;
    // ends: three-point formula ((2h0 + h1) m0 - h0 m1) / (h0 + h1) = 7.5/3 and 15.5/3.
    // scipy 1.10: PchipInterpolator([0,1,3,4], [0,2,3,7]).derivative()(x) = [2.5, 0.857143, 0.972973, 5.166667]
    const d = pchipSlopes([0, 1, 3, 4], [0, 2, 3, 7]);
    const expected = [2.5, 6 / 7, 36 / 37, 15.5 / 3];
    d.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
  });

  it('refuse x that is not strictly increasing', () => {
    expect(() => pchipSlopes([0, 0], [1, 2])).toThrow(RangeError);
  });
});

describe('bdRate and bdQuality', () => {
  it('are exactly 0 for a curve against itself', () => {
    expect(bdRate(ANCHOR, ANCHOR)).toMatchObject({ kind: 'ok', value: 0, interpolation: 'pchip' });
    expect(bdQuality(ANCHOR, ANCHOR)).toMatchObject({ kind: 'ok', value: 0 });
  });

  it('give -20 % for the same qualities at 0.8 times the rate, +25 % at 1.25 times', () => {
    const r = bdRate(ANCHOR, scaleRate(ANCHOR, 0.8));
    expect(r.kind).toBe('ok');
    if (r.kind === 'ok') expect(r.value).toBeCloseTo(-20, 9);
    const s = bdRate(ANCHOR, scaleRate(ANCHOR, 1.25));
    if (s.kind !== 'ok') throw new Error(s.reason);
    expect(s.value).toBeCloseTo(25, 9);
  });

  it('give BD-PSNR +1 dB for the same rates at +1 dB', () => {
    const q = bdQuality(ANCHOR, shiftQuality(ANCHOR, 1));
    if (q.kind !== 'ok') throw new Error(q.reason);
    expect(q.value).toBeCloseTo(1, 12);
    expect(q.range[0]).toBeCloseTo(Math.log10(1.2), 12);
    expect(q.range[1]).toBeCloseTo(Math.log10(10.4), 12);
  });

  it('match a scipy PCHIP reference (PchipInterpolator.integrate over the overlap) on uneven curves', () => {
    const test: RdPoint[] = [
      { rate: 1.0, quality: 22.5 },
      { rate: 2.2, quality: 24.6 },
      { rate: 4.0, quality: 25.9 },
      { rate: 9.0, quality: 27.9 },
    ];
    const r = bdRate(ANCHOR, test);
    const q = bdQuality(ANCHOR, test);
    if (r.kind !== 'ok' || q.kind !== 'ok') throw new Error('expected overlap');
    expect(r.value).toBeCloseTo(-22.683357626740086, 10);
    expect(q.value).toBeCloseTo(0.6254270992692799, 12);
  });

  it('integrate over the overlapping range only', () => {
    // log10(rate) linear in quality: PCHIP reproduces it exactly on any subset of its points. The
    // test curve covers only the upper part of the anchor's quality range, at half the rate.
    const line = [20, 22, 24, 26, 28].map((q) => ({ rate: Math.pow(10, 0.1 * q - 2), quality: q }));
    const test = scaleRate(line, 0.5).slice(2);
    const r = bdRate(line, test);
    if (r.kind !== 'ok') throw new Error(r.reason);
    expect(r.range).toEqual([24, 28]);
    expect(r.value).toBeCloseTo(-50, 9);
  });

  it('work with 2 and 3 points (linear, then PCHIP)', () => {
    const two = ANCHOR.slice(0, 2);
    const r2 = bdRate(two, scaleRate(two, 0.8));
    expect(r2).toMatchObject({ kind: 'ok', interpolation: 'linear' });
    if (r2.kind === 'ok') expect(r2.value).toBeCloseTo(-20, 9);
    const three = ANCHOR.slice(0, 3);
    const r3 = bdQuality(three, shiftQuality(three, -0.5));
    expect(r3).toMatchObject({ kind: 'ok', interpolation: 'pchip' });
    if (r3.kind === 'ok') expect(r3.value).toBeCloseTo(-0.5, 12);
  });

  it('report ranges that do not overlap instead of extrapolating', () => {
    const far = shiftQuality(ANCHOR, 10);
    const r = bdRate(ANCHOR, far);
    expect(r.kind).toBe('no-overlap');
    if (r.kind === 'no-overlap') {
      expect(r.anchorRange).toEqual([22.1, 27.2]);
      expect(r.testRange).toEqual([32.1, 37.2]);
      expect(r.reason).toMatch(/do not overlap/);
    }
    expect(bdQuality(ANCHOR, scaleRate(ANCHOR, 100)).kind).toBe('no-overlap');
    // Touching in one value is no overlap either.
    const touching = [{ rate: 10.4, quality: 27.2 }, { rate: 20, quality: 28 }];
    expect(bdQuality(ANCHOR, touching).kind).toBe('no-overlap');
  });

  it('say when a curve has too few distinct points or a bad value', () => {
    expect(bdRate(ANCHOR, [{ rate: 2, quality: 24 }])).toMatchObject({ kind: 'insufficient' });
    // Two points of the same quality collapse to one for BD-rate (the cheaper is kept).
    expect(bdRate(ANCHOR, [{ rate: 2, quality: 24 }, { rate: 3, quality: 24 }])).toMatchObject({ kind: 'insufficient' });
    expect(bdRate(ANCHOR, [{ rate: 0, quality: 24 }, { rate: 3, quality: 25 }])).toMatchObject({ kind: 'insufficient' });
    expect(bdQuality(ANCHOR, [{ rate: 2, quality: NaN }, { rate: 3, quality: 25 }])).toMatchObject({ kind: 'insufficient' });
  });

  it('does not depend on point order', () => {
    const shuffled = [ANCHOR[2], ANCHOR[0], ANCHOR[3], ANCHOR[1]];
    const a = bdRate(ANCHOR, scaleRate(ANCHOR, 0.7));
    const b = bdRate(shuffled, scaleRate(shuffled, 0.7));
    expect(a).toEqual(b);
  });
});
