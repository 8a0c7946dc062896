/**
 * Per-point quality of a reconstruction against the preprocessed reference, frame by frame at the
 * working geometry: means over frames of PSNR-Y (full-range BT.601 luma), PSNR-RGB and MS-SSIM (luma),
 * each PSNR capped at 100 dB so that every figure is finite; and the two blur-versus-detail proxies
 * of src/shared/metrics/perception.ts: the high-frequency energy ratio, pooled over the clip (sum of
 * the reconstruction's HF energy over the reference's, so a flat frame cannot make it infinite), and
 * the mean gradient-histogram distance. BD figures use the first three only (higher is better).
 */
import type { RgbFrame } from '../../src/shared/engine/frame.ts';
import { capPsnr, gradientHistogramDistance, highFrequencyEnergy, msSsim, psnrLuma, psnrRgb } from '../../src/shared/metrics/index.ts';

/** The quality metrics that envelopes and BD figures are computed for. */
export const METRICS = ['psnrY', 'psnrRgb', 'msssim'] as const;
export type MetricName = (typeof METRICS)[number];
export type Metrics = Record<MetricName, number> & {
  /** HF energy of the reconstruction over the reference's, pooled over frames: 1 as much detail, below 1 blur. */
  readonly hfRatio: number;
  /** Mean over frames of the gradient-histogram distance (0 identical). */
  readonly gradDist: number;
};

export const METRIC_LABELS: Record<MetricName, string> = { psnrY: 'PSNR-Y (dB)', psnrRgb: 'PSNR-RGB (dB)', msssim: 'MS-SSIM' };

/** HF energy (squared 8-bit levels) below which a clip counts as flat: the blur of a flat frame leaves ~1e-31. */
const FLAT_ENERGY = 1e-9;

/** Accumulates per-frame figures; frames may arrive one at a time (a decoder's stream). */
export class MetricsAccumulator {
  private n = 0;
  private readonly sum = { psnrY: 0, psnrRgb: 0, msssim: 0, gradDist: 0, hfRec: 0, hfRef: 0 };

  add(reference: RgbFrame, reconstruction: RgbFrame): void {
    this.sum.psnrY += capPsnr(psnrLuma(reference, reconstruction));
    this.sum.psnrRgb += capPsnr(psnrRgb(reference, reconstruction));
    this.sum.msssim += msSsim(reference, reconstruction);
    this.sum.gradDist += gradientHistogramDistance(reconstruction, reference);
    this.sum.hfRec += highFrequencyEnergy(reconstruction);
    this.sum.hfRef += highFrequencyEnergy(reference);
    this.n++;
  }

  get frames(): number {
    return this.n;
  }

  mean(): Metrics {
    if (this.n === 0) throw new RangeError('no frames measured');
    const { hfRec, hfRef } = this.sum;
    return {
      psnrY: this.sum.psnrY / this.n,
      psnrRgb: this.sum.psnrRgb / this.n,
      msssim: this.sum.msssim / this.n,
      // A flat reference (energy at rounding level): 1 when the reconstruction is flat too, else the energy it added.
      hfRatio: hfRef > FLAT_ENERGY ? hfRec / hfRef : hfRec > FLAT_ENERGY ? hfRec : 1,
      gradDist: this.sum.gradDist / this.n,
    };
  }
}

export function measureFrames(reference: readonly RgbFrame[], reconstruction: readonly RgbFrame[]): Metrics {
  if (reference.length !== reconstruction.length) throw new RangeError(`reconstruction has ${reconstruction.length} frames, the reference ${reference.length}`);
  const acc = new MetricsAccumulator();
  reference.forEach((f, i) => acc.add(f, reconstruction[i]));
  return acc.mean();
}
