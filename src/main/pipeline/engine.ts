/**
 * Composition root of the codec: which backend fills each stage. The pipeline sees interfaces
 * only; a decoder looks backends up by the ids written in the bitstream and refuses unknown ones.
 */
import type { ClipReconstructor, ClipRequest, FlowEstimator, ImageEmbedder, KeyframeCodec } from '../../shared/engine/interfaces.ts';
import type { Geometry, RgbFrame } from '../../shared/engine/frame.ts';
import { M3cError } from '../../shared/engine/errors.ts';
import { AppearanceEmbedder } from '../analysis/index.ts';
import { DenseFlowEstimator } from '../../shared/vision/index.ts';
import { createReconstructor } from '../../shared/reconstruct/index.ts';
import { ClassicalAv1KeyframeCodec, CLASSICAL_DEFAULT_BUDGET } from '../codecs/index.ts';
import { TEXT_CODER_ID } from '../../shared/text/index.ts';
import { loadManifest, modelPackHash, type ModelManifest } from '../inference/index.ts';

export const DEFAULT_GEOMETRY: Geometry = { width: 512, height: 320, fpsNum: 8, fpsDen: 1 };

export interface Engine {
  readonly embedder: ImageEmbedder;
  /** Flow used by the keyframe analysis (small working size, fast). */
  readonly analysisFlow: FlowEstimator;
  readonly keyframeCodec: KeyframeCodec;
  readonly defaultKeyframeBudget: number;
  readonly reconstructor: ClipReconstructor;
  readonly textCoderId: string;
  readonly manifest: ModelManifest;
  readonly modelPackHash: Uint8Array;
  keyframeCodecById(id: string): KeyframeCodec;
  reconstructorById(id: string): ClipReconstructor;
}

/**
 * Today's clip reconstruction: flow-based interpolation between decoded keyframes, or motion
 * extrapolation from the keyframe (and the previous one) where there is no next keyframe or the
 * clip asks for prediction. Neither uses the clip text; the id says so.
 */
class ClassicalClipReconstructor implements ClipReconstructor {
  // v2: interpolation mixes the motion-compensated frame with the cross-fade by flow consistency.
  readonly id = 'classical-flow-v2';
  private readonly interpolation: ClipReconstructor;
  private readonly prediction: ClipReconstructor;
  constructor(flow: FlowEstimator) {
    this.interpolation = createReconstructor('interpolation', flow);
    this.prediction = createReconstructor('prediction', flow);
  }
  reconstruct(request: ClipRequest): AsyncIterable<RgbFrame> {
    return (request.mode === 'interpolation' && request.next ? this.interpolation : this.prediction).reconstruct(request);
  }
}

export interface EngineOptions {
  /** Folder holding manifest.json (default: resources/models of this checkout or the packaged app). */
  readonly modelsDir?: string;
}

export function createEngine(options: EngineOptions = {}): Engine {
  const manifest = loadManifest(options.modelsDir);
  const keyframeCodec = new ClassicalAv1KeyframeCodec();
  const reconstructor = new ClassicalClipReconstructor(new DenseFlowEstimator());
  const codecs = new Map<string, KeyframeCodec>([[keyframeCodec.id, keyframeCodec]]);
  const reconstructors = new Map<string, ClipReconstructor>([[reconstructor.id, reconstructor]]);
  return {
    embedder: new AppearanceEmbedder(),
    analysisFlow: new DenseFlowEstimator(),
    keyframeCodec,
    defaultKeyframeBudget: CLASSICAL_DEFAULT_BUDGET,
    reconstructor,
    textCoderId: TEXT_CODER_ID,
    manifest,
    modelPackHash: modelPackHash(manifest),
    keyframeCodecById(id) {
      const c = codecs.get(id);
      if (!c) throw new M3cError('model', `this .m3c needs keyframe codec "${id}", which this installation does not have (it has ${[...codecs.keys()].join(', ')})`);
      return c;
    },
    reconstructorById(id) {
      const r = reconstructors.get(id);
      if (!r) throw new M3cError('model', `this .m3c needs clip reconstructor "${id}", which this installation does not have (it has ${[...reconstructors.keys()].join(', ')})`);
      return r;
    },
  };
}
