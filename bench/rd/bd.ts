/**
 * Bjøntegaard delta rate and delta quality between two rate-quality curves, with piecewise cubic
 * Hermite interpolation (PCHIP: Fritsch-Carlson monotone slopes, as in the JVET common-test-
 * conditions tool and scipy's PchipInterpolator) over the overlapping range only.
 *
 * - BD-rate: log10(rate) as a function of quality, integrated over the quality range both curves
 *   cover; the mean difference d gives (10^d - 1) * 100 %. Negative: the test curve needs fewer bits
 *   for the same quality.
 * - BD-quality (BD-PSNR for PSNR): quality as a function of log10(rate), integrated over the
 *   log-rate range both curves cover; the mean difference, in the quality's unit.
 *
 * Each curve needs at least 2 distinct points along the integration axis (JVET uses 4): with 2 the
 * interpolant is the straight line, with 3 or more it is PCHIP. When the ranges do not overlap (or
 * touch in a single value) the result says so instead of extrapolating, and when they overlap over
 * less than MIN_OVERLAP_FRACTION of their joint span it says "overlap too small".
 */

export interface RdPoint {
  /** Rate in any positive unit (kbit/s here); both curves must use the same one. */
  readonly rate: number;
  readonly quality: number;
}

export type BdResult =
  | {
      readonly kind: 'ok';
      /** BD-rate in percent, or BD-quality in the quality's unit. */
      readonly value: number;
      /** The integration range: quality for BD-rate, log10(rate) for BD-quality. */
      readonly range: readonly [number, number];
      /** 'linear' when either curve had only 2 points, else 'pchip'. */
      readonly interpolation: 'linear' | 'pchip';
    }
  | { readonly kind: 'no-overlap'; readonly reason: string; readonly anchorRange: readonly [number, number]; readonly testRange: readonly [number, number] }
  | { readonly kind: 'overlap-too-small'; readonly reason: string; readonly fraction: number; readonly anchorRange: readonly [number, number]; readonly testRange: readonly [number, number] }
  | { readonly kind: 'insufficient'; readonly reason: string };

/**
 * The smallest overlap that gives a number: the overlapping range must cover at least this share of
 * the span both curves cover together along the integration axis (log10 rate for BD-quality,
 * quality for BD-rate). Below it the mean difference rests on a sliver of the curves (a test curve
 * whose points barely differ in rate, or two curves that only touch) and is not reported.
 */
export const MIN_OVERLAP_FRACTION = 0.1;

/** Fritsch-Carlson (Fritsch-Butland harmonic mean) slopes of the monotone cubic through (x, y); x strictly increasing. */
export function pchipSlopes(x: readonly number[], y: readonly number[]): number[] {
  const n = x.length;
  if (n < 2 || y.length !== n) throw new RangeError('pchipSlopes needs at least 2 points and as many y as x');
  const h: number[] = [];
  const delta: number[] = [];
  for (let k = 0; k < n - 1; k++) {
    h.push(x[k + 1] - x[k]);
    if (!(h[k] > 0)) throw new RangeError('pchipSlopes needs strictly increasing x');
    delta.push((y[k + 1] - y[k]) / h[k]);
  }
  if (n === 2) return [delta[0], delta[0]];
  const d = new Array<number>(n).fill(0);
  for (let k = 1; k < n - 1; k++) {
    const a = delta[k - 1];
    const b = delta[k];
    if (a === 0 || b === 0 || Math.sign(a) !== Math.sign(b)) continue;
    const w1 = 2 * h[k] + h[k - 1];
    const w2 = h[k] + 2 * h[k - 1];
    d[k] = (w1 + w2) / (w1 / a + w2 / b);
  }
  d[0] = endSlope(h[0], h[1], delta[0], delta[1]);
  d[n - 1] = endSlope(h[n - 2], h[n - 3], delta[n - 2], delta[n - 3]);
  return d;
}

/** The shape-preserving three-point end slope (as scipy's PchipInterpolator._edge_case). */
function endSlope(h0: number, h1: number, m0: number, m1: number): number {
  const d = ((2 * h0 + h1) * m0 - h0 * m1) / (h0 + h1);
  if (Math.sign(d) !== Math.sign(m0)) return 0;
  if (Math.sign(m0) !== Math.sign(m1) && Math.abs(d) > Math.abs(3 * m0)) return 3 * m0;
  return d;
}

/** The exact integral over [a, b] (inside [x0, x_last]) of the cubic Hermite interpolant with slopes d. */
export function hermiteIntegral(x: readonly number[], y: readonly number[], d: readonly number[], a: number, b: number): number {
  let total = 0;
  for (let k = 0; k < x.length - 1; k++) {
    const lo = Math.max(a, x[k]);
    const hi = Math.min(b, x[k + 1]);
    if (!(hi > lo)) continue;
    const h = x[k + 1] - x[k];
    // p(t) = c0 + c1 t + c2 t^2 + c3 t^3 with t = (x - x_k) / h.
    const c0 = y[k];
    const c1 = h * d[k];
    const c2 = 3 * (y[k + 1] - y[k]) - 2 * h * d[k] - h * d[k + 1];
    const c3 = 2 * (y[k] - y[k + 1]) + h * d[k] + h * d[k + 1];
    const prim = (t: number): number => t * (c0 + t * (c1 / 2 + t * (c2 / 3 + (t * c3) / 4)));
    total += h * (prim((hi - x[k]) / h) - prim((lo - x[k]) / h));
  }
  return total;
}

interface Curve {
  readonly x: number[];
  readonly y: number[];
}

/**
 * Sorts by x and keeps one point per x value: the best one for the curve (`better` says which y
 * wins: for BD-rate the lower log-rate at equal quality, for BD-quality the higher quality at equal
 * rate). Non-finite points are refused by the caller.
 */
function curveOf(points: readonly { x: number; y: number }[], better: (a: number, b: number) => boolean): Curve {
  const sorted = [...points].sort((p, q) => p.x - q.x);
  const x: number[] = [];
  const y: number[] = [];
  for (const p of sorted) {
    if (x.length > 0 && x[x.length - 1] === p.x) {
      if (better(p.y, y[y.length - 1])) y[y.length - 1] = p.y;
    } else {
      x.push(p.x);
      y.push(p.y);
    }
  }
  return { x, y };
}

function check(points: readonly RdPoint[], name: string): string | undefined {
  for (const p of points) {
    if (!Number.isFinite(p.rate) || !(p.rate > 0) || !Number.isFinite(p.quality)) return `${name} has a point with rate ${p.rate} and quality ${p.quality}: rates must be positive and both finite`;
  }
  return undefined;
}

function bd(anchor: readonly RdPoint[], test: readonly RdPoint[], axis: 'quality' | 'rate'): BdResult {
  const bad = check(anchor, 'the anchor curve') ?? check(test, 'the test curve');
  if (bad) return { kind: 'insufficient', reason: bad };
  const toXY =
    axis === 'quality'
      ? (p: RdPoint) => ({ x: p.quality, y: Math.log10(p.rate) })
      : (p: RdPoint) => ({ x: Math.log10(p.rate), y: p.quality });
  const better = axis === 'quality' ? (a: number, b: number) => a < b : (a: number, b: number) => a > b;
  const A = curveOf(anchor.map(toXY), better);
  const T = curveOf(test.map(toXY), better);
  const what = axis === 'quality' ? 'quality' : 'rate';
  if (A.x.length < 2 || T.x.length < 2) {
    return { kind: 'insufficient', reason: `each curve needs at least 2 points of distinct ${what} (anchor has ${A.x.length}, test ${T.x.length})` };
  }
  const lo = Math.max(A.x[0], T.x[0]);
  const hi = Math.min(A.x[A.x.length - 1], T.x[T.x.length - 1]);
  const anchorRange = [A.x[0], A.x[A.x.length - 1]] as const;
  const testRange = [T.x[0], T.x[T.x.length - 1]] as const;
  if (!(hi > lo)) {
    const unit = axis === 'quality' ? '' : ' (log10 rate)';
    return {
      kind: 'no-overlap',
      reason: `the ${what} ranges do not overlap${unit}: anchor ${fmt(anchorRange)}, test ${fmt(testRange)}`,
      anchorRange,
      testRange,
    };
  }
  const fraction = (hi - lo) / (Math.max(anchorRange[1], testRange[1]) - Math.min(anchorRange[0], testRange[0]));
  if (fraction < MIN_OVERLAP_FRACTION) {
    return {
      kind: 'overlap-too-small',
      reason: `overlap too small: the ${what} ranges share ${(fraction * 100).toFixed(1)}% of the span they cover together${axis === 'quality' ? '' : ' (log10 rate)'}, under the ${MIN_OVERLAP_FRACTION * 100}% minimum: anchor ${fmt(anchorRange)}, test ${fmt(testRange)}`,
      fraction,
      anchorRange,
      testRange,
    };
  }
  const ia = hermiteIntegral(A.x, A.y, pchipSlopes(A.x, A.y), lo, hi);
  const it = hermiteIntegral(T.x, T.y, pchipSlopes(T.x, T.y), lo, hi);
  const meanDiff = (it - ia) / (hi - lo);
  const interpolation = A.x.length === 2 || T.x.length === 2 ? 'linear' : 'pchip';
  const value = axis === 'quality' ? (Math.pow(10, meanDiff) - 1) * 100 : meanDiff;
  return { kind: 'ok', value, range: [lo, hi], interpolation };
}

function fmt(r: readonly [number, number]): string {
  return `[${r[0].toPrecision(4)}, ${r[1].toPrecision(4)}]`;
}

/** BD-rate of `test` against `anchor`, in percent (negative: `test` saves bits at equal quality). */
export function bdRate(anchor: readonly RdPoint[], test: readonly RdPoint[]): BdResult {
  return bd(anchor, test, 'quality');
}

/** BD-quality (BD-PSNR for PSNR) of `test` against `anchor`, in the quality's unit (positive: `test` is better at equal rate). */
export function bdQuality(anchor: readonly RdPoint[], test: readonly RdPoint[]): BdResult {
  return bd(anchor, test, 'rate');
}
