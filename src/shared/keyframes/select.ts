/**
 * Keyframe selection of M3-CVC (paper, II-A):
 *   D(F_n, F_l) = λ1 · (1 − cos(emb(F_n), emb(F_l))) + λ2 · motion(F_l, F_n) − D_th,
 * with F_l the last keyframe and F_n the current frame; F_n becomes a keyframe when D > 0.
 * Works on precomputed FrameSignals only, so re-selecting with new parameters is cheap (O(frames · (dim + grid))).
 */
import { M3cError } from '../engine/errors.ts';
import { FlowComposer } from './flow-grid.ts';
import type { FrameSignals } from './signals.ts';

export type SelectionStrategy = 'motion-semantic' | 'semantic' | 'fixed';

/** User edits from the studio. Selection continues from an added keyframe as the new F_l. */
export interface KeyframeOverrides {
  readonly add: readonly number[];
  /** Frames that must not be keyframes; frame 0 is always a keyframe and is ignored here. */
  readonly remove: readonly number[];
}

export interface SelectionParams {
  /** 'motion-semantic' (the paper's default), 'semantic' (λ2 treated as 0), 'fixed' (every fixedInterval frames). */
  readonly strategy: SelectionStrategy;
  /** Weight of the semantic distance 1 − cos, which lies in [0, 2] (in [0, 1] for non-negative embeddings). */
  readonly lambda1: number;
  /** Weight of motion, measured in fractions of the frame diagonal (mean endpoint of the composed flow). */
  readonly lambda2: number;
  /** D_th. */
  readonly threshold: number;
  /** Period of the 'fixed' strategy, in frames. */
  readonly fixedInterval: number;
  /**
   * Shortest clip, in frames, that automatic decisions aim for. When D > 0 fewer than minClip frames after an
   * automatic keyframe and D exceeds the value that placed that keyframe, the keyframe moves to the new frame
   * (as long as the clip before it stays within maxClip) instead of a new one opening a short clip, so a hard
   * cut just after a keyframe is still caught on time. Ignored by 'fixed'; overrides are never blocked by it.
   */
  readonly minClip?: number;
  /** Longest clip, in frames: frame l + maxClip becomes a keyframe unless removed. Ignored by 'fixed'. */
  readonly maxClip?: number;
  readonly overrides?: KeyframeOverrides;
}

/**
 * Tuned at 8 fps, 512x320, with appearance-hist-v1 embeddings and the dense flow (32x20 grid) on the training
 * clips 01_dog, 02_cups, 03_blocks and their concatenation (docs/keyframes.md): a keyframe every 2–8 s on
 * ordinary footage and one at every hard cut. At a cut the semantic distance is ≥ 0.08 (≥ 0.2 for most) and the
 * flow across it adds ≥ 0.08 of spurious motion; within a shot the distance drifts by ≤ 0.04 over several
 * seconds, so λ1 = 5 with D_th = 0.4 separates them while motion (λ2 = 1: 40 % of the diagonal on its own)
 * adds keyframes during strong camera or subject motion. fixedInterval 16 is 2 s, for the paper's ablation.
 */
export const DEFAULT_SELECTION: SelectionParams = Object.freeze({
  strategy: 'motion-semantic',
  lambda1: 5,
  lambda2: 1,
  threshold: 0.4,
  fixedInterval: 16,
  minClip: 4,
  maxClip: 32,
});

export interface SelectionTrace {
  /** 1 − cos(emb(F_n), emb(F_l)) against the keyframe l in force when frame n was examined (0 for frame 0). */
  readonly semantic: Float32Array;
  /** motion(F_l, F_n), fractions of the frame diagonal. */
  readonly motion: Float32Array;
  /** D(F_n, F_l) with the strategy's weights (λ2 = 0 for 'semantic'); frame 0 holds −D_th. */
  readonly d: Float32Array;
}

export interface SelectionResult {
  /** Ascending frame indices; starts with 0 whenever there is at least one frame. */
  readonly keyframes: number[];
  readonly trace: SelectionTrace;
}

export function selectKeyframes(signals: FrameSignals, params: SelectionParams): SelectionResult {
  validateParams(params);
  const n = signals.frameCount;
  const trace: SelectionTrace = {
    semantic: new Float32Array(n),
    motion: new Float32Array(n),
    d: new Float32Array(n),
  };
  if (n === 0) return { keyframes: [], trace };

  const { add, remove } = overrideSets(params.overrides, n);
  const { strategy, lambda1, threshold, fixedInterval } = params;
  const lambda2 = strategy === 'semantic' ? 0 : params.lambda2;
  const minClip = params.minClip ?? 1;
  const maxClip = params.maxClip ?? Infinity;
  const runs = runCache(signals);
  let run = runs.from(0);

  const keyframes = [0];
  trace.d[0] = -threshold;
  let last = 0;
  /** Whether the last keyframe came from an automatic decision (frame 0 and added frames stay put). */
  let lastMovable = false;
  /** D that placed the last keyframe. */
  let lastD = -Infinity;
  for (let f = 1; f < n; f++) {
    const semantic = run.semantic(f);
    const motion = run.motion(f);
    const d = lambda1 * semantic + lambda2 * motion - threshold;
    trace.semantic[f] = semantic;
    trace.motion[f] = motion;
    trace.d[f] = d;

    const clip = f - last;
    let key = false;
    let replaceLast = false;
    if (strategy === 'fixed') {
      key = clip >= fixedInterval;
    } else if (clip >= maxClip) {
      key = true;
    } else if (d > 0) {
      if (clip >= minClip) {
        key = true;
      } else if (lastMovable && d > lastD) {
        // Too close to an automatic keyframe, and a stronger change than the one that placed it (typically a
        // hard cut just after a motion keyframe): move that keyframe here rather than open a short clip. The
        // weaker of two nearby changes gives way, so a cut is not displaced by the motion that follows it.
        // Where moving would stretch the clip before it past maxClip (the last keyframe was forced by the
        // length limit), the change gets a keyframe of its own: a short clip costs less than a missed cut.
        key = true;
        replaceLast = f - keyframes[keyframes.length - 2] <= maxClip;
      }
    }
    if (remove.has(f)) key = false;
    if (add.has(f)) {
      key = true;
      replaceLast = false;
    }
    if (key) {
      if (replaceLast) keyframes[keyframes.length - 1] = f;
      else keyframes.push(f);
      lastMovable = !add.has(f);
      lastD = d;
      last = f;
      run = runs.from(f);
    }
  }
  return { keyframes, trace };
}

/**
 * The signals of a run from keyframe l: semantic(l, n) and motion(l, n) for n = l+1, l+2, ..., computed
 * once and kept per signals object, so that re-selecting with new parameters (a slider move in the
 * studio) only computes runs from keyframes it has not met before. Values are kept in double
 * precision exactly as computed, so cached and fresh selections decide identically.
 */
interface Run {
  semantic(f: number): number;
  motion(f: number): number;
}

interface RunState {
  readonly semantic: number[];
  readonly motion: number[];
  /** The composed flow after the last computed frame, to continue the run. */
  readonly composer: FlowComposer;
}

/** Upper bound on cached values per signals object (~40 MB); past it the cache starts afresh. */
const MAX_CACHED_VALUES = 5_000_000;

const RUN_CACHES = new WeakMap<FrameSignals, { runs: Map<number, RunState>; values: number }>();

function runCache(signals: FrameSignals): { from(l: number): Run } {
  let cache = RUN_CACHES.get(signals);
  if (!cache) {
    cache = { runs: new Map(), values: 0 };
    RUN_CACHES.set(signals, cache);
  }
  const c = cache;
  const dim = signals.embeddingDim;
  const emb = signals.embeddings;
  const gridValues = signals.gridWidth * signals.gridHeight * 2;
  return {
    from(l: number): Run {
      let state = c.runs.get(l);
      if (!state) {
        if (c.values > MAX_CACHED_VALUES) {
          c.runs.clear();
          c.values = 0;
        }
        state = { semantic: [], motion: [], composer: new FlowComposer(signals.gridWidth, signals.gridHeight, signals.frameWidth, signals.frameHeight) };
        c.runs.set(l, state);
      }
      const st = state;
      const extend = (f: number): void => {
        for (let m = l + 1 + st.semantic.length; m <= f; m++) {
          st.composer.step(signals.flow, m * gridValues);
          st.semantic.push(1 - dot(emb, l * dim, m * dim, dim));
          st.motion.push(st.composer.meanMagnitude());
          c.values += 2;
        }
      };
      return {
        semantic(f) {
          extend(f);
          return st.semantic[f - l - 1];
        },
        motion(f) {
          extend(f);
          return st.motion[f - l - 1];
        },
      };
    },
  };
}

function dot(a: Float32Array, i: number, j: number, len: number): number {
  let s = 0;
  for (let k = 0; k < len; k++) s += a[i + k] * a[j + k];
  return s;
}

function validateParams(p: SelectionParams): void {
  const usage = (msg: string): M3cError => new M3cError('usage', msg);
  if (p.strategy !== 'motion-semantic' && p.strategy !== 'semantic' && p.strategy !== 'fixed') {
    throw usage(`unknown keyframe strategy "${String(p.strategy)}"; use motion-semantic, semantic or fixed`);
  }
  for (const [name, v] of [['lambda1', p.lambda1], ['lambda2', p.lambda2], ['threshold', p.threshold]] as const) {
    if (!Number.isFinite(v)) throw usage(`keyframe ${name} must be a finite number, got ${v}`);
  }
  if (!isPositiveInt(p.fixedInterval)) throw usage(`fixed keyframe interval must be a whole number of frames ≥ 1, got ${p.fixedInterval}`);
  if (p.minClip !== undefined && !isPositiveInt(p.minClip)) throw usage(`minimum clip length must be a whole number of frames ≥ 1, got ${p.minClip}`);
  if (p.maxClip !== undefined && !isPositiveInt(p.maxClip)) throw usage(`maximum clip length must be a whole number of frames ≥ 1, got ${p.maxClip}`);
  if (p.minClip !== undefined && p.maxClip !== undefined && p.maxClip < p.minClip) {
    throw usage(`maximum clip length (${p.maxClip}) is shorter than the minimum (${p.minClip})`);
  }
}

function isPositiveInt(v: number): boolean {
  return Number.isInteger(v) && v >= 1;
}

function overrideSets(o: KeyframeOverrides | undefined, frameCount: number): { add: Set<number>; remove: Set<number> } {
  const add = new Set<number>();
  const remove = new Set<number>();
  if (!o) return { add, remove };
  const check = (f: number): void => {
    if (!Number.isInteger(f) || f < 0 || f >= frameCount) {
      throw new M3cError('usage', `keyframe override ${f} is not a frame of this video (0..${frameCount - 1})`);
    }
  };
  for (const f of o.add) {
    check(f);
    add.add(f);
  }
  for (const f of o.remove) {
    check(f);
    if (add.has(f)) throw new M3cError('usage', `frame ${f} is both added and removed as a keyframe; keep one`);
    if (f !== 0) remove.add(f);
  }
  return { add, remove };
}
