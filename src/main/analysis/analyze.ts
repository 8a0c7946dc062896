/**
 * Computes a video's keyframe-selection signals once: the embedding of every frame and the flow from each frame
 * to the next, reduced to a coarse grid. Keyframe selection then runs on these alone (src/shared/keyframes).
 */
import type { RgbFrame } from '../../shared/engine/frame.ts';
import type { FlowEstimator, ImageEmbedder } from '../../shared/engine/interfaces.ts';
import { M3cError, throwIfAborted } from '../../shared/engine/errors.ts';
import { flowFieldToGrid, makeFrameSignals } from '../../shared/keyframes/index.ts';
import type { FrameSignals } from '../../shared/keyframes/index.ts';

/** 16 px cells at 512x320: fine enough that a small moving subject still moves its cells. */
export const DEFAULT_FLOW_GRID = { width: 32, height: 20 } as const;

export interface AnalyzeOptions {
  readonly embedder: ImageEmbedder;
  readonly flow: FlowEstimator;
  readonly gridWidth?: number;
  readonly gridHeight?: number;
  readonly signal?: AbortSignal;
  /** Called after each frame with the number of frames analysed so far. */
  readonly onProgress?: (framesAnalysed: number) => void;
}

export async function analyzeFrames(frames: AsyncIterable<RgbFrame>, options: AnalyzeOptions): Promise<FrameSignals> {
  const { embedder, flow, signal, onProgress } = options;
  const gridWidth = options.gridWidth ?? DEFAULT_FLOW_GRID.width;
  const gridHeight = options.gridHeight ?? DEFAULT_FLOW_GRID.height;
  const embeddings: Float32Array[] = [];
  const grids: Float32Array[] = [];
  let previous: RgbFrame | undefined;
  let dim = 0;

  throwIfAborted(signal);
  for await (const frame of frames) {
    throwIfAborted(signal);
    if (previous && (frame.width !== previous.width || frame.height !== previous.height)) {
      throw new M3cError('input', `frame ${embeddings.length} is ${frame.width}x${frame.height}, earlier frames ${previous.width}x${previous.height}; decode at one size`);
    }
    const e = await embedder.embed(frame);
    if (dim === 0) dim = e.length;
    if (e.length !== dim || dim === 0) {
      throw new M3cError('internal', `embedder ${embedder.id} returned ${e.length} values after ${dim}`);
    }
    embeddings.push(e);
    if (previous) {
      const field = await flow.estimate(previous, frame, signal);
      grids.push(flowFieldToGrid(field, gridWidth, gridHeight));
    } else {
      grids.push(new Float32Array(gridWidth * gridHeight * 2));
    }
    previous = frame;
    onProgress?.(embeddings.length);
  }
  throwIfAborted(signal);
  if (!previous) throw new M3cError('input', 'the video has no frames to analyse; check that it decodes');

  return makeFrameSignals({
    frameWidth: previous.width,
    frameHeight: previous.height,
    embedderId: embedder.id,
    flowId: flow.id,
    embeddingDim: dim,
    embeddings: concat(embeddings),
    gridWidth,
    gridHeight,
    flow: concat(grids),
  });
}

function concat(parts: Float32Array[]): Float32Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Float32Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
