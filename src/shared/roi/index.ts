/**
 * Regions of interest (issue 14): places in the video where the user, or the LMM's grounding round, wants
 * the bits. One shape everywhere (the CLI's `--roi FILE.json`, the studio, the dialogue's answers, the
 * `.m3c`): a box in [0, 1] of the working frame, an inclusive frame range, a weight > 0 and a label.
 *
 * A box that follows the content through a clip is a list of regions over short frame ranges (the studio's
 * tracking writes it that way), so the file format needs no second shape.
 */
import { M3cError, type ErrorCode } from '../engine/errors.ts';
import type { RgbFrame } from '../engine/frame.ts';
import { psnrFromMse } from '../metrics/psnr.ts';

export type RoiSource = 'hand' | 'lmm' | 'file';

export interface RoiRegion {
  /** First and last working frame, inclusive. */
  readonly frames: readonly [number, number];
  /** x, y, width, height in [0, 1] of the working frame; x + width <= 1, y + height <= 1. */
  readonly box: readonly [number, number, number, number];
  /** How much this region matters; > 0. Weights compare regions with each other. */
  readonly weight: number;
  readonly label: string;
  /** Where it came from (not part of the file format's required fields). */
  readonly source?: RoiSource;
}

export interface RoiSpec {
  readonly regions: readonly RoiRegion[];
}

export const ROI_MAX_REGIONS = 256;
export const ROI_MAX_WEIGHT = 100;
export const ROI_MAX_LABEL = 64;
/** Boxes smaller than this (of the frame's side) are refused: nothing can be coded in them. */
export const ROI_MIN_SIDE = 1 / 64;
const EPS = 1e-6;

function fail(code: ErrorCode, where: string, what: string): never {
  throw new M3cError(code, `${where}: ${what}`);
}

function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/**
 * Checks one region (an object from JSON, the store or an LMM answer). `where` names it in the error
 * ("roi.json regions[2]"), `frameCount` (when known) bounds its frames.
 */
export function parseRegion(value: unknown, where: string, options: { frameCount?: number; code?: ErrorCode; source?: RoiSource } = {}): RoiRegion {
  const code = options.code ?? 'input';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(code, where, 'is not an object');
  const v = value as Record<string, unknown>;
  const frames = v.frames;
  if (!Array.isArray(frames) || frames.length !== 2 || !frames.every((f) => Number.isInteger(f) && (f as number) >= 0)) {
    fail(code, where, '"frames" must be [FIRST, LAST], two whole numbers >= 0');
  }
  const [first, last] = frames as [number, number];
  if (last < first) fail(code, where, `"frames" [${first}, ${last}] ends before it starts`);
  if (options.frameCount !== undefined && last >= options.frameCount) {
    fail(code, where, `"frames" [${first}, ${last}] goes past the video's last frame (${options.frameCount - 1})`);
  }
  const box = v.box;
  if (!Array.isArray(box) || box.length !== 4 || !box.every(isNumber)) fail(code, where, '"box" must be [x, y, w, h], four numbers in [0, 1]');
  const [x, y, w, h] = box as [number, number, number, number];
  if (x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > 1 + EPS || y + h > 1 + EPS) {
    fail(code, where, `"box" [${box.join(', ')}] is not inside the frame (x, y >= 0, w, h > 0, x + w <= 1, y + h <= 1)`);
  }
  if (w < ROI_MIN_SIDE || h < ROI_MIN_SIDE) fail(code, where, `"box" is smaller than 1/64 of the frame`);
  const weight = v.weight ?? 1;
  if (!isNumber(weight) || weight <= 0 || weight > ROI_MAX_WEIGHT) fail(code, where, `"weight" must be a number > 0 and <= ${ROI_MAX_WEIGHT}`);
  const label = v.label ?? '';
  if (typeof label !== 'string') fail(code, where, '"label" must be a string');
  if (label.length > ROI_MAX_LABEL) fail(code, where, `"label" is longer than ${ROI_MAX_LABEL} characters`);
  const source = v.source ?? options.source;
  if (source !== undefined && source !== 'hand' && source !== 'lmm' && source !== 'file') fail(code, where, '"source" must be "hand", "lmm" or "file"');
  return {
    frames: [first, last],
    box: [x, y, Math.min(w, 1 - x), Math.min(h, 1 - y)],
    weight,
    label,
    ...(source !== undefined ? { source: source as RoiSource } : {}),
  };
}

/** `{"regions": [...]}` as parsed JSON, checked. */
export function parseRoiSpec(value: unknown, where: string, options: { frameCount?: number; code?: ErrorCode; source?: RoiSource } = {}): RoiSpec {
  const code = options.code ?? 'input';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(code, where, 'must be an object {"regions": [...]}');
  const regions = (value as Record<string, unknown>).regions;
  if (!Array.isArray(regions)) fail(code, where, '"regions" must be a list');
  if (regions.length > ROI_MAX_REGIONS) fail(code, where, `has ${regions.length} regions; at most ${ROI_MAX_REGIONS}`);
  return { regions: regions.map((r, i) => parseRegion(r, `${where} regions[${i}]`, options)) };
}

/** The text of a `--roi` file, checked: one-line errors that name the file and the region. */
export function parseRoiJson(text: string, where: string, options: { frameCount?: number; code?: ErrorCode } = {}): RoiSpec {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    fail(options.code ?? 'input', where, `is not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  return parseRoiSpec(value, where, { ...options, source: 'file' });
}

/** The regions that cover `frame`. */
export function regionsAt(spec: RoiSpec, frame: number): RoiRegion[] {
  return spec.regions.filter((r) => r.frames[0] <= frame && frame <= r.frames[1]);
}

/** A box in whole pixels of a `width` x `height` frame (at least one pixel, inside the frame). */
export function boxPixels(box: readonly [number, number, number, number], width: number, height: number): { x: number; y: number; width: number; height: number } {
  const x0 = Math.max(0, Math.min(width - 1, Math.floor(box[0] * width)));
  const y0 = Math.max(0, Math.min(height - 1, Math.floor(box[1] * height)));
  const x1 = Math.max(x0 + 1, Math.min(width, Math.ceil((box[0] + box[2]) * width)));
  const y1 = Math.max(y0 + 1, Math.min(height, Math.ceil((box[1] + box[3]) * height)));
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** A per-pixel mask (1 inside any region covering `frame`, else 0) for metrics inside and outside. */
export function roiMask(spec: RoiSpec, frame: number, width: number, height: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (const r of regionsAt(spec, frame)) {
    const p = boxPixels(r.box, width, height);
    for (let y = p.y; y < p.y + p.height; y++) mask.fill(1, y * width + p.x, y * width + p.x + p.width);
  }
  return mask;
}

/** Canonical JSON (what `m3c describe` writes and `--roi` reads). */
export function roiJson(spec: RoiSpec): string {
  return `${JSON.stringify({ regions: spec.regions.map((r) => ({ frames: r.frames, box: r.box, weight: r.weight, label: r.label, ...(r.source ? { source: r.source } : {}) })) }, null, 2)}\n`;
}

/**
 * Luma squared error of one frame, inside and outside `mask` (sums and pixel counts), so a caller can
 * pool over frames before taking PSNR: PSNR-Y inside = psnrFromMse(sum of sse / sum of n).
 */
export function maskedLumaSse(reference: RgbFrame, test: RgbFrame, mask: Uint8Array): { inside: { sse: number; n: number }; outside: { sse: number; n: number } } {
  if (reference.width !== test.width || reference.height !== test.height) throw new RangeError('frames differ in size');
  if (mask.length !== reference.width * reference.height) throw new RangeError('mask does not match the frame');
  const inside = { sse: 0, n: 0 };
  const outside = { sse: 0, n: 0 };
  const a = reference.data;
  const b = test.data;
  for (let i = 0, j = 0; i < mask.length; i++, j += 3) {
    const d = 0.299 * (a[j] - b[j]) + 0.587 * (a[j + 1] - b[j + 1]) + 0.114 * (a[j + 2] - b[j + 2]);
    const t = mask[i] ? inside : outside;
    t.sse += d * d;
    t.n++;
  }
  return { inside, outside };
}

/**
 * PSNR-Y inside and outside the regions, pooled over frames (squared error summed, then PSNR): add each
 * decoded frame with its reference and its index; `psnr()` is null on a side no pixel fell on.
 */
export class RoiErrorPool {
  private readonly inside = { sse: 0, n: 0 };
  private readonly outside = { sse: 0, n: 0 };
  constructor(private readonly spec: RoiSpec) {}

  add(reference: RgbFrame, test: RgbFrame, frame: number): void {
    const m = maskedLumaSse(reference, test, roiMask(this.spec, frame, reference.width, reference.height));
    this.inside.sse += m.inside.sse;
    this.inside.n += m.inside.n;
    this.outside.sse += m.outside.sse;
    this.outside.n += m.outside.n;
  }

  psnr(): { inside: number | null; outside: number | null } {
    const of = (t: { sse: number; n: number }): number | null => (t.n > 0 ? psnrFromMse(t.sse / t.n) : null);
    return { inside: of(this.inside), outside: of(this.outside) };
  }
}
