/**
 * Regions of interest in the `.m3c` (issue 14): the file's quantised regions (M3cRegion) from and to the
 * shared shape (shared/roi), and the checks of a regions section's values.
 */
import { ROI_MAX_REGIONS, ROI_MAX_WEIGHT, type RoiRegion, type RoiSpec } from '../roi/index.ts';
import { ROI_BOX_SCALE, ROI_MAX_LABEL_BYTES, ROI_WEIGHT_SCALE, type M3cAxisWarp, type M3cHeader, type M3cInset, type M3cRegion, type M3cRoi } from './types.ts';

type Problem = string | null;
const utf8 = new TextEncoder();

/** A region quantised for the file: box edges rounded outward to 1/256, weight to 1/16 (at least 1/16). */
export function quantiseRegion(r: RoiRegion): M3cRegion {
  const s = ROI_BOX_SCALE;
  const eps = 1e-9;
  const x0 = Math.max(0, Math.floor(r.box[0] * s + eps));
  const y0 = Math.max(0, Math.floor(r.box[1] * s + eps));
  const x1 = Math.min(s, Math.max(x0 + 1, Math.ceil((r.box[0] + r.box[2]) * s - eps)));
  const y1 = Math.min(s, Math.max(y0 + 1, Math.ceil((r.box[1] + r.box[3]) * s - eps)));
  const weight16 = Math.min(ROI_MAX_WEIGHT * ROI_WEIGHT_SCALE, Math.max(1, Math.round(r.weight * ROI_WEIGHT_SCALE)));
  return { first: r.frames[0], last: r.frames[1], box: [x0, y0, x1, y1], weight16, label: r.label };
}

/** The regions a file holds, in the shared shape (boxes as the file quantised them). */
export function roiSpecOf(roi: Pick<M3cRoi, 'regions'>): RoiSpec {
  const s = ROI_BOX_SCALE;
  return {
    regions: roi.regions.map((r) => ({
      frames: [r.first, r.last] as const,
      box: [r.box[0] / s, r.box[1] / s, (r.box[2] - r.box[0]) / s, (r.box[3] - r.box[1]) / s] as const,
      weight: r.weight16 / ROI_WEIGHT_SCALE,
      label: r.label,
    })),
  };
}

export function labelBytes(label: string): Uint8Array {
  return utf8.encode(label);
}

/** One region's values against the header (frames inside the video, a box inside the frame). */
export function regionProblem(r: M3cRegion, frameCount: number, at: string): Problem {
  const int = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0;
  if (!int(r.first) || !int(r.last) || r.last < r.first) return `${at} frames must be whole numbers, first <= last (got ${r.first}..${r.last})`;
  if (r.last >= frameCount) return `${at} ends at frame ${r.last}, past the video's last frame ${frameCount - 1}`;
  const [x0, y0, x1, y1] = r.box;
  if (![x0, y0, x1, y1].every(int) || x1 > ROI_BOX_SCALE || y1 > ROI_BOX_SCALE || x0 >= x1 || y0 >= y1) {
    return `${at} box ${r.box.join(',')} (in 1/${ROI_BOX_SCALE}) is not inside the frame`;
  }
  if (!Number.isInteger(r.weight16) || r.weight16 < 1 || r.weight16 > ROI_MAX_WEIGHT * ROI_WEIGHT_SCALE) return `${at} weight ${r.weight16}/${ROI_WEIGHT_SCALE} is not in 1/${ROI_WEIGHT_SCALE}..${ROI_MAX_WEIGHT}`;
  if (typeof r.label !== 'string' || labelBytes(r.label).length > ROI_MAX_LABEL_BYTES) return `${at} label is longer than ${ROI_MAX_LABEL_BYTES} bytes`;
  return null;
}

/** The inset's rectangle: even, at least 16 pixels a side, inside the frame. */
export function insetRectProblem(i: Pick<M3cInset, 'x' | 'y' | 'rectWidth' | 'rectHeight'>, h: Pick<M3cHeader, 'width' | 'height'>): Problem {
  const { x, y, rectWidth: w, rectHeight: hh } = i;
  const ok = [x, y, w, hh].every((v) => Number.isInteger(v) && v >= 0 && v % 2 === 0);
  if (!ok || w < 16 || hh < 16 || x + w > h.width || y + hh > h.height) return `inset rectangle ${w}x${hh} at ${x},${y} is not an even rectangle of at least 16x16 inside the ${h.width}x${h.height} frame`;
  return null;
}

export function insetSizeProblem(i: Pick<M3cInset, 'width' | 'height' | 'rectWidth' | 'rectHeight'>): Problem {
  return i.width <= i.rectWidth && i.height <= i.rectHeight ? null : `inset coded size ${i.width}x${i.height} is larger than its rectangle ${i.rectWidth}x${i.rectHeight}`;
}

export function regionCountProblem(n: number): Problem {
  return n >= 1 && n <= ROI_MAX_REGIONS ? null : `region count must be in 1..${ROI_MAX_REGIONS} (got ${n})`;
}

/** A whole regions section's values (the writer's check: a failure is a bug in our encoder). */
export function roiProblem(roi: M3cRoi, h: M3cHeader, guideCheck: (g: M3cInset) => Problem): Problem {
  if (typeof roi !== 'object' || roi === null || !Array.isArray(roi.regions)) return 'roi.regions must be an array';
  const count = regionCountProblem(roi.regions.length);
  if (count) return count;
  for (let i = 0; i < roi.regions.length; i++) {
    const p = regionProblem(roi.regions[i], h.frameCount, `roi.regions[${i}]`);
    if (p) return p;
  }
  if (roi.inset && roi.warp) return 'roi has both an inset and a warp';
  if (roi.warp) return axisWarpProblem(roi.warp.x, 'x') ?? axisWarpProblem(roi.warp.y, 'y') ?? (roi.warp.frames ? warpFramesProblem(roi.warp.frames, h.frameCount) : null);
  const inset = roi.inset;
  if (!inset) return null;
  return insetRectProblem(inset, h) ?? guideCheck(inset) ?? insetSizeProblem(inset);
}

/** A layer-3 warp's frame range: whole numbers inside the video, first <= last. */
export function warpFramesProblem(f: readonly [number, number], frameCount: number): Problem {
  const ok = Number.isInteger(f[0]) && Number.isInteger(f[1]) && f[0] >= 0 && f[0] <= f[1] && f[1] < frameCount;
  return ok ? null : `warp frames ${f[0]}..${f[1]} are not a range inside the video's ${frameCount} frames`;
}

/** A warp axis: increasing intervals in 0..256 whose ends stay on the frame's border exactly when they start there. */
export function axisWarpProblem(w: M3cAxisWarp, axis: string): Problem {
  const s = ROI_BOX_SCALE;
  const ok = [w.a, w.b, w.A, w.B].every((v) => Number.isInteger(v) && v >= 0 && v <= s) && w.a < w.b && w.A < w.B && (w.a === 0) === (w.A === 0) && (w.b === s) === (w.B === s);
  return ok ? null : `warp ${axis} [${w.a}, ${w.b}] -> [${w.A}, ${w.B}] (in 1/${s}) is not a monotone map of the side`;
}
