/**
 * Stage 4b, the guide (issue 10): the encoder's third pass over the source keeps every working frame
 * shrunk to a proxy (at most 256 pixels wide, about 123 KB a frame at 256x160), then searches the
 * guide's size, frame rate and CRF for the best quality under a byte budget, measured as the decoder
 * will see it: decoded, interpolated between coded frames (shared/reconstruct/guide-track.ts) and
 * compared in PSNR-Y with the proxies.
 *
 * The search reuses the anchor search's encoder call and grid sizes (codecs/anchor-search.ts). It is
 * model-based, so that a guided encode runs in real time: a rate model gives every CRF fit its first
 * guess, and an interpolation model (the source's own interpolation error, computed once per frame
 * rate) scores a candidate from its coded frames without running the flow per candidate; only the best
 * size of each frame rate is rebuilt with the flow, to rank the rates in PSNR-Y and MS-SSIM. searchGuide
 * says how.
 */
import type { RgbFrame } from '../../shared/engine/frame.ts';
import type { ProgressListener } from '../../shared/engine/progress.ts';
import { M3cError, throwIfAborted } from '../../shared/engine/errors.ts';
import type { M3cGuide } from '../../shared/bitstream/index.ts';
import { lumaBt601, msSsimPlane, mseLuma, psnrFromMse, psnrLuma, type Plane } from '../../shared/metrics/index.ts';
import { GuideTrack } from '../../shared/reconstruct/guide-track.ts';
import { FlowInterpolationReconstructor } from '../../shared/reconstruct/index.ts';
import { DenseFlowEstimator, lumaBicubic, resizeRgbArea } from '../../shared/vision/index.ts';
import { aspectSizes, keptFrames, MIN_ANCHOR_SIZE, type AnchorTrial, type Rate } from '../codecs/anchor-search.ts';
import { decodeGuide, encodeGuide, guideFrameIndices, GUIDE_PRESET, type EncodedGuide, type GuideEncoder } from '../codecs/guide-stream.ts';
import { workingFrames, type WorkingGeometry } from './working-frames.ts';

export const PROXY_MAX_WIDTH = 256;
/** Largest guide side searched: at our rates a bigger guide never fits at a useful CRF (docs/guided.md). */
export const GUIDE_MAX_WIDTH = 256;
export const GUIDE_MIN_CRF = 20;
/** Sizes from 64 px wide to GUIDE_MAX_WIDTH, geometric: 64, 80, 102, 128, 162, 204, 256 at 8:5. */
export const GUIDE_SIZE_STEPS = 7;
export const GUIDE_MAX_CRF = 63;
/** The guide track's interpolation: the motion-compensated blend's weight against the cross-fade (docs/guided.md, "Ghosting"). */
export const GUIDE_WARP_WEIGHT = 1;

/**
 * The guide's decoded coded frames as a track of `frameCount` working frames upscaled to `size`: the one way
 * encoder, decoder and benches rebuild a guide (interpolation by flow at the guide's own size).
 */
export function guideTrack(coded: RgbFrame[], indices: number[], frameCount: number, size: { width: number; height: number }, warpWeight = GUIDE_WARP_WEIGHT, domainOf?: (frame: number) => number, flowWidth = PROXY_MAX_WIDTH): GuideTrack {
  const interpolator = new FlowInterpolationReconstructor(new DenseFlowEstimator({ workingWidth: flowWidth }), { warpWeight });
  return new GuideTrack({ coded, indices, frameCount, width: size.width, height: size.height, interpolator, ...(domainOf ? { domainOf } : {}) });
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
  /** Estimated PSNR-Y of every frame against the proxies (estimatedPsnr). */
  readonly psnr: number;
  /** The encoder and its settings, as the guide records them. */
  readonly encoder: string;
  /** The score of a frame rate's best size on the rebuilt guide, where the search ranked them so (trackScore). */
  readonly rank?: { readonly psnr: number; readonly msSsim: number; readonly score: number };
}

export interface GuideSearchResult {
  readonly encoded: EncodedGuide;
  /** The decoded coded frames at the guide's size. */
  readonly coded: RgbFrame[];
  readonly indices: number[];
  /** Estimated PSNR-Y over every frame against the proxies, interpolation included (estimatedPsnr). */
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
  /** The proxies' picture domain per frame (a foveated guide over a frame range; GuideTrackInput.domainOf). */
  readonly domainOf?: (frame: number) => number;
  /**
   * How the best sizes of the frame rates are ranked against each other (default 'track'): 'track' rebuilds
   * each as the decoder does (trackScore) and ranks by PSNR-Y plus MS-SSIM in dB; 'estimate' ranks them by
   * estimatedPsnr alone, as builds before 2026-12-03 did.
   */
  readonly rank?: 'track' | 'estimate';
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

/** Width at which the interpolation model of the search (interpolationErrors) runs. */
export const MODEL_WIDTH = 64;
/** SVT-AV1 preset of the search's exploration encodes (the kept guide is coded again by the final encoder). */
export const SEARCH_PRESET = 10;
/** Encodes per CRF fit in the exploration: the first guess from the rate model and at most two corrections. */
const FIT_ENCODES = 3;
/** Sizes measured per frame rate on the way down (quality peaks within two sizes below the largest that fits). */
const DESCENT_SIZES = 3;
/**
 * log(bytes) of the final encoder's stream against the exploration's at equal CRF, to start its fit: libaom
 * cpu-used 3 codes 16-30% fewer bytes than SVT-AV1 preset 10 and libaom cpu-used 6 (05_juggle, bikes).
 */
const FINAL_LOG_OFFSET: Readonly<Record<GuideEncoder, number>> = { 'aom-slow': -0.2, svt: 0 };
/** Where the exploration fell back to libaom cpu-used 6 (sizes SVT-AV1 refuses), cpu-used 3 saves more. */
const AOM_FALLBACK_LOG_OFFSET = -0.15;

/**
 * log(bytes at CRF 63 - d) - log(bytes at CRF 63): 0.2 d^0.72, fitted to SVT-AV1's streams of the training
 * clips and two evaluation clips at guide sizes (steep near 63: about 0.2 for the first step, 1.2 for 13).
 */
export function crfLogGain(d: number): number {
  return d <= 0 ? 0 : 0.2 * Math.pow(d, 0.72);
}
/** Bytes grow as the guide's pixel count to this power at a fixed CRF (0.46-0.56 measured below 204x128, 0.75-0.97 above). */
const PIXEL_EXPONENT = 0.6;

/**
 * The interpolation model of the search. Per frame rate, the source frames at MODEL_WIDTH are put through the
 * decoder's interpolation from the frames that rate keeps; each frame's luma error against the source is
 * what interpolation adds to the coded frames' own error there (0 at coded frames). The search then scores a
 * candidate from its coded frames alone (estimatedPsnr), with no flow per candidate. Measured against the
 * real whole-video PSNR-Y (fullPsnr) on 05_juggle and bikes, 14 candidates: within -0.21..0 dB, the ranking
 * the same (docs/guided.md).
 */
export async function interpolationErrors(proxies: readonly RgbFrame[], working: Rate, fps: Rate, signal?: AbortSignal, domainOf?: (frame: number) => number): Promise<Float64Array> {
  const indices = keptFrames(proxies.length, working, fps);
  const out = new Float64Array(proxies.length);
  if (indices.length === proxies.length) return out;
  const p = proxies[0];
  const size = { width: Math.min(MODEL_WIDTH, p.width), height: Math.max(2, 2 * Math.round((Math.min(MODEL_WIDTH, p.width) * p.height) / p.width / 2)) };
  const small = proxies.map((f) => resizeRgbArea(f, size.width, size.height));
  const track = guideTrack(indices.map((i) => small[i]), indices, small.length, size, GUIDE_WARP_WEIGHT, domainOf);
  for (let j = 0; j < small.length; j++) out[j] = mseLuma(small[j], await track.takeSmall(signal));
  indices.forEach((i) => (out[i] = 0));
  return out;
}

/** Luma MSE of each decoded coded frame, upscaled to the proxies' size (lumaBicubic), against its proxy. */
function codedErrors(coded: readonly RgbFrame[], indices: readonly number[], proxies: readonly RgbFrame[]): number[] {
  return coded.map((c, k) => {
    const p = proxies[indices[k]];
    return mseLumaPlanes(lumaBt601(p), lumaBicubic(c, p.width, p.height));
  });
}

function mseLumaPlanes(a: Plane, b: Plane): number {
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = a.data[i] - b.data[i];
    sum += d * d;
  }
  return sum / a.data.length;
}

/**
 * Estimated PSNR-Y over every frame (mean of per-frame PSNR, capped at 100 dB): a coded frame keeps its own
 * error; a frame between two coded frames gets their mean error plus the interpolation model's error there.
 */
export function estimatedPsnr(errors: readonly number[], indices: readonly number[], interpolation: Float64Array): number {
  let sum = 0;
  let k = 0;
  for (let j = 0; j < interpolation.length; j++) {
    while (k + 1 < indices.length && indices[k + 1] <= j) k++;
    const mse = indices[k] === j ? errors[k] : (k + 1 < indices.length ? (errors[k] + errors[k + 1]) / 2 : errors[k]) + interpolation[j];
    sum += Math.min(100, psnrFromMse(mse));
  }
  return sum / interpolation.length;
}

/** PSNR-Y over every frame of the guide as the decoder rebuilds it, at the proxies' size. */
export async function fullPsnr(coded: RgbFrame[], indices: number[], proxies: readonly RgbFrame[], signal?: AbortSignal, domainOf?: (frame: number) => number): Promise<number> {
  const track = guideTrack(coded, indices, proxies.length, proxies[0], GUIDE_WARP_WEIGHT, domainOf);
  let sum = 0;
  for (const p of proxies) sum += Math.min(100, psnrLuma(p, (await track.take(signal)).base));
  return sum / proxies.length;
}

/** MS-SSIM as decibels, -10 log10(1 - MS-SSIM) (capped at 100 dB), so that it adds to PSNR-Y on a like scale. */
export function msSsimDb(msSsim: number): number {
  return Math.min(100, -10 * Math.log10(Math.max(1e-10, 1 - msSsim)));
}

/** Every RANK_STRIDE-th frame is scored when the search ranks its candidates on the rebuilt guide (trackScore). */
export const RANK_STRIDE = 3;
/** Width of the flow in the ranking's rebuild (the decoder's runs at PROXY_MAX_WIDTH; docs/guided.md, "The search"). */
export const RANK_FLOW_WIDTH = MODEL_WIDTH;

/**
 * Mean PSNR-Y and MS-SSIM of the guide rebuilt as the decoder does (interpolated by flow at `flowWidth`,
 * upscaled to the proxies' size by the decoder's bicubic, luma only), over every `stride`-th frame;
 * `score` is PSNR-Y plus MS-SSIM in dB (msSsimDb).
 */
export async function trackScore(coded: RgbFrame[], indices: number[], proxies: readonly RgbFrame[], options: { signal?: AbortSignal; domainOf?: (frame: number) => number; stride?: number; flowWidth?: number } = {}): Promise<{ psnr: number; msSsim: number; score: number }> {
  const { signal, stride = RANK_STRIDE, flowWidth = RANK_FLOW_WIDTH } = options;
  const p0 = proxies[0];
  const track = guideTrack(coded, indices, proxies.length, p0, GUIDE_WARP_WEIGHT, options.domainOf, flowWidth);
  let psnr = 0;
  let ms = 0;
  let n = 0;
  for (let j = 0; j < proxies.length; j += stride) {
    await track.skip(j - track.next, signal);
    const ref = lumaBt601(proxies[j]);
    const rebuilt = lumaBicubic(await track.takeSmall(signal), p0.width, p0.height);
    psnr += Math.min(100, psnrFromMse(mseLumaPlanes(ref, rebuilt)));
    ms += msSsimPlane(ref, rebuilt);
    n++;
  }
  psnr /= n;
  ms /= n;
  return { psnr, msSsim: ms, score: psnr + msSsimDb(ms) };
}

/**
 * The best guide under `budgetBytes` (stream bytes). When even the smallest trial does not fit, the
 * smallest is returned: the caller's budget is then exceeded, and says so.
 *
 * How (docs/guided.md, "The search"): the exploration codes with SVT-AV1 at SEARCH_PRESET. A rate model
 * (bytes at CRF 63 from one probe per frame rate, PIXEL_EXPONENT across sizes, crfLogGain across CRFs,
 * re-anchored on every stream coded) gives each fit its first CRF, so a fit takes one to three encodes.
 * Per frame rate, sizes are tried from the largest the model says fits, downwards, until one scores worse
 * than the one before (and upwards when the first was the best); candidates are scored by estimatedPsnr.
 * The best size of each frame rate is then rebuilt as the decoder would (trackScore: flow interpolation at
 * RANK_FLOW_WIDTH, every RANK_STRIDE-th frame) and the one with the highest PSNR-Y plus MS-SSIM in dB is kept:
 * the estimate ranks sizes of one rate well but misjudges rates against each other (bedroom at 1.5 kbit/s:
 * 64x40 at 4 fps over 102x64 at 2 fps, 0.08 lower in MS-SSIM; docs/guided.md).
 * The kept size and rate are then coded by the final encoder (libaom cpu-used 3 for 'aom-slow', SVT-AV1
 * at GUIDE_PRESET for 'svt'), two CRFs at a time, at the smallest CRF that fits.
 */
export async function searchGuide(proxies: readonly RgbFrame[], working: Rate, budgetBytes: number, options: GuideSearchOptions = {}): Promise<GuideSearchResult> {
  const { signal, onProgress } = options;
  const t0 = performance.now();
  const rates = options.rates ?? defaultRates(working);
  const sizes = [...(options.sizes ?? guideSizes(proxies[0]))].sort((a, b) => b.width - a.width);
  const finalEncoder = options.encoder ?? 'aom-slow';
  const trials: GuideTrialResult[] = [];
  const trialOfStream = new Map<EncodedGuide, number>();
  const cache = new Map<string, Promise<EncodedGuide>>();
  let encodes = 0;
  const expected = rates.length * 8 + 3;
  type Coder = { encoder: GuideEncoder; preset: number };
  const explore: Coder = { encoder: 'svt', preset: SEARCH_PRESET };
  const encode = (trial: AnchorTrial, coder: Coder): Promise<EncodedGuide> => {
    const key = `${coder.encoder} p${coder.preset} ${trial.width}x${trial.height}@${trial.fps.num}/${trial.fps.den}q${trial.crf}`;
    let e = cache.get(key);
    if (!e) {
      throwIfAborted(signal);
      e = encodeGuide(proxies, working, trial, { signal, encoder: coder.encoder, preset: coder.preset }).then((r) => {
        onProgress?.({ stage: 'guide search', done: ++encodes, total: Math.max(expected, encodes + 1) });
        return r;
      });
      cache.set(key, e);
    }
    return e;
  };
  const interpolation = new Map<string, Promise<Float64Array>>();
  const interpolationOf = (fps: Rate): Promise<Float64Array> => {
    const key = `${fps.num}/${fps.den}`;
    let m = interpolation.get(key);
    if (!m) interpolation.set(key, (m = interpolationErrors(proxies, working, fps, signal, options.domainOf)));
    return m;
  };
  const pixels = (s: { width: number; height: number }): number => s.width * s.height;

  /** The rate model's log(bytes at CRF 63) of a size, anchored on the last stream coded at this rate. */
  type Anchor = { logTop: number; pixels: number };
  const logTopAt = (anchor: Anchor, size: { width: number; height: number }): number => anchor.logTop + PIXEL_EXPONENT * Math.log(pixels(size) / anchor.pixels);
  const anchorOf = (e: EncodedGuide): Anchor => ({ logTop: Math.log(e.guide.stream.length) - crfLogGain(GUIDE_MAX_CRF - e.guide.quantizer), pixels: e.guide.width * e.guide.height });
  /** The smallest CRF the model says fits, given log(bytes at 63). */
  const predictedCrf = (logTop: number): number => {
    for (let crf = GUIDE_MIN_CRF; crf < GUIDE_MAX_CRF; crf++) if (logTop + crfLogGain(GUIDE_MAX_CRF - crf) <= Math.log(budgetBytes)) return crf;
    return GUIDE_MAX_CRF;
  };

  /**
   * The smallest CRF whose stream fits, as far as `limit` encodes find it (the CRFs next to the answer are
   * coded when the budget allows): undefined when CRF 63 does not fit. Encodes `parallel` CRFs at a time.
   */
  const fitCrf = async (size: { width: number; height: number }, fps: Rate, coder: Coder, anchor: Anchor, limit: number, parallel = 1): Promise<{ best?: EncodedGuide; anchor: Anchor }> => {
    const fits = new Map<number, EncodedGuide | null>();
    let a = anchor;
    let best: EncodedGuide | undefined;
    for (let used = 0; used < limit; ) {
      let crf = predictedCrf(logTopAt(a, size));
      // Keep the answer between what is known to fit and what is known not to.
      const known = [...fits.keys()];
      const lowestFit = Math.min(...known.filter((c) => fits.get(c)), GUIDE_MAX_CRF + 1);
      const highestMiss = Math.max(...known.filter((c) => !fits.get(c)), GUIDE_MIN_CRF - 1);
      if (lowestFit - highestMiss <= 1 || (lowestFit === GUIDE_MIN_CRF)) break;
      crf = Math.max(highestMiss + 1, Math.min(lowestFit - 1, crf));
      if (fits.has(crf)) crf = fits.get(crf) ? crf - 1 : crf + 1;
      if (crf <= highestMiss || crf >= lowestFit) break;
      // With two at a time, the CRF below the guess too: when both fit, the next round goes lower.
      const batch = [crf];
      for (let k = 1; k < parallel && crf - k > highestMiss && crf - k >= GUIDE_MIN_CRF && used + k < limit; k++) batch.push(crf - k);
      const coded = await Promise.all(batch.map((c) => encode({ ...size, fps, crf: c }, coder)));
      used += batch.length;
      coded.forEach((e, k) => {
        const ok = e.guide.stream.length <= budgetBytes;
        fits.set(batch[k], ok ? e : null);
        if (ok && (!best || batch[k] < best.guide.quantizer)) best = e;
      });
      a = anchorOf(coded[coded.length - 1]);
    }
    return { best, anchor: a };
  };

  type Candidate = { e: EncodedGuide; coded: RgbFrame[]; indices: number[]; errors: number[]; psnr: number };
  const measure = async (e: EncodedGuide, fps: Rate): Promise<Candidate> => {
    const indices = guideFrameIndices(e.guide, proxies.length, working);
    const coded = await decodeGuide(e.guide, indices.length, { signal });
    const errors = codedErrors(coded, indices, proxies);
    const psnr = estimatedPsnr(errors, indices, await interpolationOf(fps));
    trialOfStream.set(e, trials.push({ trial: trialOf(e.guide), bytes: e.guide.stream.length, psnr, encoder: e.guide.encoder }) - 1);
    return { e, coded, indices, errors, psnr };
  };

  const bestOfRate = async (fps: Rate): Promise<Candidate | undefined> => {
    void interpolationOf(fps);
    // One probe at CRF 63 anchors the rate model; the descent starts at the largest size it says fits.
    const probeSize = sizes[Math.floor(sizes.length / 2)];
    let anchor = anchorOf(await encode({ ...probeSize, fps, crf: GUIDE_MAX_CRF }, explore));
    let start = sizes.findIndex((s) => logTopAt(anchor, s) <= Math.log(budgetBytes));
    if (start < 0) start = sizes.length - 1;
    const tried = new Map<number, Candidate | null>();
    const at = async (i: number): Promise<Candidate | null> => {
      // A size the model puts more than 10% over the budget at CRF 63 is not coded.
      if (!tried.has(i) && logTopAt(anchor, sizes[i]) > Math.log(budgetBytes) + 0.1) tried.set(i, null);
      if (!tried.has(i)) {
        const fit = await fitCrf(sizes[i], fps, explore, anchor, FIT_ENCODES);
        anchor = fit.anchor;
        tried.set(i, fit.best ? await measure(fit.best, fps) : null);
      }
      return tried.get(i) ?? null;
    };
    let best: { i: number; c: Candidate } | undefined;
    for (let i = start, measured = 0; i < sizes.length && measured < DESCENT_SIZES; i++) {
      const c = await at(i);
      if (!c) continue;
      measured++;
      if (best && c.psnr <= best.c.psnr) break;
      best = { i, c };
    }
    // When the first size that fitted was the best, a larger one may be better still.
    for (let i = (best?.i ?? 0) - 1; best && i >= 0 && best.i === i + 1; i--) {
      const c = await at(i);
      if (!c || c.psnr <= best.c.psnr) break;
      best = { i, c };
    }
    return best?.c;
  };

  let overall: Candidate | undefined;
  const perRate = (await Promise.all(rates.map(bestOfRate))).filter((c): c is Candidate => c !== undefined);
  const rank = options.rank ?? 'track';
  if (rank === 'track' && perRate.length > 1) {
    let bestScore = -Infinity;
    for (const c of perRate) {
      const s = await trackScore(c.coded, c.indices, proxies, { signal, domainOf: options.domainOf });
      const t = trialOfStream.get(c.e);
      if (t !== undefined) trials[t] = { ...trials[t], rank: s };
      if (s.score > bestScore) {
        bestScore = s.score;
        overall = c;
      }
    }
  } else for (const c of perRate) if (!overall || c.psnr > overall.psnr) overall = c;

  if (overall) {
    // The kept size and rate, coded by the final encoder; the exploration's stream is kept only when the
    // final encoder's measures worse (or nothing fits).
    const o = overall;
    const fps = trialOf(o.e.guide).fps;
    const size = { width: o.e.guide.width, height: o.e.guide.height };
    const coders: Coder[] = finalEncoder === 'aom-slow' ? [{ encoder: 'aom-slow', preset: GUIDE_PRESET }, { encoder: 'svt', preset: GUIDE_PRESET }] : [{ encoder: 'svt', preset: GUIDE_PRESET }];
    for (const coder of coders) {
      const start = anchorOf(o.e);
      const offset = FINAL_LOG_OFFSET[coder.encoder] + (coder.encoder === 'aom-slow' && o.e.guide.encoder.startsWith('libaom') ? AOM_FALLBACK_LOG_OFFSET : 0);
      const fit = await fitCrf(size, fps, coder, { ...start, logTop: start.logTop + offset }, 6, 2);
      if (!fit.best) continue;
      const c = await measure(fit.best, fps);
      if (c.psnr >= o.psnr) {
        overall = c;
        break;
      }
    }
  } else {
    let smallest: EncodedGuide | undefined;
    for (const p of cache.values()) {
      const e = await p;
      if (!smallest || e.guide.stream.length < smallest.guide.stream.length) smallest = e;
    }
    if (!smallest) throw new M3cError('internal', 'guide search coded nothing');
    overall = await measure(smallest, trialOf(smallest.guide).fps);
  }
  return { encoded: overall.e, coded: overall.coded, indices: overall.indices, psnr: overall.psnr, trials, searchMs: performance.now() - t0 };
}

export function trialOf(g: M3cGuide): AnchorTrial {
  return { width: g.width, height: g.height, fps: { num: g.fpsNum, den: g.fpsDen }, crf: g.quantizer };
}
