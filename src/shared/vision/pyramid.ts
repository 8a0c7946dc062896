import type { Plane } from './plane.ts';
import { resizeArea } from './resize.ts';

/**
 * Gaussian-like image pyramid, finest level first. Each level halves the previous one with an
 * area filter (a 2x2 box, which is enough anti-aliasing for gradient-based flow). Building stops
 * early when a level would be narrower or shorter than `minSize` pixels.
 */
export function buildPyramid(base: Plane, levels: number, minSize = 8): Plane[] {
  if (!Number.isInteger(levels) || levels < 1) throw new RangeError(`pyramid levels must be >= 1, got ${levels}`);
  const out: Plane[] = [base];
  while (out.length < levels) {
    const prev = out[out.length - 1];
    const w = Math.round(prev.width / 2);
    const h = Math.round(prev.height / 2);
    if (w < minSize || h < minSize) break;
    out.push(resizeArea(prev, w, h));
  }
  return out;
}
