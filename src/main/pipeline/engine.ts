/**
 * Composition root of the codec: which backend fills each stage. The pipeline sees interfaces
 * only; a decoder looks backends up by the ids written in the bitstream and refuses unknown ones.
 */
import type { ClipReconstructor, ClipRequest, FlowEstimator, ImageEmbedder, KeyframeCodec, KeyframeCodecKind } from '../../shared/engine/interfaces.ts';
import type { Geometry, RgbFrame } from '../../shared/engine/frame.ts';
import { M3cError } from '../../shared/engine/errors.ts';
import { AppearanceEmbedder } from '../analysis/index.ts';
import { DenseFlowEstimator } from '../../shared/vision/index.ts';
import { createReconstructor } from '../../shared/reconstruct/index.ts';
import { ClassicalAv1KeyframeCodec, CLASSICAL_DEFAULT_BUDGET } from '../codecs/index.ts';
import { checkRealism, GuideRestorer, hasRealism, hasRestoration } from '../codecs/guide-restore.ts';
import { availableGrids, DEFAULT_DENOISER_STEPS, LearnedKeyframeCodec, learnedSlots, MAX_DENOISER_STEPS, type TokenGrid } from '../codecs/learned/index.ts';
import { TEXT_CODER_ID } from '../../shared/text/index.ts';
import { loadManifest, modelPackHash, SessionCache, type ModelManifest } from '../inference/index.ts';
import { GUIDE_WARP_WEIGHT } from './guide.ts';

/**
 * The reconstruction of a guided file (issue 10): guide track (guided clips, shared/reconstruct/guided.ts)
 * and classical-flow-v2 for its prediction and interpolation clips.
 */
export const GUIDED_RECONSTRUCTOR_ID = 'guided-flow-v2';
/** guided-flow-v2 with every guided frame then restored by the pack's guide-restore model (codecs/guide-restore.ts). */
export const GUIDED_RESTORE_RECONSTRUCTOR_ID = 'guided-restore-v2';
/**
 * The ids of the first guided build (its guide track cross-faded half of every interpolated frame, warp
 * weight 0.5); its files decode as they did. v2 interpolates the guide with warp weight GUIDE_WARP_WEIGHT.
 */
export const GUIDED_V1_RECONSTRUCTOR_IDS = { flow: 'guided-flow-v1', restore: 'guided-restore-v1' } as const;

/** Whether a file's reconstructor restores every guided frame. */
export function restoresGuided(reconstructorId: string): boolean {
  return reconstructorId === GUIDED_RESTORE_RECONSTRUCTOR_ID || reconstructorId === GUIDED_V1_RECONSTRUCTOR_IDS.restore;
}

/** The guide track's warp weight for a file's reconstructor (pipeline/guide.ts guideTrack). */
export function guideWarpWeightOf(reconstructorId: string): number {
  return reconstructorId === GUIDED_V1_RECONSTRUCTOR_IDS.flow || reconstructorId === GUIDED_V1_RECONSTRUCTOR_IDS.restore ? 0.5 : GUIDE_WARP_WEIGHT;
}

export const DEFAULT_GEOMETRY: Geometry = { width: 512, height: 320, fpsNum: 8, fpsDen: 1 };

export interface Engine {
  readonly embedder: ImageEmbedder;
  /** Flow used by the keyframe analysis (small working size, fast). */
  readonly analysisFlow: FlowEstimator;
  /** The codec new encodes use: the one EngineOptions.keyframeCodec chose. */
  readonly keyframeCodec: KeyframeCodec;
  /** Which of the two `keyframeCodec` is ('auto' resolved). */
  readonly keyframeCodecKind: KeyframeCodecKind;
  /** The budget of `keyframeCodec` when the caller gives none. */
  readonly defaultKeyframeBudget: number;
  /** Token grids whose learned models the pack provides (empty: the learned codec is unavailable). */
  readonly learnedGrids: readonly TokenGrid[];
  readonly reconstructor: ClipReconstructor;
  /** Flow of the guided clips' detail, at the guide's size. */
  readonly detailFlow: FlowEstimator;
  /** The learned restoration of guided frames, when the pack has its model (guided encodes then name GUIDED_RESTORE_RECONSTRUCTOR_ID). */
  readonly restorer?: GuideRestorer;
  /** Whether new guided encodes use `restorer` (it exists and EngineOptions.restoration is not false). */
  readonly restoreGuided: boolean;
  readonly textCoderId: string;
  readonly manifest: ModelManifest;
  readonly modelPackHash: Uint8Array;
  keyframeCodecById(id: string): KeyframeCodec;
  reconstructorById(id: string): ClipReconstructor;
  /** Releases the ONNX Runtime sessions; the engine must not be used afterwards. */
  dispose(): Promise<void>;
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

/** 'auto': the learned codec when the pack provides at least one complete token grid, else classical. */
export type KeyframeCodecChoice = KeyframeCodecKind | 'auto';
export type { KeyframeCodecKind };
export const KEYFRAME_CODEC_CHOICES: readonly KeyframeCodecChoice[] = ['learned', 'classical', 'auto'];

/**
 * Default byte budget of the learned codec. Its rate is set by the token grid, not by a quantiser:
 * the budget only decides which grid fits (the finest grid whose payload fits, else the coarsest).
 * 640 B is one byte per token of the coarse map at 512x320 (32x20 tokens at 8 bits, the codebook's
 * raw cost): the coarse map codes under it (about 6 bits per token, ~490 B measured), while the fine
 * map has four times the tokens and fits only on a nearly flat frame, where it then costs no more.
 * So by default every keyframe uses the coarse grid, and the figure doubles as the studio's
 * per-keyframe rate estimate.
 */
export const LEARNED_DEFAULT_BUDGET = 640;

export interface EngineOptions {
  /** Folder holding manifest.json (default: resources/models of this checkout or the packaged app). */
  readonly modelsDir?: string;
  /** Keyframe codec of new encodes (default 'auto'). Decoding picks the codec the file names, whatever this says. */
  readonly keyframeCodec?: KeyframeCodecChoice;
  /**
   * Euler steps of the learned codec's latent denoiser when decoding, 0..8 (default 4; 0 decodes z^
   * directly). The .m3c does not record it: decoding a file with another N gives other frames.
   */
  readonly denoiserSteps?: number;
  /**
   * Guided files with restoration: the decoder's fidelity/realism setting, 0 (fidelity, default) .. 1
   * (realism). Not recorded in the .m3c: decoding with another value gives other frames.
   */
  readonly realism?: number;
  /** Guided encodes: whether to use the pack's restoration model when it has one (default true). */
  readonly restoration?: boolean;
}

function checkDenoiserSteps(steps: number): number {
  if (!Number.isInteger(steps) || steps < 0 || steps > MAX_DENOISER_STEPS) {
    throw new M3cError('usage', `denoiser steps must be an integer in 0..${MAX_DENOISER_STEPS}, got ${steps}`);
  }
  return steps;
}

export function createEngine(options: EngineOptions = {}): Engine {
  const manifest = loadManifest(options.modelsDir);
  const choice = options.keyframeCodec ?? 'auto';
  const denoiserSteps = checkDenoiserSteps(options.denoiserSteps ?? DEFAULT_DENOISER_STEPS);
  const learnedGrids = availableGrids(manifest);
  if (choice === 'learned' && learnedGrids.length === 0) {
    const slots = Object.values(learnedSlots('coarse')).join(', ');
    throw new M3cError(
      'model',
      `model pack ${manifest.packId} (${manifest.dir}) has no learned keyframe codec models (${slots}, or the same for "fine"): install a pack that has them or use --keyframe-codec classical`,
    );
  }
  const classical = new ClassicalAv1KeyframeCodec();
  // Sessions are created on first use, so registering the learned codec for decoding costs nothing
  // until a file that needs it arrives.
  const learned = learnedGrids.length > 0 ? new LearnedKeyframeCodec(new SessionCache(manifest), { denoiserSteps }) : undefined;
  const keyframeCodecKind: KeyframeCodecKind = choice !== 'classical' && learned ? 'learned' : 'classical';
  const keyframeCodec: KeyframeCodec = keyframeCodecKind === 'learned' && learned ? learned : classical;
  const reconstructor = new ClassicalClipReconstructor(new DenseFlowEstimator());
  const codecs = new Map<string, KeyframeCodec>([[classical.id, classical]]);
  if (learned) codecs.set(learned.id, learned);
  // A guided file names the guided reconstruction; its prediction and interpolation clips use today's.
  const reconstructors = new Map<string, ClipReconstructor>([
    [reconstructor.id, reconstructor],
    [GUIDED_RECONSTRUCTOR_ID, reconstructor],
    [GUIDED_V1_RECONSTRUCTOR_IDS.flow, reconstructor],
  ]);
  const restorer = hasRestoration(manifest) ? new GuideRestorer(new SessionCache(manifest), checkRealism(options.realism ?? 0), hasRealism(manifest)) : undefined;
  if (restorer) {
    reconstructors.set(GUIDED_RESTORE_RECONSTRUCTOR_ID, reconstructor);
    reconstructors.set(GUIDED_V1_RECONSTRUCTOR_IDS.restore, reconstructor);
  }

  return {
    embedder: new AppearanceEmbedder(),
    analysisFlow: new DenseFlowEstimator(),
    keyframeCodec,
    keyframeCodecKind,
    defaultKeyframeBudget: keyframeCodecKind === 'learned' ? LEARNED_DEFAULT_BUDGET : CLASSICAL_DEFAULT_BUDGET,
    learnedGrids,
    reconstructor,
    detailFlow: new DenseFlowEstimator({ workingWidth: 256 }),
    ...(restorer ? { restorer } : {}),
    restoreGuided: restorer !== undefined && options.restoration !== false,
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
    async dispose() {
      await learned?.dispose();
      await restorer?.dispose();
    },
  };
}
