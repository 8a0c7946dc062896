/**
 * StudioService: the StudioApi over the store, the pipeline, ffmpeg and the LMM engine. Transports (Electron
 * IPC, the web bridge) only deserialise a call and hand it to `call`; every argument is validated here.
 * Long work runs as queued jobs (JobQueue) whose compute happens in worker threads (runInWorker).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { copyFile, mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { M3cError } from '../../shared/engine/errors.ts';
import type { Geometry } from '../../shared/engine/frame.ts';
import type { RgbFrame } from '../../shared/engine/frame.ts';
import {
  isApiMethod,
  mediaRefs,
  parseMediaRef,
  type AnalysisInfo,
  type Comparison,
  type DescriptionInfo,
  type DialogueTranscript,
  type EncodeInfo,
  type EncodeParams,
  type ExportFormat,
  type KeyframeCodecKind,
  type KeyframeCodecsInfo,
  type ExportResult,
  type ItemKind,
  type JobInfo,
  type LmmStatus,
  type ProjectDetail,
  type ProjectSummary,
  type PromptsInfo,
  type RateModel,
  type SavedSelection,
  type SignalsPayload,
  type SourceInfo,
  type StudioApi,
  type StudioEvent,
  type StudioEventListener,
  type StudioSettings,
} from '../../shared/api/contract.ts';
import { bytesToBase64 } from '../../shared/api/base64.ts';
import { DEFAULT_SELECTION, deserialiseFrameSignals, selectKeyframes, type SelectionParams } from '../../shared/keyframes/index.ts';
import { encodeText } from '../../shared/text/index.ts';
import { openStore, type Store, type AnalysisRecord, type EncodeRecord, type SourceRecord, type ProjectRecord } from '../store/index.ts';
import { LmmStore } from '../store/lmm.ts';
import { createEngine, DEFAULT_GEOMETRY, type Engine } from '../pipeline/engine.ts';
import { DEFAULT_DENOISER_STEPS, MAX_DENOISER_STEPS } from '../codecs/learned/index.ts';
import { sha256File } from '../pipeline/project-record.ts';
import type { DescriptionsFile } from '../pipeline/descriptions-file.ts';
import { decodeFrames, expectedFrameCount, locateFfmpeg, probe, type ProbeInfo } from '../media/index.ts';
import { checkEndpoint, describeItem, describeVideo, loadPromptSet, TEMPLATE_IDS, variablesFor, type PromptConfig, type TemplateId } from '../lmm/index.ts';
import { checkTemplate } from '../lmm/prompts.ts';
import { JobQueue, type JobContext } from './jobs.ts';
import { PathGuard, checkShape, safeFileName } from './paths.ts';
import { runInWorker } from './run-in-worker.ts';
import { defaultSecretStore, readSettings, writeSettings, type SecretStore, type StoredSettings } from './settings.ts';
import { BusyError, cacheDir, makeAllThumbnails, makeFrameJpeg, makeProxyMp4, OnceMaker, thumbFile, thumbSize } from './frames.ts';
import { Semaphore } from '../util/semaphore.ts';
import type { DecodeOutcome } from './worker-tasks.ts';
import * as v from './validate.ts';

/** What the host shell offers: native dialogs in Electron; absent in web mode. */
export interface DialogHost {
  chooseOpenFile(): Promise<string | null>;
  chooseSaveFile(defaultName: string, extension: string): Promise<string | null>;
}

export interface StudioServiceOptions {
  /** Holds studio.db, studio-settings.json and one folder per project. Created if missing. */
  readonly projectsDir: string;
  /** Extra folders the user may import videos from by typed path (besides projectsDir and dialog picks). */
  readonly importRoots?: readonly string[];
  readonly mode: 'electron' | 'web';
  readonly dialogs?: DialogHost;
  /** Jobs run at once (default 1). */
  readonly concurrency?: number;
  /** Timeout of the LMM reachability check (ms). */
  readonly lmmCheckTimeoutMs?: number;
  /** Model pack folder (default: resources/models of this checkout or the packaged app). */
  readonly modelsDir?: string;
  /** Where the LMM API key is kept (default: studio-secrets.json, mode 0600, in projectsDir). */
  readonly secrets?: SecretStore;
}

/** A binary resource for a MediaRef: a file to stream (with Range) or bytes. */
export type MediaResource =
  | { readonly kind: 'file'; readonly path: string; readonly contentType: string; readonly downloadName?: string }
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array; readonly contentType: string };

interface ProjectSettings {
  readonly geometry?: Geometry;
  readonly prompts?: PromptConfig;
}

interface EncodeMetrics {
  readonly bpp: number;
  readonly kbps: number;
  readonly frameCount: number;
  readonly durationSec: number;
  readonly keyframes: number[];
}

const MAX_NAME = 200;
const MAX_TEXT = 20_000;
const MAX_UPLOAD_BYTES = 8 * 1024 ** 3;
const DEFAULT_TEXT_BYTES = 40;
/** ffmpeg runs for single-frame previews and thumbnails at once, and how many more requests may wait. */
export const PREVIEW_CONCURRENCY = 3;
export const PREVIEW_QUEUE = 64;

export class StudioService implements StudioApi {
  readonly projectsDir: string;
  readonly store: Store;
  private readonly lmmStore: LmmStore;
  private readonly guard: PathGuard;
  private readonly jobs: JobQueue;
  private readonly listeners = new Set<StudioEventListener>();
  private readonly once = new OnceMaker();
  private readonly previews = new Semaphore(PREVIEW_CONCURRENCY, {
    maxWaiting: PREVIEW_QUEUE,
    busy: () => new BusyError('the studio is busy making previews: try again in a moment'),
  });
  private engineCache: Engine | undefined;
  private settings: StoredSettings;
  private readonly secrets: SecretStore;

  constructor(private readonly options: StudioServiceOptions) {
    const dir = checkShape(path.resolve(options.projectsDir), 'projects folder');
    mkdirSync(dir, { recursive: true });
    this.projectsDir = dir;
    this.store = openStore(path.join(dir, 'studio.db'));
    this.lmmStore = new LmmStore(this.store);
    const roots = [dir, ...(options.importRoots ?? [])].filter((r) => existsSync(r));
    this.guard = new PathGuard(roots);
    this.secrets = options.secrets ?? defaultSecretStore(dir);
    this.settings = readSettings(dir, this.secrets);
    this.jobs = new JobQueue((job, finished) => this.emit({ type: finished ? 'job-finished' : 'job-progress', job }), options.concurrency ?? 1);
  }

  // ------------------------------------------------------------ transport entry points

  onEvent(listener: StudioEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Dispatches one call by name (both transports use this); unknown names are refused. */
  async call(method: string, params: unknown): Promise<unknown> {
    if (!isApiMethod(method)) throw new M3cError('usage', `unknown API method "${method}"`);
    const fn = this[method] as (p: unknown) => Promise<unknown>;
    return fn.call(this, v.paramsObject(params));
  }

  async close(): Promise<void> {
    await this.jobs.shutdown();
    this.listeners.clear();
    this.lmmStore.close();
    this.store.close();
    await this.engineCache?.dispose();
    this.engineCache = undefined;
  }

  private emit(event: StudioEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch {
        // A broken listener (a closed socket) must not stop the others or the job.
      }
    }
  }

  /** For ids, budgets and codec availability only: the compute runs in workers with engines of their own. */
  private engine(): Engine {
    this.engineCache ??= createEngine({ modelsDir: this.options.modelsDir });
    return this.engineCache;
  }

  private keyframeCodecsInfo(): KeyframeCodecsInfo {
    const steps = { defaultDenoiserSteps: DEFAULT_DENOISER_STEPS, maxDenoiserSteps: MAX_DENOISER_STEPS };
    let e: Engine;
    try {
      e = this.engine();
    } catch (err) {
      return { default: 'classical', learnedGrids: [], learnedUnavailable: (err as Error).message, ...steps };
    }
    const learnedUnavailable = e.learnedGrids.length > 0 ? null : `model pack ${e.manifest.packId} has no learned keyframe codec models: install a pack that has them`;
    return { default: e.keyframeCodecKind, learnedGrids: [...e.learnedGrids], learnedUnavailable, ...steps };
  }

  // ------------------------------------------------------------ settings

  async getSettings(): Promise<StudioSettings> {
    let modelPack: StudioSettings['modelPack'] = null;
    let modelPackError: string | null = null;
    try {
      const e = this.engine();
      modelPack = {
        packId: e.manifest.packId,
        hash: Buffer.from(e.modelPackHash).toString('hex'),
        dir: e.manifest.dir,
        models: e.manifest.models.map((m) => ({ slot: m.slot, file: m.file, sha256: m.sha256 })),
      };
    } catch (e) {
      modelPackError = (e as Error).message;
    }
    let ffmpeg: StudioSettings['ffmpeg'];
    try {
      ffmpeg = { path: locateFfmpeg().ffmpeg, error: null };
    } catch (e) {
      ffmpeg = { path: null, error: (e as Error).message };
    }
    const s = this.settings;
    return {
      mode: this.options.mode,
      modelPack,
      modelPackError,
      lmm: { baseUrl: s.lmm.baseUrl, model: s.lmm.model, apiKeySet: !!s.lmm.apiKey },
      ffmpeg,
      geometry: s.geometry,
      projectsDir: this.projectsDir,
      keyframeCodecs: this.keyframeCodecsInfo(),
    };
  }

  async updateSettings(p: Record<string, unknown>): Promise<StudioSettings> {
    let next = this.settings;
    if (p.lmm !== undefined) {
      const l = v.paramsObject(p.lmm);
      const baseUrl = l.baseUrl === null ? null : v.text(l, 'baseUrl', 2000, { nonEmpty: true }).trim();
      if (baseUrl !== null && !/^https?:\/\/[^\s]+$/.test(baseUrl)) throw new M3cError('usage', `LMM endpoint "${baseUrl}" must be an http(s) URL such as http://127.0.0.1:11434/v1`);
      const model = l.model === undefined ? next.lmm.model : l.model === null ? null : v.text(l, 'model', 200, { nonEmpty: true });
      const apiKey = l.apiKey === undefined ? next.lmm.apiKey : l.apiKey === null ? null : v.text(l, 'apiKey', 2000);
      next = { ...next, lmm: { baseUrl, model, apiKey } };
    }
    if (p.geometry !== undefined) next = { ...next, geometry: v.geometry(p.geometry) };
    await writeSettings(this.projectsDir, next, this.secrets);
    this.settings = next;
    return this.getSettings();
  }

  // ------------------------------------------------------------ projects

  private projectDir(projectId: number): string {
    return path.join(this.projectsDir, 'projects', String(projectId));
  }

  private requireProject(projectId: number): ProjectRecord {
    const p = this.store.getProject(projectId);
    if (!p) throw new M3cError('input', `project ${projectId} does not exist (it may have been deleted)`);
    return p;
  }

  private projectSettings(p: ProjectRecord): ProjectSettings {
    return (typeof p.settings === 'object' && p.settings !== null ? p.settings : {}) as ProjectSettings;
  }

  private geometryOf(projectId: number): Geometry {
    return this.projectSettings(this.requireProject(projectId)).geometry ?? this.settings.geometry ?? DEFAULT_GEOMETRY;
  }

  private summary(p: ProjectRecord): ProjectSummary {
    return {
      id: p.id,
      name: p.name,
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
      sourceCount: this.store.listSources(p.id).length,
      encodeCount: this.store.listEncodes({ projectId: p.id }).length,
    };
  }

  async listProjects(): Promise<ProjectSummary[]> {
    return this.store.listProjects().map((p) => this.summary(p));
  }

  async createProject(p: Record<string, unknown>): Promise<ProjectSummary> {
    const name = v.text(p, 'name', MAX_NAME, { nonEmpty: true }).trim();
    const project = this.store.createProject(name, { geometry: this.settings.geometry } satisfies ProjectSettings);
    await mkdir(this.projectDir(project.id), { recursive: true });
    return this.summary(project);
  }

  async renameProject(p: Record<string, unknown>): Promise<ProjectSummary> {
    const projectId = v.id(p, 'projectId');
    this.requireProject(projectId);
    return this.summary(this.store.renameProject(projectId, v.text(p, 'name', MAX_NAME, { nonEmpty: true }).trim()));
  }

  async deleteProject(p: Record<string, unknown>): Promise<{ deleted: boolean }> {
    const projectId = v.id(p, 'projectId');
    // Cancelled workers may still be writing into the folder: wait until every job of the project has
    // settled (and every preview being made there is finished) before removing it.
    const settleJobs = async (): Promise<void> => {
      const live = this.jobs.list().filter((j) => j.projectId === projectId && (j.state === 'queued' || j.state === 'running'));
      for (const j of live) this.jobs.cancel(j.id);
      await Promise.all(live.map((j) => this.jobs.whenSettled(j.id)));
    };
    await settleJobs();
    const deleted = this.store.deleteProject(projectId);
    // A job enqueued while the first ones settled (the project still existed then).
    await settleJobs();
    await this.once.settleUnder(this.projectDir(projectId));
    if (deleted) await rm(this.projectDir(projectId), { recursive: true, force: true });
    return { deleted };
  }

  async openProject(p: Record<string, unknown>): Promise<ProjectDetail> {
    const projectId = v.id(p, 'projectId');
    const project = this.requireProject(projectId);
    return { project: this.summary(project), sources: this.store.listSources(projectId).map((s) => this.sourceInfo(s)), geometry: this.geometryOf(projectId) };
  }

  async setProjectGeometry(p: Record<string, unknown>): Promise<ProjectDetail> {
    const projectId = v.id(p, 'projectId');
    const project = this.requireProject(projectId);
    this.store.updateProjectSettings(projectId, { ...this.projectSettings(project), geometry: v.geometry(p.geometry) });
    return this.openProject({ projectId });
  }

  // ------------------------------------------------------------ sources and analysis

  private requireSource(sourceId: number): SourceRecord {
    const s = this.store.getSource(sourceId);
    if (!s) throw new M3cError('input', `source ${sourceId} does not exist (it may have been deleted)`);
    return s;
  }

  private analysisOf(source: SourceRecord): AnalysisRecord | undefined {
    const e = this.engine();
    return this.store.getAnalysis({ sourceId: source.id, geometry: this.geometryOf(source.projectId), embedderId: e.embedder.id, flowId: e.analysisFlow.id });
  }

  private requireAnalysis(source: SourceRecord): AnalysisRecord {
    const a = this.analysisOf(source);
    if (!a) throw new M3cError('usage', `${path.basename(source.path)} has not been analysed at the working geometry yet: run its analysis first`);
    return a;
  }

  private analysisInfo(a: AnalysisRecord): AnalysisInfo {
    return { id: a.id, frameCount: a.frameCount, geometry: a.geometry, embedderId: a.embedderId, flowId: a.flowId, createdAt: a.createdAt };
  }

  private sourceInfo(s: SourceRecord): SourceInfo {
    const info = s.probe as ProbeInfo;
    const a = this.analysisOf(s);
    return {
      id: s.id,
      projectId: s.projectId,
      path: s.path,
      name: path.basename(s.path),
      addedAt: s.addedAt,
      durationSec: info.durationSec,
      width: info.width,
      height: info.height,
      fps: info.fpsNum / info.fpsDen,
      analysis: a ? this.analysisInfo(a) : null,
    };
  }

  async chooseSourceFile(): Promise<{ path: string | null }> {
    if (!this.options.dialogs) return { path: null };
    const picked = await this.options.dialogs.chooseOpenFile();
    if (picked === null) return { path: null };
    this.guard.allowFile(picked);
    return { path: picked };
  }

  async importSource(p: Record<string, unknown>): Promise<{ source: SourceInfo; job: JobInfo | null }> {
    const projectId = v.id(p, 'projectId');
    this.requireProject(projectId);
    const file = this.guard.checkFile(p.path, 'video');
    let info: ProbeInfo;
    try {
      // Refuses playlists and concat lists too (only supported containers): they would read other files.
      info = await probe(file);
    } catch (e) {
      if (e instanceof M3cError && e.code === 'ffmpeg') throw new M3cError('input', `${path.basename(file)} is not a video ffmpeg can read`);
      // The file's name, not where it lies on the server.
      if (e instanceof M3cError && e.code === 'input') throw new M3cError('input', e.message.split(file).join(path.basename(file)));
      throw e;
    }
    const contentSha256 = await sha256File(file);
    const source = this.store.addSource({ projectId, path: file, probe: info, contentSha256 });
    const job = p.analyze === false ? null : this.enqueueAnalysis(source);
    return { source: this.sourceInfo(source), job };
  }

  /** Web upload: streams the body into the project's sources folder, then imports it like a picked file. */
  async importUpload(projectId: number, name: string, body: AsyncIterable<Uint8Array>): Promise<{ source: SourceInfo; job: JobInfo | null }> {
    this.requireProject(projectId);
    const dir = path.join(this.projectDir(projectId), 'sources');
    await mkdir(dir, { recursive: true });
    const base = safeFileName(name);
    const ext = path.extname(base);
    let target = path.join(dir, base);
    for (let i = 1; existsSync(target); i++) target = path.join(dir, `${path.basename(base, ext)}-${i}${ext}`);
    const handle = await open(target, 'wx');
    let size = 0;
    try {
      for await (const chunk of body) {
        size += chunk.length;
        if (size > MAX_UPLOAD_BYTES) throw new M3cError('input', `the upload is larger than ${MAX_UPLOAD_BYTES / 1024 ** 3} GiB`);
        await handle.write(chunk);
      }
      await handle.close();
    } catch (e) {
      await handle.close().catch(() => undefined);
      await rm(target, { force: true });
      throw e;
    }
    if (size === 0) {
      await rm(target, { force: true });
      throw new M3cError('input', 'the upload is empty');
    }
    try {
      return await this.importSource({ projectId, path: target });
    } catch (e) {
      await rm(target, { force: true });
      throw e;
    }
  }

  async deleteSource(p: Record<string, unknown>): Promise<{ deleted: boolean }> {
    const sourceId = v.id(p, 'sourceId');
    const s = this.store.getSource(sourceId);
    if (!s) return { deleted: false };
    for (const j of this.jobs.list()) if (j.sourceId === sourceId) this.jobs.cancel(j.id);
    const deleted = this.store.deleteSource(sourceId);
    await rm(path.join(this.projectDir(s.projectId), 'cache', `source-${sourceId}`), { recursive: true, force: true });
    return { deleted };
  }

  async startAnalysis(p: Record<string, unknown>): Promise<JobInfo> {
    return this.enqueueAnalysis(this.requireSource(v.id(p, 'sourceId')));
  }

  private enqueueAnalysis(source: SourceRecord): JobInfo {
    return this.jobs.enqueue({
      kind: 'analysis',
      projectId: source.projectId,
      sourceId: source.id,
      stageWeights: { analysis: 9, thumbnails: 1 },
      run: async (ctx) => {
        const geometry = this.geometryOf(source.projectId);
        const r = await runInWorker({ kind: 'analysis', input: source.path, geometry, modelsDir: this.options.modelsDir ?? null }, { signal: ctx.signal, onProgress: ctx.progress });
        const a = this.store.saveAnalysis({ sourceId: source.id, geometry, embedderId: r.embedderId, flowId: r.flowId, frameCount: r.frameCount, signals: r.signals });
        this.emit({ type: 'analysis-ready', sourceId: source.id, analysis: this.analysisInfo(a) });
        ctx.progress({ stage: 'thumbnails', done: 0, total: 1 });
        const dir = cacheDir(this.projectDir(source.projectId), source.id, geometry);
        await makeAllThumbnails(source.path, source.probe as ProbeInfo, geometry, dir, ctx.signal);
        ctx.progress({ stage: 'thumbnails', done: 1, total: 1 });
      },
    });
  }

  async getSignals(p: Record<string, unknown>): Promise<SignalsPayload> {
    const source = this.requireSource(v.id(p, 'sourceId'));
    const a = this.requireAnalysis(source);
    return { sourceId: source.id, analysisId: a.id, frameCount: a.frameCount, geometry: a.geometry, signalsBase64: bytesToBase64(a.signals) };
  }

  private latestSelection(a: AnalysisRecord, sourceId: number): SavedSelection | null {
    const all = this.store.listSelections(a.id);
    const s = all[all.length - 1];
    return s ? { id: s.id, sourceId, analysisId: a.id, params: s.params as SelectionParams, keyframes: [...s.keyframes], savedAt: s.createdAt } : null;
  }

  async getSelection(p: Record<string, unknown>): Promise<SavedSelection | null> {
    const source = this.requireSource(v.id(p, 'sourceId'));
    const a = this.analysisOf(source);
    return a ? this.latestSelection(a, source.id) : null;
  }

  async saveSelection(p: Record<string, unknown>): Promise<SavedSelection> {
    const source = this.requireSource(v.id(p, 'sourceId'));
    const a = this.requireAnalysis(source);
    const params = v.selection(p.params);
    const { keyframes } = selectKeyframes(deserialiseFrameSignals(a.signals), params);
    const s = this.store.saveSelection({ analysisId: a.id, params, keyframes, overrides: params.overrides ?? null });
    return { id: s.id, sourceId: source.id, analysisId: a.id, params, keyframes: [...s.keyframes], savedAt: s.createdAt };
  }

  async getRateModel(p: Record<string, unknown>): Promise<RateModel> {
    const source = this.requireSource(v.id(p, 'sourceId'));
    const texts = this.store.listDescriptions(source.id);
    const keyframeItems = texts.filter((d) => d.itemKind === 'keyframe').length;
    const bytes = texts.reduce((a, d) => a + encodeText(d.text).length, 0);
    return {
      bytesPerKeyframe: this.engine().defaultKeyframeBudget,
      bytesPerText: keyframeItems > 0 ? Math.round(bytes / keyframeItems) : DEFAULT_TEXT_BYTES,
    };
  }

  // ------------------------------------------------------------ descriptions and the LMM

  private descriptionInfo(d: { sourceId: number; itemKind: ItemKind; itemIndex: number; frameIndex: number; text: string; origin: 'user' | 'lmm' | 'file'; updatedAt: number }): DescriptionInfo {
    return { sourceId: d.sourceId, itemKind: d.itemKind, itemIndex: d.itemIndex, frameIndex: d.frameIndex, text: d.text, origin: d.origin, bits: encodeText(d.text).length * 8, updatedAt: d.updatedAt };
  }

  async listDescriptions(p: Record<string, unknown>): Promise<DescriptionInfo[]> {
    const source = this.requireSource(v.id(p, 'sourceId'));
    return this.store.listDescriptions(source.id).map((d) => this.descriptionInfo(d));
  }

  private saveDescription(sourceId: number, itemKind: ItemKind, itemIndex: number, frameIndex: number, text: string, origin: 'user' | 'lmm'): DescriptionInfo {
    const d = this.descriptionInfo(this.store.upsertDescription({ sourceId, itemKind, itemIndex, frameIndex, text, origin }));
    this.emit({ type: 'description-updated', description: d });
    return d;
  }

  async setDescription(p: Record<string, unknown>): Promise<DescriptionInfo> {
    const source = this.requireSource(v.id(p, 'sourceId'));
    const itemKind = v.oneOf(p, 'itemKind', ['keyframe', 'clip'] as const);
    const text = v.text(p, 'text', MAX_TEXT);
    // The coder's own limit is the real one; fail here with a message rather than at encode time.
    encodeText(text);
    return this.saveDescription(source.id, itemKind, v.id(p, 'itemIndex'), v.id(p, 'frameIndex'), text, 'user');
  }

  async getDialogue(p: Record<string, unknown>): Promise<DialogueTranscript[]> {
    const source = this.requireSource(v.id(p, 'sourceId'));
    const itemKind = v.oneOf(p, 'itemKind', ['keyframe', 'clip'] as const);
    return this.lmmStore.listTranscripts({ sourceId: source.id, itemKind, itemIndex: v.id(p, 'itemIndex') }).map((t) => ({
      id: t.id,
      itemKind: t.itemKind,
      itemIndex: t.itemIndex,
      model: t.model,
      startedAt: t.startedAt,
      finishedAt: t.durationMs === null ? null : t.startedAt + t.durationMs,
      status: t.status,
      description: t.description,
      rounds: t.rounds.map((r) => ({ round: r.roundNumber, template: r.name, prompt: r.prompt, answer: r.answer ?? '', model: r.model, ms: r.durationMs, cached: r.cacheHit })),
    }));
  }

  async getLmmStatus(): Promise<LmmStatus> {
    const { baseUrl, model, apiKey } = this.settings.lmm;
    if (!baseUrl) {
      return { state: 'not-configured', baseUrl: null, model, models: [], message: 'No multimodal model is configured: set an OpenAI-compatible endpoint in Settings.' };
    }
    try {
      const list = await checkEndpoint(baseUrl, { apiKey: apiKey ?? undefined, timeoutMs: this.options.lmmCheckTimeoutMs ?? 3000 });
      const known = model === null || list.models.length === 0 || list.models.includes(model);
      return {
        state: 'ready',
        baseUrl,
        model,
        models: [...list.models],
        message: known ? `Connected to ${baseUrl}.` : `Connected to ${baseUrl}, but it does not list model "${model}": pick one of ${list.models.join(', ')} in Settings.`,
      };
    } catch (e) {
      return { state: 'unreachable', baseUrl, model, models: [], message: `${baseUrl} cannot be reached (${(e as Error).message}); check that the server runs, or change it in Settings.` };
    }
  }

  private promptConfig(project: ProjectRecord): PromptConfig {
    return this.projectSettings(project).prompts ?? {};
  }

  async getPrompts(p: Record<string, unknown>): Promise<PromptsInfo> {
    const project = this.requireProject(v.id(p, 'projectId'));
    const config = this.promptConfig(project);
    const set = loadPromptSet(config.version ?? 'v1');
    return {
      projectId: project.id,
      version: set.version,
      templates: TEMPLATE_IDS.map((id) => ({ id, defaultText: set.templates[id], projectText: config.project?.[id] ?? null, variables: [...variablesFor(id)] })),
      items: Object.fromEntries(Object.entries(config.items ?? {}).map(([k, o]) => [k, { ...o } as Record<string, string>])),
    };
  }

  async setPrompt(p: Record<string, unknown>): Promise<PromptsInfo> {
    const project = this.requireProject(v.id(p, 'projectId'));
    const templateId = v.oneOf(p, 'templateId', TEMPLATE_IDS) as TemplateId;
    const text = p.text === null ? null : v.text(p, 'text', MAX_TEXT, { nonEmpty: true });
    let key: string | null = null;
    if (p.item !== undefined && p.item !== null) {
      const item = v.paramsObject(p.item);
      key = `${v.oneOf(item, 'kind', ['keyframe', 'clip'] as const)}:${v.id(item, 'index')}`;
    }
    if (text !== null) checkTemplate(templateId, text, key ? `override for ${key}` : 'project override');
    const config = this.promptConfig(project);
    const edit = (o: Readonly<Record<string, string>> | undefined): Record<string, string> => {
      const next: Record<string, string> = { ...(o ?? {}) };
      if (text === null) delete next[templateId];
      else next[templateId] = text;
      return next;
    };
    let next: PromptConfig;
    if (key === null) next = { ...config, project: edit(config.project) };
    else {
      const items: Record<string, Record<string, string>> = { ...(config.items ?? {}) } as Record<string, Record<string, string>>;
      items[key] = edit(items[key]);
      if (Object.keys(items[key]).length === 0) delete items[key];
      next = { ...config, items };
    }
    this.store.updateProjectSettings(project.id, { ...this.projectSettings(project), prompts: next });
    return this.getPrompts({ projectId: project.id });
  }

  async describe(p: Record<string, unknown>): Promise<JobInfo> {
    const source = this.requireSource(v.id(p, 'sourceId'));
    const a = this.requireAnalysis(source);
    let wanted: { kind: ItemKind; index: number }[] | null = null;
    if (p.items !== undefined && p.items !== null) {
      if (!Array.isArray(p.items) || p.items.length === 0) throw new M3cError('usage', '"items" must be a non-empty array of {kind, index}');
      wanted = p.items.map((it) => {
        const o = v.paramsObject(it);
        return { kind: v.oneOf(o, 'kind', ['keyframe', 'clip'] as const), index: v.id(o, 'index') };
      });
    }
    const { baseUrl, model, apiKey } = this.settings.lmm;
    if (!baseUrl) throw new M3cError('lmm', 'no multimodal model is configured: set an OpenAI-compatible endpoint in Settings first');
    const keyframes = this.latestSelection(a, source.id)?.keyframes ?? selectKeyframes(deserialiseFrameSignals(a.signals), DEFAULT_SELECTION).keyframes;
    for (const w of wanted ?? []) {
      if (w.index >= keyframes.length) throw new M3cError('usage', `item ${w.kind}:${w.index} does not exist: the selection has ${keyframes.length} keyframes`);
    }
    const geometry = this.geometryOf(source.projectId);
    const project = this.requireProject(source.projectId);
    return this.jobs.enqueue({
      kind: 'describe',
      projectId: source.projectId,
      sourceId: source.id,
      run: async (ctx) => {
        const context = {
          // Re-running chosen items asks afresh: the user wants a new answer, not the cached one.
          options: { baseUrl, model: model ?? undefined, apiKey: apiKey ?? undefined, useCache: wanted === null },
          prompts: this.promptConfig(project),
          store: this.lmmStore,
          projectId: source.projectId,
          sourceId: source.id,
          textCoder: encodeText,
          signal: ctx.signal,
          onProgress: (e: { itemsDone: number; itemsTotal: number }) => ctx.progress({ stage: 'describing', done: e.itemsDone, total: e.itemsTotal }),
        };
        const frames = decodeFrames(source.path, { ...geometry, signal: ctx.signal });
        if (wanted === null) {
          const r = await describeVideo({ ...context, frames, keyframes });
          for (const item of r.items) {
            this.saveDescription(source.id, 'keyframe', item.clipIndex, item.keyframeIndex, item.keyframe.text, 'lmm');
            this.saveDescription(source.id, 'clip', item.clipIndex, item.keyframeIndex, item.clip.text, 'lmm');
          }
          return;
        }
        await this.describeSome(source, keyframes, wanted, frames, context, ctx);
      },
    });
  }

  /** Re-runs chosen items: keeps only the frames they need from one decoding pass, then asks item by item. */
  private async describeSome(
    source: SourceRecord,
    keyframes: number[],
    wanted: { kind: ItemKind; index: number }[],
    frames: AsyncIterable<RgbFrame>,
    context: Omit<Parameters<typeof describeItem>[0], 'kind' | 'index' | 'itemCount' | 'keyframeIndex' | 'keyframe' | 'clipFrames' | 'keyframeDescription'>,
    ctx: JobContext,
  ): Promise<void> {
    const needed = new Set<number>();
    const clipEnd = (i: number): number => keyframes[i + 1] ?? Number.MAX_SAFE_INTEGER;
    for (const w of wanted) {
      needed.add(keyframes[w.index]);
      if (w.kind === 'keyframe' && w.index > 0) needed.add(keyframes[w.index - 1]);
    }
    const clipIndices = new Set(wanted.filter((w) => w.kind === 'clip').map((w) => w.index));
    const kept = new Map<number, RgbFrame>();
    let n = 0;
    for await (const f of frames) {
      const inClip = [...clipIndices].some((i) => n >= keyframes[i] && n < clipEnd(i));
      if (needed.has(n) || inClip) kept.set(n, f);
      n++;
    }
    const stored = this.store.listDescriptions(source.id);
    const textOf = (kind: ItemKind, frame: number): string => stored.find((d) => d.itemKind === kind && d.frameIndex === frame)?.text ?? '';
    let done = 0;
    const ordered = [...wanted].sort((x, y) => x.index - y.index || (x.kind === 'keyframe' ? -1 : 1));
    for (const w of ordered) {
      const kf = keyframes[w.index];
      const keyframe = kept.get(kf);
      if (!keyframe) throw new M3cError('input', `${path.basename(source.path)} gave fewer frames than its analysis: re-run the analysis`);
      const common = { ...context, index: w.index, itemCount: keyframes.length, keyframeIndex: kf };
      const d =
        w.kind === 'keyframe'
          ? await describeItem({
              ...common,
              kind: 'keyframe',
              keyframe,
              previousKeyframe: w.index > 0 ? kept.get(keyframes[w.index - 1]) : undefined,
              previousDescription: w.index > 0 ? textOf('keyframe', keyframes[w.index - 1]) : undefined,
            })
          : await describeItem({
              ...common,
              kind: 'clip',
              clipFrames: [...kept.entries()].filter(([i]) => i >= kf && i < clipEnd(w.index)).map(([, f]) => f),
              keyframeDescription: textOf('keyframe', kf),
            });
      this.saveDescription(source.id, w.kind, w.index, kf, d.text, 'lmm');
      ctx.progress({ stage: 'describing', done: ++done, total: ordered.length });
    }
  }

  // ------------------------------------------------------------ encode, decode, library

  private requireEncode(encodeId: number): EncodeRecord {
    const e = this.store.getEncode(encodeId);
    if (!e) throw new M3cError('input', `encode ${encodeId} does not exist (it may have been deleted)`);
    return e;
  }

  private reconstructionPath(e: EncodeRecord): string {
    return path.join(this.projectDir(e.projectId), 'encodes', `encode-${e.id}.recon.mp4`);
  }

  private comparisonPath(e: EncodeRecord): string {
    return path.join(this.projectDir(e.projectId), 'encodes', `encode-${e.id}.compare.json`);
  }

  private descriptionsFile(sourceId: number): DescriptionsFile {
    const byFrame = new Map<number, { frame: number; keyframe: string; clip: string }>();
    for (const d of this.store.listDescriptions(sourceId)) {
      const item = byFrame.get(d.frameIndex) ?? { frame: d.frameIndex, keyframe: '', clip: '' };
      byFrame.set(d.frameIndex, { ...item, [d.itemKind]: d.text });
    }
    return { items: [...byFrame.values()].sort((a, b) => a.frame - b.frame) };
  }

  async startEncode(p: Record<string, unknown>): Promise<JobInfo> {
    const source = this.requireSource(v.id(p, 'sourceId'));
    const mode = p.mode === undefined ? 'interpolation' : v.oneOf(p, 'mode', ['interpolation', 'prediction'] as const);
    const keyframeBudgetBytes = v.optInt(p, 'keyframeBudgetBytes', 16, 1_000_000) ?? null;
    const codecs = this.keyframeCodecsInfo();
    const keyframeCodec: KeyframeCodecKind = p.keyframeCodec === undefined ? codecs.default : v.oneOf(p, 'keyframeCodec', ['learned', 'classical'] as const);
    if (keyframeCodec === 'learned' && codecs.learnedUnavailable) throw new M3cError('model', codecs.learnedUnavailable);
    const denoiserSteps = v.optInt(p, 'denoiserSteps', 0, MAX_DENOISER_STEPS) ?? DEFAULT_DENOISER_STEPS;
    const geometry = this.geometryOf(source.projectId);
    const analysis = this.analysisOf(source);
    const saved = analysis ? this.latestSelection(analysis, source.id) : null;
    const selection = saved?.params ?? DEFAULT_SELECTION;
    const params: EncodeParams = { selection, mode, keyframeBudgetBytes, geometry, keyframeCodec, denoiserSteps };
    const modelsDir = this.options.modelsDir ?? null;
    return this.jobs.enqueue({
      kind: 'encode',
      projectId: source.projectId,
      sourceId: source.id,
      stageWeights: analysis ? { 'keyframe coding': 1 } : { analysis: 3, 'keyframe coding': 1 },
      run: async (ctx) => {
        const dir = path.join(this.projectDir(source.projectId), 'encodes');
        await mkdir(dir, { recursive: true });
        const output = path.join(dir, `source-${source.id}-${Date.now().toString(36)}.m3c`);
        const encodeId = this.store.beginEncode({ sourceId: source.id, selectionId: saved?.id ?? null, path: output, params });
        ctx.setEncodeId(encodeId);
        this.emit({ type: 'encodes-changed', projectId: source.projectId });
        try {
          const r = await runInWorker(
            {
              kind: 'encode',
              input: source.path,
              output,
              geometry,
              selection,
              mode,
              keyframeBudgetBytes,
              keyframeCodec,
              modelsDir,
              descriptions: this.descriptionsFile(source.id),
              signals: analysis?.signals ?? null,
            },
            { signal: ctx.signal, onProgress: ctx.progress },
          );
          const metrics: EncodeMetrics = { bpp: r.bpp, kbps: r.kbps, frameCount: r.frameCount, durationSec: r.durationSec, keyframes: r.keyframes };
          this.store.finishEncode(encodeId, { bytes: r.bytes, metrics: { ...metrics, sections: r.sections, timings: r.timings } });
        } catch (e) {
          const cancelled = ctx.signal.aborted || (e instanceof M3cError && e.code === 'cancelled');
          this.store.failEncode(encodeId, cancelled ? 'cancelled' : 'failed', cancelled ? 'cancelled' : (e as Error).message);
          await rm(output, { force: true });
          throw e;
        } finally {
          this.emit({ type: 'encodes-changed', projectId: source.projectId });
        }
      },
    });
  }

  async startDecode(p: Record<string, unknown>): Promise<JobInfo> {
    const e = this.requireEncode(v.id(p, 'encodeId'));
    if (e.status !== 'done') throw new M3cError('usage', `encode ${e.id} is ${e.status}: only a finished encode can be decoded`);
    const source = this.requireSource(e.sourceId);
    // The steps chosen at encode time: the file itself has no field for them.
    const denoiserSteps = (e.params as EncodeParams | null)?.denoiserSteps ?? DEFAULT_DENOISER_STEPS;
    const modelsDir = this.options.modelsDir ?? null;
    return this.jobs.enqueue({
      kind: 'decode',
      projectId: e.projectId,
      sourceId: e.sourceId,
      encodeId: e.id,
      stageWeights: { decoding: 2, evaluation: 1 },
      run: async (ctx) => {
        const out = this.reconstructionPath(e);
        const r = await runInWorker({ kind: 'decode', m3cPath: e.path, output: out, reference: source.path, denoiserSteps, modelsDir }, { signal: ctx.signal, onProgress: ctx.progress });
        await writeFile(this.comparisonPath(e), JSON.stringify(r));
        this.emit({ type: 'encodes-changed', projectId: e.projectId });
      },
    });
  }

  async listJobs(): Promise<JobInfo[]> {
    return this.jobs.list();
  }

  async cancelJob(p: Record<string, unknown>): Promise<JobInfo> {
    return this.jobs.cancel(v.text(p, 'jobId', 100, { nonEmpty: true }));
  }

  /** Resolves when a job is done, failed or cancelled (for tests and the CLI). */
  waitForJob(jobId: string): Promise<JobInfo> {
    return this.jobs.whenSettled(jobId);
  }

  private async readComparison(e: EncodeRecord): Promise<DecodeOutcome | null> {
    try {
      return JSON.parse(await readFile(this.comparisonPath(e), 'utf8')) as DecodeOutcome;
    } catch {
      return null;
    }
  }

  private async encodeInfo(e: EncodeRecord): Promise<EncodeInfo> {
    const m = (e.metrics ?? null) as EncodeMetrics | null;
    const cmp = e.status === 'done' ? await this.readComparison(e) : null;
    return {
      id: e.id,
      projectId: e.projectId,
      sourceId: e.sourceId,
      status: e.status,
      bytes: e.bytes,
      bpp: m?.bpp ?? null,
      kbps: m?.kbps ?? null,
      frameCount: m?.frameCount ?? null,
      keyframes: m?.keyframes ?? [],
      psnr: cmp?.meanPsnr ?? null,
      msssim: cmp?.meanMsssim ?? null,
      params: (e.params ?? null) as EncodeParams | null,
      startedAt: e.startedAt,
      finishedAt: e.finishedAt,
      error: e.error,
      hasReconstruction: cmp !== null && existsSync(this.reconstructionPath(e)),
    };
  }

  async listEncodes(p: Record<string, unknown>): Promise<EncodeInfo[]> {
    const projectId = v.id(p, 'projectId');
    this.requireProject(projectId);
    const sourceId = p.sourceId === undefined ? undefined : v.id(p, 'sourceId');
    return Promise.all(this.store.listEncodes({ projectId, sourceId }).map((e) => this.encodeInfo(e)));
  }

  async deleteEncode(p: Record<string, unknown>): Promise<{ deleted: boolean }> {
    const e = this.store.getEncode(v.id(p, 'encodeId'));
    if (!e) return { deleted: false };
    const deleted = this.store.deleteEncode(e.id);
    for (const f of [e.path, this.reconstructionPath(e), this.comparisonPath(e)]) await rm(f, { force: true });
    this.emit({ type: 'encodes-changed', projectId: e.projectId });
    return { deleted };
  }

  private exportFile(e: EncodeRecord, format: ExportFormat): string {
    if (e.status !== 'done') throw new M3cError('usage', `encode ${e.id} is ${e.status}: only a finished encode can be exported`);
    const file = format === 'm3c' ? e.path : this.reconstructionPath(e);
    if (!existsSync(file)) {
      throw new M3cError('usage', format === 'mp4' ? `encode ${e.id} has no reconstruction yet: decode it first` : `the .m3c of encode ${e.id} is missing from ${path.dirname(file)}`);
    }
    return file;
  }

  private exportName(e: EncodeRecord, format: ExportFormat): string {
    const src = this.store.getSource(e.sourceId);
    const stem = src ? path.basename(src.path, path.extname(src.path)) : 'video';
    return safeFileName(`${stem}-encode-${e.id}${format === 'm3c' ? '.m3c' : '.recon.mp4'}`);
  }

  async exportEncode(p: Record<string, unknown>): Promise<ExportResult> {
    const e = this.requireEncode(v.id(p, 'encodeId'));
    const format = v.oneOf(p, 'format', ['m3c', 'mp4'] as const);
    const file = this.exportFile(e, format);
    const fileName = this.exportName(e, format);
    if (!this.options.dialogs) return { kind: 'download', ref: mediaRefs.download(e.id, format), fileName };
    const target = await this.options.dialogs.chooseSaveFile(fileName, format);
    if (target === null) return { kind: 'cancelled' };
    const checked = checkShape(target, 'export path');
    await copyFile(file, checked);
    return { kind: 'saved', path: checked };
  }

  async getComparison(p: Record<string, unknown>): Promise<Comparison> {
    const e = this.requireEncode(v.id(p, 'encodeId'));
    const cmp = e.status === 'done' ? await this.readComparison(e) : null;
    if (!cmp) throw new M3cError('usage', `encode ${e.id} has not been decoded and compared yet: decode it first`);
    const g = (e.params as EncodeParams).geometry;
    return {
      encodeId: e.id,
      frames: cmp.frames,
      fps: g.fpsNum / g.fpsDen,
      keyframes: ((e.metrics ?? {}) as Partial<EncodeMetrics>).keyframes ?? [],
      psnr: cmp.psnr,
      msssim: cmp.msssim,
      meanPsnr: cmp.meanPsnr,
      meanMsssim: cmp.meanMsssim,
      originalVideo: mediaRefs.original(e.sourceId),
      reconstructedVideo: mediaRefs.reconstruction(e.id),
    };
  }

  // ------------------------------------------------------------ media

  /** The file or bytes behind a MediaRef; refuses malformed refs and unknown ids. */
  async resolveMedia(ref: string): Promise<MediaResource> {
    const m = parseMediaRef(ref);
    if (!m) throw new M3cError('input', `"${ref}" is not a media reference`);
    switch (m.kind) {
      case 'thumb':
      case 'preview': {
        const source = this.requireSource(m.sourceId);
        const g = this.geometryOf(source.projectId);
        const a = this.analysisOf(source);
        // Before the analysis has counted the frames, the probed duration at the working rate bounds them.
        const frames = a ? a.frameCount : expectedFrameCount(source.probe as ProbeInfo, g.fpsNum, g.fpsDen);
        if (m.frame >= frames) throw new M3cError('input', `frame ${m.frame} is past the end (${frames} frames)`);
        const dir = cacheDir(this.projectDir(source.projectId), source.id, g);
        const file = m.kind === 'thumb' ? thumbFile(dir, m.frame) : path.join(dir, 'previews', `${m.frame}.jpg`);
        const size = m.kind === 'thumb' ? thumbSize(g) : { width: g.width, height: g.height };
        await this.once.make(file, (tmp) => this.previews.run(() => makeFrameJpeg(source.path, source.probe as ProbeInfo, g, m.frame, size, tmp)));
        return { kind: 'file', path: file, contentType: 'image/jpeg' };
      }
      case 'original': {
        const source = this.requireSource(m.sourceId);
        const g = this.geometryOf(source.projectId);
        const file = path.join(cacheDir(this.projectDir(source.projectId), source.id, g), 'original.mp4');
        await this.once.make(file, (tmp) => makeProxyMp4(source.path, source.probe as ProbeInfo, g, tmp));
        return { kind: 'file', path: file, contentType: 'video/mp4' };
      }
      case 'signals': {
        const a = this.requireAnalysis(this.requireSource(m.sourceId));
        return { kind: 'bytes', bytes: a.signals, contentType: 'application/octet-stream' };
      }
      case 'reconstruction': {
        const e = this.requireEncode(m.encodeId);
        return { kind: 'file', path: this.exportFile(e, 'mp4'), contentType: 'video/mp4' };
      }
      case 'download': {
        const e = this.requireEncode(m.encodeId);
        return {
          kind: 'file',
          path: this.exportFile(e, m.format),
          contentType: m.format === 'm3c' ? 'application/octet-stream' : 'video/mp4',
          downloadName: this.exportName(e, m.format),
        };
      }
    }
  }
}
