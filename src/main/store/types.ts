import type { Geometry } from '../../shared/engine/frame.ts';

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
}

/** What identifies an analysis: the same source analysed at the same geometry by the same embedder and flow. */
export interface AnalysisKey {
  readonly sourceId: number;
  readonly geometry: Geometry;
  readonly embedderId: string;
  readonly flowId: string;
}

export interface NewAnalysis extends AnalysisKey {
  readonly frameCount: number;
  /** Per-frame signals, serialised by their owner; stored and returned byte for byte. */
  readonly signals: Uint8Array;
}

export interface AnalysisRecord extends NewAnalysis {
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
  readonly text: string;
  readonly origin: DescriptionOrigin;
}

export interface DescriptionRecord extends DescriptionInput {
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
