/**
 * SSIM and MS-SSIM after Wang, Bovik et al. (2004) and Wang, Simoncelli, Bovik (2003): 11x11 Gaussian
 * window with sigma 1.5, K1 = 0.01, K2 = 0.03, dynamic range 255, 'valid' filtering (no padding), on
 * full-range BT.601 luma. MS-SSIM uses 5 scales with the paper's exponents and 2x2 averaging between
 * scales.
 */
import type { RgbFrame } from '../engine/frame.ts';
import type { Plane } from './luma.ts';
import { assertSameSize, filterValid, gaussianKernel, lumaBt601 } from './luma.ts';

const WINDOW = 11;
const SIGMA = 1.5;
const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;

/** Exponents of the 5 scales, finest first (Wang, Simoncelli, Bovik 2003). */
export const MS_SSIM_WEIGHTS: readonly number[] = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333];

const KERNEL = gaussianKernel(WINDOW, SIGMA);

interface SsimStats {
  /** Mean of the full SSIM map (luminance x contrast-structure). */
  readonly ssim: number;
  /** Mean of the contrast-structure map alone, the term MS-SSIM uses at the finer scales. */
  readonly cs: number;
}

function statsOfPlanes(x: Plane, y: Plane): SsimStats {
  const { width, height } = x;
  if (width < WINDOW || height < WINDOW) {
    throw new RangeError(`SSIM needs at least ${WINDOW}x${WINDOW} pixels, got ${width}x${height}`);
  }
  const n = width * height;
  const xx = new Float64Array(n);
  const yy = new Float64Array(n);
  const xy = new Float64Array(n);
  const a = x.data;
  const b = y.data;
  for (let i = 0; i < n; i++) {
    xx[i] = a[i] * a[i];
    yy[i] = b[i] * b[i];
    xy[i] = a[i] * b[i];
  }
  const ow = width - WINDOW + 1;
  const oh = height - WINDOW + 1;
  const m = ow * oh;
  const tmp = new Float64Array(height * ow);
  const mx = new Float64Array(m);
  const my = new Float64Array(m);
  const sxx = new Float64Array(m);
  const syy = new Float64Array(m);
  const sxy = new Float64Array(m);
  filterValid(a, width, height, KERNEL, tmp, mx);
  filterValid(b, width, height, KERNEL, tmp, my);
  filterValid(xx, width, height, KERNEL, tmp, sxx);
  filterValid(yy, width, height, KERNEL, tmp, syy);
  filterValid(xy, width, height, KERNEL, tmp, sxy);
  let ssimSum = 0;
  let csSum = 0;
  for (let i = 0; i < m; i++) {
    const ux = mx[i];
    const uy = my[i];
    const vx = sxx[i] - ux * ux;
    const vy = syy[i] - uy * uy;
    const cov = sxy[i] - ux * uy;
    const cs = (2 * cov + C2) / (vx + vy + C2);
    csSum += cs;
    ssimSum += ((2 * ux * uy + C1) / (ux * ux + uy * uy + C1)) * cs;
  }
  return { ssim: ssimSum / m, cs: csSum / m };
}

/** 2x2 box average; an odd last row or column is dropped. */
export function downsample2(p: Plane): Plane {
  const w = p.width >> 1;
  const h = p.height >> 1;
  const out = new Float64Array(w * h);
  const s = p.data;
  const sw = p.width;
  for (let y = 0; y < h; y++) {
    const r0 = 2 * y * sw;
    const r1 = r0 + sw;
    for (let x = 0; x < w; x++) {
      const c = 2 * x;
      out[y * w + x] = 0.25 * (s[r0 + c] + s[r0 + c + 1] + s[r1 + c] + s[r1 + c + 1]);
    }
  }
  return { width: w, height: h, data: out };
}

/** Mean SSIM of two luma planes. */
export function ssimPlane(x: Plane, y: Plane): number {
  assertSameSize(x, y);
  return statsOfPlanes(x, y).ssim;
}

/** Mean SSIM on full-range BT.601 luma. Identical images give exactly 1. */
export function ssim(a: RgbFrame, b: RgbFrame): number {
  assertSameSize(a, b);
  return statsOfPlanes(lumaBt601(a), lumaBt601(b)).ssim;
}

/**
 * Number of MS-SSIM scales an image supports: 5, or fewer when the coarsest scale would be smaller
 * than the 11x11 window (the first `n` weights are then renormalised to sum to 1).
 */
export function msSsimScales(width: number, height: number): number {
  let scales = 0;
  let w = width;
  let h = height;
  while (scales < MS_SSIM_WEIGHTS.length && w >= WINDOW && h >= WINDOW) {
    scales++;
    w >>= 1;
    h >>= 1;
  }
  return scales;
}

/** MS-SSIM of two luma planes; see `msSsim`. */
export function msSsimPlane(x: Plane, y: Plane): number {
  assertSameSize(x, y);
  const scales = msSsimScales(x.width, x.height);
  if (scales === 0) {
    throw new RangeError(`MS-SSIM needs at least ${WINDOW}x${WINDOW} pixels, got ${x.width}x${x.height}`);
  }
  let total = 0;
  for (let i = 0; i < scales; i++) total += MS_SSIM_WEIGHTS[i];
  let result = 1;
  let px = x;
  let py = y;
  for (let i = 0; i < scales; i++) {
    const st = statsOfPlanes(px, py);
    const last = i === scales - 1;
    // A negative mean contrast-structure (anti-correlated content) would make a fractional power NaN;
    // clamping to 0 scores such a pair as having no structural similarity at that scale.
    const term = Math.max(last ? st.ssim : st.cs, 0);
    result *= term ** (MS_SSIM_WEIGHTS[i] / total);
    if (!last) {
      px = downsample2(px);
      py = downsample2(py);
    }
  }
  return result;
}

/**
 * MS-SSIM on full-range BT.601 luma in [0, 255]: product over scales of mean contrast-structure, and
 * of mean SSIM at the coarsest, each raised to its exponent. Images smaller than 176 px in either
 * dimension use fewer scales with renormalised exponents; below 11 px it throws RangeError.
 */
export function msSsim(a: RgbFrame, b: RgbFrame): number {
  assertSameSize(a, b);
  return msSsimPlane(lumaBt601(a), lumaBt601(b));
}
