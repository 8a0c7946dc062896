/**
 * The one typed contract between the studio's renderer and its main process.
 * Every method takes one params object and resolves to a JSON-serialisable value; it rejects with an
 * ApiError ({ code, message }, the codes of M3cError). The same contract is served over Electron IPC
 * (window.m3c, see M3cBridge) and over HTTP + WebSocket by `m3c studio --web`.
 */
import type { ErrorCode } from '../engine/errors.ts';
import type { Geometry } from '../engine/frame.ts';
import type { KeyframeCodecKind, ReconstructionMode } from '../engine/interfaces.ts';
import type { SelectionParams } from '../keyframes/select.ts';
import type { Fit, WorkingGeometry } from './fit.ts';
import type { MediaRef } from './media-refs.ts';
import type { RoiRegion, RoiSource, RoiSpec } from '../roi/index.ts';
import type { ItemKind, DescriptionInfo, DialogueItemState, DialogueItemInfo, DialogueRound, DialogueTranscript, LmmState, LmmStatus, PromptTemplateInfo, PromptsInfo } from './dialogue.ts';

export type { ErrorCode, Geometry, SelectionParams };
export { FITS, type Fit, type WorkingGeometry } from './fit.ts';
export { mediaRefs, parseMediaRef, type MediaRef, type ParsedMediaRef } from './media-refs.ts';
export type { ItemKind, DescriptionInfo, DialogueItemState, DialogueItemInfo, DialogueRound, DialogueTranscript, LmmState, LmmStatus, PromptTemplateInfo, PromptsInfo };

/** How a failed call is reported on every transport. */
export interface ApiError {
  readonly code: ErrorCode;
  readonly message: string;
}

/** Milliseconds since the Unix epoch. */
export type Timestamp = number;

// ---------------------------------------------------------------- projects and sources

export interface ProjectSummary {
  readonly id: number;
  readonly name: string;
  readonly createdAt: Timestamp;
  readonly updatedAt: Timestamp;
  readonly sourceCount: number;
  readonly encodeCount: number;
}

export interface AnalysisInfo {
  readonly id: number;
  readonly frameCount: number;
  /** With the fit the analysis was made with: an analysis is valid only for that fit. */
  readonly geometry: WorkingGeometry;
  readonly embedderId: string;
  readonly flowId: string;
  readonly createdAt: Timestamp;
}

export interface SourceInfo {
  readonly id: number;
  readonly projectId: number;
  /** Absolute path of the video on the machine running main. */
  readonly path: string;
  /** File name, for display. */
  readonly name: string;
  readonly addedAt: Timestamp;
  readonly durationSec: number;
  /** Size and rate of the file itself (display size). */
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  /** Width over height of the picture as a player shows it (pixel aspect ratio and rotation applied). */
  readonly displayAspect: number;
  /** How the picture is fitted into the working geometry (setSourceFit). */
  readonly fit: Fit;
  /** The analysis at the current working geometry and fit, or null until one has finished. */
  readonly analysis: AnalysisInfo | null;
}

export interface ProjectDetail {
  readonly project: ProjectSummary;
  readonly sources: SourceInfo[];
  /** Working geometry of this project (frames analysed, encoded and previewed at this size and rate). */
  readonly geometry: Geometry;
}

// ---------------------------------------------------------------- timeline

/** Stored per-frame signals; decode `signalsBase64` with base64ToBytes and deserialiseFrameSignals (src/shared/keyframes). */
export interface SignalsPayload {
  readonly sourceId: number;
  readonly analysisId: number;
  readonly frameCount: number;
  readonly geometry: Geometry;
  readonly signalsBase64: string;
}

export interface SavedSelection {
  readonly id: number;
  readonly sourceId: number;
  readonly analysisId: number;
  /** The parameters including `overrides` (manual keyframes added / removed). */
  readonly params: SelectionParams;
  /** Keyframes as main computed them from the stored signals with `params`. */
  readonly keyframes: number[];
  readonly savedAt: Timestamp;
}

/** Rate model for the live bitrate readout (estimateBitrate in src/shared/keyframes). */
export interface RateModel {
  readonly bytesPerKeyframe: number;
  readonly bytesPerText: number;
}

// ---------------------------------------------------------------- descriptions and the LMM: ./dialogue.ts

// ---------------------------------------------------------------- jobs and encodes

export type JobKind = 'analysis' | 'encode' | 'decode' | 'describe' | 'anchor' | 'retext';
export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface JobInfo {
  readonly id: string;
  readonly kind: JobKind;
  readonly projectId: number;
  readonly sourceId: number;
  /** Set for encode (once recorded) and decode jobs. */
  readonly encodeId: number | null;
  readonly state: JobState;
  readonly stage: string;
  readonly done: number;
  /** 0 when unknown. */
  readonly total: number;
  /** Overall fraction 0..1 across stages (best effort). */
  readonly fraction: number;
  readonly etaSeconds: number | null;
  readonly createdAt: Timestamp;
  readonly startedAt: Timestamp | null;
  readonly finishedAt: Timestamp | null;
  readonly error: ApiError | null;
}

export type { KeyframeCodecKind, ReconstructionMode } from '../engine/interfaces.ts';
export { RECONSTRUCTION_MODES } from '../engine/interfaces.ts';

/**
 * The rate a guided encode may be asked for (kbit/s of the whole file); the same numbers as
 * DEFAULT_TARGET_KBPS, MIN_TARGET_KBPS and MAX_TARGET_KBPS of src/main/pipeline/guided-encode.ts.
 */
export const GUIDED_TARGET_KBPS = { default: 3, min: 0.5, max: 1000 } as const;

export interface EncodeParams {
  readonly selection: SelectionParams;
  /** Encodes recorded before the guided mode existed have 'interpolation' or 'prediction'. */
  readonly mode: ReconstructionMode;
  /** Guided files: the whole file's rate asked for (kbit/s). Absent for files without a guide. */
  readonly targetKbps?: number;
  /** Per clip of the selection, a mode other than `mode` (null: the project's mode); absent: none. */
  readonly clipModes?: readonly (ReconstructionMode | null)[];
  /** Null for guided files (their keyframes follow the rate split) and when the codec's default was used. */
  readonly keyframeBudgetBytes: number | null;
  readonly geometry: Geometry;
  /** Absent in encodes recorded before the codec became selectable (those used 'classical'). */
  readonly keyframeCodec?: KeyframeCodecKind;
  /** Learned codec: denoiser steps the studio decodes with (the .m3c does not record them). */
  readonly denoiserSteps?: number;
  /** The source's fit the frames were coded with; absent in encodes from before the choice ('crop'). */
  readonly fit?: Fit;
  /** Set by "Re-encode with these texts": the encode whose header and keyframes this one keeps (only its texts are new). */
  readonly reencodedFrom?: number;
  /** The regions of interest the encode was given (guided files; absent: none). */
  readonly roi?: RoiSpec;
}

/** A stored region of interest of a source (the shape of src/shared/roi, with its row id and track). */
export interface RegionInfo extends RoiRegion {
  readonly id: number;
  readonly sourceId: number;
  /** Rows of one drawn box tracked through its clip share it. */
  readonly track: string;
  readonly source: RoiSource;
}

/** A region as the renderer sends it (checked with parseRegion; weight and label have defaults). */
export interface RegionInput {
  readonly frames: readonly [number, number];
  readonly box: readonly [number, number, number, number];
  readonly weight?: number;
  readonly label?: string;
}

export interface EncodeInfo {
  readonly id: number;
  readonly projectId: number;
  readonly sourceId: number;
  readonly status: 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';
  readonly bytes: number | null;
  readonly bpp: number | null;
  readonly kbps: number | null;
  readonly frameCount: number | null;
  readonly keyframes: number[];
  /** Mean PSNR (dB) and MS-SSIM once the reconstruction was decoded and compared. */
  readonly psnr: number | null;
  readonly msssim: number | null;
  readonly params: EncodeParams | null;
  readonly startedAt: Timestamp;
  readonly finishedAt: Timestamp | null;
  readonly error: string | null;
  readonly hasReconstruction: boolean;
  /** Bytes of each part of a finished encode's .m3c: keyframe payloads, keyframe texts, clip texts, container, and the guide stream of a guided file. */
  readonly sections?: { readonly keyframes: number; readonly keyframeTexts: number; readonly clipTexts: number; readonly container: number; readonly guide?: number } | null;
  /** A finished guided encode: the guide stream chosen and the budget it was chosen under; null otherwise. */
  readonly guided?: GuidedEncodeInfo | null;
}

export interface GuidedEncodeInfo {
  /** Coded size and frame rate of the guide stream. */
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  /** The guide encoder's quantiser (CRF) and which encoder made it. */
  readonly crf: number;
  readonly encoder: string;
  /** The whole file's byte budget (from the asked rate) and the guide stream's bytes; targetBytes is null when unknown (a file read back). */
  readonly targetBytes: number | null;
  readonly guideBytes: number;
}

export interface Comparison {
  readonly encodeId: number;
  readonly frames: number;
  readonly fps: number;
  readonly keyframes: number[];
  readonly psnr: number[];
  readonly msssim: number[];
  readonly meanPsnr: number;
  readonly meanMsssim: number;
  /** Working-geometry proxy of the source and the reconstruction, as MediaRefs (client.mediaUrl). */
  readonly originalVideo: MediaRef;
  readonly reconstructedVideo: MediaRef;
  /** The regions to outline on both players: those the encode used, else the source's regions now (absent: none). */
  readonly roi?: RoiSpec;
  /** Whether `roi` is what the encode was made with (false: the source's current regions, for comparison). */
  readonly roiUsed?: boolean;
  /** PSNR-Y inside and outside them, pooled over the frames; absent without regions. */
  readonly roiQuality?: RoiQuality;
  /** With `againstEncodeId`: the other encode (old against new), measured on the same regions. */
  readonly against?: ComparedEncode;
}

/** Another encode of the same source shown beside the compared one (Compare's "against"), on the same regions. */
export interface ComparedEncode {
  readonly encodeId: number;
  readonly psnr: number[];
  readonly msssim: number[];
  readonly meanPsnr: number;
  readonly meanMsssim: number;
  readonly bytes: number | null;
  readonly reconstructedVideo: MediaRef;
  readonly roiQuality?: RoiQuality;
}

/** Luma PSNR (dB) inside and outside an encode's regions, measured at width x height (null: no pixel on that side). */
export interface RoiQuality {
  readonly psnrInside: number | null;
  readonly psnrOutside: number | null;
  readonly width: number;
  readonly height: number;
}

/** One trial of the classical anchor (a classical codec at reduced size and frame rate, upscaled back). */
export interface AnchorPointInfo {
  readonly kbps: number;
  /** Mean RGB PSNR (dB, capped at 100) and mean MS-SSIM, measured as a decode is. */
  readonly psnr: number;
  readonly msssim: number;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly crf: number;
  readonly encoder: string;
}

/** The R-D chart of one source: every decoded encode of it, and the classical anchor when it was searched. */
export interface RdChart {
  readonly sourceId: number;
  readonly encodes: readonly { readonly encodeId: number; readonly kbps: number; readonly psnr: number; readonly msssim: number; readonly keyframes: number }[];
  readonly anchor: {
    readonly points: readonly AnchorPointInfo[];
    /** Indices into points of the best PSNR and the best MS-SSIM reachable at each rate, rate increasing. */
    readonly envelopePsnr: readonly number[];
    readonly envelopeMsssim: readonly number[];
    /** Frames searched (the first ones of the source) and their duration. */
    readonly frames: number;
    readonly seconds: number;
    readonly createdAt: number;
  } | null;
}

export type ExportFormat = 'm3c' | 'mp4';

/** Electron: saved through a save dialog (or cancelled). Web: a MediaRef to download (Content-Disposition: attachment). */
export type ExportResult =
  | { readonly kind: 'saved'; readonly path: string }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'download'; readonly ref: MediaRef; readonly fileName: string; readonly place: string };

/** One file of an export: the name it is offered under, its download, and where the project keeps it (in studio words, no server path). */
export interface ExportFile {
  readonly format: ExportFormat;
  readonly fileName: string;
  readonly ref: MediaRef;
  /** E.g. "in this project's encodes folder as source-7-abc.m3c". */
  readonly place: string;
}

/**
 * "Export .m3c and mp4". Electron: one folder choice, both files saved there ('saved'), or, without a
 * reconstruction yet, a decode job that saves them when it is done ('decoding' with the folder). Web: both
 * downloads ('download'), or 'decoding' first (the downloads work once the job is done).
 */
export type ExportFilesResult =
  | { readonly kind: 'saved'; readonly folder: string; readonly paths: string[] }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'decoding'; readonly job: JobInfo; readonly folder: string | null; readonly files: ExportFile[] }
  | { readonly kind: 'download'; readonly files: ExportFile[] };

// ---------------------------------------------------------------- settings

export interface ModelInfo {
  readonly slot: string;
  readonly file: string;
  readonly sha256: string;
}

export interface StudioSettings {
  readonly mode: 'electron' | 'web';
  readonly modelPack: { readonly packId: string; readonly hash: string; readonly dir: string; readonly models: ModelInfo[] } | null;
  /** Set when the model pack cannot be loaded. */
  readonly modelPackError: string | null;
  readonly lmm: { readonly baseUrl: string | null; readonly model: string | null; readonly apiKeySet: boolean };
  readonly ffmpeg: { readonly path: string | null; readonly error: string | null };
  /** Default working geometry for new projects. */
  readonly geometry: Geometry;
  readonly projectsDir: string;
  readonly keyframeCodecs: KeyframeCodecsInfo;
}

export interface KeyframeCodecsInfo {
  /** What an encode uses when it names none: learned when the pack has its models. */
  readonly default: KeyframeCodecKind;
  /** Token grids ('coarse', 'fine') whose learned models the pack has; empty: learned is unavailable. */
  readonly learnedGrids: string[];
  /** Why learned cannot be chosen (one line), or null when it can. */
  readonly learnedUnavailable: string | null;
  readonly defaultDenoiserSteps: number;
  readonly maxDenoiserSteps: number;
}

export interface SettingsUpdate {
  /** null clears the endpoint (the LMM becomes "not configured"). */
  readonly lmm?: { readonly baseUrl: string | null; readonly model?: string | null; readonly apiKey?: string | null };
  readonly geometry?: Geometry;
}

// ---------------------------------------------------------------- the API

export interface StudioApi {
  getSettings(params: Record<string, never>): Promise<StudioSettings>;
  updateSettings(params: SettingsUpdate): Promise<StudioSettings>;

  listProjects(params: Record<string, never>): Promise<ProjectSummary[]>;
  createProject(params: { name: string }): Promise<ProjectSummary>;
  renameProject(params: { projectId: number; name: string }): Promise<ProjectSummary>;
  deleteProject(params: { projectId: number }): Promise<{ deleted: boolean }>;
  openProject(params: { projectId: number }): Promise<ProjectDetail>;
  /** Sets the project's working geometry (existing analyses at another geometry are kept but not shown). */
  setProjectGeometry(params: { projectId: number; geometry: Geometry }): Promise<ProjectDetail>;

  /** Electron: an open-file dialog; web: always { path: null } (use the upload or a typed path). */
  chooseSourceFile(params: Record<string, never>): Promise<{ path: string | null }>;
  /** Imports a video by absolute path and, unless analyze is false, queues its analysis. */
  importSource(params: { projectId: number; path: string; analyze?: boolean }): Promise<{ source: SourceInfo; job: JobInfo | null }>;
  deleteSource(params: { sourceId: number }): Promise<{ deleted: boolean }>;
  /** Stores how the source is fitted into the working geometry; queues its analysis at that fit when there is none yet. */
  setSourceFit(params: { sourceId: number; fit: Fit }): Promise<{ source: SourceInfo; job: JobInfo | null }>;
  startAnalysis(params: { sourceId: number }): Promise<JobInfo>;

  getSignals(params: { sourceId: number }): Promise<SignalsPayload>;
  getSelection(params: { sourceId: number }): Promise<SavedSelection | null>;
  saveSelection(params: { sourceId: number; params: SelectionParams }): Promise<SavedSelection>;
  getRateModel(params: { sourceId: number }): Promise<RateModel>;

  listDescriptions(params: { sourceId: number }): Promise<DescriptionInfo[]>;
  setDescription(params: { sourceId: number; itemKind: ItemKind; itemIndex: number; frameIndex: number; text: string }): Promise<DescriptionInfo>;
  getDialogue(params: { sourceId: number; itemKind: ItemKind; itemIndex: number }): Promise<DialogueTranscript[]>;
  /** Every keyframe and clip of the source's current selection with its state (empty before an analysis). */
  listDialogueItems(params: { sourceId: number }): Promise<DialogueItemInfo[]>;
  getLmmStatus(params: Record<string, never>): Promise<LmmStatus>;
  getPrompts(params: { projectId: number }): Promise<PromptsInfo>;
  /** text null removes the override. `item` targets one keyframe/clip instead of the whole project. */
  setPrompt(params: { projectId: number; templateId: string; text: string | null; item?: { kind: ItemKind; index: number } }): Promise<PromptsInfo>;
  /**
   * Re-runs the dialogue for the saved selection's items (all, or the listed ones) as a 'describe' job. With
   * `regions`, each keyframe's dialogue ends with the grounding round; its boxes replace that clip's LMM regions.
   */
  describe(params: { sourceId: number; items?: { kind: ItemKind; index: number }[]; regions?: boolean }): Promise<JobInfo>;

  /**
   * mode defaults to 'guided'. A guided file (mode 'guided' or a clip of it guided) codes its keyframes with
   * the classical codec at the budget the rate split leaves: keyframeCodec 'learned' and keyframeBudgetBytes
   * are refused for it, and targetKbps (GUIDED_TARGET_KBPS, default 3) is refused for any other. clipModes
   * gives a mode per clip of the saved selection (null: mode). keyframeCodec defaults to
   * KeyframeCodecsInfo.default; denoiserSteps (0..max) to defaultDenoiserSteps.
   */
  startEncode(params: {
    sourceId: number;
    mode?: ReconstructionMode;
    targetKbps?: number;
    clipModes?: (ReconstructionMode | null)[];
    keyframeBudgetBytes?: number;
    keyframeCodec?: KeyframeCodecKind;
    denoiserSteps?: number;
    /** Guided encodes use the source's regions of interest unless this is false. */
    useRegions?: boolean;
  }): Promise<JobInfo>;
  /** Reconstructs the mp4 and compares it with the source (per-frame PSNR and MS-SSIM); realism 0..1 (default 0, fidelity) for guided files restored by the pack's model. */
  startDecode(params: { encodeId: number; realism?: number }): Promise<JobInfo>;
  listJobs(params: Record<string, never>): Promise<JobInfo[]>;
  cancelJob(params: { jobId: string }): Promise<JobInfo>;
  /** Removes done, failed and cancelled jobs from the job list (queued and running ones stay). */
  clearFinishedJobs(params: Record<string, never>): Promise<{ cleared: number }>;
  /** A new encode of a finished one's keyframes with the current texts (a 'retext' job; no analysis, no keyframe coding). */
  reencodeTexts(params: { encodeId: number }): Promise<JobInfo>;

  listEncodes(params: { projectId: number; sourceId?: number }): Promise<EncodeInfo[]>;
  deleteEncode(params: { encodeId: number }): Promise<{ deleted: boolean }>;
  exportEncode(params: { encodeId: number; format: ExportFormat }): Promise<ExportResult>;
  /** The .m3c and the mp4 in one action, decoding first when there is no reconstruction yet. */
  exportEncodeFiles(params: { encodeId: number }): Promise<ExportFilesResult>;
  /** With `againstEncodeId` (another decoded encode of the same source at the same geometry), that one comes along as `against`. */
  getComparison(params: { encodeId: number; againstEncodeId?: number }): Promise<Comparison>;
  /** The source's encodes (those decoded) and its classical anchor, when searched, on rate and quality axes. */
  getRdChart(params: { sourceId: number }): Promise<RdChart>;
  /** Searches the source's classical anchor as an 'anchor' job (its result is kept in the project). */
  startAnchorSearch(params: { sourceId: number }): Promise<JobInfo>;

  /** The source's regions of interest, by first frame. */
  listRegions(params: { sourceId: number }): Promise<RegionInfo[]>;
  /** A new hand region; `track`: follow the content from its first frame to the end of that keyframe's clip. */
  addRegion(params: { sourceId: number; region: RegionInput; track?: boolean }): Promise<RegionInfo[]>;
  /** Replaces a region (an LMM region edited becomes a hand region); `track` re-tracks it through its clip. */
  updateRegion(params: { regionId: number; region: RegionInput; track?: boolean }): Promise<RegionInfo[]>;
  /** Deletes a region, or (`wholeTrack`) every region of its track. */
  deleteRegion(params: { regionId: number; wholeTrack?: boolean }): Promise<{ deleted: number }>;
  /** Tracks a region from its first frame through that keyframe's clip; its track's rows are replaced. */
  trackRegion(params: { regionId: number }): Promise<RegionInfo[]>;
}

export type ApiMethod = keyof StudioApi;
export type ApiParams<M extends ApiMethod> = Parameters<StudioApi[M]>[0];
export type ApiResult<M extends ApiMethod> = Awaited<ReturnType<StudioApi[M]>>;

/** Every method, at run time: IPC handlers and HTTP routes are generated from this list. */
export const API_METHODS = [
  'getSettings',
  'updateSettings',
  'listProjects',
  'createProject',
  'renameProject',
  'deleteProject',
  'openProject',
  'setProjectGeometry',
  'chooseSourceFile',
  'importSource',
  'deleteSource',
  'setSourceFit',
  'startAnalysis',
  'getSignals',
  'getSelection',
  'saveSelection',
  'getRateModel',
  'listDescriptions',
  'setDescription',
  'getDialogue',
  'listDialogueItems',
  'getLmmStatus',
  'getPrompts',
  'setPrompt',
  'describe',
  'startEncode',
  'startDecode',
  'listJobs',
  'cancelJob',
  'clearFinishedJobs',
  'reencodeTexts',
  'listEncodes',
  'deleteEncode',
  'exportEncode',
  'exportEncodeFiles',
  'getComparison',
  'getRdChart',
  'startAnchorSearch',
  'listRegions',
  'addRegion',
  'updateRegion',
  'deleteRegion',
  'trackRegion',
] as const satisfies readonly ApiMethod[];

// Compile-time check that the list names every method of StudioApi.
type Missing = Exclude<ApiMethod, (typeof API_METHODS)[number]>;
const _complete: Missing extends never ? true : Missing = true;
void _complete;

export function isApiMethod(name: string): name is ApiMethod {
  return (API_METHODS as readonly string[]).includes(name);
}

// ---------------------------------------------------------------- events pushed from main

export type StudioEvent =
  | { readonly type: 'job-progress'; readonly job: JobInfo }
  /** state is 'done', 'failed' or 'cancelled'. */
  | { readonly type: 'job-finished'; readonly job: JobInfo }
  | { readonly type: 'analysis-ready'; readonly sourceId: number; readonly analysis: AnalysisInfo }
  | { readonly type: 'description-updated'; readonly description: DescriptionInfo }
  | { readonly type: 'encodes-changed'; readonly projectId: number }
  /** A source's regions of interest were added, changed, tracked or deleted. */
  | { readonly type: 'regions-changed'; readonly projectId: number; readonly sourceId: number }
  /** clearFinishedJobs forgot these finished jobs. */
  | { readonly type: 'jobs-cleared'; readonly jobIds: string[] };

export type StudioEventListener = (event: StudioEvent) => void;

// ---------------------------------------------------------------- media references: ./media-refs.ts

// ---------------------------------------------------------------- what the Electron preload exposes

/** Envelope used over IPC: Electron's invoke loses an Error's fields, so failures travel as values. */
export type Envelope<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ApiError };

/** `window.m3c` in Electron: exactly this, nothing else. */
export interface M3cBridge {
  invoke(method: ApiMethod, params: unknown): Promise<Envelope<unknown>>;
  /** Subscribes to StudioEvents; returns the unsubscribe function. */
  onEvent(listener: StudioEventListener): () => void;
}

/** One ipcMain.handle channel per method, generated from API_METHODS. */
export const IPC_CHANNEL_PREFIX = 'm3c:api:';
export function ipcChannel(method: ApiMethod): string {
  return `${IPC_CHANNEL_PREFIX}${method}`;
}
export const IPC_EVENT_CHANNEL = 'm3c:event';
export const MEDIA_SCHEME = 'm3c-media';

/** Web mode: the header carrying the token on POSTs, and the query parameter on GETs and the WebSocket. */
export const TOKEN_HEADER = 'x-m3c-token';
export const TOKEN_QUERY = 'token';
/** POST body of the web upload: the raw file; ?projectId=N&name=<file name>. Answers { source, job }. */
export const UPLOAD_PATH = '/upload';
export const API_PATH_PREFIX = '/api/';
export const EVENTS_PATH = '/events';
export const MEDIA_PATH_PREFIX = '/media/';
