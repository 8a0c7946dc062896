/**
 * The M3-CVC encoder: select keyframes (one analysis pass), describe them, code keyframes and
 * texts, write the .m3c. Frames are streamed from ffmpeg twice (analysis, then keyframe coding)
 * so memory stays bounded by a few frames whatever the video's length.
 */
import type { Geometry, RgbFrame } from '../../shared/engine/frame.ts';
import type { Describer, ItemDescriptions, ReconstructionMode } from '../../shared/engine/interfaces.ts';
import type { ProgressListener } from '../../shared/engine/progress.ts';
import type { FrameSignals, SelectionParams } from '../../shared/keyframes/index.ts';
import type { ProbeInfo } from '../media/index.ts';
import { M3cError, throwIfAborted } from '../../shared/engine/errors.ts';
import { StageTimer } from '../util/stage-timer.ts';
import type { Engine } from './engine.ts';
import type { DescriptionsFile } from './descriptions-file.ts';
import { fileDescriber } from './describe.ts';
import { buildClips, buildHeader, writeBitstream, type BitstreamSummary } from './container.ts';
import { encodeKeyframes } from './keyframes.ts';
import { selectVideoKeyframes } from './select.ts';
import { encodeTexts } from './texts.ts';
import type { GuideEncoder } from '../codecs/guide-stream.ts';
import { parseRoiSpec, type RoiSpec } from '../../shared/roi/index.ts';
import type { RoiLayer } from './roi.ts';
import { DEFAULT_TARGET_KBPS, encodeGuidedParts, guidedClipModes, type RateSplit } from './guided-encode.ts';
import { readProxies } from './guide.ts';

export interface EncodeOptions {
  readonly geometry: Geometry;
  readonly selection: SelectionParams;
  readonly mode: ReconstructionMode;
  /** Per clip, a mode other than `mode` (guided files only: issue 10's per-clip choice). */
  readonly clipModes?: readonly (ReconstructionMode | undefined)[];
  /** Guided: the whole file's rate in kbit/s (default DEFAULT_TARGET_KBPS); the encoder splits it. */
  readonly targetKbps?: number;
  /** Guided: share of the guide-and-keyframe bytes for the keyframes' enhancement layers (default DEFAULT_LAYER_SHARE). */
  readonly layerShare?: number;
  /** Guided: the encoder of the kept guide (default 'aom-slow'; 'svt' is the faster lever the R-D harness measures). */
  readonly guideEncoder?: GuideEncoder;
  /**
   * Guided: regions of interest (issue 14): the encoder moves a share of the guide's bytes into an inset layer
   * over them at the same total budget, and the file records them (docs/roi.md). Empty or absent: none.
   */
  readonly roi?: RoiSpec;
  /** Names `roi` in its errors (e.g. the `--roi` file); default "regions". */
  readonly roiWhere?: string;
  /** Guided with `roi`: how the encoder honours them (default 'warp', the foveated guide; docs/roi.md). */
  readonly roiLayer?: RoiLayer;
  /** Guided with `roi` and the warp: the regions' linear magnification in the guide (default: pipeline/roi.ts's rule). */
  readonly warpMagnification?: number;
  /** Guided with `roi` and the warp: how much the picture outside the regions is softened before coding (default OUTSIDE_SOFTEN; 1: not). */
  readonly outsideSoften?: number;
  /** Guided with `roi`: the inset's share of the guide budget (default: insetShare's rule in pipeline/roi.ts). */
  readonly insetShare?: number;
  readonly keyframeBudgetBytes?: number;
  readonly descriptions?: DescriptionsFile;
  /** Writes the texts once the keyframes are selected (the LMM dialogue); without one, `descriptions` (or none) are used. */
  readonly describer?: Describer;
  /** Signals from an earlier analysis of the same source at the same geometry (skips the analysis pass). */
  readonly signals?: FrameSignals;
  readonly signal?: AbortSignal;
  readonly onProgress?: ProgressListener;
}

export interface EncodeResult extends BitstreamSummary {
  readonly m3c: Uint8Array;
  readonly keyframes: number[];
  readonly signals: FrameSignals;
  readonly source: ProbeInfo;
  readonly descriptions: ItemDescriptions[];
  /** Milliseconds per stage: 'probe', 'analysis' (when it ran), 'selection', 'describe', 'keyframe-coding' (and for guided files 'guide-frames', 'guide-search'). */
  readonly timings: Record<string, number>;
  /** Guided files: the guide chosen and how the budget was split. */
  readonly guided?: GuidedSummary;
}

export interface GuidedSummary {
  readonly split: RateSplit;
  readonly width: number;
  readonly height: number;
  readonly fpsNum: number;
  readonly fpsDen: number;
  readonly crf: number;
  readonly encoder: string;
  /** PSNR-Y of the guide alone (interpolated, upscaled) at the proxy size, as the search measured it. */
  readonly searchPsnr: number;
  readonly trials: number;
  readonly searchMs: number;
  /** With regions: the inset layer's rectangle (working pixels) and stream. */
  readonly inset?: { readonly x: number; readonly y: number; readonly rectWidth: number; readonly rectHeight: number; readonly width: number; readonly height: number; readonly fpsNum: number; readonly fpsDen: number; readonly crf: number; readonly bytes: number; readonly searchPsnr: number };
}

export async function encodeVideo(engine: Engine, input: string, options: EncodeOptions): Promise<EncodeResult> {
  const { geometry, signal, onProgress } = options;
  const timer = new StageTimer();
  const guidedEncode = options.mode === 'guided' || options.clipModes?.includes('guided');
  // A guided encode without regions reads its guide's proxies beside the analysis: the two decodes of the
  // source overlap (stopped with the encode when anything fails).
  const early = new AbortController();
  const stop = (): void => early.abort(signal?.reason);
  signal?.addEventListener('abort', stop, { once: true });
  const proxies = guidedEncode && !(options.roi && options.roi.regions.length > 0) ? readProxies(input, geometry, { signal: early.signal, onProgress }) : undefined;
  proxies?.catch(() => undefined);
  try {
    return await encodeWith(engine, input, options, timer, proxies);
  } finally {
    signal?.removeEventListener('abort', stop);
    early.abort();
  }
}

/** The encode proper, once the guide's proxies are (or are not) being read beside it. */
async function encodeWith(engine: Engine, input: string, options: EncodeOptions, timer: StageTimer, proxies: Promise<RgbFrame[]> | undefined): Promise<EncodeResult> {
  const { geometry, signal, onProgress } = options;
  const timed = timer.time.bind(timer);
  const guidedEncode = options.mode === 'guided' || options.clipModes?.includes('guided');
  const { source, signals, frameCount, keyframes } = await selectVideoKeyframes(engine, input, geometry, options.selection, { signals: options.signals, signal, onProgress, timer });

  if (options.roi && options.roi.regions.length > 0 && !guidedEncode) throw new M3cError('usage', 'regions of interest need a guided encode (--mode guided, the default)');
  // Regions are checked against the video's frame count before any further work.
  const roi = options.roi && options.roi.regions.length > 0 ? parseRoiSpec(options.roi, options.roiWhere ?? 'regions', { frameCount }) : undefined;
  const describer = options.describer;
  const texts = await timed('describe', () => (describer ?? fileDescriber(options.descriptions)).describe({ keyframes, frameCount, signal, onProgress }));

  if (guidedEncode) {
    const modes = guidedClipModes(keyframes.length, keyframes.map((_, i) => options.clipModes?.[i] ?? options.mode));
    const header = buildHeader(engine, geometry, frameCount, options.selection, 0, true);
    const coded = texts.map(encodeTexts);
    const parts = await encodeGuidedParts(engine, input, geometry, { header, keyframes, texts: coded, modes }, { targetKbps: options.targetKbps ?? DEFAULT_TARGET_KBPS, layerShare: options.layerShare, guideEncoder: options.guideEncoder, roi, roiLayer: options.roiLayer, warpMagnification: options.warpMagnification, outsideSoften: options.outsideSoften, insetShare: options.insetShare, timer, signal, onProgress, ...(proxies ? { proxies } : {}) });
    const clips = buildClips(keyframes, frameCount, parts.modes, parts.payloads, coded);
    throwIfAborted(signal);
    const { m3c, summary } = writeBitstream(header, clips, parts.guide, parts.roi);
    const g = parts.guide;
    const i = parts.roi?.inset;
    const inset = i && parts.insetSearch ? { x: i.x, y: i.y, rectWidth: i.rectWidth, rectHeight: i.rectHeight, width: i.width, height: i.height, fpsNum: i.fpsNum, fpsDen: i.fpsDen, crf: i.quantizer, bytes: i.stream.length, searchPsnr: parts.insetSearch.psnr } : undefined;
    const guided: GuidedSummary = { split: parts.split, width: g.width, height: g.height, fpsNum: g.fpsNum, fpsDen: g.fpsDen, crf: g.quantizer, encoder: g.encoder, searchPsnr: parts.search.psnr, trials: parts.search.trials.length, searchMs: parts.search.searchMs, ...(inset ? { inset } : {}) };
    return { ...summary, m3c, keyframes, signals, source, descriptions: texts, timings: timer.timings, guided };
  }

  const budget = options.keyframeBudgetBytes ?? engine.defaultKeyframeBudget;
  const payloads = await timed('keyframe-coding', () => encodeKeyframes(engine, input, geometry, keyframes, { budgetBytes: budget, signal, onProgress }));
  const header = buildHeader(engine, geometry, frameCount, options.selection, budget);
  const clips = buildClips(keyframes, frameCount, options.mode, payloads, texts.map(encodeTexts));
  // A cancel that came while the last stage finished still cancels: nothing is written after it.
  throwIfAborted(signal);
  const { m3c, summary } = writeBitstream(header, clips);
  return { ...summary, m3c, keyframes, signals, source, descriptions: texts, timings: timer.timings };
}

export type { RgbFrame };
