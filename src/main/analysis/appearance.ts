/**
 * A classical appearance descriptor standing in for the paper's learned semantic embedding (no pretrained
 * vision-language weights can be obtained here). It is NOT a semantic model: it compares colour distributions
 * and edge-orientation distributions, globally and on 2x2 and 4x4 spatial grids (a spatial pyramid), which is
 * enough to tell shots apart and to follow how far the picture has drifted from a keyframe.
 *
 * Every block (region x feature) is a histogram normalised to sum 1 and square-rooted (Hellinger mapping), so
 * it has unit L2 norm; blocks are scaled so that each pyramid level and each feature type carries a fixed
 * share. The dot product of two descriptors is then a weighted mean of per-block Bhattacharyya coefficients.
 */
import type { ImageEmbedder } from '../../shared/engine/interfaces.ts';
import type { RgbFrame } from '../../shared/engine/frame.ts';
import { M3cError } from '../../shared/engine/errors.ts';

/** Width of the working copy; detail finer than this does not change which shot we are in. */
const WORK_WIDTH = 128;
const LUMA_BINS = 4;
const CHROMA_BINS = 4;
const COLOUR_BINS = LUMA_BINS * CHROMA_BINS * CHROMA_BINS;
const ORIENT_BINS = 8;
const BLOCK = COLOUR_BINS + ORIENT_BINS;
/** Pyramid levels: 1x1, 2x2, 4x4 regions. */
const LEVELS = [1, 2, 4] as const;
/**
 * Share of the squared norm per level. The finest level gets most: on the training clips and bikes.mp4 it
 * separates shots best (a cut between two grey street scenes barely moves the global histogram).
 */
const LEVEL_SHARE = [0.2, 0.3, 0.5] as const;
const FINE = 4;
const REGIONS = LEVELS.reduce((s, g) => s + g * g, 0);
export const APPEARANCE_DIM = REGIONS * BLOCK;
/**
 * Share of the squared norm given to colour; the rest goes to gradient orientations, whose distributions differ
 * less between shots of natural scenes but tell apart shots of similar colours.
 */
const COLOUR_SHARE = 0.75;
/**
 * Gradient mass (0..255 luma units per pixel) spread evenly over the orientation bins of every region, so that
 * flat or noisy regions read as "no dominant orientation" instead of amplifying noise.
 */
const GRADIENT_FLOOR = 4;
/** Opponent chroma differences are stretched by this factor before binning: natural colours are unsaturated. */
const CHROMA_GAIN = 2;

export class AppearanceEmbedder implements ImageEmbedder {
  readonly id = 'appearance-hist-v1';

  async embed(frame: RgbFrame): Promise<Float32Array> {
    return appearanceDescriptor(frame);
  }
}

/** The descriptor of appearance-hist-v1: APPEARANCE_DIM values, L2-normalised, all non-negative. */
export function appearanceDescriptor(frame: RgbFrame): Float32Array {
  const { width, height, data } = frame;
  if (width <= 0 || height <= 0 || data.length !== width * height * 3) {
    throw new M3cError('input', `frame ${width}x${height} has ${data.length} bytes; expected packed RGB24`);
  }
  const ww = Math.min(WORK_WIDTH, width);
  const wh = Math.max(1, Math.round((height * ww) / width));
  const [r, g, b] = downscaleRgb(frame, ww, wh);

  // Per fine-cell histograms; coarser levels are sums of these.
  const colour = new Float64Array(FINE * FINE * COLOUR_BINS);
  const orient = new Float64Array(FINE * FINE * ORIENT_BINS);
  const cellPixels = new Float64Array(FINE * FINE);
  const luma = new Float32Array(ww * wh);
  for (let i = 0; i < luma.length; i++) luma[i] = (r[i] + g[i] + b[i]) / 3;

  for (let y = 0; y < wh; y++) {
    const cy = Math.min(FINE - 1, Math.floor((y * FINE) / wh));
    const yUp = y > 0 ? y - 1 : y;
    const yDown = y < wh - 1 ? y + 1 : y;
    for (let x = 0; x < ww; x++) {
      const cx = Math.min(FINE - 1, Math.floor((x * FINE) / ww));
      const cell = cy * FINE + cx;
      const i = y * ww + x;
      cellPixels[cell]++;
      addColour(colour, cell * COLOUR_BINS, r[i], g[i], b[i]);

      const gx = luma[y * ww + (x < ww - 1 ? x + 1 : x)] - luma[y * ww + (x > 0 ? x - 1 : x)];
      const gy = luma[yDown * ww + x] - luma[yUp * ww + x];
      const mag = Math.sqrt(gx * gx + gy * gy);
      if (mag > 0) {
        // Unsigned orientation: an edge looks the same whichever side is brighter.
        let theta = Math.atan2(gy, gx);
        if (theta < 0) theta += Math.PI;
        addOrientation(orient, cell * ORIENT_BINS, (theta / Math.PI) * ORIENT_BINS - 0.5, mag);
      }
    }
  }

  const out = new Float32Array(APPEARANCE_DIM);
  let region = 0;
  for (let level = 0; level < LEVELS.length; level++) {
    const g = LEVELS[level];
    const span = FINE / g;
    const share = LEVEL_SHARE[level] / (g * g);
    for (let ry = 0; ry < g; ry++) {
      for (let rx = 0; rx < g; rx++) {
        const col = new Float64Array(COLOUR_BINS);
        const ori = new Float64Array(ORIENT_BINS);
        let pixels = 0;
        for (let cy = ry * span; cy < (ry + 1) * span; cy++) {
          for (let cx = rx * span; cx < (rx + 1) * span; cx++) {
            const cell = cy * FINE + cx;
            pixels += cellPixels[cell];
            for (let k = 0; k < COLOUR_BINS; k++) col[k] += colour[cell * COLOUR_BINS + k];
            for (let k = 0; k < ORIENT_BINS; k++) ori[k] += orient[cell * ORIENT_BINS + k];
          }
        }
        for (let k = 0; k < ORIENT_BINS; k++) ori[k] += (GRADIENT_FLOOR * pixels) / ORIENT_BINS;
        const base = region * BLOCK;
        writeHellinger(out, base, col, Math.sqrt(share * COLOUR_SHARE));
        writeHellinger(out, base + COLOUR_BINS, ori, Math.sqrt(share * (1 - COLOUR_SHARE)));
        region++;
      }
    }
  }
  let norm = 0;
  for (let k = 0; k < out.length; k++) norm += out[k] * out[k];
  norm = Math.sqrt(norm);
  for (let k = 0; k < out.length; k++) out[k] /= norm;
  return out;
}

/** Area-averaged RGB planes (0..255) of size w x h. */
function downscaleRgb(frame: RgbFrame, w: number, h: number): [Float32Array, Float32Array, Float32Array] {
  const { width, height, data } = frame;
  const r = new Float32Array(w * h);
  const g = new Float32Array(w * h);
  const b = new Float32Array(w * h);
  for (let oy = 0; oy < h; oy++) {
    const y0 = Math.floor((oy * height) / h);
    const y1 = Math.max(y0 + 1, Math.floor(((oy + 1) * height) / h));
    for (let ox = 0; ox < w; ox++) {
      const x0 = Math.floor((ox * width) / w);
      const x1 = Math.max(x0 + 1, Math.floor(((ox + 1) * width) / w));
      let sr = 0;
      let sg = 0;
      let sb = 0;
      for (let y = y0; y < y1; y++) {
        let p = (y * width + x0) * 3;
        for (let x = x0; x < x1; x++, p += 3) {
          sr += data[p];
          sg += data[p + 1];
          sb += data[p + 2];
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const o = oy * w + ox;
      r[o] = sr / n;
      g[o] = sg / n;
      b[o] = sb / n;
    }
  }
  return [r, g, b];
}

/**
 * Opponent colour space (intensity, red-green, yellow-blue) with linear soft binning on each axis, so a small
 * change of illumination moves mass between neighbouring bins instead of flipping whole pixels across a border.
 */
function addColour(hist: Float64Array, base: number, r: number, g: number, b: number): void {
  const ip = ((r + g + b) / 765) * LUMA_BINS - 0.5;
  const ap = clamp01(0.5 + (CHROMA_GAIN * (r - g)) / 510) * CHROMA_BINS - 0.5;
  const cp = clamp01(0.5 + (CHROMA_GAIN * (r + g - 2 * b)) / 1020) * CHROMA_BINS - 0.5;
  const i0 = binLow(ip, LUMA_BINS);
  const a0 = binLow(ap, CHROMA_BINS);
  const c0 = binLow(cp, CHROMA_BINS);
  const wi = binWeight(ip, LUMA_BINS);
  const wa = binWeight(ap, CHROMA_BINS);
  const wc = binWeight(cp, CHROMA_BINS);
  for (let p = 0; p < 2; p++) {
    const ii = i0 + p;
    const fi = p === 0 ? 1 - wi : wi;
    if (fi === 0) continue;
    for (let q = 0; q < 2; q++) {
      const aa = a0 + q;
      const fa = q === 0 ? 1 - wa : wa;
      if (fa === 0) continue;
      for (let s = 0; s < 2; s++) {
        const fc = s === 0 ? 1 - wc : wc;
        if (fc === 0) continue;
        hist[base + (ii * CHROMA_BINS + aa) * CHROMA_BINS + c0 + s] += fi * fa * fc;
      }
    }
  }
}

/** Lower of the two bins sharing a continuous position (clamped so that lower + 1 stays valid when weighted). */
function binLow(pos: number, bins: number): number {
  if (pos <= 0) return 0;
  if (pos >= bins - 1) return bins - 1;
  return Math.floor(pos);
}

/** Weight of the upper bin; 0 at the clamped ends so the (missing) upper bin never receives mass. */
function binWeight(pos: number, bins: number): number {
  if (pos <= 0 || pos >= bins - 1) return 0;
  return pos - Math.floor(pos);
}

/** Circular soft binning for orientations. */
function addOrientation(hist: Float64Array, base: number, pos: number, mass: number): void {
  const lo = Math.floor(pos);
  const w = pos - lo;
  const b0 = (lo + ORIENT_BINS) % ORIENT_BINS;
  const b1 = (lo + 1) % ORIENT_BINS;
  hist[base + b0] += mass * (1 - w);
  hist[base + b1] += mass * w;
}

function writeHellinger(out: Float32Array, at: number, hist: Float64Array, scale: number): void {
  let total = 0;
  for (let k = 0; k < hist.length; k++) total += hist[k];
  if (total <= 0) {
    // Only reachable for an empty region (frames narrower than the pyramid); treat it as uniform.
    for (let k = 0; k < hist.length; k++) out[at + k] = scale / Math.sqrt(hist.length);
    return;
  }
  for (let k = 0; k < hist.length; k++) out[at + k] = scale * Math.sqrt(hist[k] / total);
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
