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
import { throwIfAborted } from '../../shared/engine/errors.ts';
import { StageTimer } from '../util/stage-timer.ts';
import type { Engine } from './engine.ts';
import type { DescriptionsFile } from './descriptions-file.ts';
import { fileDescriber } from './describe.ts';
import { buildClips, buildHeader, writeBitstream, type BitstreamSummary } from './container.ts';
import { encodeKeyframes } from './keyframes.ts';
import { selectVideoKeyframes } from './select.ts';
import { encodeTexts } from './texts.ts';
import type { GuideEncoder } from '../codecs/guide-stream.ts';
import { DEFAULT_TARGET_KBPS, encodeGuidedParts, guidedClipModes, type RateSplit } from './guided-encode.ts';

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
}

export async function encodeVideo(engine: Engine, input: string, options: EncodeOptions): Promise<EncodeResult> {
  const { geometry, signal, onProgress } = options;
  const timer = new StageTimer();
  const timed = timer.time.bind(timer);
  const { source, signals, frameCount, keyframes } = await selectVideoKeyframes(engine, input, geometry, options.selection, { signals: options.signals, signal, onProgress, timer });

  const describer = options.describer;
  const texts = await timed('describe', () => (describer ?? fileDescriber(options.descriptions)).describe({ keyframes, frameCount, signal, onProgress }));

  if (options.mode === 'guided' || options.clipModes?.includes('guided')) {
    const modes = guidedClipModes(keyframes.length, keyframes.map((_, i) => options.clipModes?.[i] ?? options.mode));
    const header = buildHeader(engine, geometry, frameCount, options.selection, 0, true);
    const coded = texts.map(encodeTexts);
    const parts = await encodeGuidedParts(engine, input, geometry, { header, keyframes, texts: coded, modes }, { targetKbps: options.targetKbps ?? DEFAULT_TARGET_KBPS, layerShare: options.layerShare, guideEncoder: options.guideEncoder, timer, signal, onProgress });
    const clips = buildClips(keyframes, frameCount, parts.modes, parts.payloads, coded);
    throwIfAborted(signal);
    const { m3c, summary } = writeBitstream(header, clips, parts.guide);
    const g = parts.guide;
    const guided: GuidedSummary = { split: parts.split, width: g.width, height: g.height, fpsNum: g.fpsNum, fpsDen: g.fpsDen, crf: g.quantizer, encoder: g.encoder, searchPsnr: parts.search.psnr, trials: parts.search.trials.length, searchMs: parts.search.searchMs };
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
