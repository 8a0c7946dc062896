/**
 * Frame synthesis at full resolution from displacement fields computed on a coarse grid. The
 * coarse fields are upsampled on the fly (bilinear, pixel centres aligned, vectors rescaled to
 * frame pixels) inside the per-pixel loop rather than materialised at full resolution.
 */
import type { RgbFrame } from '../engine/frame.ts';
import type { FlowField } from '../engine/interfaces.ts';

/** An independent copy of a frame, so callers may mutate what a reconstructor yields. */
export function copyFrame(frame: RgbFrame): RgbFrame {
  return { width: frame.width, height: frame.height, data: frame.data.slice() };
}

/** Robust reliability of a forward-backward disagreement of `e` grid pixels: 1 at 0, 0.5 at `scale`. */
export function reliability(e: number, scale: number): number {
  const r = e / scale;
  return 1 / (1 + r * r);
}

/** Per-axis bilinear taps from a grid of `gridSize` samples onto `size` pixels. */
interface Taps {
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly f: Float32Array;
}

function taps(gridSize: number, size: number): Taps {
  const i0 = new Int32Array(size);
  const i1 = new Int32Array(size);
  const f = new Float32Array(size);
  const scale = gridSize / size;
  for (let i = 0; i < size; i++) {
    const g = Math.min(gridSize - 1, Math.max(0, (i + 0.5) * scale - 0.5));
    const a = Math.floor(g);
    i0[i] = a;
    i1[i] = a + 1 < gridSize ? a + 1 : a;
    f[i] = g - a;
  }
  return { i0, i1, f };
}

/**
 * Mixes the warped blend with the plain cross-fade `(1 - t)·a(x) + t·b(x)`: the warped blend gets
 * `warpWeight(x)` (coarse grid, like `alphaGrid`), the cross-fade the rest.
 */
export interface FadeMix {
  readonly warpWeight: Float32Array;
  readonly t: number;
}

/**
 * out(x) = alpha(x)·a(x + ga(x)) + (1 - alpha(x))·b(x + gb(x)). `ga`, `gb` and `alphaGrid` live on
 * one coarse grid; with `b` omitted, alpha is taken as 1 and the result is a plain backward warp.
 * With `fade` (two-frame form only), that result is mixed with the cross-fade as FadeMix describes.
 */
export function blendWarped(
  a: RgbFrame,
  ga: FlowField,
  b?: RgbFrame,
  gb?: FlowField,
  alphaGrid?: Float32Array,
  fade?: FadeMix,
): RgbFrame {
  const { width, height } = a;
  const gw = ga.width;
  const gh = ga.height;
  if (b && gb && alphaGrid) {
    if (gb.width !== gw || gb.height !== gh || alphaGrid.length !== gw * gh) throw new RangeError('blend fields differ in size');
  }
  const two = b !== undefined && gb !== undefined && alphaGrid !== undefined;
  if (fade && (!two || fade.warpWeight.length !== gw * gh)) throw new RangeError('a cross-fade mix needs both frames and a weight grid of the flow size');
  const mixWeight = fade?.warpWeight;
  const ft = fade?.t ?? 0;
  const tx = taps(gw, width);
  const ty = taps(gh, height);
  const sx = width / gw;
  const sy = height / gh;
  const out = new Uint8Array(width * height * 3);
  const clamped = new Uint8ClampedArray(out.buffer);
  const da = a.data;
  const db = two ? b.data : da;
  const xmax = width - 1;
  const ymax = height - 1;
  const dx = xmax > 0 ? 3 : 0;
  const dy = ymax > 0 ? width * 3 : 0;
  for (let y = 0, i = 0; y < height; y++) {
    const r0 = ty.i0[y] * gw;
    const r1 = ty.i1[y] * gw;
    const fy = ty.f[y];
    for (let x = 0; x < width; x++, i++) {
      const c0 = tx.i0[x];
      const c1 = tx.i1[x];
      const fx = tx.f[x];
      const w00 = (1 - fx) * (1 - fy);
      const w10 = fx * (1 - fy);
      const w01 = (1 - fx) * fy;
      const w11 = fx * fy;
      const k00 = r0 + c0;
      const k10 = r0 + c1;
      const k01 = r1 + c0;
      const k11 = r1 + c1;
      const au = (ga.u[k00] * w00 + ga.u[k10] * w10 + ga.u[k01] * w01 + ga.u[k11] * w11) * sx;
      const av = (ga.v[k00] * w00 + ga.v[k10] * w10 + ga.v[k01] * w01 + ga.v[k11] * w11) * sy;
      let al = 1;
      let bu = 0;
      let bv = 0;
      if (two) {
        al = alphaGrid[k00] * w00 + alphaGrid[k10] * w10 + alphaGrid[k01] * w01 + alphaGrid[k11] * w11;
        bu = (gb.u[k00] * w00 + gb.u[k10] * w10 + gb.u[k01] * w01 + gb.u[k11] * w11) * sx;
        bv = (gb.v[k00] * w00 + gb.v[k10] * w10 + gb.v[k01] * w01 + gb.v[k11] * w11) * sy;
      }
      // The two bilinear reads are written out in full: V8 does not inline a helper this size
      // into this loop, and the call costs as much as the arithmetic.
      let px = x + au;
      let py = y + av;
      px = px < 0 ? 0 : px > xmax ? xmax : px;
      py = py < 0 ? 0 : py > ymax ? ymax : py;
      let x0 = px | 0;
      let y0 = py | 0;
      if (x0 >= xmax) x0 = xmax > 0 ? xmax - 1 : 0;
      if (y0 >= ymax) y0 = ymax > 0 ? ymax - 1 : 0;
      let ex = px - x0;
      let ey = py - y0;
      let v00 = (1 - ex) * (1 - ey) * al;
      let v10 = ex * (1 - ey) * al;
      let v01 = (1 - ex) * ey * al;
      let v11 = ex * ey * al;
      let j = (y0 * width + x0) * 3;
      let cr = da[j] * v00 + da[j + dx] * v10 + da[j + dy] * v01 + da[j + dx + dy] * v11;
      let cg = da[j + 1] * v00 + da[j + dx + 1] * v10 + da[j + dy + 1] * v01 + da[j + dx + dy + 1] * v11;
      let cb = da[j + 2] * v00 + da[j + dx + 2] * v10 + da[j + dy + 2] * v01 + da[j + dx + dy + 2] * v11;
      if (two) {
        const bl = 1 - al;
        px = x + bu;
        py = y + bv;
        px = px < 0 ? 0 : px > xmax ? xmax : px;
        py = py < 0 ? 0 : py > ymax ? ymax : py;
        x0 = px | 0;
        y0 = py | 0;
        if (x0 >= xmax) x0 = xmax > 0 ? xmax - 1 : 0;
        if (y0 >= ymax) y0 = ymax > 0 ? ymax - 1 : 0;
        ex = px - x0;
        ey = py - y0;
        v00 = (1 - ex) * (1 - ey) * bl;
        v10 = ex * (1 - ey) * bl;
        v01 = (1 - ex) * ey * bl;
        v11 = ex * ey * bl;
        j = (y0 * width + x0) * 3;
        cr += db[j] * v00 + db[j + dx] * v10 + db[j + dy] * v01 + db[j + dx + dy] * v11;
        cg += db[j + 1] * v00 + db[j + dx + 1] * v10 + db[j + dy + 1] * v01 + db[j + dx + dy + 1] * v11;
        cb += db[j + 2] * v00 + db[j + dx + 2] * v10 + db[j + dy + 2] * v01 + db[j + dx + dy + 2] * v11;
      }
      const o = i * 3;
      if (mixWeight) {
        const m = mixWeight[k00] * w00 + mixWeight[k10] * w10 + mixWeight[k01] * w01 + mixWeight[k11] * w11;
        const fa = (1 - m) * (1 - ft);
        const fb = (1 - m) * ft;
        cr = m * cr + fa * da[o] + fb * db[o];
        cg = m * cg + fa * da[o + 1] + fb * db[o + 1];
        cb = m * cb + fa * da[o + 2] + fb * db[o + 2];
      }
      clamped[o] = cr;
      clamped[o + 1] = cg;
      clamped[o + 2] = cb;
    }
  }
  return { width, height, data: out };
}
