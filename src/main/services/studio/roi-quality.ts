/**
 * PSNR-Y inside and outside an encode's regions of interest (issue 14, Compare): the decoded frames against the
 * source fitted as the encode's frames were, at a small working size, luma squared error pooled over frames
 * (src/shared/roi maskedLumaSse) before taking PSNR. Cached per decode (its creation time), computed once.
 */
import type { RoiQuality, WorkingGeometry } from '../../../shared/api/contract.ts';
import type { RgbFrame } from '../../../shared/engine/frame.ts';
import { RoiErrorPool, type RoiSpec } from '../../../shared/roi/index.ts';
import { workingFrames } from '../../pipeline/working-frames.ts';

/** Width the inside/outside figures are measured at (height keeps the aspect, even). */
export const ROI_QUALITY_WIDTH = 256;

function smallGeometry(g: WorkingGeometry): WorkingGeometry {
  if (g.width <= ROI_QUALITY_WIDTH) return g;
  const height = Math.max(16, 2 * Math.round((g.height * ROI_QUALITY_WIDTH) / g.width / 2));
  return { ...g, width: ROI_QUALITY_WIDTH, height };
}

export async function roiQuality(source: string, reconstruction: string, geometry: WorkingGeometry, roi: RoiSpec, frames: number): Promise<RoiQuality> {
  const g = smallGeometry(geometry);
  const abort = new AbortController();
  const a = workingFrames(source, g, abort.signal);
  // The reconstruction is at the working geometry already: it is only scaled, never cropped or padded.
  const b = workingFrames(reconstruction, { ...g, fit: 'stretch' }, abort.signal);
  const pool = new RoiErrorPool(roi);
  try {
    for (let i = 0; i < frames; i++) {
      const [x, y] = await Promise.all([a.next(), b.next()]);
      if (x.done || y.done) break;
      pool.add(x.value as RgbFrame, y.value as RgbFrame, i);
    }
  } finally {
    abort.abort();
    await Promise.allSettled([a.return(undefined), b.return(undefined)]);
  }
  const { inside, outside } = pool.psnr();
  return {
    psnrInside: inside,
    psnrOutside: outside,
    width: g.width,
    height: g.height,
  };
}
