/**
 * Bilinear sampling with clamp-to-edge borders and backward warping by a per-pixel displacement.
 * Backward warping: out(x, y) = src(x + u(x, y), y + v(x, y)), so every output pixel is defined.
 */
import type { RgbFrame } from '../engine/frame.ts';
import type { Plane } from './plane.ts';

/** Bilinear sample of a plane at a real position; positions outside the plane clamp to its edge. */
export function sampleBilinear(p: Plane, x: number, y: number): number {
  const w = p.width;
  const h = p.height;
  const cx = x < 0 ? 0 : x > w - 1 ? w - 1 : x;
  const cy = y < 0 ? 0 : y > h - 1 ? h - 1 : y;
  let x0 = Math.floor(cx);
  let y0 = Math.floor(cy);
  if (x0 >= w - 1) x0 = w > 1 ? w - 2 : 0;
  if (y0 >= h - 1) y0 = h > 1 ? h - 2 : 0;
  const fx = cx - x0;
  const fy = cy - y0;
  const x1 = x0 + 1 < w ? x0 + 1 : x0;
  const y1 = y0 + 1 < h ? y0 + 1 : y0;
  const d = p.data;
  const a = d[y0 * w + x0];
  const b = d[y0 * w + x1];
  const c = d[y1 * w + x0];
  const e = d[y1 * w + x1];
  return a + (b - a) * fx + (c - a) * fy + (a - b - c + e) * fx * fy;
}

/**
 * Backward-warps `src` (width x height) by the displacement (u, v) into `out`. When `inside` is
 * given, it receives 1 where the sampled position lies within the image and 0 where it was clamped,
 * so callers can discard data that was invented by the border rule.
 */
export function warpPlaneInto(
  src: Float32Array,
  width: number,
  height: number,
  u: Float32Array,
  v: Float32Array,
  out: Float32Array,
  inside?: Uint8Array,
): void {
  const xmax = width - 1;
  const ymax = height - 1;
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      let sx = x + u[i];
      let sy = y + v[i];
      if (inside) inside[i] = sx >= 0 && sx <= xmax && sy >= 0 && sy <= ymax ? 1 : 0;
      sx = sx < 0 ? 0 : sx > xmax ? xmax : sx;
      sy = sy < 0 ? 0 : sy > ymax ? ymax : sy;
      let x0 = sx | 0;
      let y0 = sy | 0;
      if (x0 >= xmax) x0 = xmax > 0 ? xmax - 1 : 0;
      if (y0 >= ymax) y0 = ymax > 0 ? ymax - 1 : 0;
      const fx = sx - x0;
      const fy = sy - y0;
      const j = y0 * width + x0;
      const dx = xmax > 0 ? 1 : 0;
      const dy = ymax > 0 ? width : 0;
      const a = src[j];
      const b = src[j + dx];
      const c = src[j + dy];
      const e = src[j + dx + dy];
      out[i] = a + (b - a) * fx + (c - a) * fy + (a - b - c + e) * fx * fy;
    }
  }
}

/** Backward warp of a plane by a displacement field of the same size (new plane). */
export function warpPlane(src: Plane, u: Float32Array, v: Float32Array): Plane {
  const n = src.width * src.height;
  if (u.length !== n || v.length !== n) throw new RangeError('displacement field must match the plane size');
  const out = new Float32Array(n);
  warpPlaneInto(src.data, src.width, src.height, u, v, out);
  return { width: src.width, height: src.height, data: out };
}

/**
 * Backward warp of a packed RGB24 frame by a per-pixel displacement of the frame's size, sampling
 * bilinearly with clamped borders and rounding to the nearest byte.
 */
export function warpRgb(frame: RgbFrame, u: Float32Array, v: Float32Array): RgbFrame {
  const { width, height } = frame;
  const n = width * height;
  if (u.length !== n || v.length !== n) throw new RangeError('displacement field must match the frame size');
  const out = new Uint8Array(n * 3);
  const clamped = new Uint8ClampedArray(out.buffer);
  const s = frame.data;
  const xmax = width - 1;
  const ymax = height - 1;
  const dx = xmax > 0 ? 3 : 0;
  const dy = ymax > 0 ? width * 3 : 0;
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      let sx = x + u[i];
      let sy = y + v[i];
      sx = sx < 0 ? 0 : sx > xmax ? xmax : sx;
      sy = sy < 0 ? 0 : sy > ymax ? ymax : sy;
      let x0 = sx | 0;
      let y0 = sy | 0;
      if (x0 >= xmax) x0 = xmax > 0 ? xmax - 1 : 0;
      if (y0 >= ymax) y0 = ymax > 0 ? ymax - 1 : 0;
      const fx = sx - x0;
      const fy = sy - y0;
      const w00 = (1 - fx) * (1 - fy);
      const w10 = fx * (1 - fy);
      const w01 = (1 - fx) * fy;
      const w11 = fx * fy;
      const j = (y0 * width + x0) * 3;
      const o = i * 3;
      for (let c = 0; c < 3; c++) {
        clamped[o + c] = s[j + c] * w00 + s[j + dx + c] * w10 + s[j + dy + c] * w01 + s[j + dx + dy + c] * w11;
      }
    }
  }
  return { width, height, data: out };
}
