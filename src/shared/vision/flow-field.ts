/**
 * Operations on dense flow fields (see FlowField: to(x + u, y + v) ≈ from(x, y), displacements in
 * pixels of the field's own grid).
 */
import type { FlowField } from '../engine/interfaces.ts';
import { resizeBilinear } from './resize.ts';
import { warpPlaneInto } from './sample.ts';

export function makeFlowField(width: number, height: number): FlowField {
  const n = width * height;
  return { width, height, u: new Float32Array(n), v: new Float32Array(n) };
}

/**
 * Mean endpoint displacement divided by the field's diagonal: a resolution-independent motion
 * measure (0 = still; 0.01 = things moved on average 1 % of the picture diagonal).
 */
export function flowMagnitudeFraction(field: FlowField): number {
  const n = field.width * field.height;
  if (n === 0) return 0;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.hypot(field.u[i], field.v[i]);
  return s / n / Math.hypot(field.width, field.height);
}

/** Resamples a field to width x height (bilinear) and rescales its vectors into the new grid's pixels. */
export function upsampleFlow(field: FlowField, width: number, height: number): FlowField {
  if (width === field.width && height === field.height) {
    return { width, height, u: field.u.slice(), v: field.v.slice() };
  }
  const u = resizeBilinear({ width: field.width, height: field.height, data: field.u }, width, height).data;
  const v = resizeBilinear({ width: field.width, height: field.height, data: field.v }, width, height).data;
  const sx = width / field.width;
  const sy = height / field.height;
  for (let i = 0; i < u.length; i++) {
    u[i] *= sx;
    v[i] *= sy;
  }
  return { width, height, u, v };
}

/**
 * Forward-backward consistency error, in pixels, at each pixel of the forward field's source:
 * |F(x) + B(x + F(x))|. Near zero where both directions agree; large at occlusions, where the
 * pixel has no counterpart, and wherever either estimate is wrong.
 */
export function consistencyError(forward: FlowField, backward: FlowField): Float32Array {
  const { width, height } = forward;
  if (backward.width !== width || backward.height !== height) throw new RangeError('flow fields must have the same size');
  const n = width * height;
  const bu = new Float32Array(n);
  const bv = new Float32Array(n);
  warpPlaneInto(backward.u, width, height, forward.u, forward.v, bu);
  warpPlaneInto(backward.v, width, height, forward.u, forward.v, bv);
  const err = new Float32Array(n);
  for (let i = 0; i < n; i++) err[i] = Math.hypot(forward.u[i] + bu[i], forward.v[i] + bv[i]);
  return err;
}

/**
 * Backward displacement for content carried a fraction `scale` along `field`: returns G with
 * x + G(x) = p where p + scale·F(p) = x, found by fixed-point iteration G ← -scale·F(x + G).
 * This inverts the forward motion without splatting; it converges where the motion is smooth
 * (|scale·∇F| < 1) and settles on one of the candidates where layers cross.
 */
export function invertScaledFlow(field: FlowField, scale: number, iterations = 4): FlowField {
  const { width, height } = field;
  const n = width * height;
  const gu = new Float32Array(n);
  const gv = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    gu[i] = -scale * field.u[i];
    gv[i] = -scale * field.v[i];
  }
  const su = new Float32Array(n);
  const sv = new Float32Array(n);
  for (let it = 0; it < iterations; it++) {
    warpPlaneInto(field.u, width, height, gu, gv, su);
    warpPlaneInto(field.v, width, height, gu, gv, sv);
    for (let i = 0; i < n; i++) {
      gu[i] = -scale * su[i];
      gv[i] = -scale * sv[i];
    }
  }
  return { width, height, u: gu, v: gv };
}
