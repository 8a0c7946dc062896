/**
 * Regions of interest in a guided encode (issue 14, docs/roi.md): the encoder moves a share of the guide's
 * budget into an inset layer, the rectangle around the regions cropped from the working frames at full
 * resolution and coded as a second small guide stream (searched like the guide); the decoder rebuilds it
 * as a track and pastes it over each guided frame before the restoration.
 */
import type { RgbFrame } from '../../shared/engine/frame.ts';
import type { ProgressListener } from '../../shared/engine/progress.ts';
import { M3cError, throwIfAborted } from '../../shared/engine/errors.ts';
import { quantiseRegion, type M3cFile, type M3cInset, type M3cRoi } from '../../shared/bitstream/index.ts';
import type { RoiSpec } from '../../shared/roi/index.ts';
import { boxPixels } from '../../shared/roi/index.ts';
import type { GuideTrack } from '../../shared/reconstruct/guide-track.ts';
import { cropFrame, insetRect, pasteInset, type PixelRect } from '../../shared/reconstruct/roi-inset.ts';
import { resizeRgbArea, resizeRgbBicubic } from '../../shared/vision/index.ts';
import { axisWarp, warpAppliesAt, warpToGuide, WARP_SCALE, type RoiWarp } from '../../shared/reconstruct/roi-warp.ts';
import { proxySize } from './guide.ts';
import { decodeGuide, guideFrameIndices, type GuideEncoder } from '../codecs/guide-stream.ts';
import { guideTrack, searchGuide, type GuideSearchResult } from './guide.ts';
import { workingFrames, type WorkingGeometry } from './working-frames.ts';

/** Limits of the inset's share of the guide budget (insetShare). */
export const MIN_INSET_SHARE = 0.1;
export const MAX_INSET_SHARE = 0.7;
/** Gain of the share rule over the regions' weighted area fraction (docs/roi.md gives the measurement). */
export const INSET_SHARE_GAIN = 1.5;

/**
 * The share of the guide budget that goes to the inset: INSET_SHARE_GAIN times the regions' weighted share
 * of the frame (the rectangle's area a at the regions' mean weight w, against weight 1 outside:
 * a w / (a w + 1 - a)), within MIN_INSET_SHARE..MAX_INSET_SHARE.
 */
export function insetShare(spec: RoiSpec, width: number, height: number): number {
  const rect = insetRect(spec, width, height);
  const a = (rect.width * rect.height) / (width * height);
  let pixels = 0;
  let weighted = 0;
  for (const r of spec.regions) {
    const p = boxPixels(r.box, width, height);
    const n = p.width * p.height * (r.frames[1] - r.frames[0] + 1);
    pixels += n;
    weighted += n * r.weight;
  }
  const w = pixels > 0 ? weighted / pixels : 1;
  const s = (INSET_SHARE_GAIN * a * w) / (a * w + 1 - a);
  return Math.min(MAX_INSET_SHARE, Math.max(MIN_INSET_SHARE, s));
}

/** How the encoder honours regions: 'warp' (default: the foveated guide) or 'inset' (a second stream; docs/roi.md measures both). */
export type RoiLayer = 'warp' | 'inset';
export const DEFAULT_ROI_LAYER: RoiLayer = 'warp';

/** Linear magnification of the regions' rectangle in the guide at weight 1 (docs/roi.md gives the measurement). */
export const WARP_MAGNIFICATION = 1.5;

/**
 * The foveated guide's map for `spec`: the bounding box of every region (as the file quantises them) magnified
 * by WARP_MAGNIFICATION times the square root of the regions' mean weight (within 1..2), each axis on its own,
 * over the frames from the regions' first to their last (`frames`, when that is not the whole of `frameCount`).
 */
export function roiWarp(spec: RoiSpec, magnification?: number, frameCount?: number): RoiWarp {
  const q = spec.regions.map(quantiseRegion);
  const ax = Math.min(...q.map((r) => r.box[0]));
  const ay = Math.min(...q.map((r) => r.box[1]));
  const bx = Math.max(...q.map((r) => r.box[2]));
  const by = Math.max(...q.map((r) => r.box[3]));
  let weighted = 0;
  let area = 0;
  for (const r of q) {
    const n = (r.box[2] - r.box[0]) * (r.box[3] - r.box[1]) * (r.last - r.first + 1);
    area += n;
    weighted += (n * r.weight16) / 16;
  }
  const w = area > 0 ? weighted / area : 1;
  const m = magnification ?? Math.min(2, Math.max(1, WARP_MAGNIFICATION * Math.sqrt(w)));
  const first = Math.min(...q.map((r) => r.first));
  const last = Math.max(...q.map((r) => r.last));
  const partial = frameCount !== undefined && (first > 0 || last < frameCount - 1);
  return { x: axisWarp(ax, bx, m), y: axisWarp(ay, by, m), ...(partial ? { frames: [first, last] as const } : {}) };
}

/** Factor by which the encoder softens the picture outside the regions before coding the guide (1: not at all; 4 measured no better, docs/roi.md). */
export const OUTSIDE_SOFTEN = 1;

/** The share of the guide's picture the regions' box takes, less the share it takes of the frame (what the warp moves to it). */
export function warpMovedShare(warp: RoiWarp): number {
  const s = WARP_SCALE * WARP_SCALE;
  return ((warp.x.B - warp.x.A) * (warp.y.B - warp.y.A) - (warp.x.b - warp.x.a) * (warp.y.b - warp.y.a)) / s;
}

/** Every working frame resampled by the warp to the proxy size (the guide search's proxies, one pass over the source). */
export async function readWarpedProxies(input: string, geometry: WorkingGeometry, warp: RoiWarp, options: { signal?: AbortSignal; onProgress?: ProgressListener; total?: number; soften?: number } = {}): Promise<RgbFrame[]> {
  const size = proxySize(geometry);
  const out: RgbFrame[] = [];
  const soften = options.soften ?? OUTSIDE_SOFTEN;
  const s = WARP_SCALE;
  const rect = insetRect({ regions: [{ frames: [0, 0], box: [warp.x.A / s, warp.y.A / s, (warp.x.B - warp.x.A) / s, (warp.y.B - warp.y.A) / s], weight: 1, label: '' }] }, size.width, size.height);
  for await (const f of workingFrames(input, geometry, options.signal)) {
    throwIfAborted(options.signal);
    // Outside the warp's frames the guide codes the frame as it is (resampled to the proxy size only).
    const warped = warpAppliesAt(warp, out.length);
    const p = warped ? warpToGuide(f, warp, size.width, size.height) : size.width === f.width ? f : resizeRgbArea(f, size.width, size.height);
    if (soften > 1 && warped) {
      // Outside the regions the guide codes a softened picture: fewer bytes there at a CRF, so the search's CRF is lower everywhere.
      const w = Math.max(8, 2 * Math.round(size.width / soften / 2));
      const h = Math.max(8, 2 * Math.round(size.height / soften / 2));
      const soft = resizeRgbBicubic(resizeRgbArea(p, w, h), size.width, size.height);
      out.push(pasteInset(soft, cropFrame(p, rect), rect));
    } else out.push(p);
    if (out.length % 16 === 0) options.onProgress?.({ stage: 'guide frames', done: out.length, total: options.total ?? out.length });
  }
  if (out.length === 0) throw new M3cError('input', `${input} has no video frames`);
  return out;
}

/** Every working frame's rectangle (one pass over the source). */
export async function readCrops(input: string, geometry: WorkingGeometry, rect: PixelRect, options: { signal?: AbortSignal; onProgress?: ProgressListener; total?: number } = {}): Promise<RgbFrame[]> {
  const out: RgbFrame[] = [];
  for await (const f of workingFrames(input, geometry, options.signal)) {
    throwIfAborted(options.signal);
    out.push(cropFrame(f, rect));
    if (out.length % 16 === 0) options.onProgress?.({ stage: 'inset frames', done: out.length, total: options.total ?? out.length });
  }
  if (out.length === 0) throw new M3cError('input', `${input} has no video frames`);
  return out;
}

/**
 * Frame rates the inset's search tries: lower than the guide's (a tiny AV1 stream costs tens of bytes a coded
 * frame whatever its content, and the inset's budget is a few hundred bytes; docs/roi.md). Not below 1 fps:
 * libaom refuses a time base under one tick a second.
 */
export const INSET_RATES: readonly { num: number; den: number }[] = [
  { num: 2, den: 1 },
  { num: 1, den: 1 },
];

export interface InsetResult {
  readonly inset: M3cInset;
  readonly search: GuideSearchResult;
}

/** Searches the inset's stream (size, rate, CRF) under `budgetBytes`, like the guide. */
export async function encodeInset(input: string, geometry: WorkingGeometry, rect: PixelRect, budgetBytes: number, options: { frameCount: number; encoder?: GuideEncoder; signal?: AbortSignal; onProgress?: ProgressListener }): Promise<InsetResult> {
  const crops = await readCrops(input, geometry, rect, { signal: options.signal, onProgress: options.onProgress, total: options.frameCount });
  const working = { num: geometry.fpsNum, den: geometry.fpsDen };
  const rates = INSET_RATES.filter((r) => r.num * working.den <= working.num * r.den);
  const search = await searchGuide(crops, working, Math.max(1, budgetBytes), { signal: options.signal, onProgress: options.onProgress, encoder: options.encoder, ...(rates.length > 0 ? { rates } : {}) });
  crops.length = 0;
  return { inset: { ...search.encoded.guide, x: rect.x, y: rect.y, rectWidth: rect.width, rectHeight: rect.height }, search };
}

/** The file's regions section for `spec` and (when coded) its inset. */
export function roiSection(spec: RoiSpec, layer?: { inset?: M3cInset; warp?: RoiWarp }): M3cRoi {
  const regions = spec.regions.map(quantiseRegion);
  if (layer?.inset) return { regions, inset: layer.inset };
  if (layer?.warp) return { regions, warp: { x: { ...layer.warp.x }, y: { ...layer.warp.y }, ...(layer.warp.frames ? { frames: layer.warp.frames } : {}) } };
  return { regions };
}

/** The inset of a file as a track of frames at the rectangle's size, or undefined. */
export async function openInsetTrack(file: M3cFile, signal?: AbortSignal): Promise<{ track: GuideTrack; rect: PixelRect } | undefined> {
  const inset = file.roi?.inset;
  if (!inset) return undefined;
  const { header } = file;
  const indices = guideFrameIndices(inset, header.frameCount, { num: header.fpsNum, den: header.fpsDen });
  let coded: RgbFrame[];
  try {
    coded = await decodeGuide(inset, indices.length, { signal });
  } catch (e) {
    if (e instanceof M3cError && e.code === 'corrupt-bitstream') throw new M3cError('corrupt-bitstream', e.message.replace(/guide/g, 'inset'));
    throw e;
  }
  const rect = { x: inset.x, y: inset.y, width: inset.rectWidth, height: inset.rectHeight };
  return { track: guideTrack(coded, indices, header.frameCount, rect), rect };
}
