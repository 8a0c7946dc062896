/**
 * The one typed contract between the studio's renderer and its main process.
 * Every method takes one params object and resolves to a JSON-serialisable value; it rejects with an
 * ApiError ({ code, message }, the codes of M3cError). The same contract is served over Electron IPC
 * (window.m3c, see M3cBridge) and over HTTP + WebSocket by `m3c studio --web`.
 */
import type { ErrorCode } from '../engine/errors.ts';
import type { Geometry } from '../engine/frame.ts';
import type { KeyframeCodecKind } from '../engine/interfaces.ts';
import type { SelectionParams } from '../keyframes/select.ts';

export type { ErrorCode, Geometry, SelectionParams };

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
  readonly geometry: Geometry;
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
  /** The analysis at the current working geometry, or null until one has finished. */
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

// ---------------------------------------------------------------- descriptions and the LMM

export type ItemKind = 'keyframe' | 'clip';

export interface DescriptionInfo {
  readonly sourceId: number;
  readonly itemKind: ItemKind;
  readonly itemIndex: number;
  /** The keyframe's frame index (for a clip: the frame of the keyframe that opens it). */
  readonly frameIndex: number;
  readonly text: string;
  readonly origin: 'user' | 'lmm' | 'file';
  /** Size after the project's text coding. */
  readonly bits: number;
  readonly updatedAt: Timestamp;
  /**
   * True when the item it was written for is not in the source's current selection (a keyframe text's frame
   * is no longer a keyframe, a clip text's span is no longer a clip): encodes leave it out. Main always sets it.
   */
  readonly stale?: boolean;
}

export interface DialogueRound {
  readonly round: number;
  readonly template: string;
  readonly prompt: string;
  readonly answer: string;
  readonly model: string;
  readonly ms: number;
  readonly cached: boolean;
}

export interface DialogueTranscript {
  readonly id: number;
  readonly itemKind: ItemKind;
  readonly itemIndex: number;
  readonly model: string;
  readonly startedAt: Timestamp;
  readonly finishedAt: Timestamp | null;
  readonly status: string;
  readonly description: string | null;
  readonly rounds: DialogueRound[];
}

export type LmmState = 'not-configured' | 'unreachable' | 'ready';

export interface LmmStatus {
  readonly state: LmmState;
  readonly baseUrl: string | null;
  readonly model: string | null;
  /** Models the endpoint lists (when reachable). */
  readonly models: string[];
  /** What to do next, for display. */
  readonly message: string;
}

export interface PromptTemplateInfo {
  readonly id: string;
  /** The versioned default from resources/prompts. */
  readonly defaultText: string;
  /** The project's override, if any. */
  readonly projectText: string | null;
  /** Variables the template may use, without braces. */
  readonly variables: string[];
}

export interface PromptsInfo {
  readonly projectId: number;
  readonly version: string;
  readonly templates: PromptTemplateInfo[];
  /** Per-item overrides keyed "keyframe:3" / "clip:3", template id -> text. */
  readonly items: Record<string, Record<string, string>>;
}

// ---------------------------------------------------------------- jobs and encodes

export type JobKind = 'analysis' | 'encode' | 'decode' | 'describe';
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

export type { KeyframeCodecKind } from '../engine/interfaces.ts';

export interface EncodeParams {
  readonly selection: SelectionParams;
  readonly mode: 'interpolation' | 'prediction';
  readonly keyframeBudgetBytes: number | null;
  readonly geometry: Geometry;
  /** Absent in encodes recorded before the codec became selectable (those used 'classical'). */
  readonly keyframeCodec?: KeyframeCodecKind;
  /** Learned codec: denoiser steps the studio decodes with (the .m3c does not record them). */
  readonly denoiserSteps?: number;
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
}

export type ExportFormat = 'm3c' | 'mp4';

/** Electron: saved through a save dialog (or cancelled). Web: a MediaRef to download (Content-Disposition: attachment). */
export type ExportResult =
  | { readonly kind: 'saved'; readonly path: string }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'download'; readonly ref: MediaRef; readonly fileName: string };

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
  startAnalysis(params: { sourceId: number }): Promise<JobInfo>;

  getSignals(params: { sourceId: number }): Promise<SignalsPayload>;
  getSelection(params: { sourceId: number }): Promise<SavedSelection | null>;
  saveSelection(params: { sourceId: number; params: SelectionParams }): Promise<SavedSelection>;
  getRateModel(params: { sourceId: number }): Promise<RateModel>;

  listDescriptions(params: { sourceId: number }): Promise<DescriptionInfo[]>;
  setDescription(params: { sourceId: number; itemKind: ItemKind; itemIndex: number; frameIndex: number; text: string }): Promise<DescriptionInfo>;
  getDialogue(params: { sourceId: number; itemKind: ItemKind; itemIndex: number }): Promise<DialogueTranscript[]>;
  getLmmStatus(params: Record<string, never>): Promise<LmmStatus>;
  getPrompts(params: { projectId: number }): Promise<PromptsInfo>;
  /** text null removes the override. `item` targets one keyframe/clip instead of the whole project. */
  setPrompt(params: { projectId: number; templateId: string; text: string | null; item?: { kind: ItemKind; index: number } }): Promise<PromptsInfo>;
  /** Re-runs the dialogue for the saved selection's items (all, or the listed ones) as a 'describe' job. */
  describe(params: { sourceId: number; items?: { kind: ItemKind; index: number }[] }): Promise<JobInfo>;

  /** keyframeCodec defaults to KeyframeCodecsInfo.default; denoiserSteps (0..max) to defaultDenoiserSteps. */
  startEncode(params: {
    sourceId: number;
    mode?: 'interpolation' | 'prediction';
    keyframeBudgetBytes?: number;
    keyframeCodec?: KeyframeCodecKind;
    denoiserSteps?: number;
  }): Promise<JobInfo>;
  /** Reconstructs the mp4 and compares it with the source (per-frame PSNR and MS-SSIM). */
  startDecode(params: { encodeId: number }): Promise<JobInfo>;
  listJobs(params: Record<string, never>): Promise<JobInfo[]>;
  cancelJob(params: { jobId: string }): Promise<JobInfo>;

  listEncodes(params: { projectId: number; sourceId?: number }): Promise<EncodeInfo[]>;
  deleteEncode(params: { encodeId: number }): Promise<{ deleted: boolean }>;
  exportEncode(params: { encodeId: number; format: ExportFormat }): Promise<ExportResult>;
  getComparison(params: { encodeId: number }): Promise<Comparison>;
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
  'startAnalysis',
  'getSignals',
  'getSelection',
  'saveSelection',
  'getRateModel',
  'listDescriptions',
  'setDescription',
  'getDialogue',
  'getLmmStatus',
  'getPrompts',
  'setPrompt',
  'describe',
  'startEncode',
  'startDecode',
  'listJobs',
  'cancelJob',
  'listEncodes',
  'deleteEncode',
  'exportEncode',
  'getComparison',
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
  | { readonly type: 'encodes-changed'; readonly projectId: number };

export type StudioEventListener = (event: StudioEvent) => void;

// ---------------------------------------------------------------- media (thumbnails, previews, videos, downloads)

/**
 * A transport-neutral name of a binary resource served by main, e.g. "thumb/3/120". Turn it into a URL
 * with client.mediaUrl(ref): web -> /media/<ref>?token=..., Electron -> m3c-media://media/<ref>.
 */
export type MediaRef = string;

export const mediaRefs = {
  /** Small JPEG of frame `frame` (index at the working geometry) for the filmstrip. */
  thumbnail: (sourceId: number, frame: number): MediaRef => `thumb/${sourceId}/${frame}`,
  /** Working-geometry JPEG of one frame for the large preview. */
  preview: (sourceId: number, frame: number): MediaRef => `preview/${sourceId}/${frame}`,
  /** Working-geometry mp4 proxy of the source (made once, cached). */
  original: (sourceId: number): MediaRef => `original/${sourceId}`,
  /** The decoded reconstruction of an encode (after startDecode). */
  reconstruction: (encodeId: number): MediaRef => `reconstruction/${encodeId}`,
  /** Attachment download of an encode's .m3c or reconstructed mp4 (web export). */
  download: (encodeId: number, format: ExportFormat): MediaRef => `download/${encodeId}/${format}`,
  /** Raw serialised FrameSignals (application/octet-stream), an alternative to getSignals. */
  signals: (sourceId: number): MediaRef => `signals/${sourceId}`,
} as const;

export type ParsedMediaRef =
  | { readonly kind: 'thumb' | 'preview'; readonly sourceId: number; readonly frame: number }
  | { readonly kind: 'original' | 'signals'; readonly sourceId: number }
  | { readonly kind: 'reconstruction'; readonly encodeId: number }
  | { readonly kind: 'download'; readonly encodeId: number; readonly format: ExportFormat };

/** Strict parser of a MediaRef (main validates every ref with it); undefined for anything else. */
export function parseMediaRef(ref: string): ParsedMediaRef | undefined {
  const parts = ref.split('/');
  const id = (s: string | undefined): number | undefined => (s !== undefined && /^(0|[1-9]\d{0,9})$/.test(s) ? Number(s) : undefined);
  const a = id(parts[1]);
  if (a === undefined) return undefined;
  switch (parts[0]) {
    case 'thumb':
    case 'preview': {
      const frame = id(parts[2]);
      return parts.length === 3 && frame !== undefined ? { kind: parts[0], sourceId: a, frame } : undefined;
    }
    case 'original':
    case 'signals':
      return parts.length === 2 ? { kind: parts[0], sourceId: a } : undefined;
    case 'reconstruction':
      return parts.length === 2 ? { kind: 'reconstruction', encodeId: a } : undefined;
    case 'download':
      return parts.length === 3 && (parts[2] === 'm3c' || parts[2] === 'mp4') ? { kind: 'download', encodeId: a, format: parts[2] } : undefined;
    default:
      return undefined;
  }
}

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
