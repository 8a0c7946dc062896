/**
 * Separable Gaussian blur with clamp-to-edge borders. The `*Into` form takes caller-owned buffers
 * so that iterative algorithms (the flow solver) blur many times without allocating.
 */
import { makePlane, type Plane } from './plane.ts';

/** Normalised 1-D Gaussian taps, radius ceil(truncate · sigma). */
export function gaussianKernel(sigma: number, truncate = 3): Float32Array {
  if (!(sigma > 0)) throw new RangeError(`gaussian sigma must be positive, got ${sigma}`);
  const radius = Math.max(1, Math.ceil(truncate * sigma));
  const k = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const w = Math.exp((-i * i) / (2 * sigma * sigma));
    k[i + radius] = w;
    sum += w;
  }
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

/**
 * Blurs `src` (width x height values) into `out` using `tmp` as scratch; all three have length
 * width * height and `out` may alias `src`, but `tmp` must be distinct from both.
 */
export function blurInto(
  src: Float32Array,
  width: number,
  height: number,
  kernel: Float32Array,
  out: Float32Array,
  tmp: Float32Array,
): void {
  const r = (kernel.length - 1) >> 1;
  // Horizontal: clamped loops only near the borders, a plain dot product in the interior.
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let acc = 0;
      if (x >= r && x + r < width) {
        const base = row + x - r;
        for (let k = 0; k < kernel.length; k++) acc += src[base + k] * kernel[k];
      } else {
        for (let k = -r; k <= r; k++) {
          let xx = x + k;
          xx = xx < 0 ? 0 : xx >= width ? width - 1 : xx;
          acc += src[row + xx] * kernel[k + r];
        }
      }
      tmp[row + x] = acc;
    }
  }
  // Vertical: row-at-a-time accumulation keeps memory access contiguous.
  for (let y = 0; y < height; y++) {
    const orow = y * width;
    const w0 = kernel[0];
    let yy = y - r < 0 ? 0 : y - r;
    let irow = yy * width;
    for (let x = 0; x < width; x++) out[orow + x] = tmp[irow + x] * w0;
    for (let k = 1; k < kernel.length; k++) {
      yy = y + k - r;
      yy = yy < 0 ? 0 : yy >= height ? height - 1 : yy;
      irow = yy * width;
      const w = kernel[k];
      for (let x = 0; x < width; x++) out[orow + x] += tmp[irow + x] * w;
    }
  }
}

/** Gaussian blur of a plane (new plane; borders clamp). */
export function gaussianBlur(src: Plane, sigma: number): Plane {
  const n = src.width * src.height;
  const out = new Float32Array(n);
  blurInto(src.data, src.width, src.height, gaussianKernel(sigma), out, new Float32Array(n));
  return makePlane(src.width, src.height, out);
}
