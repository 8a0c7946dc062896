/**
 * Tracking of a hand-drawn region through its clip (issue 14): the box drawn on a keyframe is shifted, frame
 * by frame, by the median dense flow inside it, and the per-frame boxes are written as regions over short
 * frame ranges (a run of frames whose box is the same once quantised is one region), the shape every reader
 * of regions already takes (src/shared/roi/index.ts).
 */
import type { Plane } from '../vision/plane.ts';
import type { FlowField } from '../engine/interfaces.ts';
import type { RoiRegion, RoiSource } from './index.ts';

export type Box = readonly [number, number, number, number];

/** Flow between two luma planes of the same size, on a grid of its own (DenseFlowEstimator.estimatePlanes). */
export type PlaneFlow = (from: Plane, to: Plane) => FlowField;

/** Step of the quantised boxes, of the frame's side: 1/256 of a 256-px working frame is one pixel. */
export const TRACK_QUANTUM = 1 / 256;

function median(values: Float32Array, n: number): number {
  if (n === 0) return 0;
  const a = Array.from(values.subarray(0, n)).sort((x, y) => x - y);
  return n % 2 ? a[(n - 1) / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
}

/** The box moved by (dx, dy) of the frame, kept whole inside it. */
function shifted(box: Box, dx: number, dy: number): Box {
  const [x, y, w, h] = box;
  return [Math.min(Math.max(0, x + dx), 1 - w), Math.min(Math.max(0, y + dy), 1 - h), w, h];
}

/** Median flow inside `box` (normalised) of a field, as a shift in fractions of the frame. */
export function medianShift(flow: FlowField, box: Box): { dx: number; dy: number } {
  const { width, height } = flow;
  const x0 = Math.max(0, Math.floor(box[0] * width));
  const y0 = Math.max(0, Math.floor(box[1] * height));
  const x1 = Math.min(width, Math.max(x0 + 1, Math.ceil((box[0] + box[2]) * width)));
  const y1 = Math.min(height, Math.max(y0 + 1, Math.ceil((box[1] + box[3]) * height)));
  const n = (x1 - x0) * (y1 - y0);
  const us = new Float32Array(n);
  const vs = new Float32Array(n);
  let k = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++, k++) {
      us[k] = flow.u[y * width + x];
      vs[k] = flow.v[y * width + x];
    }
  }
  return { dx: median(us, k) / width, dy: median(vs, k) / height };
}

/**
 * The box of every frame of `planes` (luma of consecutive frames, the first the keyframe the box was drawn on),
 * each the previous one shifted by the median flow inside it. `planes.length` boxes, the first `box` itself.
 */
export function trackBox(planes: readonly Plane[], box: Box, flow: PlaneFlow, options: { signal?: AbortSignal; onFrame?: (done: number, total: number) => void } = {}): Box[] {
  const out: Box[] = [];
  if (planes.length === 0) return out;
  let current: Box = [box[0], box[1], box[2], box[3]];
  out.push(current);
  for (let i = 1; i < planes.length; i++) {
    options.signal?.throwIfAborted();
    const f = flow(planes[i - 1], planes[i]);
    const { dx, dy } = medianShift(f, current);
    current = shifted(current, dx, dy);
    out.push(current);
    options.onFrame?.(i, planes.length - 1);
  }
  return out;
}

const q = (v: number, quantum: number): number => Math.round(v / quantum) * quantum;

/**
 * Per-frame boxes (frame `firstFrame` + i has `boxes[i]`) as regions: consecutive frames whose quantised box is
 * the same are one region. Sizes stay as drawn; positions are quantised and kept inside the frame.
 */
export function regionsOfTrack(boxes: readonly Box[], firstFrame: number, info: { weight: number; label: string; source?: RoiSource }, quantum = TRACK_QUANTUM): RoiRegion[] {
  const out: RoiRegion[] = [];
  let start = 0;
  let prev: Box | null = null;
  const flush = (end: number): void => {
    if (prev) out.push({ frames: [firstFrame + start, firstFrame + end], box: prev, weight: info.weight, label: info.label, ...(info.source ? { source: info.source } : {}) });
  };
  for (let i = 0; i < boxes.length; i++) {
    const [x, y, w, h] = boxes[i];
    const b: Box = [Math.min(Math.max(0, q(x, quantum)), 1 - w), Math.min(Math.max(0, q(y, quantum)), 1 - h), w, h];
    if (prev && b[0] === prev[0] && b[1] === prev[1] && b[2] === prev[2] && b[3] === prev[3]) continue;
    flush(i - 1);
    start = i;
    prev = b;
  }
  flush(boxes.length - 1);
  return out;
}
