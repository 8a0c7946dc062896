/**
 * Motion between two decoded keyframes and a verdict on whether they show the same scene.
 *
 * Both directions of flow are estimated, on the estimator's own grid. Two pieces of evidence
 * decide the relation:
 *   - `consistentFraction`: share of pixels whose forward and backward flows agree within
 *     CONSISTENT_PX grid pixels. Unrelated images give flows that are mostly noise, which
 *     rarely agree with each other.
 *   - `warpResidual`: mean absolute luma difference (luma in [0, 1]) between `a` and `b`
 *     warped back onto `a` by the forward flow, over all pixels.
 *     A flow can always lower the error a little by matching similar intensities, but across a
 *     cut a large residual remains.
 * The pair is related when consistentFraction >= MIN_CONSISTENT and warpResidual <= MAX_RESIDUAL
 * (thresholds calibrated on real footage, see docs/reconstruction.md).
 */
import type { RgbFrame } from '../engine/frame.ts';
import type { FlowEstimator, FlowField } from '../engine/interfaces.ts';
import { throwIfAborted } from '../engine/errors.ts';
import { consistencyError } from '../vision/flow-field.ts';
import { lumaArea } from '../vision/resize.ts';
import { warpPlaneInto } from '../vision/sample.ts';

export const CONSISTENT_PX = 1;
export const MIN_CONSISTENT = 0.05;
export const MAX_RESIDUAL = 0.12;

export interface PairMotion {
  /** Flow from `a` to `b` on the estimator's grid. */
  readonly forward: FlowField;
  /** Flow from `b` to `a` on the same grid. */
  readonly backward: FlowField;
  /** Forward-backward disagreement in grid pixels, at each pixel of `a`. */
  readonly errorA: Float32Array;
  /** The same at each pixel of `b`. */
  readonly errorB: Float32Array;
  readonly consistentFraction: number;
  readonly warpResidual: number;
  /** Mean absolute luma difference without any warp, for reference. */
  readonly plainResidual: number;
  readonly related: boolean;
}

export async function analysePair(a: RgbFrame, b: RgbFrame, flow: FlowEstimator, signal?: AbortSignal): Promise<PairMotion> {
  if (a.width !== b.width || a.height !== b.height) {
    throw new RangeError(`keyframes differ in size: ${a.width}x${a.height} vs ${b.width}x${b.height}`);
  }
  const forward = await flow.estimate(a, b, signal);
  throwIfAborted(signal);
  const backward = await flow.estimate(b, a, signal);
  throwIfAborted(signal);
  if (backward.width !== forward.width || backward.height !== forward.height) {
    throw new RangeError('flow estimator returned fields of different sizes for the two directions');
  }
  const { width, height } = forward;
  const n = width * height;
  const errorA = consistencyError(forward, backward);
  const errorB = consistencyError(backward, forward);
  let consistent = 0;
  for (let i = 0; i < n; i++) if (errorA[i] < CONSISTENT_PX) consistent++;

  const la = lumaArea(a, width, height);
  const lb = lumaArea(b, width, height);
  const warped = new Float32Array(n);
  warpPlaneInto(lb.data, width, height, forward.u, forward.v, warped);
  let warpSum = 0;
  let plainSum = 0;
  for (let i = 0; i < n; i++) {
    warpSum += Math.abs(warped[i] - la.data[i]);
    plainSum += Math.abs(lb.data[i] - la.data[i]);
  }
  const consistentFraction = consistent / n;
  const warpResidual = warpSum / n;
  return {
    forward,
    backward,
    errorA,
    errorB,
    consistentFraction,
    warpResidual,
    plainResidual: plainSum / n,
    related: consistentFraction >= MIN_CONSISTENT && warpResidual <= MAX_RESIDUAL,
  };
}
