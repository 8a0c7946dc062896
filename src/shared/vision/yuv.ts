/**
 * 8-bit yuv420p (BT.601, limited range: what ffmpeg's `format=yuv420p` makes of RGB by default) to
 * packed RGB24, in integer arithmetic only, so that a decoded guide stream (AV1 decoding is bit-exact by
 * its specification) gives the same RGB bytes on every machine. Chroma is upsampled bilinearly with the
 * chroma sample at the centre of its 2x2 luma block (weights 9/3/3/1 of 16).
 */
import { makeFrame, type RgbFrame } from '../engine/frame.ts';

/** Bytes of one yuv420p picture of this (even) size. */
export function yuv420pBytes(width: number, height: number): number {
  return width * height + 2 * (width / 2) * (height / 2);
}

const clamp8 = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

export function yuv420pToRgb(yuv: Uint8Array, width: number, height: number): RgbFrame {
  if (width % 2 !== 0 || height % 2 !== 0) throw new RangeError(`yuv420p needs an even size, got ${width}x${height}`);
  if (yuv.length !== yuv420pBytes(width, height)) throw new RangeError(`yuv420p picture of ${width}x${height} has ${yuv420pBytes(width, height)} bytes, got ${yuv.length}`);
  const cw = width / 2;
  const ch = height / 2;
  const uOff = width * height;
  const vOff = uOff + cw * ch;
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    // Nearest chroma row and the neighbour on the side of this luma row.
    const cy = y >> 1;
    const cy2 = y & 1 ? Math.min(ch - 1, cy + 1) : Math.max(0, cy - 1);
    for (let x = 0; x < width; x++) {
      const cx = x >> 1;
      const cx2 = x & 1 ? Math.min(cw - 1, cx + 1) : Math.max(0, cx - 1);
      const a = cy * cw + cx;
      const b = cy * cw + cx2;
      const c = cy2 * cw + cx;
      const d = cy2 * cw + cx2;
      // Sixteenths, rounded.
      const u = ((9 * yuv[uOff + a] + 3 * yuv[uOff + b] + 3 * yuv[uOff + c] + yuv[uOff + d] + 8) >> 4) - 128;
      const v = ((9 * yuv[vOff + a] + 3 * yuv[vOff + b] + 3 * yuv[vOff + c] + yuv[vOff + d] + 8) >> 4) - 128;
      const l = 298 * (yuv[y * width + x] - 16) + 128;
      const o = (y * width + x) * 3;
      out[o] = clamp8((l + 409 * v) >> 8);
      out[o + 1] = clamp8((l - 100 * u - 208 * v) >> 8);
      out[o + 2] = clamp8((l + 516 * u) >> 8);
    }
  }
  return makeFrame(width, height, out);
}
