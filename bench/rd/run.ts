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
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import type { Geometry, RgbFrame } from '../../src/shared/engine/frame.ts';
import type { ReconstructionMode } from '../../src/shared/engine/interfaces.ts';
import { M3cError, throwIfAborted } from '../../src/shared/engine/errors.ts';
import { DEFAULT_SELECTION, type SelectionParams } from '../../src/shared/keyframes/index.ts';
import { decodeFrames, runFfmpeg } from '../../src/main/media/index.ts';
import { aspectSizes, availableEncoders, encodeAnchor, gridTrials, MIN_ANCHOR_SIZE, paretoEnvelope, type AnchorGrid, type AnchorPoint } from '../../src/main/codecs/anchor-search.ts';
import { createEngine, DEFAULT_GEOMETRY, type KeyframeCodecChoice } from '../../src/main/pipeline/engine.ts';
import { encodeVideo } from '../../src/main/pipeline/encode.ts';
import { decodeVideoFrames, openBitstream } from '../../src/main/pipeline/decode.ts';
import { bdQuality, bdRate, type BdResult, type RdPoint } from './bd.ts';
import { fileSha256, openPointCache, PRODUCT_VERSION, type PointCache } from './cache.ts';
import { METRIC_LABELS, METRICS, MetricsAccumulator, measureFrames, type MetricName, type Metrics } from './metrics.ts';
import { pngSupport, renderPlotsMarkdown, writePlots } from './plot.ts';
import { poolBd, renderPooledMarkdown, type PooledBd } from './pool.ts';

export type PointsPreset = 'quick' | 'full';
export const POINTS_PRESETS: readonly PointsPreset[] = ['quick', 'full'];

export const BITSTREAM_NOTE =
  'Anchor rates count the raw AV1 low-overhead OBU stream written by ffmpeg -f obu (sequence header, temporal delimiters, frame OBUs), without any IVF/MP4 container. Our rates count the whole .m3c file (header, section lengths and CRCs included).';

/** The anchor grids: quick for CI (2 sizes x 1 rate x 2 CRF), full for reports. */
export const ANCHOR_GRIDS: Record<PointsPreset, AnchorGrid> = {
  quick: {
    sizes: [MIN_ANCHOR_SIZE, { width: 128, height: 80 }],
    fps: [{ num: 4, den: 1 }],
    crfs: [63, 50],
  },
  full: {
    sizes: aspectSizes(DEFAULT_GEOMETRY, MIN_ANCHOR_SIZE.width, 7),
    fps: [{ num: 8, den: 1 }, { num: 4, den: 1 }, { num: 2, den: 1 }],
    crfs: [63, 58, 52, 46, 40, 34],
  },
};

export interface OursPointConfig {
  readonly keyframeCodec: KeyframeCodecChoice;
  readonly selection: SelectionParams;
  readonly mode: ReconstructionMode;
  readonly keyframeBudgetBytes?: number;
}

export interface OursSeriesConfig {
  readonly name: string;
  readonly description: string;
  readonly points: readonly OursPointConfig[];
}

const withThreshold = (threshold: number, maxClip = DEFAULT_SELECTION.maxClip): SelectionParams => ({ ...DEFAULT_SELECTION, threshold, maxClip });

/**
 * The full preset's rate steps: D_th alone does not move the rate of a short or calm clip (one
 * keyframe whatever D_th), so the denser steps also shorten the longest clip.
 */
const FULL_STEPS: readonly SelectionParams[] = [withThreshold(0.8), withThreshold(0.4), withThreshold(0.2, 16), withThreshold(0.1, 8)];
const FULL_STEPS_TEXT = 'D_th 0.8, 0.4 (default), 0.2 with clips of at most 16 frames, 0.1 with at most 8';

/** Our operating points: a series is one configuration whose rate moves with the selection. */
export const OURS_SERIES: Record<PointsPreset, readonly OursSeriesConfig[]> = {
  quick: [
    {
      name: 'ours-default',
      description: 'the defaults (keyframe codec auto, motion-semantic selection, interpolation) at D_th 0.4 (default) and 0.1',
      points: [0.4, 0.1].map((t) => ({ keyframeCodec: 'auto', selection: withThreshold(t), mode: 'interpolation' }) as const),
    },
  ],
  full: [
    {
      name: 'ours-default',
      description: `the defaults (keyframe codec auto, motion-semantic selection, interpolation) at ${FULL_STEPS_TEXT}`,
      points: FULL_STEPS.map((selection) => ({ keyframeCodec: 'auto', selection, mode: 'interpolation' }) as const),
    },
    {
      name: 'ours-classical',
      description: `classical AV1 keyframes (800-byte budget), otherwise the defaults, at ${FULL_STEPS_TEXT}`,
      points: FULL_STEPS.map((selection) => ({ keyframeCodec: 'classical', selection, mode: 'interpolation' }) as const),
    },
  ],
};

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
  readonly ours: { readonly name: string; readonly description: string; readonly points: OursPoint[] }[];
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
  readonly oursSeries: readonly OursSeriesConfig[];
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

async function runOurs(series: OursSeriesConfig, pre: () => Promise<Preprocessed>, clipKey: unknown, geometry: Geometry, options: RdOptions, state: RunState): Promise<OursPoint[]> {
  const out: OursPoint[] = [];
  for (const config of series.points) {
    throwIfAborted(options.signal);
    const key = { clip: clipKey, geometry, config, modelsDir: options.modelsDir ?? null, versions: state.versions };
    const pointLabel = `${series.name} D_th ${config.selection.threshold} max clip ${config.selection.maxClip ?? '-'}`;
    const cached = await state.cache.get<OursPoint>('ours', key);
    if (cached) {
      out.push(cached);
      reportPoint(state, options, `${pointLabel} (cached)`, undefined);
      continue;
    }
    const { file: input, frames: reference } = await pre();
    const engine = createEngine({ modelsDir: options.modelsDir, keyframeCodec: config.keyframeCodec });
    try {
      const t0 = performance.now();
      const enc = await encodeVideo(engine, input, { geometry, selection: config.selection, mode: config.mode, keyframeBudgetBytes: config.keyframeBudgetBytes, signal: options.signal });
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
        keyframeCodecId: engine.keyframeCodec.id,
        bytes: enc.bytes,
        kbps: enc.kbps,
        bpp: enc.bpp,
        keyframes: enc.keyframes,
        sections: enc.sections,
        encodeMs: t1 - t0,
        decodeMs,
        metrics: acc.mean(),
      };
      out.push(point);
      await state.cache.put('ours', key, point);
      reportPoint(state, options, `${pointLabel}: ${point.bytes} B, ${point.kbps.toFixed(2)} kbit/s, PSNR-Y ${point.metrics.psnrY.toFixed(2)} dB, MS-SSIM ${point.metrics.msssim.toFixed(4)}`, performance.now() - t0);
    } finally {
      await engine.dispose();
    }
  }
  return out;
}

async function runClip(clip: string, options: RdOptions, geometry: Geometry, state: RunState): Promise<ClipReport> {
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
    const t2 = performance.now();

    const ours: ClipReport['ours'] = [];
    for (const s of OURS_SERIES[preset]) ours.push({ name: s.name, description: s.description, points: await runOurs(s, pre, clipKey, geometry, options, state) });
    const t3 = performance.now();

    let info: { frames: number; lossless: boolean };
    if (preInfo) info = preInfo;
    else {
      const p = await pre();
      info = { frames: p.frames.length, lossless: p.lossless };
    }
    const bd: BdEntry[] = ours.flatMap((s) =>
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
  const perClip = gridTrials(ANCHOR_GRIDS[preset]).length + OURS_SERIES[preset].reduce((n, s) => n + s.points.length, 0);
  const cacheDir = options.cacheDir === undefined ? undefined : path.resolve(options.cacheDir);
  const state: RunState = { cache: openPointCache(cacheDir), versions: { product: PRODUCT_VERSION, ffmpeg: facts.version }, total: perClip * options.clips.length, done: 0, computed: 0, computeMs: 0 };
  const clips: ClipReport[] = [];
  for (const clip of options.clips) clips.push(await runClip(clip, options, geometry, state));
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
    oursSeries: OURS_SERIES[preset],
    clips,
    pooled: poolBd(clips),
    plots: pngSupport(),
    cache: { ...(cacheDir !== undefined ? { dir: cacheDir } : {}), hits: state.cache.stats.hits, computed: state.computed },
    wallMs: performance.now() - t0,
  };
}

/** One BD figure as text: the value with its unit, or why there is none. */
export function bdSummary(r: BdResult, unit: string): string {
  return r.kind === 'ok' ? bdCell(r, unit) : `${r.kind} (${r.reason})`;
}

function bdCell(r: BdResult, unit: string): string {
  if (r.kind === 'ok') return `${r.value >= 0 ? '+' : ''}${r.value.toFixed(unit === '%' ? 1 : unit === '' ? 4 : 2)}${unit}${r.interpolation === 'linear' ? ' (linear)' : ''}`;
  return r.kind === 'no-overlap' ? 'no overlap' : 'n/a';
}

/** The report as Markdown: machine, notes, per clip the anchor points, the envelope, ours and BD. */
export function renderRdMarkdown(report: RdReport): string {
  const L: string[] = [];
  L.push('# R-D evaluation (`m3c bench rd`)', '');
  L.push(`Generated ${report.generatedAt}, points: ${report.points}${report.maxFrames !== undefined ? `, first ${report.maxFrames} frames of each clip` : ''}; working geometry ${report.geometry.width}x${report.geometry.height}, ${report.geometry.fpsNum}/${report.geometry.fpsDen} fps.`);
  L.push(`Machine: ${report.machine.cpus} x ${report.machine.cpuModel}, ${report.machine.platform}, Node ${report.machine.node}; ${report.ffmpeg.version} (libsvtav1: ${report.ffmpeg.encoders.libsvtav1 ? 'yes' : 'no'}, libaom-av1: ${report.ffmpeg.encoders['libaom-av1'] ? 'yes' : 'no'}).`);
  L.push('', `- Rates: ${report.bitstreamNote}`, `- ${report.vmaf.note}.`);
  L.push('- Anchor: SVT-AV1 (libaom below 64 px, where SVT-AV1 refuses) at reduced size and frame rate, decoded with dav1d, upscaled with lanczos and frame-repeated to the working geometry and rate.');
  L.push('- BD-rate: negative means ours needs fewer bits than the anchor envelope at equal quality; BD-quality: positive means ours is better at equal rate. PCHIP interpolation over the overlapping range only (linear where a curve has 2 points).', '');
  for (const c of report.clips) {
    L.push(`## ${c.name} (${c.frames} frames, ${c.durationSec.toFixed(2)} s)`, '');
    if (!c.preprocessLossless) L.push('Warning: the preprocessed intermediate did not round-trip losslessly.', '');
    L.push('### BD against the anchor envelope', '', '| series | metric | BD-rate | BD-quality |', '|---|---|---|---|');
    for (const b of c.bd) L.push(`| ${b.series} | ${METRIC_LABELS[b.metric]} | ${bdCell(b.bdRate, '%')} | ${bdCell(b.bdQuality, b.metric === 'msssim' ? '' : ' dB')} |`);
    L.push('', '### Ours', '', '| series | D_th | max clip | keyframe codec | bytes | kbit/s | keyframes | PSNR-Y | PSNR-RGB | MS-SSIM | HF ratio | grad. dist. |', '|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const s of c.ours) {
      for (const p of s.points) {
        L.push(`| ${s.name} | ${p.config.selection.threshold} | ${p.config.selection.maxClip ?? '-'} | ${p.keyframeCodecId} | ${p.bytes} | ${p.kbps.toFixed(2)} | ${p.keyframes.length} | ${p.metrics.psnrY.toFixed(2)} | ${p.metrics.psnrRgb.toFixed(2)} | ${p.metrics.msssim.toFixed(4)} | ${p.metrics.hfRatio.toFixed(3)} | ${p.metrics.gradDist.toFixed(4)} |`);
      }
    }
    const onEnv = new Set(c.anchor.envelopes.psnrY);
    L.push('', '### Anchor points (* on the PSNR-Y envelope)', '', '| trial | encoder | OBU bytes | kbit/s | PSNR-Y | PSNR-RGB | MS-SSIM | HF ratio | grad. dist. |', '|---|---|---|---|---|---|---|---|---|');
    c.anchor.points.forEach((p, i) => {
      L.push(`| ${onEnv.has(i) ? '* ' : ''}${p.trial.label} | ${p.encoder}${p.fallback ? ` (${p.fallback})` : ''} | ${p.bytes} | ${p.kbps.toFixed(2)} | ${p.metrics.psnrY.toFixed(2)} | ${p.metrics.psnrRgb.toFixed(2)} | ${p.metrics.msssim.toFixed(4)} | ${p.metrics.hfRatio.toFixed(3)} | ${p.metrics.gradDist.toFixed(4)} |`);
    });
    L.push('', `Wall time: preprocess ${(c.wallMs.preprocess / 1000).toFixed(1)} s, anchor ${(c.wallMs.anchor / 1000).toFixed(1)} s, ours ${(c.wallMs.ours / 1000).toFixed(1)} s.`, '');
  }
  L.push(...renderPooledMarkdown(report.pooled, report.clips.length), ...renderPlotsMarkdown(report, report.plots));
  L.push(`Total wall time ${(report.wallMs / 1000).toFixed(1)} s.`, '');
  return L.join('\n');
}

/** Writes rd.json and rd.md into `outDir` (created), each through a temporary file and a rename. */
export async function writeRdReport(report: RdReport, outDir: string): Promise<{ json: string; md: string }> {
  await mkdir(outDir, { recursive: true });
  const json = path.join(outDir, 'rd.json');
  const md = path.join(outDir, 'rd.md');
  // plots/<clip>-<metric>.svg and .png, linked from rd.md; a failed PNG render is said at its end.
  const plots = await writePlots(report, outDir, report.plots.png);
  for (const [file, text] of [
    [json, JSON.stringify(report, null, 1) + '\n'],
    [md, renderRdMarkdown(report) + (plots.pngError ? `\n${plots.pngError}; the PNG links above are missing, see the SVGs.\n` : '')],
  ] as const) {
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, text);
    await rename(tmp, file);
  }
  return { json, md };
}
