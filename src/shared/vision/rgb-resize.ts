/**
 * Resizing of packed RGB24 frames for the guide stream (issue 10).
 *
 * `resizeRgbBicubic` is exactly the bicubic of PyTorch's `F.interpolate(mode='bicubic',
 * align_corners=False)` (Keys cubic with A = -0.75; source coordinate (i + 0.5) * in / out - 0.5, not
 * clamped; taps clamped to the border), followed by rounding to 8 bits: the restoration model is trained
 * on that upscale (training/restore.py), so the decoder feeds it the same. `resizeRgbArea` is the
 * box-overlap average, for shrinking.
 *
 * Determinism: plain double-precision multiply-adds in a fixed order, no Math library calls, so every
 * machine gives the same bytes.
 */
import { makeFrame, type RgbFrame } from '../engine/frame.ts';

const A = -0.75;

interface Taps {
  /** Per output index, `n` source indices and weights. */
  readonly n: number;
  readonly index: Int32Array;
  readonly weight: Float64Array;
}

const cache = new Map<string, Taps>();

function memo(key: string, make: () => Taps): Taps {
  let t = cache.get(key);
  if (!t) {
    if (cache.size >= 64) cache.clear();
    t = make();
    cache.set(key, t);
  }
  return t;
}

function cubicTaps(inSize: number, outSize: number): Taps {
  return memo(`cubic:${inSize}:${outSize}`, () => {
    const index = new Int32Array(outSize * 4);
    const weight = new Float64Array(outSize * 4);
    const scale = inSize / outSize;
    for (let i = 0; i < outSize; i++) {
      const src = (i + 0.5) * scale - 0.5;
      const x0 = Math.floor(src);
      const t = src - x0;
      const t1 = t + 1;
      const s = 1 - t;
      const s1 = s + 1;
      const w = [((A * t1 - 5 * A) * t1 + 8 * A) * t1 - 4 * A, ((A + 2) * t - (A + 3)) * t * t + 1, ((A + 2) * s - (A + 3)) * s * s + 1, ((A * s1 - 5 * A) * s1 + 8 * A) * s1 - 4 * A];
      for (let k = 0; k < 4; k++) {
        index[i * 4 + k] = Math.min(inSize - 1, Math.max(0, x0 - 1 + k));
        weight[i * 4 + k] = w[k];
      }
    }
    return { n: 4, index, weight };
  });
}

function areaTaps(inSize: number, outSize: number): Taps {
  return memo(`area:${inSize}:${outSize}`, () => {
    const scale = inSize / outSize;
    const n = Math.ceil(scale) + 1;
    const index = new Int32Array(outSize * n);
    const weight = new Float64Array(outSize * n);
    for (let i = 0; i < outSize; i++) {
      const lo = i * scale;
      const hi = Math.min(inSize, (i + 1) * scale);
      let k = 0;
      for (let j = Math.floor(lo); j < hi && k < n; j++) {
        const overlap = Math.min(hi, j + 1) - Math.max(lo, j);
        index[i * n + k] = j;
        weight[i * n + k] = overlap > 1e-12 ? overlap / (hi - lo) : 0;
        k++;
      }
      for (; k < n; k++) index[i * n + k] = Math.min(inSize - 1, Math.floor(lo));
    }
    return { n, index, weight };
  });
}

function resample(frame: RgbFrame, width: number, height: number, tx: Taps, ty: Taps): RgbFrame {
  const sw = frame.width;
  const sh = frame.height;
  const s = frame.data;
  const tmp = new Float64Array(width * sh * 3);
  for (let y = 0; y < sh; y++) {
    const row = y * sw;
    for (let x = 0; x < width; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0; k < tx.n; k++) {
        const j = (row + tx.index[x * tx.n + k]) * 3;
        const w = tx.weight[x * tx.n + k];
        r += s[j] * w;
        g += s[j + 1] * w;
        b += s[j + 2] * w;
      }
      const o = (y * width + x) * 3;
      tmp[o] = r;
      tmp[o + 1] = g;
      tmp[o + 2] = b;
    }
  }
  const out = new Uint8Array(width * height * 3);
  const rowLen = width * 3;
  const acc = new Float64Array(rowLen);
  for (let y = 0; y < height; y++) {
    acc.fill(0);
    for (let k = 0; k < ty.n; k++) {
      const w = ty.weight[y * ty.n + k];
      if (w === 0) continue;
      const base = ty.index[y * ty.n + k] * rowLen;
      for (let i = 0; i < rowLen; i++) acc[i] += tmp[base + i] * w;
    }
    const o = y * rowLen;
    for (let i = 0; i < rowLen; i++) {
      const v = Math.round(acc[i]);
      out[o + i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return makeFrame(width, height, out);
}

function checkTarget(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new RangeError(`resize target must be positive integers, got ${width}x${height}`);
}

/** PyTorch-compatible bicubic resize (see the module comment), rounded and clamped to 8 bits. */
export function resizeRgbBicubic(frame: RgbFrame, width: number, height: number): RgbFrame {
  checkTarget(width, height);
  if (width === frame.width && height === frame.height) return makeFrame(width, height, frame.data.slice());
  return resample(frame, width, height, cubicTaps(frame.width, width), cubicTaps(frame.height, height));
}

/** Box-overlap average, for shrinking (each output pixel is the mean of the input area it covers). */
export function resizeRgbArea(frame: RgbFrame, width: number, height: number): RgbFrame {
  checkTarget(width, height);
  if (width > frame.width || height > frame.height) throw new RangeError(`resizeRgbArea shrinks only: ${frame.width}x${frame.height} to ${width}x${height}`);
  if (width === frame.width && height === frame.height) return makeFrame(width, height, frame.data.slice());
  return resample(frame, width, height, areaTaps(frame.width, width), areaTaps(frame.height, height));
}

/**
 * The BT.601 luma (0.299 R + 0.587 G + 0.114 B, in [0, 255]) of `frame`, resized by resizeRgbBicubic's
 * bicubic and clamped to [0, 255] but not rounded: one channel instead of three, for scoring a guide
 * (pipeline/guide.ts) where only luma is measured. Within 0.5 of the luma of resizeRgbBicubic's frame plus
 * its rounding.
 */
export function lumaBicubic(frame: RgbFrame, width: number, height: number): { readonly width: number; readonly height: number; readonly data: Float64Array } {
  checkTarget(width, height);
  const sw = frame.width;
  const sh = frame.height;
  const s = frame.data;
  const luma = new Float64Array(sw * sh);
  for (let i = 0, j = 0; i < luma.length; i++, j += 3) luma[i] = 0.299 * s[j] + 0.587 * s[j + 1] + 0.114 * s[j + 2];
  if (width === sw && height === sh) return { width, height, data: luma };
  const tx = cubicTaps(sw, width);
  const ty = cubicTaps(sh, height);
  const tmp = new Float64Array(width * sh);
  for (let y = 0; y < sh; y++) {
    const row = y * sw;
    for (let x = 0; x < width; x++) {
      let v = 0;
      for (let k = 0; k < tx.n; k++) v += luma[row + tx.index[x * tx.n + k]] * tx.weight[x * tx.n + k];
      tmp[y * width + x] = v;
    }
  }
  const out = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    const o = y * width;
    for (let k = 0; k < ty.n; k++) {
      const w = ty.weight[y * ty.n + k];
      if (w === 0) continue;
      const base = ty.index[y * ty.n + k] * width;
      for (let x = 0; x < width; x++) out[o + x] += tmp[base + x] * w;
    }
    for (let x = 0; x < width; x++) {
      const v = out[o + x];
      out[o + x] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return { width, height, data: out };
}
