/**
 * "Interpolation" mode without a generative model: bidirectional flow-based frame interpolation.
 *
 * Flows F01 (first -> next) and F10 (next -> first) are estimated once per clip on the
 * estimator's grid. For frame k of a clip of `length` frames, t = k / length (the next keyframe is
 * frame `length`). Each keyframe is backward-warped to time t with an inverted, scaled flow:
 * G_t0 solves x + G_t0(x) = p with p + t·F01(p) = x (fixed-point iteration, see invertScaledFlow),
 * and likewise G_t1 from (1 - t)·F10. This treats motion as linear in time between the keyframes.
 * The two warped keyframes are blended with weights (1 - t)·r0 and t·r1, where r0, r1 are the
 * forward-backward consistency reliabilities of the pixels each side samples: where one side's
 * flow is unreliable (typically occlusion), the other side supplies the pixel; where both are,
 * the temporal weights decide. Frame 0 is an exact copy of the first keyframe.
 *
 * Real motion over a few frames is far from linear in time, and a sharp but misplaced frame costs
 * more squared error than a double exposure. So the motion-compensated blend is mixed with the plain
 * cross-fade, its weight WARP_WEIGHT·r where r is the better of the two sides' consistency
 * reliabilities at the pixels they sample: where neither flow can be trusted, the cross-fade takes
 * over; even where both can, half of the cross-fade stays (tuned on training clips, see
 * docs/reconstruction.md).
 *
 * Across a hard cut the two keyframes share no content and any blend is a ghostly cross-fade, so
 * when analysePair judges them unrelated, the clip holds the first keyframe. Without a next
 * keyframe (the last clip), or for a request whose mode is "prediction", the clip is delegated to
 * motion extrapolation.
 */
import type { RgbFrame } from '../engine/frame.ts';
import type { ClipReconstructor, ClipRequest, FlowEstimator } from '../engine/interfaces.ts';
import { throwIfAborted } from '../engine/errors.ts';
import { invertScaledFlow } from '../vision/flow-field.ts';
import { sampleBilinear } from '../vision/sample.ts';
import { MotionExtrapolationReconstructor, type ExtrapolationOptions } from './extrapolation.ts';
import { analysePair } from './relation.ts';
import { checkRequest } from './request.ts';
import { blendWarped, copyFrame, reliability } from './synthesis.ts';

/** Floor on each side's reliability so that where both flows fail the temporal weights still apply. */
const RELIABILITY_FLOOR = 0.05;
/** Weight of the motion-compensated blend against the cross-fade where the flow is fully consistent. */
const WARP_WEIGHT = 0.5;

export interface InterpolationOptions extends ExtrapolationOptions {
  /**
   * Weight of the motion-compensated blend against the cross-fade where the flow is fully consistent
   * (default WARP_WEIGHT). The guide track uses 1: its frames are a few working frames apart, where the
   * flow holds and the cross-fade only adds double exposures (docs/guided.md, "Ghosting").
   */
  readonly warpWeight?: number;
}

export class FlowInterpolationReconstructor implements ClipReconstructor {
  readonly id: string;
  private readonly fallback: MotionExtrapolationReconstructor;
  private readonly warpWeight: number;

  constructor(
    private readonly flow: FlowEstimator,
    options: InterpolationOptions = {},
  ) {
    this.fallback = new MotionExtrapolationReconstructor(flow, options);
    this.warpWeight = options.warpWeight ?? WARP_WEIGHT;
    if (!(this.warpWeight >= 0 && this.warpWeight <= 1)) throw new RangeError(`interpolation warp weight must be in [0, 1], got ${this.warpWeight}`);
    this.id = this.warpWeight === WARP_WEIGHT ? `interpolate-v2+${flow.id}` : `interpolate-v2:w${this.warpWeight}+${flow.id}`;
  }

  async *reconstruct(request: ClipRequest): AsyncGenerator<RgbFrame> {
    checkRequest(request);
    const { first, next, length, signal } = request;
    if (!next || request.mode === 'prediction') {
      yield* this.fallback.reconstruct(request);
      return;
    }
    throwIfAborted(signal);
    yield copyFrame(first);
    if (length === 1) return;
    const pair = await analysePair(first, next, this.flow, signal);
    const { width, height } = pair.forward;
    const n = width * height;
    const errA = { width, height, data: pair.errorA };
    const errB = { width, height, data: pair.errorB };
    const alpha = new Float32Array(n);
    const warpWeight = new Float32Array(n);
    for (let k = 1; k < length; k++) {
      throwIfAborted(signal);
      if (!pair.related) {
        yield copyFrame(first);
        continue;
      }
      const t = k / length;
      const g0 = invertScaledFlow(pair.forward, t);
      const g1 = invertScaledFlow(pair.backward, 1 - t);
      for (let y = 0, i = 0; y < height; y++) {
        for (let x = 0; x < width; x++, i++) {
          const r0 = reliability(sampleBilinear(errA, x + g0.u[i], y + g0.v[i]), 1);
          const r1 = reliability(sampleBilinear(errB, x + g1.u[i], y + g1.v[i]), 1);
          const w0 = (1 - t) * (r0 + RELIABILITY_FLOOR);
          const w1 = t * (r1 + RELIABILITY_FLOOR);
          alpha[i] = w0 / (w0 + w1);
          warpWeight[i] = this.warpWeight * Math.max(r0, r1);
        }
      }
      yield blendWarped(first, g0, next, g1, alpha, { warpWeight, t });
    }
  }
}
