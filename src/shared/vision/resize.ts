/**
 * Separable resampling of planes. Both filters are expressed as per-axis weight tables so that
 * the inner loops are plain multiply-adds over contiguous memory.
 */
import type { RgbFrame } from '../engine/frame.ts';
import { makePlane, type Plane } from './plane.ts';

/** For each output index: the first input index it reads and its weights (concatenated). */
interface AxisTable {
  readonly start: Int32Array;
  readonly count: Int32Array;
  readonly offset: Int32Array;
  readonly weights: Float32Array;
}

function buildTable(outSize: number, taps: (i: number) => Array<[number, number]>): AxisTable {
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const offset = new Int32Array(outSize);
  const all: number[] = [];
  for (let i = 0; i < outSize; i++) {
    const t = taps(i);
    start[i] = t.length > 0 ? t[0][0] : 0;
    count[i] = t.length;
    offset[i] = all.length;
    for (const [idx, w] of t) {
      if (idx !== start[i] + (all.length - offset[i])) throw new Error('resample taps must be contiguous');
      all.push(w);
    }
  }
  return { start, count, offset, weights: Float32Array.from(all) };
}

// Tables depend only on the sizes, and a codec works at a handful of fixed sizes: memoise them.
const tableCache = new Map<string, AxisTable>();
const TABLE_CACHE_LIMIT = 64;

function cached(kind: string, inSize: number, outSize: number, make: () => AxisTable): AxisTable {
  const key = `${kind}:${inSize}:${outSize}`;
  let t = tableCache.get(key);
  if (!t) {
    if (tableCache.size >= TABLE_CACHE_LIMIT) tableCache.clear();
    t = make();
    tableCache.set(key, t);
  }
  return t;
}

/** Box-overlap weights: each output sample is the mean of the input area it covers. */
function areaTable(inSize: number, outSize: number): AxisTable {
  return cached('area', inSize, outSize, () => makeAreaTable(inSize, outSize));
}

function bilinearTable(inSize: number, outSize: number): AxisTable {
  return cached('bilinear', inSize, outSize, () => makeBilinearTable(inSize, outSize));
}

function makeAreaTable(inSize: number, outSize: number): AxisTable {
  const scale = inSize / outSize;
  return buildTable(outSize, (i) => {
    const lo = i * scale;
    const hi = Math.min(inSize, (i + 1) * scale);
    const taps: Array<[number, number]> = [];
    for (let k = Math.floor(lo); k < hi; k++) {
      const overlap = Math.min(hi, k + 1) - Math.max(lo, k);
      if (overlap > 1e-9) taps.push([k, overlap / (hi - lo)]);
    }
    return taps;
  });
}

/** Tent weights between the two nearest input samples (pixel centres aligned), clamped at borders. */
function makeBilinearTable(inSize: number, outSize: number): AxisTable {
  const scale = inSize / outSize;
  return buildTable(outSize, (i) => {
    const x = Math.min(inSize - 1, Math.max(0, (i + 0.5) * scale - 0.5));
    const x0 = Math.floor(x);
    const f = x - x0;
    if (x0 + 1 >= inSize || f === 0) return [[x0, 1]];
    return [
      [x0, 1 - f],
      [x0 + 1, f],
    ];
  });
}

function resample(src: Plane, width: number, height: number, tx: AxisTable, ty: AxisTable): Plane {
  const sw = src.width;
  const sh = src.height;
  const s = src.data;
  // Horizontal pass into a width x sh buffer, then vertical into the output.
  const tmp = new Float32Array(width * sh);
  for (let y = 0; y < sh; y++) {
    const row = y * sw;
    const orow = y * width;
    for (let x = 0; x < width; x++) {
      const st = row + tx.start[x];
      const o = tx.offset[x];
      const c = tx.count[x];
      let acc = 0;
      for (let k = 0; k < c; k++) acc += s[st + k] * tx.weights[o + k];
      tmp[orow + x] = acc;
    }
  }
  return verticalPass(tmp, width, height, ty);
}

function verticalPass(tmp: Float32Array, width: number, height: number, ty: AxisTable): Plane {
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const st = ty.start[y];
    const o = ty.offset[y];
    const c = ty.count[y];
    const orow = y * width;
    for (let k = 0; k < c; k++) {
      const w = ty.weights[o + k];
      const irow = (st + k) * width;
      for (let x = 0; x < width; x++) out[orow + x] += tmp[irow + x] * w;
    }
  }
  return makePlane(width, height, out);
}

function checkSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`resize target must be positive integers, got ${width}x${height}`);
  }
}

// BT.601 weights for [0, 1] luma, as in lumaOf.
const KR = 0.299 / 255;
const KG = 0.587 / 255;
const KB = 0.114 / 255;

/**
 * Luma of an RGB24 frame area-resized to width x height in one pass: the same result as
 * resizeArea(lumaOf(frame)) without materialising the full-resolution luma plane.
 */
export function lumaArea(frame: RgbFrame, width: number, height: number): Plane {
  checkSize(width, height);
  const tx = width <= frame.width ? areaTable(frame.width, width) : bilinearTable(frame.width, width);
  const ty = height <= frame.height ? areaTable(frame.height, height) : bilinearTable(frame.height, height);
  const sw = frame.width;
  const sh = frame.height;
  const s = frame.data;
  const tmp = new Float32Array(width * sh);
  for (let y = 0; y < sh; y++) {
    const row = y * sw;
    const orow = y * width;
    for (let x = 0; x < width; x++) {
      let j = (row + tx.start[x]) * 3;
      const o = tx.offset[x];
      const c = tx.count[x];
      let acc = 0;
      for (let k = 0; k < c; k++, j += 3) acc += (KR * s[j] + KG * s[j + 1] + KB * s[j + 2]) * tx.weights[o + k];
      tmp[orow + x] = acc;
    }
  }
  return verticalPass(tmp, width, height, ty);
}

/** Area-average resize; the right filter for shrinking (no aliasing from skipped pixels). */
export function resizeArea(src: Plane, width: number, height: number): Plane {
  checkSize(width, height);
  if (width === src.width && height === src.height) return makePlane(width, height, src.data.slice());
  const tx = width <= src.width ? areaTable(src.width, width) : bilinearTable(src.width, width);
  const ty = height <= src.height ? areaTable(src.height, height) : bilinearTable(src.height, height);
  return resample(src, width, height, tx, ty);
}

/** Bilinear resize with pixel centres aligned; the right filter for enlarging smooth fields. */
export function resizeBilinear(src: Plane, width: number, height: number): Plane {
  checkSize(width, height);
  if (width === src.width && height === src.height) return makePlane(width, height, src.data.slice());
  return resample(src, width, height, bilinearTable(src.width, width), bilinearTable(src.height, height));
}
