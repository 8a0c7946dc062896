/**
 * The ablations of the paper's Table I in `m3c bench rd`: keyframe strategies compared at equal
 * keyframe counts. For each point of the reference series (motion-semantic selection), the fixed
 * interval and the semantic-only D_th are searched on the clip's own analysis signals
 * (selectKeyframes is pure and cheap) until they give the same number of keyframes, or the nearest
 * number reachable; the report lists the counts it got.
 */
import { selectKeyframes, type FrameSignals, type SelectionParams, type SelectionStrategy } from '../../src/shared/keyframes/index.ts';

export interface CountMatch {
  readonly selection: SelectionParams;
  /** Keyframes the matched selection gives, and the count asked for. */
  readonly count: number;
  readonly target: number;
}

/** D_th candidates of the semantic search: geometric from 0.001 to 20. */
const THRESHOLDS: readonly number[] = Array.from({ length: 241 }, (_, i) => Number((0.001 * Math.pow(20000, i / 240)).toPrecision(4)));

/**
 * The selection of `strategy` (otherwise `base`) whose keyframe count on `signals` is nearest to
 * `target`: for 'fixed' the interval (the longest on a tie), for 'semantic' D_th (the one nearest
 * to base's D_th, in log, on a tie). 'motion-semantic' returns `base` as it is.
 */
export function matchKeyframeCount(signals: FrameSignals, base: SelectionParams, strategy: SelectionStrategy, target: number): CountMatch {
  const count = (s: SelectionParams): number => selectKeyframes(signals, s).keyframes.length;
  if (strategy === 'motion-semantic') {
    const selection = { ...base, strategy };
    return { selection, count: count(selection), target };
  }
  const candidates: SelectionParams[] =
    strategy === 'fixed'
      ? Array.from({ length: Math.max(1, signals.frameCount) }, (_, i) => ({ ...base, strategy, fixedInterval: signals.frameCount - i }))
      : [...THRESHOLDS]
          .sort((a, b) => Math.abs(Math.log(a / base.threshold)) - Math.abs(Math.log(b / base.threshold)))
          .map((threshold) => ({ ...base, strategy, threshold }));
  let best: CountMatch | undefined;
  for (const selection of candidates) {
    const c = count(selection);
    if (best === undefined || Math.abs(c - target) < Math.abs(best.count - target)) best = { selection, count: c, target };
    if (c === target) break;
  }
  return best!;
}
