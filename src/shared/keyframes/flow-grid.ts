/**
 * Coarse flow grids (vectors in fractions of the frame diagonal, see signals.ts) and their composition.
 *
 * Composition follows points of the last keyframe forward: with F_{l->n-1} known at every grid point x,
 *   F_{l->n}(x) = F_{l->n-1}(x) + F_{n-1->n}(x + F_{l->n-1}(x)),
 * where F_{n-1->n} is sampled bilinearly between grid points (clamped at the border, so points that leave the
 * frame keep the motion of the nearest edge). One step costs O(grid), so walking from a keyframe to frame n
 * costs O(grid * (n - l)) in total, never O(pixels).
 */
import type { FlowField } from '../engine/interfaces.ts';
import { M3cError } from '../engine/errors.ts';

/**
 * Box-averages a dense field onto a gridWidth x gridHeight grid and converts pixels of the field's own grid
 * into fractions of its diagonal. Assumes the field covers the whole frame (same aspect ratio), which is what
 * resolution-independent units need. Output: (x, y) pairs, row-major.
 */
export function flowFieldToGrid(field: FlowField, gridWidth: number, gridHeight: number): Float32Array {
  const { width: w, height: h, u, v } = field;
  if (w <= 0 || h <= 0 || u.length !== w * h || v.length !== w * h) {
    throw new M3cError('internal', `flow field ${w}x${h} has ${u.length}/${v.length} values`);
  }
  const diag = Math.hypot(w, h);
  const out = new Float32Array(gridWidth * gridHeight * 2);
  for (let gy = 0; gy < gridHeight; gy++) {
    // Cell bounds by rounding keep every pixel in exactly one cell even when sizes do not divide.
    const y0 = Math.floor((gy * h) / gridHeight);
    const y1 = Math.max(y0 + 1, Math.floor(((gy + 1) * h) / gridHeight));
    for (let gx = 0; gx < gridWidth; gx++) {
      const x0 = Math.floor((gx * w) / gridWidth);
      const x1 = Math.max(x0 + 1, Math.floor(((gx + 1) * w) / gridWidth));
      let su = 0;
      let sv = 0;
      for (let y = y0; y < y1; y++) {
        const row = y * w;
        for (let x = x0; x < x1; x++) {
          su += u[row + x];
          sv += v[row + x];
        }
      }
      const n = (y1 - y0) * (x1 - x0) * diag;
      const k = (gy * gridWidth + gx) * 2;
      out[k] = su / n;
      out[k + 1] = sv / n;
    }
  }
  return out;
}

/**
 * Accumulates F_{l->n} on the grid while the selector walks forward from keyframe l.
 * `reset()` at a keyframe, `step(fieldOfFrameN)` for each following frame, `meanMagnitude()` for motion(l, n).
 */
export class FlowComposer {
  private readonly gw: number;
  private readonly gh: number;
  /** Fractions of the diagonal -> grid cells, per axis: a displacement d moves d * scale cells. */
  private readonly sx: number;
  private readonly sy: number;
  private readonly acc: Float32Array;

  constructor(gridWidth: number, gridHeight: number, frameWidth: number, frameHeight: number) {
    this.gw = gridWidth;
    this.gh = gridHeight;
    const diag = Math.hypot(frameWidth, frameHeight);
    this.sx = (diag * gridWidth) / frameWidth;
    this.sy = (diag * gridHeight) / frameHeight;
    this.acc = new Float32Array(gridWidth * gridHeight * 2);
  }

  reset(): void {
    this.acc.fill(0);
  }

  /** The composed field F_{l->n} (live view; copy it to keep it). */
  get field(): Float32Array {
    return this.acc;
  }

  /**
   * Composes one more step. `flow` holds the grids of many frames; the step's grid starts at `offset`.
   * Each grid point only reads its own accumulator, so updating in place is safe.
   */
  step(flow: Float32Array, offset = 0): void {
    const { gw, gh, sx, sy, acc } = this;
    const maxX = gw - 1;
    const maxY = gh - 1;
    for (let j = 0; j < gh; j++) {
      for (let i = 0; i < gw; i++) {
        const k = (j * gw + i) * 2;
        const ax = acc[k];
        const ay = acc[k + 1];
        let px = i + ax * sx;
        let py = j + ay * sy;
        px = px < 0 ? 0 : px > maxX ? maxX : px;
        py = py < 0 ? 0 : py > maxY ? maxY : py;
        const x0 = Math.floor(px);
        const y0 = Math.floor(py);
        const x1 = x0 < maxX ? x0 + 1 : x0;
        const y1 = y0 < maxY ? y0 + 1 : y0;
        const fx = px - x0;
        const fy = py - y0;
        const k00 = offset + (y0 * gw + x0) * 2;
        const k10 = offset + (y0 * gw + x1) * 2;
        const k01 = offset + (y1 * gw + x0) * 2;
        const k11 = offset + (y1 * gw + x1) * 2;
        const w00 = (1 - fx) * (1 - fy);
        const w10 = fx * (1 - fy);
        const w01 = (1 - fx) * fy;
        const w11 = fx * fy;
        acc[k] = ax + w00 * flow[k00] + w10 * flow[k10] + w01 * flow[k01] + w11 * flow[k11];
        acc[k + 1] = ay + w00 * flow[k00 + 1] + w10 * flow[k10 + 1] + w01 * flow[k01 + 1] + w11 * flow[k11 + 1];
      }
    }
  }

  /** motion(l, n): mean endpoint magnitude of F_{l->n}, in fractions of the frame diagonal. */
  meanMagnitude(): number {
    const { acc } = this;
    let s = 0;
    for (let k = 0; k < acc.length; k += 2) s += Math.sqrt(acc[k] * acc[k] + acc[k + 1] * acc[k + 1]);
    return s / (acc.length / 2);
  }
}
