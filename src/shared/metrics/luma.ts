import type { RgbFrame } from '../engine/frame.ts';

/** A single-channel float image, row-major. */
export interface Plane {
  readonly width: number;
  readonly height: number;
  readonly data: Float64Array;
}

/**
 * Full-range BT.601 luma, Y = 0.299 R + 0.587 G + 0.114 B, kept in float so that metrics see no extra
 * rounding noise. This is the Y of JPEG/JFIF, not the 16..235 studio-range Y of a yuv420p video.
 */
export function lumaBt601(frame: RgbFrame): Plane {
  const n = frame.width * frame.height;
  const src = frame.data;
  const out = new Float64Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    out[i] = 0.299 * src[j] + 0.587 * src[j + 1] + 0.114 * src[j + 2];
  }
  return { width: frame.width, height: frame.height, data: out };
}

export function assertSameSize(a: { width: number; height: number }, b: { width: number; height: number }): void {
  if (a.width !== b.width || a.height !== b.height) {
    throw new RangeError(`images differ in size: ${a.width}x${a.height} vs ${b.width}x${b.height}`);
  }
}

/** Normalised 1-D Gaussian of odd length `size`. */
export function gaussianKernel(size: number, sigma: number): Float64Array {
  const k = new Float64Array(size);
  const half = (size - 1) / 2;
  let sum = 0;
  for (let i = 0; i < size; i++) {
    const d = i - half;
    k[i] = Math.exp(-(d * d) / (2 * sigma * sigma));
    sum += k[i];
  }
  for (let i = 0; i < size; i++) k[i] /= sum;
  return k;
}

/**
 * Separable 2-D filtering keeping only the 'valid' region (no padding), as Wang et al.'s reference
 * SSIM does: output is (width - k + 1) x (height - k + 1). `tmp` must hold height * (width - k + 1).
 */
export function filterValid(
  src: Float64Array,
  width: number,
  height: number,
  kernel: Float64Array,
  tmp: Float64Array,
  out: Float64Array,
): void {
  const k = kernel.length;
  const ow = width - k + 1;
  const oh = height - k + 1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const orow = y * ow;
    for (let x = 0; x < ow; x++) {
      let s = 0;
      const base = row + x;
      for (let t = 0; t < k; t++) s += kernel[t] * src[base + t];
      tmp[orow + x] = s;
    }
  }
  for (let y = 0; y < oh; y++) {
    const orow = y * ow;
    for (let x = 0; x < ow; x++) {
      let s = 0;
      let idx = orow + x;
      for (let t = 0; t < k; t++, idx += ow) s += kernel[t] * tmp[idx];
      out[orow + x] = s;
    }
  }
}
