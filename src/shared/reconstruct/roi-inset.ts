/**
 * The inset layer of the regions of interest (issue 14): the rectangle around the regions, cropped from the
 * working frames (encoder) and pasted back over the guided frame (decoder) with a feathered edge, in
 * integers so every machine pastes the same bytes.
 */
import { makeFrame, type RgbFrame } from '../engine/frame.ts';
import { boxPixels, type RoiSpec } from '../roi/index.ts';

/** Pixels of the inset's edge blended into the frame around it (the rectangle is this much larger than the regions). */
export const INSET_FEATHER = 4;
export const INSET_MIN_SIDE = 16;

export interface PixelRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * The inset's rectangle: the bounding box of every region (all frames), grown by INSET_FEATHER on each side,
 * on even coordinates, at least INSET_MIN_SIDE a side, inside the frame.
 */
export function insetRect(spec: RoiSpec, width: number, height: number): PixelRect {
  let x0 = width;
  let y0 = height;
  let x1 = 0;
  let y1 = 0;
  for (const r of spec.regions) {
    const p = boxPixels(r.box, width, height);
    x0 = Math.min(x0, p.x);
    y0 = Math.min(y0, p.y);
    x1 = Math.max(x1, p.x + p.width);
    y1 = Math.max(y1, p.y + p.height);
  }
  if (x1 <= x0 || y1 <= y0) throw new RangeError('insetRect needs at least one region');
  const side = (a: number, b: number, limit: number): [number, number] => {
    let lo = Math.max(0, a - INSET_FEATHER);
    let hi = Math.min(limit, b + INSET_FEATHER);
    lo -= lo % 2;
    hi += hi % 2;
    hi = Math.min(hi, limit - (limit % 2));
    while (hi - lo < INSET_MIN_SIDE) {
      if (hi + 2 <= limit) hi += 2;
      else lo -= 2;
    }
    return [lo, hi];
  };
  const [xa, xb] = side(x0, x1, width);
  const [ya, yb] = side(y0, y1, height);
  return { x: xa, y: ya, width: xb - xa, height: yb - ya };
}

/** The rectangle of a frame as its own frame. */
export function cropFrame(frame: RgbFrame, rect: PixelRect): RgbFrame {
  const out = makeFrame(rect.width, rect.height);
  const row = rect.width * 3;
  for (let y = 0; y < rect.height; y++) {
    const from = ((rect.y + y) * frame.width + rect.x) * 3;
    out.data.set(frame.data.subarray(from, from + row), y * row);
  }
  return out;
}

/**
 * `frame` with `inset` (the rectangle's size) pasted at `rect`: full weight from INSET_FEATHER pixels inside
 * the rectangle's edges, fading linearly to the frame towards them; an edge on the frame's border is not
 * feathered (nothing lies beyond it).
 */
export function pasteInset(frame: RgbFrame, inset: RgbFrame, rect: PixelRect, feather = INSET_FEATHER): RgbFrame {
  if (inset.width !== rect.width || inset.height !== rect.height) throw new RangeError('inset does not match its rectangle');
  const out = makeFrame(frame.width, frame.height, Uint8Array.from(frame.data));
  const f = Math.max(1, feather);
  const ramp = (d: number, open: boolean): number => (open ? Math.min(f, d + 1) : f);
  const left = rect.x > 0;
  const top = rect.y > 0;
  const right = rect.x + rect.width < frame.width;
  const bottom = rect.y + rect.height < frame.height;
  for (let y = 0; y < rect.height; y++) {
    const wy = Math.min(ramp(y, top), ramp(rect.height - 1 - y, bottom));
    for (let x = 0; x < rect.width; x++) {
      const w = Math.min(wy, ramp(x, left), ramp(rect.width - 1 - x, right));
      const o = ((rect.y + y) * frame.width + rect.x + x) * 3;
      const i = (y * rect.width + x) * 3;
      for (let c = 0; c < 3; c++) out.data[o + c] = Math.floor((w * inset.data[i + c] + (f - w) * frame.data[o + c] + (f >> 1)) / f);
    }
  }
  return out;
}
