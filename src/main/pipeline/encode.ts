/**
 * The M3-CVC encoder: analyse once, select keyframes, code keyframes and texts, write the .m3c.
 * Frames are streamed from ffmpeg twice (analysis, then keyframe coding) so memory stays bounded
 * by a few frames whatever the video's length.
 */
import type { Geometry, RgbFrame } from '../../shared/engine/frame.ts';
import type { Describer, ItemDescriptions, ReconstructionMode } from '../../shared/engine/interfaces.ts';
import type { ProgressListener } from '../../shared/engine/progress.ts';
import { M3cError, throwIfAborted } from '../../shared/engine/errors.ts';
import { writeM3c, type M3cClip, type M3cHeader } from '../../shared/bitstream/index.ts';
import { encodeText } from '../../shared/text/index.ts';
import { selectKeyframes, type FrameSignals, type SelectionParams } from '../../shared/keyframes/index.ts';
import { analyzeFrames } from '../analysis/index.ts';
import { decodeFrames, probe, type ProbeInfo } from '../media/index.ts';
import type { Engine } from './engine.ts';
import { assignDescriptions, type DescriptionsFile } from './descriptions-file.ts';
import { summariseBitstream, type BitstreamSummary } from './summary.ts';

export interface EncodeOptions {
  readonly geometry: Geometry;
  readonly selection: SelectionParams;
  readonly mode: ReconstructionMode;
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
  /** Milliseconds per stage. */
  readonly timings: Record<string, number>;
}

export async function encodeVideo(engine: Engine, input: string, options: EncodeOptions): Promise<EncodeResult> {
  const { geometry, signal, onProgress } = options;
  const timings: Record<string, number> = {};
  const timed = async <T>(stage: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      timings[stage] = (timings[stage] ?? 0) + (performance.now() - t0);
    }
  };

  const source = await timed('probe', () => probe(input, signal));
  const expected = Math.max(1, Math.round((source.durationSec * geometry.fpsNum) / geometry.fpsDen));
  const decodeOpts = { width: geometry.width, height: geometry.height, fpsNum: geometry.fpsNum, fpsDen: geometry.fpsDen, signal };

  const signals =
    options.signals ??
    (await timed('analysis', () =>
      analyzeFrames(decodeFrames(input, decodeOpts), {
        embedder: engine.embedder,
        flow: engine.analysisFlow,
        signal,
        onProgress: (done: number) => onProgress?.({ stage: 'analysis', done, total: expected }),
      }),
    ));
  const frameCount = signals.frameCount;
  if (frameCount === 0) throw new M3cError('input', `${input} has no video frames to encode`);

  const t0 = performance.now();
  const { keyframes } = selectKeyframes(signals, options.selection);
  timings.selection = performance.now() - t0;

  const describer = options.describer;
  const texts = describer
    ? await timed('describe', () => describer.describe({ keyframes, frameCount, signal, onProgress }))
    : assignDescriptions(options.descriptions, keyframes, frameCount);

  const budget = options.keyframeBudgetBytes ?? engine.defaultKeyframeBudget;
  const payloads: Uint8Array[] = [];
  await timed('keyframe-coding', async () => {
    let index = 0;
    let k = 0;
    for await (const frame of decodeFrames(input, decodeOpts)) {
      throwIfAborted(signal);
      if (k < keyframes.length && index === keyframes[k]) {
        payloads.push(await engine.keyframeCodec.encode(frame, { budgetBytes: budget, signal }));
        k++;
        onProgress?.({ stage: 'keyframe coding', done: k, total: keyframes.length });
        if (k === keyframes.length) break;
      }
      index++;
    }
    if (payloads.length !== keyframes.length) {
      throw new M3cError('input', `${input}: the second decoding pass yielded fewer frames than the first; the file may be damaged`);
    }
  });

  const clips: M3cClip[] = keyframes.map((first, i) => {
    const end = i + 1 < keyframes.length ? keyframes[i + 1] : frameCount;
    const last = i + 1 === keyframes.length;
    return {
      firstFrame: first,
      length: end - first,
      // Interpolation needs the next keyframe: the last clip always predicts.
      mode: last ? 'prediction' : options.mode,
      keyframe: payloads[i],
      keyframeText: encodeText(texts[i].keyframe),
      clipText: encodeText(texts[i].clip),
    };
  });
  const sel = options.selection;
  const header: M3cHeader = {
    width: geometry.width,
    height: geometry.height,
    fpsNum: geometry.fpsNum,
    fpsDen: geometry.fpsDen,
    frameCount,
    modelPackId: engine.manifest.packId,
    modelPackHash: engine.modelPackHash,
    keyframeCodecId: engine.keyframeCodec.id,
    reconstructorId: engine.reconstructor.id,
    textCoderId: engine.textCoderId,
    params: {
      strategy: sel.strategy,
      lambda1Milli: Math.round(sel.lambda1 * 1000),
      lambda2Milli: Math.round(sel.lambda2 * 1000),
      thresholdMilli: Math.round(sel.threshold * 1000),
      interval: sel.strategy === 'fixed' ? sel.fixedInterval : 0,
      keyframeBudgetBytes: budget,
    },
  };
  const m3c = writeM3c({ header, clips });
  return {
    ...summariseBitstream(m3c, header, clips),
    m3c,
    keyframes,
    signals,
    source,
    descriptions: texts,
    timings,
  };
}

export type { RgbFrame };
