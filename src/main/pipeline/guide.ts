/**
 * Stage 4b, the guide (issue 10): the encoder's third pass over the source keeps every working frame
 * shrunk to a proxy (at most 256 pixels wide, about 123 KB a frame at 256x160), then searches the
 * guide's size, frame rate and CRF for the best quality under a byte budget, measured as the decoder
 * will see it: decoded, interpolated between coded frames (shared/reconstruct/guide-track.ts) and
 * compared in PSNR-Y with the proxies.
 *
 * The search reuses the anchor search's encoder call and grid sizes (codecs/anchor-search.ts). Per frame
 * rate, each size's CRF is found by a secant search in log-bytes (at most 4 encodes, the CRF the
 * smallest that fits), and its coded frames alone are measured; the best size of each frame rate is
 * then measured over every frame, interpolation included, and the best of those is kept.
 */
import type { RgbFrame } from '../../shared/engine/frame.ts';
import type { ProgressListener } from '../../shared/engine/progress.ts';
import { M3cError, throwIfAborted } from '../../shared/engine/errors.ts';
import type { M3cGuide } from '../../shared/bitstream/index.ts';
import { psnrLuma } from '../../shared/metrics/index.ts';
import { GuideTrack } from '../../shared/reconstruct/guide-track.ts';
import { createReconstructor } from '../../shared/reconstruct/index.ts';
import { DenseFlowEstimator, resizeRgbArea, resizeRgbBicubic } from '../../shared/vision/index.ts';
import { aspectSizes, MIN_ANCHOR_SIZE, type AnchorTrial, type Rate } from '../codecs/anchor-search.ts';
import { decodeGuide, encodeGuide, guideFrameIndices, type EncodedGuide, type GuideEncoder } from '../codecs/guide-stream.ts';
import { workingFrames, type WorkingGeometry } from './working-frames.ts';

export const PROXY_MAX_WIDTH = 256;
/** Largest guide side searched: at our rates a bigger guide never fits at a useful CRF (docs/guided.md). */
export const GUIDE_MAX_WIDTH = 256;
export const GUIDE_MIN_CRF = 20;
/** Sizes from 64 px wide to GUIDE_MAX_WIDTH, geometric: 64, 80, 102, 128, 162, 204, 256 at 8:5. */
export const GUIDE_SIZE_STEPS = 7;
export const GUIDE_MAX_CRF = 63;

/**
 * The guide's decoded coded frames as a track of `frameCount` working frames upscaled to `size`: the one way
 * encoder, decoder and benches rebuild a guide (interpolation by flow at the guide's own size).
 */
export function guideTrack(coded: RgbFrame[], indices: number[], frameCount: number, size: { width: number; height: number }): GuideTrack {
  const interpolator = createReconstructor('interpolation', new DenseFlowEstimator({ workingWidth: PROXY_MAX_WIDTH }));
  return new GuideTrack({ coded, indices, frameCount, width: size.width, height: size.height, interpolator });
}

export function proxySize(geometry: { width: number; height: number }): { width: number; height: number } {
  if (geometry.width <= PROXY_MAX_WIDTH) return { width: geometry.width, height: geometry.height };
  return { width: PROXY_MAX_WIDTH, height: Math.max(2, 2 * Math.round((PROXY_MAX_WIDTH * geometry.height) / geometry.width / 2)) };
}

/** What the proxies may hold (about 26 min at 8 fps and 256x160); a longer video is refused, not swapped to death. */
export const MAX_PROXY_BYTES = 1536 * 1024 * 1024;

/** Every working frame of the source, shrunk to the proxy size. */
export async function readProxies(input: string, geometry: WorkingGeometry, options: { signal?: AbortSignal; onProgress?: ProgressListener; total?: number } = {}): Promise<RgbFrame[]> {
  const size = proxySize(geometry);
  const out: RgbFrame[] = [];
  const limit = Math.floor(MAX_PROXY_BYTES / (size.width * size.height * 3));
  for await (const f of workingFrames(input, geometry, options.signal)) {
    if (out.length === limit) {
      const minutes = ((limit * geometry.fpsDen) / geometry.fpsNum / 60).toFixed(0);
      throw new M3cError('input', `${input} is longer than the ${limit} frames (${minutes} min at this frame rate) a guided encode holds; split it, or use --mode interpolation`);
    }
    out.push(size.width === f.width ? f : resizeRgbArea(f, size.width, size.height));
    if (out.length % 16 === 0) options.onProgress?.({ stage: 'guide frames', done: out.length, total: options.total ?? out.length });
  }
  if (out.length === 0) throw new M3cError('input', `${input} has no video frames`);
  return out;
}

export interface GuideTrialResult {
  readonly trial: AnchorTrial;
  readonly bytes: number;
  /** PSNR-Y of the coded frames alone, or of every frame (`full`), against the proxies. */
  readonly psnr: number;
  readonly full: boolean;
}

export interface GuideSearchResult {
  readonly encoded: EncodedGuide;
  /** The decoded coded frames at the guide's size. */
  readonly coded: RgbFrame[];
  readonly indices: number[];
  /** PSNR-Y over every frame against the proxies, interpolation included (for a guide re-coded by 'aom-slow': the SVT-AV1 guide's plus the coded frames' gain). */
  readonly psnr: number;
  readonly trials: GuideTrialResult[];
  readonly searchMs: number;
}

export interface GuideSearchOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: ProgressListener;
  /** Frame rates searched (default 8, 4 and 2 fps, those at most the working rate). */
  readonly rates?: readonly Rate[];
  readonly sizes?: readonly { width: number; height: number }[];
  /**
   * The encoder of the kept guide (default 'aom-slow': the kept size and rate are re-coded with libaom
   * cpu-used 3 and that is kept where it measures better; 'svt': the search's SVT-AV1 stream as is). The
   * search itself always runs SVT-AV1. docs/guided.md gives what each buys and costs.
   */
  readonly encoder?: GuideEncoder;
}

export function guideSizes(geometry: { width: number; height: number }): { width: number; height: number }[] {
  const w = Math.min(geometry.width, GUIDE_MAX_WIDTH);
  const working = { width: w, height: Math.max(2, 2 * Math.round((w * geometry.height) / geometry.width / 2)) };
  return aspectSizes(working, Math.min(MIN_ANCHOR_SIZE.width, w), GUIDE_SIZE_STEPS).filter((s) => s.height >= 16 && s.width >= 16);
}

function defaultRates(working: Rate): Rate[] {
  const rates = [8, 4, 2].filter((f) => f * working.den <= working.num).map((num) => ({ num, den: 1 }));
  return rates.length > 0 ? rates : [working];
}

function codedPsnr(coded: readonly RgbFrame[], indices: readonly number[], proxies: readonly RgbFrame[]): number {
  let sum = 0;
  coded.forEach((c, k) => {
    const p = proxies[indices[k]];
    sum += Math.min(100, psnrLuma(p, resizeRgbBicubic(c, p.width, p.height)));
  });
  return sum / coded.length;
}

/** PSNR-Y over every frame of the guide as the decoder rebuilds it, at the proxies' size. */
export async function fullPsnr(coded: RgbFrame[], indices: number[], proxies: readonly RgbFrame[], signal?: AbortSignal): Promise<number> {
  const track = guideTrack(coded, indices, proxies.length, proxies[0]);
  let sum = 0;
  for (const p of proxies) sum += Math.min(100, psnrLuma(p, (await track.take(signal)).base));
  return sum / proxies.length;
}

/**
 * The best guide under `budgetBytes` (stream bytes). When even the smallest trial does not fit, the
 * smallest is returned: the caller's budget is then exceeded, and says so.
 */
export async function searchGuide(proxies: readonly RgbFrame[], working: Rate, budgetBytes: number, options: GuideSearchOptions = {}): Promise<GuideSearchResult> {
  const { signal, onProgress } = options;
  const t0 = performance.now();
  const rates = options.rates ?? defaultRates(working);
  const sizes = options.sizes ?? guideSizes(proxies[0]);
  const trials: GuideTrialResult[] = [];
  const cache = new Map<string, EncodedGuide>();
  const encode = async (trial: AnchorTrial, encoder: GuideEncoder = 'svt'): Promise<EncodedGuide> => {
    const key = `${encoder} ${trial.width}x${trial.height}@${trial.fps.num}/${trial.fps.den}q${trial.crf}`;
    let e = cache.get(key);
    if (!e) {
      throwIfAborted(signal);
      e = await encodeGuide(proxies, working, trial, { signal, encoder });
      cache.set(key, e);
      onProgress?.({ stage: 'guide search', done: cache.size, total: rates.length * sizes.length * 4 });
    }
    return e;
  };
  // Per (size, rate): the smallest CRF whose stream fits, by a secant search on log(bytes).
  const fitCrf = async (size: { width: number; height: number }, fps: Rate, encoder: GuideEncoder = 'svt'): Promise<EncodedGuide | undefined> => {
    const at = (crf: number): Promise<EncodedGuide> => encode({ ...size, fps, crf }, encoder);
    const top = await at(GUIDE_MAX_CRF);
    if (top.guide.stream.length > budgetBytes) return undefined;
    let best = top;
    let hi = { crf: GUIDE_MAX_CRF, bytes: top.guide.stream.length };
    let lo: { crf: number; bytes: number } | undefined;
    for (let step = 0; step < 3; step++) {
      let crf: number;
      if (lo) {
        const f = (Math.log(budgetBytes) - Math.log(hi.bytes)) / (Math.log(lo.bytes) - Math.log(hi.bytes));
        crf = Math.round(hi.crf - f * (hi.crf - lo.crf));
      } else {
        // About 7% more bytes per CRF step below 63 (measured on the training clips).
        crf = Math.round(GUIDE_MAX_CRF - Math.log(budgetBytes / hi.bytes) / 0.07);
      }
      crf = Math.max(GUIDE_MIN_CRF, Math.min(hi.crf - 1, lo ? Math.max(lo.crf + 1, crf) : crf));
      if (crf >= hi.crf || (lo && crf <= lo.crf)) break;
      const e = await at(crf);
      if (e.guide.stream.length <= budgetBytes) {
        hi = { crf, bytes: e.guide.stream.length };
        best = e;
      } else {
        lo = { crf, bytes: e.guide.stream.length };
      }
      if (hi.crf === GUIDE_MIN_CRF || (lo && hi.crf - lo.crf <= 1)) break;
    }
    return best;
  };

  type Candidate = { e: EncodedGuide; coded: RgbFrame[]; indices: number[]; psnr: number };
  // Per rate, sizes from the largest down: quality rises with size until the CRF that fits gets too coarse,
  // so the descent stops at the first size that measures worse than the one before it.
  const bestOfRate = async (fps: Rate): Promise<Candidate | undefined> => {
    let best: Candidate | undefined;
    for (const size of [...sizes].sort((a, b) => b.width - a.width)) {
      const e = await fitCrf(size, fps);
      if (!e) continue;
      const indices = guideFrameIndices(e.guide, proxies.length, working);
      const coded = await decodeGuide(e.guide, indices.length, { signal });
      const psnr = codedPsnr(coded, indices, proxies);
      trials.push({ trial: trialOf(e.guide), bytes: e.guide.stream.length, psnr, full: false });
      if (best && psnr <= best.psnr) break;
      best = { e, coded, indices, psnr };
    }
    if (!best) return undefined;
    // At the working rate every frame is coded: the coded frames' figure is the whole video's.
    if (best.indices.length === proxies.length) return best;
    const psnr = await fullPsnr(best.coded, best.indices, proxies, signal);
    trials.push({ trial: trialOf(best.e.guide), bytes: best.e.guide.stream.length, psnr, full: true });
    return { ...best, psnr };
  };
  // The rates run side by side (two ffmpeg processes at a time on a 2-core machine).
  let overall: Candidate | undefined;
  for (const c of await Promise.all(rates.map(bestOfRate))) if (c && (!overall || c.psnr > overall.psnr)) overall = c;
  let smallest: EncodedGuide | undefined;
  for (const e of cache.values()) if (!smallest || e.guide.stream.length < smallest.guide.stream.length) smallest = e;
  // The kept size and rate, coded again by the slower encoder when it measures better on the coded frames.
  if (overall && (options.encoder ?? 'aom-slow') === 'aom-slow') {
    const o = overall;
    const slow = await fitCrf({ width: o.e.guide.width, height: o.e.guide.height }, trialOf(o.e.guide).fps, 'aom-slow');
    if (slow) {
      const coded = await decodeGuide(slow.guide, o.indices.length, { signal });
      const psnr = codedPsnr(coded, o.indices, proxies);
      const before = codedPsnr(o.coded, o.indices, proxies);
      trials.push({ trial: trialOf(slow.guide), bytes: slow.guide.stream.length, psnr, full: false });
      // The whole-video figure moves with the coded frames' gain (interpolation uses them).
      if (psnr > before) overall = { e: slow, coded, indices: o.indices, psnr: o.psnr + (psnr - before) };
    }
  }
  if (!overall) {
    if (!smallest) throw new M3cError('internal', 'guide search coded nothing');
    const indices = guideFrameIndices(smallest.guide, proxies.length, working);
    const coded = await decodeGuide(smallest.guide, indices.length, { signal });
    overall = { e: smallest, coded, indices, psnr: await fullPsnr(coded, indices, proxies, signal) };
  }
  return { encoded: overall.e, coded: overall.coded, indices: overall.indices, psnr: overall.psnr, trials, searchMs: performance.now() - t0 };
}

export function trialOf(g: M3cGuide): AnchorTrial {
  return { width: g.width, height: g.height, fps: { num: g.fpsNum, den: g.fpsDen }, crf: g.quantizer };
}
