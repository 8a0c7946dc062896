/**
 * Stage 1, keyframe selection: probe the source, run the analysis pass (every frame's embedding
 * and flow, streamed once from ffmpeg) unless signals from an earlier pass are given, and choose
 * the keyframes from those signals alone.
 */
import type { ProgressListener } from '../../shared/engine/progress.ts';
import { M3cError } from '../../shared/engine/errors.ts';
import { selectKeyframes, type FrameSignals, type SelectionParams, type SelectionTrace } from '../../shared/keyframes/index.ts';
import { analyzeFrames } from '../analysis/index.ts';
import { expectedFrameCount, probe, type ProbeInfo } from '../media/index.ts';
import { StageTimer } from '../util/stage-timer.ts';
import type { Engine } from './engine.ts';
import { workingFrames, type WorkingGeometry } from './working-frames.ts';

export interface SelectOptions {
  /** Signals from an earlier analysis of the same source at the same geometry (skips the analysis pass). */
  readonly signals?: FrameSignals;
  readonly signal?: AbortSignal;
  readonly onProgress?: ProgressListener;
  /** Receives 'probe', 'analysis' (when the pass runs) and 'selection'. */
  readonly timer?: StageTimer;
}

export interface SelectedKeyframes {
  readonly source: ProbeInfo;
  readonly signals: FrameSignals;
  readonly frameCount: number;
  /** Ascending frame numbers, starting with 0. */
  readonly keyframes: number[];
  readonly trace: SelectionTrace;
}

export async function selectVideoKeyframes(engine: Engine, input: string, geometry: WorkingGeometry, selection: SelectionParams, options: SelectOptions = {}): Promise<SelectedKeyframes> {
  const { signal, onProgress } = options;
  const timer = options.timer ?? new StageTimer();
  const source = await timer.time('probe', () => probe(input, signal));
  const expected = expectedFrameCount(source, geometry.fpsNum, geometry.fpsDen);
  const signals =
    options.signals ??
    (await timer.time('analysis', () =>
      analyzeFrames(workingFrames(input, geometry, signal), {
        embedder: engine.embedder,
        flow: engine.analysisFlow,
        signal,
        onProgress: (done: number) => onProgress?.({ stage: 'analysis', done, total: expected }),
      }),
    ));
  if (signals.frameCount === 0) throw new M3cError('input', `${input} has no video frames`);
  const { keyframes, trace } = timer.timeSync('selection', () => selectKeyframes(signals, selection));
  return { source, signals, frameCount: signals.frameCount, keyframes, trace };
}

export interface AnalyzeResult {
  readonly frameCount: number;
  readonly signals: FrameSignals;
  readonly keyframes: number[];
  readonly trace: SelectionTrace;
  readonly analysisMs: number;
  readonly selectionMs: number;
}

/** Per-frame signals (computed once) and the keyframes they select with the given parameters. */
export async function analyzeVideo(engine: Engine, input: string, geometry: WorkingGeometry, selection: SelectionParams, options: { signal?: AbortSignal; onProgress?: ProgressListener } = {}): Promise<AnalyzeResult> {
  const timer = new StageTimer();
  const r = await selectVideoKeyframes(engine, input, geometry, selection, { ...options, timer });
  return { frameCount: r.frameCount, signals: r.signals, keyframes: r.keyframes, trace: r.trace, analysisMs: timer.timings.analysis, selectionMs: timer.timings.selection };
}
