/**
 * Pure timeline logic: selection from stored signals with the user's overrides, markers, clip spans, the
 * items (keyframe / clip) under a frame, and the windowing maths of the filmstrip. No React here, so the
 * latency-critical path (control moved -> markers) is testable and measurable on its own.
 */
import { estimateBitrate, selectKeyframes } from '../../shared/keyframes/index.ts';
import type { BitrateEstimate, FrameSignals, KeyframeOverrides, SelectionParams, SelectionTrace } from '../../shared/keyframes/index.ts';
import type { RateModel } from '../../shared/api/contract.ts';

export type MarkerKind = 'auto' | 'added' | 'removed';

export interface TimelineMarker {
  readonly frame: number;
  readonly kind: MarkerKind;
}

/** Frames [start, end) of one clip; clip i opens at keyframe i. */
export interface ClipSpan {
  readonly index: number;
  readonly start: number;
  readonly end: number;
}

export interface TimelineState {
  readonly frameCount: number;
  readonly keyframes: readonly number[];
  readonly keyframeSet: ReadonlySet<number>;
  readonly trace: SelectionTrace;
  /** Keyframes (auto or added) plus frames the user removed, in frame order. */
  readonly markers: readonly TimelineMarker[];
  readonly clips: readonly ClipSpan[];
}

const NO_OVERRIDES: KeyframeOverrides = { add: [], remove: [] };

export function overridesOf(params: SelectionParams): KeyframeOverrides {
  return params.overrides ?? NO_OVERRIDES;
}

export function computeTimeline(signals: FrameSignals, params: SelectionParams): TimelineState {
  const { keyframes, trace } = selectKeyframes(signals, params);
  const o = overridesOf(params);
  const added = new Set(o.add);
  const markers: TimelineMarker[] = keyframes.map((frame) => ({ frame, kind: added.has(frame) ? 'added' : 'auto' }));
  for (const frame of o.remove) if (frame !== 0) markers.push({ frame, kind: 'removed' });
  markers.sort((a, b) => a.frame - b.frame);
  return {
    frameCount: signals.frameCount,
    keyframes,
    keyframeSet: new Set(keyframes),
    trace,
    markers,
    clips: clipSpans(keyframes, signals.frameCount),
  };
}

export function clipSpans(keyframes: readonly number[], frameCount: number): ClipSpan[] {
  return keyframes.map((start, index) => ({ index, start, end: index + 1 < keyframes.length ? keyframes[index + 1] : frameCount }));
}

/** Forces `frame` to be a keyframe (an 'added' override); undoes a removal of it. */
export function addKeyframe(params: SelectionParams, frame: number): SelectionParams {
  const o = overridesOf(params);
  return {
    ...params,
    overrides: { add: sortedWith(o.add, frame), remove: o.remove.filter((f) => f !== frame) },
  };
}

/** Forbids `frame` as a keyframe (a 'removed' override); frame 0 always stays a keyframe. */
/**
 * After removing the keyframe at `removed` (`before` -> `after`), the automatic keyframe that took its place:
 * a frame after it, before the next keyframe of `before`, that was not a keyframe then. Null when none appeared.
 */
export function movedKeyframe(before: TimelineState, after: TimelineState, removed: number): number | null {
  const nextBefore = before.keyframes.find((k) => k > removed) ?? before.frameCount;
  return after.keyframes.find((k) => k > removed && k < nextBefore && !before.keyframeSet.has(k)) ?? null;
}

export function removeKeyframe(params: SelectionParams, frame: number): SelectionParams {
  if (frame === 0) return params;
  const o = overridesOf(params);
  return {
    ...params,
    overrides: { add: o.add.filter((f) => f !== frame), remove: sortedWith(o.remove, frame) },
  };
}

/** Drops any override at `frame`, handing it back to the automatic decision. */
export function clearOverride(params: SelectionParams, frame: number): SelectionParams {
  const o = overridesOf(params);
  return { ...params, overrides: { add: o.add.filter((f) => f !== frame), remove: o.remove.filter((f) => f !== frame) } };
}

export function overrideAt(params: SelectionParams, frame: number): 'added' | 'removed' | null {
  const o = overridesOf(params);
  if (o.add.includes(frame)) return 'added';
  if (o.remove.includes(frame)) return 'removed';
  return null;
}

function sortedWith(list: readonly number[], frame: number): number[] {
  return list.includes(frame) ? [...list] : [...list, frame].sort((a, b) => a - b);
}

/** Index of the clip holding `frame` (the last keyframe at or before it), and the keyframe index if it is one. */
export function itemsAt(keyframes: readonly number[], frame: number): { clipIndex: number; keyframeIndex: number | null } {
  let lo = 0;
  let hi = keyframes.length - 1;
  let clipIndex = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (keyframes[mid] <= frame) {
      clipIndex = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return { clipIndex, keyframeIndex: keyframes[clipIndex] === frame ? clipIndex : null };
}

export function neighbourKeyframe(keyframes: readonly number[], frame: number, direction: 1 | -1): number | null {
  if (direction > 0) {
    for (const k of keyframes) if (k > frame) return k;
    return null;
  }
  for (let i = keyframes.length - 1; i >= 0; i--) if (keyframes[i] < frame) return keyframes[i];
  return null;
}

export function estimateRate(state: TimelineState, fps: number, rate: RateModel): BitrateEstimate {
  return estimateBitrate(state.keyframes.length, state.frameCount, fps, rate.bytesPerKeyframe, rate.bytesPerText);
}

/**
 * Items of a fixed-size strip to mount for a viewport: [start, end), widened by `overscan` items on both
 * sides so a fast scroll does not show blanks before the next render.
 */
export function visibleRange(scrollOffset: number, viewportSize: number, itemSize: number, count: number, overscan = 2): { start: number; end: number } {
  if (count <= 0 || itemSize <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollOffset) / itemSize);
  const last = Math.ceil((Math.max(0, scrollOffset) + Math.max(0, viewportSize)) / itemSize);
  return { start: Math.max(0, first - overscan), end: Math.min(count, last + overscan) };
}

/** Scroll offset that brings item `index` fully into view, or the current offset when it already is. */
export function scrollToReveal(index: number, scrollOffset: number, viewportSize: number, itemSize: number): number {
  const start = index * itemSize;
  const end = start + itemSize;
  if (start < scrollOffset) return start;
  if (end > scrollOffset + viewportSize) return Math.max(0, end - viewportSize);
  return scrollOffset;
}

/**
 * SVG path of a series squeezed into `width` columns: each column draws the min..max of the frames it covers,
 * so peaks (cuts) survive however long the video is and the path size stays bounded by the width.
 */
export function seriesPath(values: ArrayLike<number>, width: number, height: number, yMin: number, yMax: number): string {
  const n = values.length;
  if (n === 0 || width <= 0) return '';
  const span = yMax - yMin || 1;
  const y = (v: number): number => {
    const t = (v - yMin) / span;
    return +(height - Math.min(1, Math.max(0, t)) * height).toFixed(1);
  };
  const columns = Math.min(n, Math.floor(width));
  const parts: string[] = [];
  for (let c = 0; c < columns; c++) {
    const from = Math.floor((c * n) / columns);
    const to = Math.max(from + 1, Math.floor(((c + 1) * n) / columns));
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = from; i < to; i++) {
      const v = values[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const x = +(((from + to) / 2 / n) * width).toFixed(1);
    parts.push(`${c === 0 ? 'M' : 'L'}${x},${y(hi)}`);
    if (lo !== hi) parts.push(`L${x},${y(lo)}`);
  }
  return parts.join('');
}

/** Upper end of a plot's y axis: the largest finite value, at least `floor`, so a flat series still shows. */
export function seriesMax(values: ArrayLike<number>, floor: number): number {
  let m = floor;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]) && values[i] > m) m = values[i];
  return m;
}

export function seriesMin(values: ArrayLike<number>, ceiling: number): number {
  let m = ceiling;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]) && values[i] < m) m = values[i];
  return m;
}
