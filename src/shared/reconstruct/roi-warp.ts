/**
 * The foveated guide of the regions of interest (issue 14, docs/roi.md): the guide is coded from frames
 * resampled so that the regions' rectangle takes a larger part of the guide's picture (and the rest a smaller
 * part); the decoder resamples the guide back. Per axis the map from the working frame to the guide's picture
 * is piecewise linear through (0, 0), (a, A), (b, B), (1, 1), in 1/256 of the side: the frame's [a, b] is the
 * guide's [A, B]. No second stream: every byte stays in the guide, where the regions get more of its pixels.
 *
 * Resampling is separable and in floating point with a fixed order of operations (the same bytes on every
 * machine): an output pixel covering more than one source pixel averages them by coverage (area), one covering
 * less interpolates linearly at its centre.
 */
import { makeFrame, type RgbFrame } from '../engine/frame.ts';

export const WARP_SCALE = 256;

/** One axis: the frame's [a, b] shows as the guide's [A, B] (all in 1/256 of the side). */
export interface AxisWarp {
  readonly a: number;
  readonly b: number;
  readonly A: number;
  readonly B: number;
}

export interface RoiWarp {
  readonly x: AxisWarp;
  readonly y: AxisWarp;
  /**
   * The working frames the warp applies to, inclusive (the regions' frames); absent: every frame. Other frames
   * are coded and rebuilt as they are, and the guide's interpolation holds a coded frame rather than blend
   * across the edge of the range (guideDomain).
   */
  readonly frames?: readonly [number, number];
}

/** Whether the warp applies to working frame `j`. */
export function warpAppliesAt(warp: RoiWarp, j: number): boolean {
  return !warp.frames || (j >= warp.frames[0] && j <= warp.frames[1]);
}

/** The domain of working frame `j` for the guide track's interpolation: 1 warped, 0 as it is. */
export function guideDomain(warp: RoiWarp | undefined): ((j: number) => number) | undefined {
  if (!warp?.frames) return undefined;
  return (j) => (warpAppliesAt(warp, j) ? 1 : 0);
}

/** The largest part of the guide's side the regions may take (the rest keeps some of the frame around them). */
export const WARP_MAX_FRACTION = 0.8;

/**
 * The axis map that magnifies [a, b] (1/256 units) by `magnification`, the rest shrunk evenly, within
 * WARP_MAX_FRACTION; edges on the frame's border stay there.
 */
export function axisWarp(a: number, b: number, magnification: number): AxisWarp {
  const s = WARP_SCALE;
  const inside = b - a;
  const target = Math.min(Math.round(WARP_MAX_FRACTION * s), Math.max(inside, Math.round(inside * magnification)));
  if (target >= s || inside >= s || target <= inside) return { a, b, A: a, B: b };
  const outside = s - inside;
  let A = Math.round((a * (s - target)) / outside);
  if (a > 0) A = Math.max(1, A);
  let B = A + target;
  if (b < s) B = Math.min(s - 1, B);
  else B = s;
  if (b === s) A = s - target;
  return { a, b, A, B };
}

/** Frame position t in [0, 1] to the guide's, or back (inverse). */
export function mapAxis(w: AxisWarp, t: number, inverse = false): number {
  const s = WARP_SCALE;
  const [p0, p1, q0, q1] = inverse ? [w.A / s, w.B / s, w.a / s, w.b / s] : [w.a / s, w.b / s, w.A / s, w.B / s];
  if (t <= p0) return p0 > 0 ? (t * q0) / p0 : q0;
  if (t <= p1) return q0 + ((t - p0) * (q1 - q0)) / (p1 - p0);
  return p1 < 1 ? q1 + ((t - p1) * (1 - q1)) / (1 - p1) : q1;
}

interface Taps {
  readonly start: Int32Array;
  readonly count: Int32Array;
  readonly weights: Float64Array[];
}

/** Per output pixel of an axis of `nOut`, the source pixels of `nIn` it takes and their weights; `g` maps output [0, 1] to source [0, 1]. */
function taps(nOut: number, nIn: number, g: (t: number) => number): Taps {
  const start = new Int32Array(nOut);
  const count = new Int32Array(nOut);
  const weights: Float64Array[] = [];
  for (let i = 0; i < nOut; i++) {
    const s0 = g(i / nOut) * nIn;
    const s1 = g((i + 1) / nOut) * nIn;
    if (s1 - s0 >= 1) {
      const first = Math.max(0, Math.floor(s0));
      const last = Math.min(nIn - 1, Math.ceil(s1) - 1);
      const w = new Float64Array(last - first + 1);
      let sum = 0;
      for (let k = first; k <= last; k++) {
        const cover = Math.min(k + 1, s1) - Math.max(k, s0);
        w[k - first] = cover > 0 ? cover : 0;
        sum += w[k - first];
      }
      for (let k = 0; k < w.length; k++) w[k] /= sum;
      start[i] = first;
      count[i] = w.length;
      weights.push(w);
    } else {
      const c = g((i + 0.5) / nOut) * nIn - 0.5;
      const k0 = Math.max(0, Math.min(nIn - 1, Math.floor(c)));
      const k1 = Math.min(nIn - 1, k0 + 1);
      const f = Math.max(0, Math.min(1, c - k0));
      start[i] = k0;
      count[i] = k1 > k0 ? 2 : 1;
      weights.push(k1 > k0 ? Float64Array.of(1 - f, f) : Float64Array.of(1));
    }
  }
  return { start, count, weights };
}

/** `frame` resampled to `width` x `height`, output position t of each axis taken from the source's gx(t), gy(t). */
function resample(frame: RgbFrame, width: number, height: number, gx: (t: number) => number, gy: (t: number) => number): RgbFrame {
  const tx = taps(width, frame.width, gx);
  const ty = taps(height, frame.height, gy);
  const src = frame.data;
  const mid = new Float64Array(frame.height * width * 3);
  for (let y = 0; y < frame.height; y++) {
    const row = y * frame.width * 3;
    for (let x = 0; x < width; x++) {
      const w = tx.weights[x];
      const s = tx.start[x];
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0; k < tx.count[x]; k++) {
        const o = row + (s + k) * 3;
        r += w[k] * src[o];
        g += w[k] * src[o + 1];
        b += w[k] * src[o + 2];
      }
      const o = (y * width + x) * 3;
      mid[o] = r;
      mid[o + 1] = g;
      mid[o + 2] = b;
    }
  }
  const out = makeFrame(width, height);
  for (let y = 0; y < height; y++) {
    const w = ty.weights[y];
    const s = ty.start[y];
    for (let x = 0; x < width; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0; k < ty.count[y]; k++) {
        const o = ((s + k) * width + x) * 3;
        r += w[k] * mid[o];
        g += w[k] * mid[o + 1];
        b += w[k] * mid[o + 2];
      }
      const o = (y * width + x) * 3;
      out.data[o] = Math.max(0, Math.min(255, Math.round(r)));
      out.data[o + 1] = Math.max(0, Math.min(255, Math.round(g)));
      out.data[o + 2] = Math.max(0, Math.min(255, Math.round(b)));
    }
  }
  return out;
}

/** A working frame as the guide sees it (the regions magnified), at `width` x `height` (the encoder's). */
export function warpToGuide(frame: RgbFrame, warp: RoiWarp, width: number, height: number): RgbFrame {
  return resample(frame, width, height, (t) => mapAxis(warp.x, t, true), (t) => mapAxis(warp.y, t, true));
}

/** A picture in the guide's domain (any size) back to the working frame's geometry at `width` x `height` (the decoder's). */
export function warpFromGuide(frame: RgbFrame, warp: RoiWarp, width: number, height: number): RgbFrame {
  return resample(frame, width, height, (t) => mapAxis(warp.x, t), (t) => mapAxis(warp.y, t));
}
