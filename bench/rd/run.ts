/**
 * `m3c bench rd`: rate-distortion of our codec against a classical codec forced down to our rates
 * (issue 9, first slice). Per clip:
 *  1. preprocess as the product does (decodeFrames: 512x320, 8 fps, crop fit), optionally the first
 *     N frames, into a lossless FFV1 file that both sides read;
 *  2. the anchor: SVT-AV1 / libaom at reduced size and frame rate, upscaled and frame-repeated back
 *     (src/main/codecs/anchor-search.ts), every point of the grid and the envelope per metric;
 *  3. ours: the real engine (encodeVideo, then decodeVideoFrames of the .m3c) at a few operating points;
 *  4. PSNR-Y, PSNR-RGB, MS-SSIM per point; BD-rate and BD-quality of each of our series against the
 *     anchor envelope (and of the envelope against itself, which must be 0).
 * Writes rd.json and rd.md to the output folder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import type { Geometry, RgbFrame } from '../../src/shared/engine/frame.ts';
import { M3cError, throwIfAborted } from '../../src/shared/engine/errors.ts';
import { decodeFrames, runFfmpeg } from '../../src/main/media/index.ts';
import { availableEncoders, encodeAnchor, gridTrials, paretoEnvelope, type AnchorGrid, type AnchorPoint } from '../../src/main/codecs/anchor-search.ts';
import { createEngine, DEFAULT_GEOMETRY } from '../../src/main/pipeline/engine.ts';
import { encodeVideo } from '../../src/main/pipeline/encode.ts';
import { analyzeVideo } from '../../src/main/pipeline/select.ts';
import type { FrameSignals } from '../../src/shared/keyframes/index.ts';
import { matchKeyframeCount } from './ablation.ts';
import { CLASSICAL_CODECS, classicalSkipReason, encodeClassical, type ClassicalCodec, type ClassicalEncode } from './classical.ts';
import { ABLATIONS, ANCHOR_GRIDS, CLASSICAL_SWEEPS, DIALOGUE_ROUNDS_SKIPPED, OURS_SERIES, type AblationSpec, type OursPointConfig, type OursSeriesConfig, type PointsPreset } from './presets.ts';
import { BENCH_DESCRIPTIONS, TEXTS_NOTE } from './texts.ts';
import { decodeVideoFrames, openBitstream } from '../../src/main/pipeline/decode.ts';
import { bdQuality, bdRate, type BdResult, type RdPoint } from './bd.ts';
import { fileSha256, openPointCache, PRODUCT_VERSION, type PointCache } from './cache.ts';
import { METRICS, MetricsAccumulator, measureFrames, type MetricName, type Metrics } from './metrics.ts';
import { pngSupport } from './plot.ts';
import { poolBd, type PooledBd } from './pool.ts';

export { ABLATIONS, ANCHOR_GRIDS, CLASSICAL_SWEEPS, OURS_SERIES, POINTS_PRESETS, type OursPointConfig, type OursSeriesConfig, type PointsPreset } from './presets.ts';

export const BITSTREAM_NOTE =
  'Forced-down anchor rates count the raw AV1 low-overhead OBU stream written by ffmpeg -f obu (sequence header, temporal delimiters, frame OBUs), without any IVF/MP4 container; the full-size x264 and x265 rates count the raw Annex B byte stream (-f h264 / -f hevc) and full-size SVT-AV1 the raw OBU stream, no container either. Our rates count the whole .m3c file (header, section lengths and CRCs included).';

export interface OursPoint {
  readonly config: OursPointConfig;
  readonly keyframeCodecId: string;
  readonly bytes: number;
  readonly kbps: number;
  readonly bpp: number;
  readonly keyframes: number[];
  readonly sections: { keyframes: number; keyframeTexts: number; clipTexts: number; container: number };
  readonly encodeMs: number;
  readonly decodeMs: number;
  readonly metrics: Metrics;
  /** For an ablation at equal keyframe counts: the count asked for (the reference point's) and the one reached. */
  readonly match?: { readonly target: number; readonly count: number };
}

export interface ClassicalPoint extends ClassicalEncode {
  readonly metrics: Metrics;
}

/** One full-size classical codec's curve, or why it was skipped. */
export interface ClassicalCurve {
  readonly name: ClassicalCodec;
  readonly settings: string;
  readonly stream: string;
  readonly skipped?: string;
  readonly points: ClassicalPoint[];
}

export interface BdEntry {
  readonly series: string;
  readonly metric: MetricName;
  readonly bdRate: BdResult;
  readonly bdQuality: BdResult;
}

export type AnchorRdPoint = Omit<AnchorPoint<Metrics>, 'trial'> & { readonly trial: AnchorPoint<Metrics>['trial'] & { readonly label: string } };

export interface ClipReport {
  readonly clip: string;
  readonly name: string;
  readonly frames: number;
  readonly durationSec: number;
  /** Whether the FFV1 intermediate decodes to exactly the product's preprocessed frames. */
  readonly preprocessLossless: boolean;
  readonly anchor: {
    readonly points: AnchorRdPoint[];
    /** Per metric, indices into `points` of the envelope, rate increasing. */
    readonly envelopes: Record<MetricName, number[]>;
    /** BD-rate and BD-quality of the envelope against itself per metric (must be exactly 0). */
    readonly selfCheck: Record<MetricName, { bdRate: BdResult; bdQuality: BdResult }>;
  };
  /** The full-size classical codecs, as their own curves. */
  readonly classical: ClassicalCurve[];
  readonly ours: { readonly name: string; readonly description: string; readonly points: OursPoint[] }[];
  /** BD against the envelope of every curve of ours and of every full-size classical curve. */
  readonly bd: BdEntry[];
  readonly wallMs: { preprocess: number; anchor: number; ours: number };
}

export interface RdReport {
  readonly tool: 'm3c bench rd';
  readonly generatedAt: string;
  readonly points: PointsPreset;
  readonly geometry: Geometry;
  readonly maxFrames?: number;
  readonly machine: { cpus: number; cpuModel: string; platform: string; node: string };
  readonly ffmpeg: { version: string; encoders: { libsvtav1: boolean; 'libaom-av1': boolean } };
  readonly bitstreamNote: string;
  readonly vmaf: { computed: false; note: string };
  readonly anchorGrid: AnchorGrid;
  readonly classicalSweeps: { readonly name: ClassicalCodec; readonly knob: string; readonly values: readonly number[]; readonly settings: string; readonly skipped?: string }[];
  readonly oursSeries: readonly OursSeriesConfig[];
  /** The paper's Table I ablations this preset runs, and those skipped with why. */
  readonly ablations: { readonly run: readonly AblationSpec[]; readonly skipped: readonly string[] };
  readonly textsNote: string;
  readonly clips: ClipReport[];
  /** BD figures pooled over clips (pool.ts). */
  readonly pooled: PooledBd[];
  /** Whether rd.md links PNG copies of the plots (plot.ts), and why not. */
  readonly plots: { png: boolean; note: string };
  /** Points loaded from the cache and points computed in this run. */
  readonly cache: { dir?: string; hits: number; computed: number };
  readonly wallMs: number;
}

/** Progress of a run: points (anchor trials and ours) done of all, the last one, seconds left. */
export interface RdProgress {
  readonly done: number;
  readonly total: number;
  readonly label: string;
  /** From the mean time of the points computed so far; undefined until one was computed. */
  readonly etaSec?: number;
}

export interface RdOptions {
  readonly clips: readonly string[];
  readonly points?: PointsPreset;
  /** Only the first N working frames of each clip. */
  readonly maxFrames?: number;
  readonly modelsDir?: string;
  readonly signal?: AbortSignal;
  /** After every point (cached or computed) and once per preprocessed clip. */
  readonly onProgress?: (p: RdProgress) => void;
  /** Where computed points are cached and looked up (see cache.ts); no cache when absent. */
  readonly cacheDir?: string;
  /** Only these of the preset's series of ours (by name); all when absent. */
  readonly series?: readonly string[];
}

/** The preset's series of ours that a run computes (`series` filters by name; an unknown name is a usage error). */
export function seriesOf(preset: PointsPreset, series: readonly string[] | undefined): readonly OursSeriesConfig[] {
  const all = OURS_SERIES[preset];
  if (!series) return all;
  for (const name of series) {
    if (!all.some((s) => s.name === name)) throw new M3cError('usage', `the ${preset} points have no series "${name}" (they have ${all.map((s) => s.name).join(', ')})`);
  }
  return all.filter((s) => series.includes(s.name));
}

/** Shared by the clips of one run: cache, versions, the progress count. */
interface RunState {
  readonly cache: PointCache;
  readonly versions: { product: string; ffmpeg: string };
  readonly total: number;
  done: number;
  computed: number;
  computeMs: number;
}

/** Counts one point and reports it; `computeMs` undefined when it came from the cache. */
function reportPoint(state: RunState, options: RdOptions, label: string, computeMs: number | undefined): void {
  state.done++;
  if (computeMs !== undefined) {
    state.computed++;
    state.computeMs += computeMs;
  }
  const etaSec = state.computed > 0 ? ((state.computeMs / state.computed) * (state.total - state.done)) / 1000 : undefined;
  options.onProgress?.({ done: state.done, total: state.total, label, ...(etaSec !== undefined ? { etaSec } : {}) });
}

async function ffmpegFacts(signal?: AbortSignal): Promise<{ version: string; vmaf: boolean }> {
  const { stdout: v } = await runFfmpeg(['-version'], { signal });
  const { stdout: f } = await runFfmpeg(['-filters'], { signal });
  return { version: v.toString('utf8').split('\n')[0].replace(/\s+Copyright.*$/, '').trim(), vmaf: /^\s*\S+\s+libvmaf\s/m.test(f.toString('utf8')) };
}

const sameFrames = (a: readonly RgbFrame[], b: readonly RgbFrame[]): boolean =>
  a.length === b.length && a.every((f, i) => f.data.length === b[i].data.length && f.data.every((v, j) => v === b[i].data[j]));

/** The product's preprocessing into a lossless file, and the frames as read back from it. */
async function preprocess(clip: string, dir: string, geometry: Geometry, maxFrames: number | undefined, signal?: AbortSignal): Promise<{ file: string; frames: RgbFrame[]; lossless: boolean }> {
  const opts = { width: geometry.width, height: geometry.height, fpsNum: geometry.fpsNum, fpsDen: geometry.fpsDen, maxFrames, signal };
  const source: RgbFrame[] = [];
  for await (const f of decodeFrames(clip, opts)) source.push(f);
  const data = new Uint8Array(source.length * geometry.width * geometry.height * 3);
  source.forEach((f, i) => data.set(f.data, i * f.data.length));
  const file = path.join(dir, 'preprocessed.mkv');
  await runFfmpeg(
    ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${geometry.width}x${geometry.height}`, '-framerate', `${geometry.fpsNum}/${geometry.fpsDen}`, '-i', 'pipe:0', '-c:v', 'ffv1', '-pix_fmt', 'bgr0', '-f', 'matroska', '-y', file],
    { stdin: data, signal, outputPath: file },
  );
  const frames: RgbFrame[] = [];
  for await (const f of decodeFrames(file, { ...opts, maxFrames: undefined })) frames.push(f);
  return { file, frames, lossless: sameFrames(source, frames) };
}

function rdPoints<P extends { kbps: number; metrics: Metrics }>(points: readonly P[], metric: MetricName): RdPoint[] {
  return points.map((p) => ({ rate: p.kbps, quality: p.metrics[metric] }));
}

const fpsLabel = (r: { num: number; den: number }): string => (r.den === 1 ? `${r.num}` : `${r.num}/${r.den}`);

interface Preprocessed {
  readonly file: string;
  readonly frames: RgbFrame[];
  readonly lossless: boolean;
}

/** What the points of one clip share: the preprocessed clip and its analysis signals, each made once on demand. */
interface ClipContext {
  readonly pre: () => Promise<Preprocessed>;
  readonly signals: () => Promise<FrameSignals>;
  readonly clipKey: unknown;
  readonly geometry: Geometry;
}

/** An ablation's points: the reference series' selections replaced by the strategy's at equal keyframe counts (cached). */
async function matchedConfigs(series: OursSeriesConfig, reference: readonly OursPoint[], ctx: ClipContext, options: RdOptions, state: RunState): Promise<{ config: OursPointConfig; target: number; count: number }[]> {
  const m = series.matchCounts!;
  const out: { config: OursPointConfig; target: number; count: number }[] = [];
  for (const [i, config] of series.points.entries()) {
    const target = reference[i]?.keyframes.length;
    if (target === undefined) throw new M3cError('internal', `${series.name}: series ${m.countsOf} has no point ${i} to match`);
    const key = { clip: ctx.clipKey, geometry: ctx.geometry, base: reference[i].config.selection, strategy: m.strategy, target, modelsDir: options.modelsDir ?? null, versions: state.versions };
    let match = await state.cache.get<{ selection: OursPointConfig['selection']; count: number }>('match', key);
    if (!match) {
      const found = matchKeyframeCount(await ctx.signals(), reference[i].config.selection, m.strategy, target);
      match = { selection: found.selection, count: found.count };
      await state.cache.put('match', key, match);
    }
    out.push({ config: { ...config, selection: match.selection }, target, count: match.count });
  }
  return out;
}

async function runOurs(series: OursSeriesConfig, done: readonly { name: string; points: OursPoint[] }[], ctx: ClipContext, options: RdOptions, state: RunState): Promise<OursPoint[]> {
  const { geometry } = ctx;
  let configs: { config: OursPointConfig; target?: number; count?: number }[] = series.points.map((config) => ({ config }));
  if (series.matchCounts) {
    const ref = done.find((s) => s.name === series.matchCounts!.countsOf);
    if (!ref) throw new M3cError('internal', `${series.name} matches the keyframe counts of ${series.matchCounts.countsOf}, which runs after it or not at all`);
    configs = await matchedConfigs(series, ref.points, ctx, options, state);
  }
  const out: OursPoint[] = [];
  for (const { config, target, count } of configs) {
    throwIfAborted(options.signal);
    const key = { clip: ctx.clipKey, geometry, config, modelsDir: options.modelsDir ?? null, versions: state.versions };
    const sel = config.selection;
    const pointLabel =
      config.targetKbps !== undefined ? `${series.name} at ${config.targetKbps} kbit/s` : `${series.name} ${sel.strategy === 'fixed' ? `every ${sel.fixedInterval} frames` : `D_th ${sel.threshold}`} max clip ${sel.maxClip ?? '-'}`;
    const match = target !== undefined && count !== undefined ? { match: { target, count } } : {};
    const cached = await state.cache.get<OursPoint>('ours', key);
    if (cached) {
      out.push({ ...cached, ...match });
      reportPoint(state, options, `${pointLabel} (cached)`, undefined);
      continue;
    }
    const { file: input, frames: reference } = await ctx.pre();
    const signals = await ctx.signals();
    const engine = createEngine({ modelsDir: options.modelsDir, keyframeCodec: config.keyframeCodec, ...(config.restoration !== undefined ? { restoration: config.restoration } : {}) });
    try {
      const t0 = performance.now();
      const enc = await encodeVideo(engine, input, {
        geometry,
        selection: config.selection,
        mode: config.mode,
        keyframeBudgetBytes: config.keyframeBudgetBytes,
        ...(config.targetKbps !== undefined ? { targetKbps: config.targetKbps, layerShare: config.layerShare, guideEncoder: config.guideEncoder } : {}),
        ...(config.texts ? { descriptions: BENCH_DESCRIPTIONS } : {}),
        signals,
        signal: options.signal,
      });
      const t1 = performance.now();
      const acc = new MetricsAccumulator();
      for await (const frame of decodeVideoFrames(engine, openBitstream(engine, enc.m3c), { signal: options.signal })) {
        if (acc.frames >= reference.length) throw new M3cError('internal', `${series.name}: the decoder gave more frames than the ${reference.length} of the source`);
        acc.add(reference[acc.frames], frame);
      }
      const decodeMs = performance.now() - t1;
      if (acc.frames !== reference.length) throw new M3cError('internal', `${series.name}: the decoder gave ${acc.frames} frames for ${reference.length}`);
      const point: OursPoint = {
        config,
        keyframeCodecId: openBitstream(engine, enc.m3c).header.keyframeCodecId,
        bytes: enc.bytes,
        kbps: enc.kbps,
        bpp: enc.bpp,
        keyframes: enc.keyframes,
        sections: enc.sections,
        encodeMs: t1 - t0,
        decodeMs,
        metrics: acc.mean(),
      };
      await state.cache.put('ours', key, point);
      out.push({ ...point, ...match });
      reportPoint(state, options, `${pointLabel}: ${point.bytes} B, ${point.kbps.toFixed(2)} kbit/s, ${point.keyframes.length} keyframes, PSNR-Y ${point.metrics.psnrY.toFixed(2)} dB, MS-SSIM ${point.metrics.msssim.toFixed(4)}`, performance.now() - t0);
    } finally {
      await engine.dispose();
    }
  }
  return out;
}

/** The full-size classical curves of a clip (skipped codecs say why and count as done). */
async function runClassical(ctx: ClipContext, options: RdOptions, state: RunState, preset: PointsPreset, encoders: ReadonlySet<string>): Promise<ClassicalCurve[]> {
  const curves: ClassicalCurve[] = [];
  for (const spec of CLASSICAL_CODECS) {
    const values = CLASSICAL_SWEEPS[preset][spec.codec];
    const skipped = classicalSkipReason(spec.codec, encoders);
    const points: ClassicalPoint[] = [];
    for (const q of values) {
      throwIfAborted(options.signal);
      const label = `${spec.codec} ${spec.knob} ${q}`;
      if (skipped) {
        reportPoint(state, options, `${label} (skipped: ${skipped})`, undefined);
        continue;
      }
      const key = { clip: ctx.clipKey, geometry: ctx.geometry, codec: spec.codec, q, settings: spec.settings, versions: state.versions };
      const cached = await state.cache.get<ClassicalPoint>('classical', key);
      if (cached) {
        points.push(cached);
        reportPoint(state, options, `${label} (cached)`, undefined);
        continue;
      }
      const { frames: reference } = await ctx.pre();
      const t0 = performance.now();
      const { frames: rec, ...figures } = await encodeClassical(reference, ctx.geometry, spec.codec, q, { signal: options.signal });
      const p: ClassicalPoint = { ...figures, metrics: measureFrames(reference, rec) };
      points.push(p);
      await state.cache.put('classical', key, p);
      reportPoint(state, options, `${label}: ${p.bytes} B, ${p.kbps.toFixed(2)} kbit/s, PSNR-Y ${p.metrics.psnrY.toFixed(2)} dB`, performance.now() - t0);
    }
    curves.push({ name: spec.codec, settings: spec.settings, stream: spec.stream, ...(skipped ? { skipped } : {}), points });
  }
  return curves;
}

async function runClip(clip: string, options: RdOptions, geometry: Geometry, state: RunState, encoders: ReadonlySet<string>): Promise<ClipReport> {
  const preset = options.points ?? 'quick';
  const dir = await mkdtemp(path.join(tmpdir(), 'm3c-rd-'));
  try {
    const t0 = performance.now();
    // The clip as the cache knows it: its bytes and the frame limit (the preprocessing is the product's, versioned).
    const clipKey = { sha256: await fileSha256(clip), maxFrames: options.maxFrames ?? null };
    const preKey = { clip: clipKey, geometry, versions: state.versions };
    const preInfo = await state.cache.get<{ frames: number; lossless: boolean }>('clip', preKey);
    // Preprocessed only when some point is not in the cache.
    let prePromise: Promise<Preprocessed> | undefined;
    const pre = (): Promise<Preprocessed> =>
      (prePromise ??= preprocess(clip, dir, geometry, options.maxFrames, options.signal).then(async (p) => {
        await state.cache.put('clip', preKey, { frames: p.frames.length, lossless: p.lossless });
        options.onProgress?.({ done: state.done, total: state.total, label: `${path.basename(clip)}: ${p.frames.length} frames at ${geometry.width}x${geometry.height}, ${geometry.fpsNum}/${geometry.fpsDen} fps` });
        return p;
      }));
    // The analysis signals, computed once per clip and given to every encode (the selection runs on them).
    let signalsPromise: Promise<FrameSignals> | undefined;
    const signals = (): Promise<FrameSignals> =>
      (signalsPromise ??= pre().then(async ({ file }) => {
        const engine = createEngine({ modelsDir: options.modelsDir });
        try {
          return (await analyzeVideo(engine, file, geometry, OURS_SERIES[preset][0].points[0].selection, { signal: options.signal })).signals;
        } finally {
          await engine.dispose();
        }
      }));
    const ctx: ClipContext = { pre, signals, clipKey, geometry };
    const t1 = performance.now();

    const anchorPoints: AnchorPoint<Metrics>[] = [];
    for (const trial of gridTrials(ANCHOR_GRIDS[preset])) {
      throwIfAborted(options.signal);
      const key = { clip: clipKey, geometry, trial, versions: state.versions };
      const label = `anchor ${trial.width}x${trial.height} ${fpsLabel(trial.fps)} fps crf ${trial.crf}`;
      const cached = await state.cache.get<AnchorPoint<Metrics>>('anchor', key);
      if (cached) {
        anchorPoints.push(cached);
        reportPoint(state, options, `${label} (cached)`, undefined);
        continue;
      }
      const { frames: reference } = await pre();
      const ta = performance.now();
      const { frames: rec, ...figures } = await encodeAnchor(reference, geometry, trial, { signal: options.signal });
      const p: AnchorPoint<Metrics> = { ...figures, metrics: measureFrames(reference, rec) };
      anchorPoints.push(p);
      await state.cache.put('anchor', key, p);
      reportPoint(state, options, `${label} ${p.encoder}: ${p.bytes} B, ${p.kbps.toFixed(2)} kbit/s, PSNR-Y ${p.metrics.psnrY.toFixed(2)} dB`, performance.now() - ta);
    }
    const search = { points: anchorPoints };
    const points: AnchorRdPoint[] = search.points.map((p) => ({ ...p, trial: { ...p.trial, label: `${p.trial.width}x${p.trial.height}@${fpsLabel(p.trial.fps)}fps crf${p.trial.crf}` } }));
    const envelopes = Object.fromEntries(
      METRICS.map((m) => [m, paretoEnvelope(points.map((_, i) => i), (i) => points[i].kbps, (i) => points[i].metrics[m])]),
    ) as Record<MetricName, number[]>;
    const envPoints = (m: MetricName): RdPoint[] => envelopes[m].map((i) => ({ rate: points[i].kbps, quality: points[i].metrics[m] }));
    const selfCheck = Object.fromEntries(METRICS.map((m) => [m, { bdRate: bdRate(envPoints(m), envPoints(m)), bdQuality: bdQuality(envPoints(m), envPoints(m)) }])) as ClipReport['anchor']['selfCheck'];
    const classical = await runClassical(ctx, options, state, preset, encoders);
    const t2 = performance.now();

    const ours: ClipReport['ours'] = [];
    for (const s of seriesOf(preset, options.series)) ours.push({ name: s.name, description: s.description, points: await runOurs(s, ours, ctx, options, state) });
    const t3 = performance.now();

    let info: { frames: number; lossless: boolean };
    if (preInfo) info = preInfo;
    else {
      const p = await pre();
      info = { frames: p.frames.length, lossless: p.lossless };
    }
    const curves: { name: string; points: readonly { kbps: number; metrics: Metrics }[] }[] = [...ours, ...classical.filter((c) => !c.skipped)];
    const bd: BdEntry[] = curves.flatMap((s) =>
      METRICS.map((metric) => ({
        series: s.name,
        metric,
        bdRate: bdRate(envPoints(metric), rdPoints(s.points, metric)),
        bdQuality: bdQuality(envPoints(metric), rdPoints(s.points, metric)),
      })),
    );
    return {
      clip: path.resolve(clip),
      name: path.basename(clip).replace(/\.[^.]+$/, ''),
      frames: info.frames,
      durationSec: (info.frames * geometry.fpsDen) / geometry.fpsNum,
      preprocessLossless: info.lossless,
      anchor: { points, envelopes, selfCheck },
      classical,
      ours,
      bd,
      wallMs: { preprocess: t1 - t0, anchor: t2 - t1, ours: t3 - t2 },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function runRd(options: RdOptions): Promise<RdReport> {
  const t0 = performance.now();
  if (options.clips.length === 0) throw new M3cError('usage', 'bench rd needs at least one clip');
  const preset = options.points ?? 'quick';
  const geometry = DEFAULT_GEOMETRY;
  const facts = await ffmpegFacts(options.signal);
  const encoders = await availableEncoders(options.signal);
  const perClip =
    gridTrials(ANCHOR_GRIDS[preset]).length + CLASSICAL_CODECS.reduce((n, c) => n + CLASSICAL_SWEEPS[preset][c.codec].length, 0) + seriesOf(preset, options.series).reduce((n, s) => n + s.points.length, 0);
  const cacheDir = options.cacheDir === undefined ? undefined : path.resolve(options.cacheDir);
  const state: RunState = { cache: openPointCache(cacheDir), versions: { product: PRODUCT_VERSION, ffmpeg: facts.version }, total: perClip * options.clips.length, done: 0, computed: 0, computeMs: 0 };
  const clips: ClipReport[] = [];
  for (const clip of options.clips) clips.push(await runClip(clip, options, geometry, state, encoders));
  const seriesRun = new Set(seriesOf(preset, options.series).map((s) => s.name));
  const cpu = cpus();
  return {
    tool: 'm3c bench rd',
    generatedAt: new Date().toISOString(),
    points: preset,
    geometry,
    ...(options.maxFrames !== undefined ? { maxFrames: options.maxFrames } : {}),
    machine: { cpus: cpu.length, cpuModel: cpu[0]?.model ?? 'unknown', platform: `${process.platform}-${process.arch}`, node: process.version },
    ffmpeg: { version: facts.version, encoders: { libsvtav1: encoders.has('libsvtav1'), 'libaom-av1': encoders.has('libaom-av1') } },
    bitstreamNote: BITSTREAM_NOTE,
    vmaf: {
      computed: false,
      note: facts.vmaf
        ? 'VMAF skipped: the installed ffmpeg has libvmaf, but this harness does not compute VMAF yet'
        : 'VMAF skipped: the installed ffmpeg has no libvmaf filter',
    },
    anchorGrid: ANCHOR_GRIDS[preset],
    classicalSweeps: CLASSICAL_CODECS.map((c) => {
      const skipped = classicalSkipReason(c.codec, encoders);
      return { name: c.codec, knob: c.knob, values: CLASSICAL_SWEEPS[preset][c.codec], settings: c.settings, ...(skipped ? { skipped } : {}) };
    }),
    oursSeries: seriesOf(preset, options.series),
    ablations: {
      run: ABLATIONS.filter((a) => a.series.every((s) => seriesRun.has(s))),
      skipped: [
        ...ABLATIONS.filter((a) => !a.series.every((s) => seriesRun.has(s))).map((a) => `${a.name}: not in the ${preset} points (run --points full or report)`),
        DIALOGUE_ROUNDS_SKIPPED,
      ],
    },
    textsNote: TEXTS_NOTE,
    clips,
    pooled: poolBd(clips),
    plots: pngSupport(),
    cache: { ...(cacheDir !== undefined ? { dir: cacheDir } : {}), hits: state.cache.stats.hits, computed: state.computed },
    wallMs: performance.now() - t0,
  };
}

export { bdSummary, renderRdMarkdown, writeRdReport } from './markdown.ts';
