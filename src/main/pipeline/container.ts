/**
 * Stage 6, the container: the .m3c header built from the engine and the selection, the clips
 * from the coded keyframes and texts, the summary of what the bytes hold, and the opening of a
 * .m3c (parsed and checked against this installation and the resource limits).
 */
import type { EncodeSections } from '../store/types.ts';
import type { Geometry } from '../../shared/engine/frame.ts';
import type { ReconstructionMode } from '../../shared/engine/interfaces.ts';
import { M3cError } from '../../shared/engine/errors.ts';
import { DEFAULT_DECODE_LIMITS, parseM3c, parseErrorToM3cError, writeM3c, type DecodeLimits, type M3cClip, type M3cFile, type M3cGuide, type M3cHeader, type M3cRoi } from '../../shared/bitstream/index.ts';
import type { SelectionParams } from '../../shared/keyframes/index.ts';
import { CLASSICAL_AV1_ID } from '../codecs/index.ts';
import { GUIDED_RECONSTRUCTOR_ID, GUIDED_RESTORE_RECONSTRUCTOR_ID, type Engine } from './engine.ts';
import type { CodedTexts } from './texts.ts';

/** The header of a new .m3c: working geometry, the engine's backends and model pack, the selection parameters. */
export function buildHeader(engine: Engine, geometry: Geometry, frameCount: number, selection: SelectionParams, keyframeBudgetBytes: number, guided = false): M3cHeader {
  return {
    width: geometry.width,
    height: geometry.height,
    fpsNum: geometry.fpsNum,
    fpsDen: geometry.fpsDen,
    frameCount,
    modelPackId: engine.manifest.packId,
    modelPackHash: engine.modelPackHash,
    // A guided file codes its keyframes (enhancement layers over the guide) with the classical codec.
    keyframeCodecId: guided ? CLASSICAL_AV1_ID : engine.keyframeCodec.id,
    reconstructorId: guided ? (engine.restoreGuided ? GUIDED_RESTORE_RECONSTRUCTOR_ID : GUIDED_RECONSTRUCTOR_ID) : engine.reconstructor.id,
    textCoderId: engine.textCoderId,
    params: {
      strategy: selection.strategy,
      lambda1Milli: Math.round(selection.lambda1 * 1000),
      lambda2Milli: Math.round(selection.lambda2 * 1000),
      thresholdMilli: Math.round(selection.threshold * 1000),
      interval: selection.strategy === 'fixed' ? selection.fixedInterval : 0,
      keyframeBudgetBytes,
    },
  };
}

/** Clip i runs from keyframes[i] to the next keyframe (the last to frameCount) and carries payloads[i] and texts[i]. */
export function buildClips(keyframes: readonly number[], frameCount: number, mode: ReconstructionMode | readonly ReconstructionMode[], payloads: readonly Uint8Array[], texts: readonly CodedTexts[]): M3cClip[] {
  return keyframes.map((first, i) => {
    const end = i + 1 < keyframes.length ? keyframes[i + 1] : frameCount;
    const last = i + 1 === keyframes.length;
    const m = typeof mode === 'string' ? mode : mode[i];
    return {
      firstFrame: first,
      length: end - first,
      // Interpolation needs the next keyframe: the last clip predicts (a guided clip needs none).
      mode: last && m === 'interpolation' ? 'prediction' : m,
      keyframe: payloads[i],
      keyframeText: texts[i].keyframeText,
      clipText: texts[i].clipText,
    };
  });
}

/** The store keeps these with each encode: one shape, defined beside the metrics it belongs to. */
export type SectionBytes = EncodeSections & {
  /** The inset stream of the regions of interest (issue 14), when the file has one; counted apart from the guide. */
  readonly inset?: number;
};

export interface BitstreamSummary {
  readonly bytes: number;
  readonly bits: number;
  readonly frameCount: number;
  readonly durationSec: number;
  /** Bits per pixel over all frames at the working geometry. */
  readonly bpp: number;
  readonly kbps: number;
  readonly sections: SectionBytes;
}

export function summariseBitstream(m3c: Uint8Array, header: M3cHeader, clips: readonly M3cClip[], guide?: M3cGuide, roi?: M3cRoi): BitstreamSummary {
  const sum = (f: (c: M3cClip) => Uint8Array): number => clips.reduce((a, c) => a + f(c).length, 0);
  const keyframes = sum((c) => c.keyframe);
  const keyframeTexts = sum((c) => c.keyframeText);
  const clipTexts = sum((c) => c.clipText);
  const inset = roi?.inset?.stream.length;
  const bits = m3c.length * 8;
  const durationSec = (header.frameCount * header.fpsDen) / header.fpsNum;
  return {
    bytes: m3c.length,
    bits,
    frameCount: header.frameCount,
    durationSec,
    bpp: bits / (header.width * header.height * header.frameCount),
    kbps: bits / durationSec / 1000,
    sections: guide
      ? { keyframes, keyframeTexts, clipTexts, guide: guide.stream.length, ...(inset !== undefined ? { inset } : {}), container: m3c.length - keyframes - keyframeTexts - clipTexts - guide.stream.length - (inset ?? 0) }
      : { keyframes, keyframeTexts, clipTexts, container: m3c.length - keyframes - keyframeTexts - clipTexts },
  };
}

/** The .m3c bytes of a header and its clips, and what they hold. */
export function writeBitstream(header: M3cHeader, clips: M3cClip[], guide?: M3cGuide, roi?: M3cRoi): { m3c: Uint8Array; summary: BitstreamSummary } {
  const m3c = writeM3c(guide ? { header, guide, clips, ...(roi ? { roi } : {}) } : { header, clips });
  return { m3c, summary: summariseBitstream(m3c, header, clips, guide, roi) };
}

/**
 * Earlier shipped packs that held no models: a file made under one of them used only code (the
 * classical keyframe codec), so any installation still decodes it.
 */
export const MODEL_FREE_PACKS: ReadonlyMap<string, Uint8Array> = new Map([['m3c-classical-1', Uint8Array.from([0x9d, 0x80, 0x08, 0xda, 0xba, 0x22, 0x91, 0x09])]]);

export interface OpenOptions {
  /**
   * Resource limits checked right after the header, before any work (docs/bitstream.md); default
   * DEFAULT_DECODE_LIMITS. `null` keeps only the format's ranges (`m3c decode --allow-large`).
   */
  readonly limits?: DecodeLimits | null;
  /** Appended to an 'exceeds-limits' message: how this caller's user lifts the limits. */
  readonly limitHint?: string;
}

/**
 * Parses a .m3c and checks it against the installed model pack and the resource limits; errors
 * carry the CLI's codes (a file beyond the limits is 'corrupt-bitstream', exit 4).
 */
export function openBitstream(engine: Engine, bytes: Uint8Array, options: OpenOptions = {}): M3cFile {
  const earlier = engine.manifest.earlierPacks.map((p) => [p.packId, p.hash] as const);
  const known = new Map([...MODEL_FREE_PACKS, ...earlier, [engine.manifest.packId, engine.modelPackHash]]);
  const limits = options.limits === undefined ? DEFAULT_DECODE_LIMITS : (options.limits ?? undefined);
  const parsed = parseM3c(bytes, { knownModelPacks: known, limits });
  if (!parsed.ok) {
    const e = parsed.error;
    throw parseErrorToM3cError(e.kind === 'exceeds-limits' && options.limitHint ? { ...e, message: `${e.message}; ${options.limitHint}` } : e);
  }
  const { modelPackId, keyframeCodecId } = parsed.file.header;
  const ours = modelPackId === engine.manifest.packId || engine.manifest.earlierPacks.some((p) => p.packId === modelPackId);
  if (!ours && keyframeCodecId !== CLASSICAL_AV1_ID) {
    throw new M3cError('model', `this .m3c names model pack ${modelPackId}, which has no models, yet keyframe codec "${keyframeCodecId}": the file is inconsistent`);
  }
  if (parsed.file.header.textCoderId !== engine.textCoderId) {
    throw new M3cError('model', `this .m3c codes its texts with "${parsed.file.header.textCoderId}", this installation has "${engine.textCoderId}"`);
  }
  return parsed.file;
}

export function geometryOf(file: M3cFile): Geometry {
  const h = file.header;
  return { width: h.width, height: h.height, fpsNum: h.fpsNum, fpsDen: h.fpsDen };
}
