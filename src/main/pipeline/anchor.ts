/**
 * The classical anchor of one source, for the studio's R-D chart: the answer to "what would a classical codec
 * give at these bits". The source's first frames at the working geometry are coded by the anchor search of
 * src/main/codecs/anchor-search.ts (SVT-AV1 or libaom at reduced size and frame rate, upscaled back), and
 * each trial is measured as a decode is (pipeline/evaluate.ts: mean RGB PSNR capped at 100 dB, mean MS-SSIM
 * on luma), so that its points and the encodes' points share axes. The R-D harness (bench/rd) runs the
 * bigger grids and metrics of the reports.
 */
import type { Geometry, RgbFrame } from '../../shared/engine/frame.ts';
import type { WorkingGeometry } from '../../shared/api/contract.ts';
import type { ProgressListener } from '../../shared/engine/progress.ts';
import { M3cError } from '../../shared/engine/errors.ts';
import { capPsnr, msSsim, psnrRgb } from '../../shared/metrics/index.ts';
import { aspectSizes, MIN_ANCHOR_SIZE, searchAnchors, type AnchorGrid } from '../codecs/anchor-search.ts';
import { workingFrames } from './working-frames.ts';

/** Frames searched: the first 30 s at 8 fps. The search holds them all, so memory bounds the span. */
export const ANCHOR_MAX_FRAMES = 240;

export interface AnchorChartPoint {
  readonly kbps: number;
  readonly psnr: number;
  readonly msssim: number;
  readonly width: number;
  readonly height: number;
  readonly fpsNum: number;
  readonly fpsDen: number;
  readonly crf: number;
  readonly encoder: string;
}

export interface SourceAnchor {
  /** Frames searched (at most ANCHOR_MAX_FRAMES). */
  readonly frames: number;
  /** Every trial, in grid order. */
  readonly points: AnchorChartPoint[];
}

/** The studio's grid: 4 sizes from 64 px wide up to ~192 px, 4 and 2 fps, 3 CRFs (24 trials, ~1 to 6 kbit/s on our clips). */
export function studioAnchorGrid(geometry: Geometry): AnchorGrid {
  const working = geometry.fpsNum / geometry.fpsDen;
  const fps = [4, 2].filter((f) => f <= working).map((num) => ({ num, den: 1 }));
  return {
    sizes: aspectSizes({ width: Math.min(geometry.width, 192), height: Math.round((Math.min(geometry.width, 192) * geometry.height) / geometry.width) }, MIN_ANCHOR_SIZE.width, 4),
    fps: fps.length > 0 ? fps : [{ num: geometry.fpsNum, den: geometry.fpsDen }],
    crfs: [63, 52, 40],
  };
}

/** Identifies the grid (and how points are measured) in the store: change it when either changes. */
export function studioAnchorGridKey(geometry: Geometry): string {
  const g = studioAnchorGrid(geometry);
  return `studio-v1 sizes=${g.sizes.map((s) => `${s.width}x${s.height}`).join(',')} fps=${g.fps.map((f) => `${f.num}/${f.den}`).join(',')} crf=${g.crfs.join(',')} psnr-rgb+msssim`;
}

export async function searchSourceAnchor(
  input: string,
  geometry: WorkingGeometry,
  options: { signal?: AbortSignal; onProgress?: ProgressListener; maxFrames?: number } = {},
): Promise<SourceAnchor> {
  const { signal, onProgress } = options;
  const maxFrames = options.maxFrames ?? ANCHOR_MAX_FRAMES;
  const frames: RgbFrame[] = [];
  for await (const f of workingFrames(input, geometry, signal)) {
    frames.push(f);
    if (frames.length === maxFrames) break;
  }
  if (frames.length === 0) throw new M3cError('input', `${input} has no video frames`);
  const result = await searchAnchors(frames, geometry, studioAnchorGrid(geometry), {
    signal,
    measure: (rec) => {
      let psnr = 0;
      let msssim = 0;
      rec.forEach((r, i) => {
        psnr += capPsnr(psnrRgb(frames[i], r));
        msssim += msSsim(frames[i], r);
      });
      return { psnr: psnr / rec.length, msssim: msssim / rec.length };
    },
    quality: (m) => m.psnr,
    onPoint: (done, total) => onProgress?.({ stage: 'anchor search', done, total }),
  });
  return {
    frames: frames.length,
    points: result.points.map((p) => ({
      kbps: p.kbps,
      psnr: p.metrics.psnr,
      msssim: p.metrics.msssim,
      width: p.trial.width,
      height: p.trial.height,
      fpsNum: p.trial.fps.num,
      fpsDen: p.trial.fps.den,
      crf: p.trial.crf,
      encoder: p.encoder,
    })),
  };
}
