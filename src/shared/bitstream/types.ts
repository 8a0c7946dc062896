/**
 * Data model of the `.m3c` container: what the encoder writes and the decoder reads back.
 * The byte layout is specified in docs/bitstream.md.
 */
export type { ReconstructionMode } from '../engine/interfaces.ts';
import type { ReconstructionMode } from '../engine/interfaces.ts';

export type SelectionStrategy = 'motion-semantic' | 'semantic' | 'fixed';

/** Keyframe-selection settings the file was made with (provenance; the decoder does not need them). */
export interface CodingParams {
  strategy: SelectionStrategy;
  /** λ1, λ2 and D_th in thousandths, so the file carries integers only. */
  lambda1Milli: number;
  lambda2Milli: number;
  thresholdMilli: number;
  /** Interval in frames of the 'fixed' strategy; 0 for the other strategies. */
  interval: number;
  keyframeBudgetBytes: number;
}

export interface M3cHeader {
  /** Even, 16..8192. */
  width: number;
  height: number;
  /** fpsNum 1..240_000, fpsDen 1..1001; fps = fpsNum / fpsDen, 0.1 <= fps <= 240. */
  fpsNum: number;
  fpsDen: number;
  /** 1..10_000_000. */
  frameCount: number;
  /** Printable ASCII, 1..64 characters, e.g. "m3c-classical-1". */
  modelPackId: string;
  /** Exactly 8 bytes: prefix of the pack manifest's sha-256. */
  modelPackHash: Uint8Array;
  keyframeCodecId: string;
  reconstructorId: string;
  textCoderId: string;
  params: CodingParams;
}

export interface M3cClip {
  firstFrame: number;
  length: number;
  mode: ReconstructionMode;
  /** Keyframe payload (codec-specific). */
  keyframe: Uint8Array;
  /** Coded keyframe description D^F (may be empty). */
  keyframeText: Uint8Array;
  /** Coded clip description D^C (may be empty). */
  clipText: Uint8Array;
}

/**
 * The guide stream of a version-2 file: the whole video coded by a classical codec at a reduced size
 * and frame rate (coded frame k shows working frame floor(k * F / f), F the header's rate, f this one).
 */
export interface M3cGuide {
  /**
   * How `stream` is coded: "av1-obu" (AV1 low-overhead OBU stream, yuv420p, 8 bits) or "av1-obu-lean" (the
   * same without temporal delimiters; GUIDE_CODEC_IDS).
   */
  codecId: string;
  /** Coded size: even, 16..8192, at most the header's. */
  width: number;
  height: number;
  /** Coded frame rate, at most the header's (same ranges as the header's). */
  fpsNum: number;
  fpsDen: number;
  /** The encoder's quantiser (CRF, provenance only). */
  quantizer: number;
  /** Which encoder and settings made it, e.g. "libsvtav1 preset 6" (provenance only). */
  encoder: string;
  stream: Uint8Array;
}

export interface M3cFile {
  version: number;
  header: M3cHeader;
  /** Version 2 only; guided clips need it. */
  guide?: M3cGuide;
  clips: M3cClip[];
  /** Version 2 only, optional: the regions of interest and their inset stream (issue 14), after the last clip. */
  roi?: M3cRoi;
}

/**
 * A region as the file stores it: frames inclusive, the box as edges in 1/256 of the working frame (rounded
 * outward from what was asked, so it still contains it), the weight in 1/16 (1..1600), the label as UTF-8.
 */
export interface M3cRegion {
  first: number;
  last: number;
  /** x0, y0, x1, y1 in 0..256, x0 < x1, y0 < y1. */
  box: [number, number, number, number];
  /** Weight in sixteenths, 1..ROI_WEIGHT_SCALE * 100. */
  weight16: number;
  label: string;
}

/**
 * The inset layer: a rectangle of the working frame (in working pixels, even, at least 16 on a side) coded
 * as a second guide stream (same fields and codec ids as the guide), pasted over the guided frames.
 */
export interface M3cInset extends M3cGuide {
  x: number;
  y: number;
  rectWidth: number;
  rectHeight: number;
}

/** One axis of the foveated guide: the frame's [a, b] is the guide picture's [A, B], in 1/256 of the side. */
export interface M3cAxisWarp {
  a: number;
  b: number;
  A: number;
  B: number;
}

/** The foveated guide (shared/reconstruct/roi-warp.ts): the guide stream was coded from frames resampled by this map. */
export interface M3cWarp {
  x: M3cAxisWarp;
  y: M3cAxisWarp;
  /** Layer 3: the working frames (inclusive) the warp applies to; absent (layer 2): every frame. */
  frames?: readonly [number, number];
}

/** The regions and the layer that honours them: an inset stream or a warp of the guide (at most one). */
export interface M3cRoi {
  regions: M3cRegion[];
  inset?: M3cInset;
  warp?: M3cWarp;
}

export const ROI_BOX_SCALE = 256;
export const ROI_WEIGHT_SCALE = 16;
export const ROI_MAX_LABEL_BYTES = 256;

export type M3cParseErrorKind =
  | 'wrong-magic'
  | 'unsupported-version'
  | 'truncated'
  | 'checksum-mismatch'
  | 'out-of-range'
  | 'unknown-model-pack'
  | 'trailing-data'
  | 'exceeds-limits';

export interface M3cParseError {
  kind: M3cParseErrorKind;
  /** One line a user understands. */
  message: string;
  /** Byte offset in the file where the problem was found, when there is one. */
  offset?: number;
}

export interface ParseOptions {
  /** Installed model packs: id -> 8-byte hash. When given, the file's pack must be one of them. */
  knownModelPacks?: ReadonlyMap<string, Uint8Array>;
  /**
   * Resource limits of the reader (e.g. DEFAULT_DECODE_LIMITS): a header beyond them is refused
   * with 'exceeds-limits' before any clip is read. Absent: only the format's own ranges apply.
   */
  limits?: DecodeLimits;
}

/**
 * What a decoder agrees to decode, on top of the format's ranges (docs/bitstream.md, "Resource
 * limits"): its memory grows with the frame size and its time and output with the frame count.
 */
export interface DecodeLimits {
  /** Largest width and largest height, in pixels. */
  readonly maxDimension: number;
  /** Largest width * height. */
  readonly maxPixels: number;
  /** Largest frame count. */
  readonly maxFrameCount: number;
  /** Longest duration, frameCount * fpsDen / fpsNum, in seconds. */
  readonly maxDurationSec: number;
}

export type ParseResult = { ok: true; file: M3cFile } | { ok: false; error: M3cParseError };

/**
 * What a byte range is for: `framing` is container overhead (signature, length prefixes, CRCs),
 * `metadata` the header's and clips' values, `keyframe` and `text` the coded payloads.
 */
export type FieldKind = 'framing' | 'metadata' | 'keyframe' | 'text' | 'guide';

export interface M3cFieldSpan {
  name: string;
  offset: number;
  size: number;
  kind: FieldKind;
}

export interface M3cSectionSpan {
  /** "preamble", "header", "guide" (version 2), "clip N" (N from 1) or "regions" (version 2, optional). */
  name: string;
  offset: number;
  size: number;
  fields: M3cFieldSpan[];
}

/** `describeSections`' answer; on error, `sections` holds what was read before the problem. */
export type M3cLayout =
  | { ok: true; file: M3cFile; totalBytes: number; sections: M3cSectionSpan[] }
  | { ok: false; error: M3cParseError; totalBytes: number; sections: M3cSectionSpan[] };

/**
 * Newest format version: 3 is version 2 with its identifiers as codes of append-only tables (ids.ts) instead
 * of spelled out. Version 2 added the guide section and the 'guided' clip mode. A file without a guide is
 * written as version 1, byte for byte as before; a guided file as version 3; this build reads all three.
 */
export const M3C_VERSION = 3;
export const M3C_VERSION_2 = 2;
export const M3C_VERSION_1 = 1;
/**
 * 'av1-obu': an AV1 low-overhead OBU stream as the encoder wrote it. 'av1-obu-lean': the same without its
 * temporal delimiter OBUs, which the decoder puts back before each temporal unit (2 bytes per coded frame;
 * codecs/av1-temporal-units.ts).
 */
export const GUIDE_CODEC_IDS: readonly string[] = ['av1-obu', 'av1-obu-lean'];
// Version 3 codes these by their place (ids.ts GUIDE_CODEC_TABLE): append only.
/** Clip modes by their code in the length-and-mode field (version 1 uses codes 0 and 1 only). */
export const MODE_CODES: readonly ReconstructionMode[] = ['prediction', 'interpolation', 'guided'];
/** "M3C" */
export const M3C_MAGIC: readonly number[] = [0x4d, 0x33, 0x43];

export const LIMITS = {
  minDimension: 16,
  maxDimension: 8192,
  maxFpsNum: 240_000,
  /** Small denominators only: 1001 covers 30000/1001 and the thousandths of "12.5". */
  maxFpsDen: 1001,
  /** Frames per second: 0.1 <= fpsNum / fpsDen <= 240 (checked exactly, in integers). */
  minFpsTenths: 1,
  maxFps: 240,
  maxFrameCount: 10_000_000,
  maxIdLength: 64,
  modelPackHashBytes: 8,
  maxUint32: 0xffff_ffff,
} as const;

/**
 * The default resource limits of decoding, sized for this product (512x320 by default; 1080p is
 * the largest working size it is meant for; a one-hour video at most). A legitimate bigger file
 * is decoded with `m3c decode --allow-large`, which keeps only the format's ranges.
 */
export const DEFAULT_DECODE_LIMITS: DecodeLimits = {
  maxDimension: 4096,
  maxPixels: 1920 * 1088,
  maxFrameCount: 108_000,
  maxDurationSec: 3600,
};

/** Smallest possible clip section: length prefix, length/mode, two empty-field lengths, CRC-32. */
export const MIN_CLIP_SECTION_BYTES = 1 + 1 + 1 + 1 + 4;

export const STRATEGY_CODES: readonly SelectionStrategy[] = ['motion-semantic', 'semantic', 'fixed'];
