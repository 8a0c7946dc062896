/**
 * Objective quality of a reconstruction against its reference, both brought to the same working
 * geometry and rate by the same ffmpeg scaler, compared frame by frame.
 */
import type { Geometry } from '../../shared/engine/frame.ts';
import type { ProgressListener } from '../../shared/engine/progress.ts';
import { M3cError, throwIfAborted } from '../../shared/engine/errors.ts';
import { psnrRgb, msSsim } from '../../shared/metrics/index.ts';
import { workingFrames } from './working-frames.ts';

export interface EvalResult {
  readonly frames: number;
  readonly referenceFrames: number;
  readonly reconstructionFrames: number;
  /** Mean over frames of the per-frame RGB PSNR (dB); identical frames are capped at 100 dB. */
  readonly psnr: number;
  /** Mean over frames of the per-frame MS-SSIM on luma. */
  readonly msssim: number;
  readonly perFrame: { psnr: number[]; msssim: number[] };
}

export const PSNR_CAP_DB = 100;

export async function evaluateVideos(reference: string, reconstruction: string, geometry: Geometry, options: { signal?: AbortSignal; onProgress?: ProgressListener } = {}): Promise<EvalResult> {
  const ref = workingFrames(reference, geometry, options.signal)[Symbol.asyncIterator]();
  const rec = workingFrames(reconstruction, geometry, options.signal)[Symbol.asyncIterator]();
  const psnr: number[] = [];
  const msssim: number[] = [];
  let refCount = 0;
  let recCount = 0;
  try {
    for (;;) {
      throwIfAborted(options.signal);
      const [a, b] = await Promise.all([ref.next(), rec.next()]);
      if (!a.done) refCount++;
      if (!b.done) recCount++;
      if (a.done || b.done) {
        // Count what remains on the longer side without comparing it.
        const other = a.done ? (b.done ? undefined : rec) : ref;
        if (other) {
          for (let r = await other.next(); !r.done; r = await other.next()) {
            if (other === rec) recCount++;
            else refCount++;
          }
        }
        break;
      }
      psnr.push(Math.min(PSNR_CAP_DB, psnrRgb(a.value, b.value)));
      msssim.push(msSsim(a.value, b.value));
      options.onProgress?.({ stage: 'evaluation', done: psnr.length, total: 0 });
    }
  } finally {
    await ref.return?.(undefined);
    await rec.return?.(undefined);
  }
  if (psnr.length === 0) throw new M3cError('input', 'nothing to compare: one of the videos has no frames');
  const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  return { frames: psnr.length, referenceFrames: refCount, reconstructionFrames: recCount, psnr: mean(psnr), msssim: mean(msssim), perFrame: { psnr, msssim } };
}
