/**
 * "Prediction" mode without a generative model: constant-velocity motion extrapolation.
 *
 * Nothing about motion is transmitted, so the only motion evidence at the decoder is the change
 * between the previous clip's decoded keyframe and the current one. When that pair is reliably
 * related, the per-frame velocity v = -F(first -> previous) / distance is carried forward:
 * frame k shows `first` with each pixel moved by s_k·v, s_k = 1 + γ + ... + γ^(k-1) (geometric
 * damping, because constant velocity is a guess that gets worse with time), and the total
 * displacement bounded by `maxShift` of the picture diagonal. Pixels whose forward and backward
 * flows disagree (occlusions, bad matches) have their velocity pulled to zero. Otherwise, and
 * always for the first clip, the keyframe is held. Uncovered regions are filled by the border
 * clamp of the warp, not invented.
 */
import type { RgbFrame } from '../engine/frame.ts';
import type { ClipReconstructor, ClipRequest, FlowEstimator, FlowField } from '../engine/interfaces.ts';
import { throwIfAborted } from '../engine/errors.ts';
import { invertScaledFlow } from '../vision/flow-field.ts';
import { analysePair } from './relation.ts';
import { blendWarped, copyFrame, reliability } from './synthesis.ts';
import { checkRequest } from './request.ts';

export interface ExtrapolationOptions {
  /** Per-frame velocity decay γ in (0, 1]. Default 0.5. */
  readonly damping?: number;
  /** Bound on the total displacement, as a fraction of the picture diagonal. Default 0.05. */
  readonly maxShift?: number;
  /** Minimum share of forward-backward consistent pixels to trust the observed motion. Default 0.6. */
  readonly minConsistent?: number;
  /** Longest keyframe distance (frames) over which a velocity is still extrapolated. Default 16. */
  readonly maxDistance?: number;
}

export class MotionExtrapolationReconstructor implements ClipReconstructor {
  readonly id: string;
  private readonly damping: number;
  private readonly maxShift: number;
  private readonly minConsistent: number;
  private readonly maxDistance: number;

  constructor(
    private readonly flow: FlowEstimator,
    options: ExtrapolationOptions = {},
  ) {
    this.damping = options.damping ?? 0.5;
    this.maxShift = options.maxShift ?? 0.05;
    this.minConsistent = options.minConsistent ?? 0.6;
    this.maxDistance = options.maxDistance ?? 16;
    if (!(this.damping > 0 && this.damping <= 1)) throw new RangeError(`damping must be in (0, 1], got ${this.damping}`);
    if (!(this.maxShift >= 0)) throw new RangeError(`maxShift must be >= 0, got ${this.maxShift}`);
    this.id = `extrapolate-v1:g${this.damping}:m${this.maxShift}:c${this.minConsistent}:d${this.maxDistance}+${flow.id}`;
  }

  async *reconstruct(request: ClipRequest): AsyncGenerator<RgbFrame> {
    checkRequest(request);
    const { first, length, signal } = request;
    throwIfAborted(signal);
    yield copyFrame(first);
    if (length === 1) return;
    const velocity = await this.observedVelocity(request);
    for (let k = 1; k < length; k++) {
      throwIfAborted(signal);
      if (velocity === null) {
        yield copyFrame(first);
        continue;
      }
      const steps = this.damping === 1 ? k : (1 - this.damping ** k) / (1 - this.damping);
      const g = invertScaledFlow(velocity.field, Math.min(steps, velocity.maxSteps));
      yield blendWarped(first, g);
    }
  }

  /** Per-frame forward motion of `first`'s content, or null when holding is the honest answer. */
  private async observedVelocity(request: ClipRequest): Promise<{ field: FlowField; maxSteps: number } | null> {
    const prev = request.previous;
    if (!prev || prev.distance < 1 || prev.distance > this.maxDistance) return null;
    const pair = await analysePair(request.first, prev.frame, this.flow, request.signal);
    if (!pair.related || pair.consistentFraction < this.minConsistent) return null;
    const { width, height, u, v } = pair.forward;
    const n = width * height;
    const vu = new Float32Array(n);
    const vv = new Float32Array(n);
    let peak = 0;
    for (let i = 0; i < n; i++) {
      const r = reliability(pair.errorA[i], 1) / prev.distance;
      vu[i] = -u[i] * r;
      vv[i] = -v[i] * r;
      const m = Math.hypot(vu[i], vv[i]);
      if (m > peak) peak = m;
    }
    if (peak === 0) return null;
    const maxSteps = (this.maxShift * Math.hypot(width, height)) / peak;
    return { field: { width, height, u: vu, v: vv }, maxSteps };
  }
}
