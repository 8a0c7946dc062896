/**
 * The stage interfaces of the M3-CVC engine. The pipeline composes them; every backend
 * (classical today, learned later) implements one of these and nothing else.
 */
import type { ProgressListener } from './progress.ts';
import type { RgbFrame, Geometry } from './frame.ts';

/** Maps a frame to an L2-normalised embedding; cosine similarity of two embeddings is their dot product. */
export interface ImageEmbedder {
  /** Stable identifier stored with the signals, e.g. "appearance-hist-v1". */
  readonly id: string;
  embed(frame: RgbFrame): Promise<Float32Array>;
}

/** Dense optical flow from `from` to `to`: to(x + u, y + v) ≈ from(x, y). */
export interface FlowField {
  readonly width: number;
  readonly height: number;
  /** Horizontal displacement in pixels of this field's own grid, row-major. */
  readonly u: Float32Array;
  /** Vertical displacement in pixels of this field's own grid, row-major. */
  readonly v: Float32Array;
}

export interface FlowEstimator {
  readonly id: string;
  estimate(from: RgbFrame, to: RgbFrame, signal?: AbortSignal): Promise<FlowField>;
}

export interface KeyframeEncodeOptions {
  /** Target size of the payload in bytes; the codec lands at or under it where it can. */
  readonly budgetBytes: number;
  readonly signal?: AbortSignal;
}

export interface KeyframeDecodeOptions {
  /** Deterministic seed for any stochastic decoding (derived from the bitstream). */
  readonly seed: number;
  /** Keyframe description D^F, for decoders that can use text (ignored otherwise). */
  readonly text: string;
  readonly signal?: AbortSignal;
}

/** The two keyframe codec families: the learned VQ codec (needs its models in the pack) or AV1 intra. */
export type KeyframeCodecKind = 'learned' | 'classical';

/** frame -> bytes -> frame. `id` is written into the bitstream; a decoder refuses other ids. */
export interface KeyframeCodec {
  readonly id: string;
  encode(frame: RgbFrame, options: KeyframeEncodeOptions): Promise<Uint8Array>;
  decode(payload: Uint8Array, geometry: Geometry, options: KeyframeDecodeOptions): Promise<RgbFrame>;
}

/**
 * The paper's two modes, and 'guided' (issue 10): every frame is built from the file's guide stream (a
 * classical low-resolution video carrying motion and colour) with the keyframes as detail references.
 */
export type ReconstructionMode = 'prediction' | 'interpolation' | 'guided';
export const RECONSTRUCTION_MODES: readonly ReconstructionMode[] = ['guided', 'interpolation', 'prediction'];

export interface ClipRequest {
  readonly mode: ReconstructionMode;
  /** Decoded keyframe that opens the clip (frame 0 of the clip). */
  readonly first: RgbFrame;
  /** Decoded keyframe that opens the next clip; required for interpolation, absent for the last clip. */
  readonly next?: RgbFrame;
  /**
   * The decoded keyframe of the previous clip and how many frames before `first` it lies, when there is one.
   * Prediction may use it to estimate motion already seen (nothing about motion is transmitted).
   */
  readonly previous?: { readonly frame: RgbFrame; readonly distance: number };
  /** Number of frames in the clip, keyframe included. */
  readonly length: number;
  /** Clip description D^C, for reconstructors that can use text (ignored otherwise). */
  readonly text: string;
  readonly seed: number;
  readonly signal?: AbortSignal;
}

/** Produces the `length` frames of one clip, the keyframe first, in display order. */
export interface ClipReconstructor {
  readonly id: string;
  reconstruct(request: ClipRequest): AsyncIterable<RgbFrame>;
}

export interface ItemDescriptions {
  /** Keyframe description D^F. */
  readonly keyframe: string;
  /** Clip description D^C. */
  readonly clip: string;
}

export interface DescribeRequest {
  /** Frame numbers of the keyframes, from 0, increasing: clip i is frames [keyframes[i], keyframes[i + 1]), the last clip ends at frameCount. */
  readonly keyframes: readonly number[];
  readonly frameCount: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: ProgressListener;
}

/**
 * Writes the texts that travel with each keyframe and clip (the paper's D^F and D^C), one entry per clip of
 * the request. A describer is bound to its video when it is made (the LMM dialogue, a descriptions file).
 */
export interface Describer {
  readonly id: string;
  describe(request: DescribeRequest): Promise<ItemDescriptions[]>;
}
