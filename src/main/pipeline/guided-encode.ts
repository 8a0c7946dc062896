/**
 * The guided encoder (issue 10): after selection and texts, the file's byte budget (rate control,
 * `--kbps`) is split between the guide stream and the keyframes' enhancement layers; the guide is
 * searched under its share (pipeline/guide.ts), and each keyframe codes its residual over the guide's
 * base frame at that frame (closed loop: the encoder decodes the guide it sends) with the classical
 * AV1 codec under an equal share of what is left.
 */
import type { RgbFrame } from '../../shared/engine/frame.ts';
import type { ReconstructionMode } from '../../shared/engine/interfaces.ts';
import type { ProgressListener } from '../../shared/engine/progress.ts';
import { M3cError, throwIfAborted } from '../../shared/engine/errors.ts';
import type { M3cClip, M3cGuide, M3cHeader, M3cInset, M3cRoi } from '../../shared/bitstream/index.ts';
import type { RoiSpec } from '../../shared/roi/index.ts';
import { insetRect } from '../../shared/reconstruct/roi-inset.ts';
import { guideDomain } from '../../shared/reconstruct/roi-warp.ts';
import { DEFAULT_ROI_LAYER, encodeInset, insetShare as insetShareOf, readWarpedProxies, roiSection, roiWarp, warpMovedShare, type RoiLayer } from './roi.ts';
import { residualLayer } from '../../shared/reconstruct/guided.ts';
import { pickFrames } from '../media/index.ts';
import { CLASSICAL_AV1_ID } from '../codecs/index.ts';
import { GUIDE_LEAN_CODEC_ID, type GuideEncoder } from '../codecs/guide-stream.ts';
import type { StageTimer } from '../util/stage-timer.ts';
import { writeBitstream } from './container.ts';
import type { Engine } from './engine.ts';
import { guideTrack, readProxies, searchGuide, type GuideSearchResult } from './guide.ts';
import type { CodedTexts } from './texts.ts';
import { workingFrames, type WorkingGeometry } from './working-frames.ts';

/** Default rate of a guided encode: the best the encoder finds at about 3 kbit/s (issue 10). */
export const DEFAULT_TARGET_KBPS = 3;
export const MIN_TARGET_KBPS = 0.5;
export const MAX_TARGET_KBPS = 1000;
/**
 * Share of the guide-and-keyframes budget given to the keyframes' enhancement layers. 0: keyframes
 * carry no layer and every byte goes to the guide; docs/guided.md gives the measurement that chose it.
 */
export const DEFAULT_LAYER_SHARE = 0;
/** Share of the budget kept for the plain keyframes when some clips are not guided. */
const PLAIN_KEYFRAME_SHARE = 0.3;
/** A layer under this many bytes buys nothing measurable (the classical codec's smallest useful frame). */
const MIN_LAYER_BYTES = 120;

export interface RateSplit {
  readonly targetBytes: number;
  readonly guideBudgetBytes: number;
  readonly guideBytes: number;
  readonly layerBudgetBytes: number;
  /** Regions of interest (issue 14): the share of the guide budget given to the inset, its budget and its stream's bytes. */
  readonly insetShare?: number;
  readonly insetBudgetBytes?: number;
  readonly insetBytes?: number;
  /** Regions of interest: the layer used and the bytes it moved into the regions (the inset's, or the warp's estimate: the guide's bytes times the share of its picture moved). */
  readonly roiLayer?: RoiLayer;
  readonly roiMovedBytes?: number;
}

export interface GuidedParts {
  readonly guide: M3cGuide;
  readonly payloads: Uint8Array[];
  readonly modes: ReconstructionMode[];
  readonly split: RateSplit;
  readonly search: GuideSearchResult;
  /** The regions section (with its inset) when the encode had regions. */
  readonly roi?: M3cRoi;
  readonly insetSearch?: GuideSearchResult;
}

export function checkTargetKbps(kbps: number): number {
  if (!(Number.isFinite(kbps) && kbps >= MIN_TARGET_KBPS && kbps <= MAX_TARGET_KBPS)) {
    throw new M3cError('usage', `target rate must be a number of kbit/s in ${MIN_TARGET_KBPS}..${MAX_TARGET_KBPS}, got ${kbps}`);
  }
  return kbps;
}

/**
 * Clip modes of a guided file: the project's mode per clip unless `clipModes` overrides it; the last clip
 * cannot interpolate, and an interpolation clip followed by a guided one predicts (the guided clip's
 * keyframe is a layer over the guide, not a picture).
 */
export function guidedClipModes(count: number, clipModes: readonly (ReconstructionMode | undefined)[] | undefined): ReconstructionMode[] {
  const modes = Array.from({ length: count }, (_, i) => clipModes?.[i] ?? 'guided');
  return modes.map((m, i) => (m === 'interpolation' && (i + 1 === count || modes[i + 1] === 'guided') ? 'prediction' : m));
}

export async function encodeGuidedParts(
  engine: Engine,
  input: string,
  geometry: WorkingGeometry,
  plan: { header: M3cHeader; keyframes: readonly number[]; texts: readonly CodedTexts[]; modes: readonly ReconstructionMode[] },
  options: { targetKbps: number; layerShare?: number; guideEncoder?: GuideEncoder; roi?: RoiSpec; roiLayer?: RoiLayer; warpMagnification?: number; outsideSoften?: number; insetShare?: number; timer: StageTimer; signal?: AbortSignal; onProgress?: ProgressListener; /** The source's proxies (readProxies), already being read; not with regions that warp the guide. */ proxies?: Promise<RgbFrame[]> },
): Promise<GuidedParts> {
  const { header, keyframes, texts, modes } = plan;
  const { timer, signal, onProgress } = options;
  const layerShare = options.layerShare ?? DEFAULT_LAYER_SHARE;
  if (!(layerShare >= 0 && layerShare < 1)) throw new M3cError('usage', `layer share must be in [0, 1), got ${layerShare}`);
  const durationSec = (header.frameCount * header.fpsDen) / header.fpsNum;
  const targetBytes = Math.floor((checkTargetKbps(options.targetKbps) * 1000 * durationSec) / 8);
  // Everything but the guide stream and the keyframe payloads, measured by writing the file without them
  // (+2 bytes per section for length prefixes that grow once the payloads are in).
  const empty = new Uint8Array(0);
  const frame: M3cGuide = { codecId: GUIDE_LEAN_CODEC_ID, width: 16, height: 16, fpsNum: 1, fpsDen: 1, quantizer: 63, encoder: 'libsvtav1 preset 6', stream: empty };
  const skeleton: M3cClip[] = keyframes.map((first, i) => ({ firstFrame: first, length: (keyframes[i + 1] ?? header.frameCount) - first, mode: modes[i], keyframe: empty, keyframeText: texts[i].keyframeText, clipText: texts[i].clipText }));
  const roiSpec = options.roi && options.roi.regions.length > 0 ? options.roi : undefined;
  const roiLayer: RoiLayer = options.roiLayer ?? DEFAULT_ROI_LAYER;
  const warp = roiSpec && roiLayer === 'warp' ? roiWarp(roiSpec, options.warpMagnification, header.frameCount) : undefined;
  const rect = roiSpec && roiLayer === 'inset' ? insetRect(roiSpec, header.width, header.height) : undefined;
  const emptyInset: M3cInset | undefined = rect ? { ...frame, x: rect.x, y: rect.y, rectWidth: rect.width, rectHeight: rect.height } : undefined;
  const overhead = writeBitstream(header, skeleton, frame, roiSpec ? roiSection(roiSpec, { inset: emptyInset, warp }) : undefined).m3c.length + 2 * (keyframes.length + 2) + 8 + (roiSpec ? 2 : 0);
  const available = targetBytes - overhead;
  const plainCount = modes.filter((m) => m !== 'guided').length;
  const share = plainCount > 0 ? Math.max(layerShare, PLAIN_KEYFRAME_SHARE) : layerShare;
  const streamsBudgetBytes = Math.max(1, Math.floor(available * (1 - share)));
  const insetShare = rect && roiSpec ? (options.insetShare ?? insetShareOf(roiSpec, header.width, header.height)) : 0;
  if (!(insetShare >= 0 && insetShare < 1)) throw new M3cError('usage', `inset share must be in [0, 1), got ${insetShare}`);
  const guideBudgetBytes = Math.max(1, Math.floor(streamsBudgetBytes * (1 - insetShare)));

  if (warp && options.proxies) throw new M3cError('internal', 'a warped guide reads its own proxies');
  const proxies = await timer.time('guide-frames', () => options.proxies ?? (warp ? readWarpedProxies(input, geometry, warp, { signal, onProgress, total: header.frameCount, soften: options.outsideSoften }) : readProxies(input, geometry, { signal, onProgress, total: header.frameCount })));
  const working = { num: header.fpsNum, den: header.fpsDen };
  const domainOf = guideDomain(warp);
  const search = await timer.time('guide-search', () => searchGuide(proxies, working, guideBudgetBytes, { signal, onProgress, encoder: options.guideEncoder, ...(domainOf ? { domainOf } : {}) }));
  proxies.length = 0;
  const guideBytes = search.encoded.guide.stream.length;
  // The inset takes what the guide left of the streams' budget (its share, and the guide's slack under its own).
  let roi: M3cRoi | undefined;
  let insetSearch: GuideSearchResult | undefined;
  let insetBudgetBytes = 0;
  if (roiSpec && warp) roi = roiSection(roiSpec, { warp });
  if (roiSpec && rect) {
    insetBudgetBytes = Math.max(1, streamsBudgetBytes - guideBytes);
    const coded = await timer.time('inset-search', () => encodeInset(input, geometry, rect, insetBudgetBytes, { frameCount: header.frameCount, encoder: options.guideEncoder, signal, onProgress }));
    roi = roiSection(roiSpec, { inset: coded.inset });
    insetSearch = coded.search;
  }
  const insetBytes = roi?.inset?.stream.length ?? 0;
  const layerBudgetBytes = Math.max(0, available - guideBytes - insetBytes);
  // A foveated guide carries no enhancement layers on its guided clips (their detail transfer works at the guide's own geometry).
  const wanted = keyframes.map((_, i) => modes[i] !== 'guided' || (!warp && layerShare > 0 && layerBudgetBytes / keyframes.length >= MIN_LAYER_BYTES));
  const perKeyframe = Math.floor(layerBudgetBytes / Math.max(1, wanted.filter(Boolean).length));

  const payloads: Uint8Array[] = keyframes.map(() => empty);
  const coding = keyframes.filter((_, i) => wanted[i]);
  if (coding.length > 0) {
    await timer.time('keyframe-coding', async () => {
      const codec = engine.keyframeCodecById(CLASSICAL_AV1_ID);
      const track = guideTrack(search.coded, search.indices, header.frameCount, header);
      let done = 0;
      for await (const { frame: source, index } of pickFrames(workingFrames(input, geometry, signal), coding, { signal, what: input })) {
        throwIfAborted(signal);
        const i = keyframes.indexOf(index);
        let picture: RgbFrame = source;
        if (modes[i] === 'guided') {
          await track.skip(index - track.next, signal);
          picture = residualLayer(source, (await track.take(signal)).base);
        }
        payloads[i] = await codec.encode(picture, { budgetBytes: Math.max(MIN_LAYER_BYTES, perKeyframe), signal });
        onProgress?.({ stage: 'keyframe coding', done: ++done, total: coding.length });
      }
    });
  }
  // The warp moves its share of the guide's picture over its frames only.
  const warpFrames = warp?.frames ? (warp.frames[1] - warp.frames[0] + 1) / header.frameCount : 1;
  const roiMovedBytes = warp ? Math.round(guideBytes * warpMovedShare(warp) * warpFrames) : insetBytes;
  const split: RateSplit = !roi
    ? { targetBytes, guideBudgetBytes, guideBytes, layerBudgetBytes }
    : warp
      ? { targetBytes, guideBudgetBytes, guideBytes, layerBudgetBytes, roiLayer, roiMovedBytes }
      : { targetBytes, guideBudgetBytes, guideBytes, layerBudgetBytes, insetShare, insetBudgetBytes, insetBytes, roiLayer, roiMovedBytes };
  return { guide: search.encoded.guide, payloads, modes: [...modes], split, search, ...(roi ? { roi, insetSearch } : {}) };
}

