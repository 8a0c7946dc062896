/**
 * The guide of a guided file as a track of frames at the working rate: frames between two coded guide
 * frames are made by flow interpolation at the guide's size (the classical anchor only repeats them:
 * the first of the "cheap gains" of issue 10), then every frame is upscaled to the working size with the
 * PyTorch-compatible bicubic (vision/rgb-resize.ts) that the restoration model is trained on. After the
 * last coded frame the track holds it.
 *
 * Frames come out in order, one at a time; the track keeps only the two coded frames around the
 * current one and the interpolated frames of their interval.
 */
import type { RgbFrame } from '../engine/frame.ts';
import type { ClipReconstructor } from '../engine/interfaces.ts';
import { M3cError, throwIfAborted } from '../engine/errors.ts';
import { resizeRgbBicubic } from '../vision/rgb-resize.ts';

export interface GuideFrame {
  /** The guide at its own size (interpolated between coded frames). */
  readonly small: RgbFrame;
  /** `small` upscaled to the working size. */
  readonly base: RgbFrame;
}

export interface GuideTrackInput {
  /** The decoded coded frames, in order. */
  readonly coded: readonly RgbFrame[];
  /** The working frame index of each coded frame, increasing, the first 0. */
  readonly indices: readonly number[];
  readonly frameCount: number;
  readonly width: number;
  readonly height: number;
  /** Interpolates between two coded frames (an 'interpolation' ClipReconstructor at the guide's size). */
  readonly interpolator: ClipReconstructor;
  /**
   * The picture domain of each working frame (a foveated guide over a frame range: warped or not). Between two
   * coded frames of different domains nothing is interpolated: each frame holds the nearer coded frame of its
   * own domain, so no frame blends a warped picture with an unwarped one.
   */
  readonly domainOf?: (frame: number) => number;
}

export class GuideTrack {
  private position = 0;
  private segment: RgbFrame[] = [];
  private segmentStart = 0;
  private segmentIndex = -1;

  constructor(private readonly input: GuideTrackInput) {
    const { coded, indices } = input;
    if (coded.length === 0 || coded.length !== indices.length || indices[0] !== 0) {
      throw new M3cError('internal', `guide track needs coded frames at increasing indices from 0 (${coded.length} frames, ${indices.length} indices)`);
    }
  }

  /** Frames handed out so far (the working index of the next one). */
  get next(): number {
    return this.position;
  }

  /** The next working frame of the guide. */
  async take(signal?: AbortSignal): Promise<GuideFrame> {
    throwIfAborted(signal);
    const { frameCount, width, height } = this.input;
    if (this.position >= frameCount) throw new M3cError('internal', `guide track has only ${frameCount} frames`);
    const j = this.position++;
    const small = await this.smallAt(j, signal);
    return { small, base: resizeRgbBicubic(small, width, height) };
  }

  /** The next working frame of the guide at the guide's own size, not upscaled (the guide search's scoring). */
  async takeSmall(signal?: AbortSignal): Promise<RgbFrame> {
    throwIfAborted(signal);
    if (this.position >= this.input.frameCount) throw new M3cError('internal', `guide track has only ${this.input.frameCount} frames`);
    return this.smallAt(this.position++, signal);
  }

  /** Skips frames (a clip of another mode in a guided file), without upscaling them. */
  async skip(count: number, signal?: AbortSignal): Promise<void> {
    for (let k = 0; k < count; k++) {
      await this.smallAt(this.position, signal);
      this.position++;
    }
  }

  private async smallAt(j: number, signal?: AbortSignal): Promise<RgbFrame> {
    const { coded, indices, interpolator } = this.input;
    let k = this.segmentIndex;
    while (k + 1 < indices.length && indices[k + 1] <= j) k++;
    if (k !== this.segmentIndex) {
      this.segmentIndex = k;
      this.segmentStart = indices[k];
      const domainOf = this.input.domainOf;
      if (k + 1 < indices.length && domainOf && domainOf(indices[k]) !== domainOf(indices[k + 1])) {
        const after = domainOf(indices[k + 1]);
        this.segment = Array.from({ length: indices[k + 1] - indices[k] }, (_, o) => (domainOf(indices[k] + o) === after ? coded[k + 1] : coded[k]));
      } else if (k + 1 < indices.length) {
        const length = indices[k + 1] - indices[k];
        const frames: RgbFrame[] = [];
        for await (const f of interpolator.reconstruct({ mode: 'interpolation', first: coded[k], next: coded[k + 1], length, text: '', seed: 0, signal })) frames.push(f);
        if (frames.length !== length) throw new M3cError('internal', `guide interpolation gave ${frames.length} frames for ${length}`);
        this.segment = frames;
      } else {
        this.segment = [coded[k]];
      }
    }
    const offset = j - this.segmentStart;
    return this.segment[Math.min(offset, this.segment.length - 1)];
  }
}
