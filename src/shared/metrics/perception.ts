/**
 * Two cheap no-network proxies for perceptual quality, used by the benchmarks next to PSNR/MS-SSIM:
 * pixel metrics reward blur at ultra-low rates, these two tell blur from detail.
 */
import type { RgbFrame } from '../engine/frame.ts';
import { assertSameSize, filterValid, gaussianKernel, lumaBt601 } from './luma.ts';

/** Sigma of the Gaussian whose residual defines the high-frequency band (see `highFrequencyEnergy`). */
export const HF_SIGMA = 1.5;
const HF_KERNEL = gaussianKernel(9, HF_SIGMA);
const HF_MARGIN = (HF_KERNEL.length - 1) / 2;

/**
 * Mean squared high-pass luma: L - G_sigma * L with a 9-tap Gaussian of sigma 1.5 px (a
 * difference-of-Gaussians band from the cut-off, about 0.1 cycles/pixel, up to Nyquist), over the
 * pixels whose whole window lies inside the image.
 */
export function highFrequencyEnergy(frame: RgbFrame): number {
  const { width, height } = frame;
  const k = HF_KERNEL.length;
  if (width < k || height < k) throw new RangeError(`image must be at least ${k}x${k}, got ${width}x${height}`);
  const luma = lumaBt601(frame).data;
  const ow = width - k + 1;
  const oh = height - k + 1;
  const blurred = new Float64Array(ow * oh);
  filterValid(luma, width, height, HF_KERNEL, new Float64Array(height * ow), blurred);
  let sum = 0;
  for (let y = 0; y < oh; y++) {
    const row = (y + HF_MARGIN) * width + HF_MARGIN;
    for (let x = 0; x < ow; x++) {
      const d = luma[row + x] - blurred[y * ow + x];
      sum += d * d;
    }
  }
  return sum / (ow * oh);
}

/**
 * High-frequency energy of `rec` divided by that of `ref`: 1 means as much fine detail as the
 * original, below 1 blur (detail lost), above 1 added texture, noise or ringing. A flat reference
 * gives 1 when `rec` is flat too and Infinity otherwise.
 */
export function highFrequencyEnergyRatio(rec: RgbFrame, ref: RgbFrame): number {
  assertSameSize(rec, ref);
  const er = highFrequencyEnergy(rec);
  const ef = highFrequencyEnergy(ref);
  if (ef === 0) return er === 0 ? 1 : Infinity;
  return er / ef;
}

/** Number of bins of the gradient-magnitude histogram. */
export const GRADIENT_BINS = 64;
/** Largest Sobel magnitude on 8-bit luma: |gx| and |gy| are at most 4 * 255 each. */
const MAX_SOBEL = Math.SQRT2 * 4 * 255;

/**
 * Normalised histogram of Sobel gradient magnitudes of luma (interior pixels). Bins are uniform in
 * sqrt(magnitude) so that the many small gradients of natural images are resolved as well as edges.
 */
export function gradientHistogram(frame: RgbFrame): Float64Array {
  const { width, height } = frame;
  if (width < 3 || height < 3) throw new RangeError(`image must be at least 3x3, got ${width}x${height}`);
  const l = lumaBt601(frame).data;
  const hist = new Float64Array(GRADIENT_BINS);
  const scale = GRADIENT_BINS / Math.sqrt(MAX_SOBEL);
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const a = l[i - width - 1];
      const b = l[i - width];
      const c = l[i - width + 1];
      const d = l[i - 1];
      const f = l[i + 1];
      const g = l[i + width - 1];
      const h = l[i + width];
      const k = l[i + width + 1];
      const gx = c + 2 * f + k - (a + 2 * d + g);
      const gy = g + 2 * h + k - (a + 2 * b + c);
      const bin = Math.min(GRADIENT_BINS - 1, Math.floor(Math.sqrt(Math.sqrt(gx * gx + gy * gy)) * scale));
      hist[bin]++;
    }
  }
  const total = (width - 2) * (height - 2);
  for (let i = 0; i < GRADIENT_BINS; i++) hist[i] /= total;
  return hist;
}

/**
 * Jensen-Shannon divergence (base 2, so in [0, 1]) between the gradient-magnitude histograms of
 * `rec` and `ref`: 0 for the same distribution of edge strengths, growing as `rec` becomes blurrier
 * or noisier than `ref`. Insensitive to where edges are; pair it with a pixel metric.
 */
export function gradientHistogramDistance(rec: RgbFrame, ref: RgbFrame): number {
  assertSameSize(rec, ref);
  const p = gradientHistogram(rec);
  const q = gradientHistogram(ref);
  let js = 0;
  for (let i = 0; i < GRADIENT_BINS; i++) {
    const m = 0.5 * (p[i] + q[i]);
    if (p[i] > 0) js += 0.5 * p[i] * Math.log2(p[i] / m);
    if (q[i] > 0) js += 0.5 * q[i] * Math.log2(q[i] / m);
  }
  return Math.max(0, js);
}
