import type { Fit, WorkingGeometry } from '../../shared/api/contract.ts';

/** Milliseconds since the Unix epoch. */
export type Timestamp = number;

export interface ProjectRecord {
  readonly id: number;
  readonly name: string;
  readonly createdAt: Timestamp;
  readonly updatedAt: Timestamp;
  /** Any JSON value the caller stored; `{}` for a new project. */
  readonly settings: unknown;
}

export interface NewSource {
  readonly projectId: number;
  readonly path: string;
  /** The ffprobe result (or the part of it the caller keeps), stored as JSON. */
  readonly probe: unknown;
  /** Lower-case hex SHA-256 of the source file's bytes. */
  readonly contentSha256: string;
}

export interface SourceRecord extends NewSource {
  readonly id: number;
  readonly addedAt: Timestamp;
  /** How the source is fitted into the working geometry; 'crop' until it is set (setSourceFit). */
  readonly fit: Fit;
}

/**
 * What identifies an analysis: the same source analysed at the same geometry and fit (none named: 'crop') by the
 * same embedder and flow. An analysis made with one fit is never found for another.
 */
export interface AnalysisKey {
  readonly sourceId: number;
  readonly geometry: WorkingGeometry;
  readonly embedderId: string;
  readonly flowId: string;
}

export interface NewAnalysis extends AnalysisKey {
  readonly frameCount: number;
  /** Per-frame signals, serialised by their owner; stored and returned byte for byte. */
  readonly signals: Uint8Array;
}

export interface AnalysisRecord extends NewAnalysis {
  /** The fit is always named here. */
  readonly geometry: WorkingGeometry & { readonly fit: Fit };
  readonly id: number;
  readonly createdAt: Timestamp;
}

export interface NewSelection {
  readonly analysisId: number;
  readonly params: unknown;
  /** Frame indices of the selected keyframes. */
  readonly keyframes: readonly number[];
  readonly overrides: unknown;
}

export interface SelectionRecord extends NewSelection {
  readonly id: number;
  readonly createdAt: Timestamp;
}

export type DescriptionItemKind = 'keyframe' | 'clip';
export type DescriptionOrigin = 'user' | 'lmm' | 'file';

export interface DescriptionInput {
  readonly sourceId: number;
  readonly itemKind: DescriptionItemKind;
  /** Position of the item in the selection it was written for (informative; the key is the frame). */
  readonly itemIndex: number;
  /** The keyframe's frame index, or for a clip the frame index of the keyframe that opens it. */
  readonly frameIndex: number;
  /** For a clip: where its span ends (exclusive); the text belongs to the clip [frameIndex, endFrame). Unused for a keyframe. */
  readonly endFrame?: number | null;
  readonly text: string;
  readonly origin: DescriptionOrigin;
}

export interface DescriptionRecord extends DescriptionInput {
  /** Null for a keyframe, and for a clip text stored before spans were (migration 005). */
  readonly endFrame: number | null;
  readonly id: number;
  readonly projectId: number;
  readonly updatedAt: Timestamp;
}

export type EncodeStatus = 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

export interface NewEncode {
  readonly sourceId: number;
  readonly selectionId?: number | null;
  /** Where the .m3c file is being written. */
  readonly path: string;
  readonly params: unknown;
}

export interface EncodeRecord {
  readonly id: number;
  readonly projectId: number;
  readonly sourceId: number;
  readonly selectionId: number | null;
  readonly status: EncodeStatus;
  readonly path: string;
  readonly bytes: number | null;
  readonly params: unknown;
  readonly metrics: unknown;
  readonly startedAt: Timestamp;
  readonly finishedAt: Timestamp | null;
  readonly error: string | null;
}

export interface EncodeFilter {
  readonly projectId?: number;
  readonly sourceId?: number;
  readonly status?: EncodeStatus;
}

/** Bytes of each part of an .m3c file (pipeline/container.ts's SectionBytes has this shape). */
/** Bytes of a .m3c by section (the pipeline's summary of a bitstream). */
export interface EncodeSections {
  /** Keyframe payloads (the keyframe codec's bytes). */
  readonly keyframes: number;
  /** Coded keyframe descriptions D^F. */
  readonly keyframeTexts: number;
  /** Coded clip descriptions D^C. */
  readonly clipTexts: number;
  /** Magic, header, length prefixes, CRCs and per-clip fields (and the guide section's own fields). */
  readonly container: number;
  /** The guide stream (guided files, bitstream v2); absent or 0 otherwise. */
  readonly guide?: number;
}

/**
 * What a finished encode stores as its metrics (metrics_json); the studio and `m3c encode --project` both
 * write this shape, so either one's encodes read the same.
 */
export interface EncodeMetrics {
  readonly bpp: number;
  readonly kbps: number;
  readonly frameCount: number;
  readonly durationSec: number;
  /** Frame indices of the coded keyframes. */
  readonly keyframes: readonly number[];
  readonly sections: EncodeSections;
  /** Milliseconds per stage. */
  readonly timings: Readonly<Record<string, number>>;
}

/** A decode of a finished encode and its comparison with the source, frame by frame. */
export interface NewDecode {
  readonly encodeId: number;
  readonly frames: number;
  /** PSNR (dB) of each frame; Infinity where the frame is identical. */
  readonly psnr: readonly number[];
  readonly msssim: readonly number[];
  readonly meanPsnr: number;
  readonly meanMsssim: number;
  /** The reconstruction's path relative to the project's folder (ProjectLayout.reconstructionName). */
  readonly reconPath: string;
}

export interface DecodeRecord extends NewDecode {
  readonly id: number;
  readonly createdAt: Timestamp;
}
