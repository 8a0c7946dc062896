/**
 * Single-channel float images ("planes") and their conversions from and to packed RGB24 frames.
 * Every routine works on flat typed arrays and allocates only its outputs, never per pixel.
 */
import type { RgbFrame } from '../engine/frame.ts';

/** A row-major single-channel float image. Luma planes hold values in [0, 1]. */
export interface Plane {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

export function makePlane(width: number, height: number, data?: Float32Array): Plane {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`plane size must be positive integers, got ${width}x${height}`);
  }
  if (data && data.length !== width * height) {
    throw new RangeError(`plane data has ${data.length} values, expected ${width * height} for ${width}x${height}`);
  }
  return { width, height, data: data ?? new Float32Array(width * height) };
}

// BT.601 weights, scaled so that a luma plane lies in [0, 1].
const KR = 0.299 / 255;
const KG = 0.587 / 255;
const KB = 0.114 / 255;

/** Luma of a packed RGB24 frame, in [0, 1]. */
export function lumaOf(frame: RgbFrame): Plane {
  const n = frame.width * frame.height;
  const out = new Float32Array(n);
  const src = frame.data;
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    out[i] = KR * src[j] + KG * src[j + 1] + KB * src[j + 2];
  }
  return { width: frame.width, height: frame.height, data: out };
}

/** Splits a packed RGB24 frame into three planes with values in [0, 255]. */
export function rgbPlanesOf(frame: RgbFrame): [Plane, Plane, Plane] {
  const n = frame.width * frame.height;
  const r = new Float32Array(n);
  const g = new Float32Array(n);
  const b = new Float32Array(n);
  const src = frame.data;
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    r[i] = src[j];
    g[i] = src[j + 1];
    b[i] = src[j + 2];
  }
  const { width, height } = frame;
  return [
    { width, height, data: r },
    { width, height, data: g },
    { width, height, data: b },
  ];
}

/** Packs three [0, 255] planes into an RGB24 frame, rounding and clamping. */
export function frameOfRgbPlanes(r: Plane, g: Plane, b: Plane): RgbFrame {
  const { width, height } = r;
  if (g.width !== width || g.height !== height || b.width !== width || b.height !== height) {
    throw new RangeError('rgb planes must have the same size');
  }
  const n = width * height;
  const out = new Uint8Array(n * 3);
  // Uint8ClampedArray rounds half to even and clamps, which is what we want and deterministic.
  const clamped = new Uint8ClampedArray(out.buffer);
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    clamped[j] = r.data[i];
    clamped[j + 1] = g.data[i];
    clamped[j + 2] = b.data[i];
  }
  return { width, height, data: out };
}

/** Mean absolute difference of two planes of the same size. */
export function meanAbsDiff(a: Plane, b: Plane): number {
  if (a.width !== b.width || a.height !== b.height) throw new RangeError('planes must have the same size');
  const n = a.data.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(a.data[i] - b.data[i]);
  return s / n;
}
