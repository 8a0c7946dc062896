/**
 * Classical clip reconstructors behind the ClipReconstructor interface. They stand in for the
 * paper's video diffusion model (SEINE) and do not use the clip text.
 */
import type { ClipReconstructor, FlowEstimator, ReconstructionMode } from '../engine/interfaces.ts';
import { M3cError } from '../engine/errors.ts';
import { MotionExtrapolationReconstructor, type ExtrapolationOptions } from './extrapolation.ts';
import { FlowInterpolationReconstructor } from './interpolation.ts';

export { MotionExtrapolationReconstructor, type ExtrapolationOptions } from './extrapolation.ts';
export { FlowInterpolationReconstructor } from './interpolation.ts';
export { analysePair, type PairMotion, CONSISTENT_PX, MIN_CONSISTENT, MAX_RESIDUAL } from './relation.ts';

/** The reconstructor for a mode: interpolation between keyframes, or extrapolation from the past. */
export function createReconstructor(
  mode: ReconstructionMode,
  flow: FlowEstimator,
  options: ExtrapolationOptions = {},
): ClipReconstructor {
  switch (mode) {
    case 'interpolation':
      return new FlowInterpolationReconstructor(flow, options);
    case 'prediction':
      return new MotionExtrapolationReconstructor(flow, options);
    case 'guided':
      throw new M3cError('internal', 'a guided clip is rebuilt from the guide stream (GuidedReconstructor), not by createReconstructor');
  }
}
