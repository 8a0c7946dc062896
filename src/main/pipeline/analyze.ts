import type { Geometry } from '../../shared/engine/frame.ts';
import type { ProgressListener } from '../../shared/engine/progress.ts';
import { M3cError } from '../../shared/engine/errors.ts';
import { selectKeyframes, type FrameSignals, type SelectionParams } from '../../shared/keyframes/index.ts';
import { analyzeFrames } from '../analysis/index.ts';
import { decodeFrames, probe } from '../media/index.ts';
import type { Engine } from './engine.ts';

export interface AnalyzeResult {
  readonly frameCount: number;
  readonly signals: FrameSignals;
  readonly keyframes: number[];
  readonly trace: { semantic: Float32Array; motion: Float32Array; d: Float32Array };
  readonly analysisMs: number;
  readonly selectionMs: number;
}

/** Per-frame signals (computed once) and the keyframes they select with the given parameters. */
export async function analyzeVideo(engine: Engine, input: string, geometry: Geometry, selection: SelectionParams, options: { signal?: AbortSignal; onProgress?: ProgressListener } = {}): Promise<AnalyzeResult> {
  const info = await probe(input, options.signal);
  const expected = Math.max(1, Math.round((info.durationSec * geometry.fpsNum) / geometry.fpsDen));
  const t0 = performance.now();
  const signals = await analyzeFrames(decodeFrames(input, { ...geometry, signal: options.signal }), {
    embedder: engine.embedder,
    flow: engine.analysisFlow,
    signal: options.signal,
    onProgress: (done: number) => options.onProgress?.({ stage: 'analysis', done, total: expected }),
  });
  const analysisMs = performance.now() - t0;
  if (signals.frameCount === 0) throw new M3cError('input', `${input} has no video frames`);
  const t1 = performance.now();
  const { keyframes, trace } = selectKeyframes(signals, selection);
  return { frameCount: signals.frameCount, signals, keyframes, trace, analysisMs, selectionMs: performance.now() - t1 };
}
