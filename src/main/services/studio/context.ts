/**
 * What every section of the studio's API shares: the store, the folder's layout, the job queue, the event
 * listeners, the path guard, the settings, and the lookups that turn an id from the renderer into a record
 * or a clear error.
 * Sections validate their arguments, call these and the store, or queue pipeline work; none runs a stage.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { M3cError } from '../../../shared/engine/errors.ts';
import type { Geometry } from '../../../shared/engine/frame.ts';
import type {
  AnalysisInfo,
  Fit,
  KeyframeCodecsInfo,
  SavedSelection,
  SourceInfo,
  StudioEvent,
  StudioEventListener,
  WorkingGeometry,
} from '../../../shared/api/contract.ts';
import type { SelectionParams } from '../../../shared/keyframes/index.ts';
import { openStore, type Store, type AnalysisRecord, type EncodeRecord, type SourceRecord, type ProjectRecord } from '../../store/index.ts';
import { LmmStore } from '../../store/lmm.ts';
import { ProjectLayout } from '../../store/layout.ts';
import { moveComparisonsIn } from '../../store/legacy-comparisons.ts';
import { createEngine, DEFAULT_GEOMETRY, type Engine } from '../../pipeline/engine.ts';
import { DEFAULT_DENOISER_STEPS, MAX_DENOISER_STEPS } from '../../codecs/learned/index.ts';
import { displaySize, type ProbeInfo } from '../../media/index.ts';
import type { PromptConfig } from '../../lmm/index.ts';
import { JobQueue } from '../jobs.ts';
import { PathGuard, checkShape } from '../paths.ts';
import { defaultSecretStore, readSettings, type SecretStore, type StoredSettings } from '../settings.ts';
import { BusyError, OnceMaker } from '../frames.ts';
import { Semaphore } from '../../util/semaphore.ts';

/** Width over height as a player shows the picture; 0 for a source recorded without its probe (m3c encode --project). */
function displayAspectOf(info: ProbeInfo): number {
  if (!(info.codedWidth > 0 && info.codedHeight > 0)) return info.width > 0 && info.height > 0 ? info.width / info.height : 0;
  const d = displaySize(info);
  return d.width / d.height;
}

/** What the host shell offers: native dialogs in Electron; absent in web mode. */
export interface DialogHost {
  chooseOpenFile(): Promise<string | null>;
  chooseSaveFile(defaultName: string, extension: string): Promise<string | null>;
  /** A folder to save several files in (an export of the .m3c and the mp4). */
  chooseFolder(title: string): Promise<string | null>;
}

export interface StudioServiceOptions {
  /** Holds studio.db, studio-settings.json and one folder per project (store/layout.ts). Created if missing. */
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

export interface ProjectSettings {
  readonly geometry?: Geometry;
  readonly prompts?: PromptConfig;
}

/** ffmpeg runs for single-frame previews and thumbnails at once, and how many more requests may wait. */
export const PREVIEW_CONCURRENCY = 3;
export const PREVIEW_QUEUE = 64;

export class StudioContext {
  readonly projectsDir: string;
  readonly layout: ProjectLayout;
  readonly store: Store;
  readonly lmmStore: LmmStore;
  readonly guard: PathGuard;
  readonly jobs: JobQueue;
  readonly once = new OnceMaker();
  readonly previews = new Semaphore(PREVIEW_CONCURRENCY, {
    maxWaiting: PREVIEW_QUEUE,
    busy: () => new BusyError('the studio is busy making previews: try again in a moment'),
  });
  readonly secrets: SecretStore;
  settings: StoredSettings;
  private readonly listeners = new Set<StudioEventListener>();
  private engineCache: Engine | undefined;

  constructor(readonly options: StudioServiceOptions) {
    const dir = checkShape(path.resolve(options.projectsDir), 'projects folder');
    mkdirSync(dir, { recursive: true });
    this.projectsDir = dir;
    this.layout = new ProjectLayout(dir);
    this.store = openStore(this.layout.database);
    this.moveComparisonsIn();
    this.lmmStore = new LmmStore(this.store);
    const roots = [dir, ...(options.importRoots ?? [])].filter((r) => existsSync(r));
    this.guard = new PathGuard(roots, { fileDialog: options.mode === 'electron' });
    this.secrets = options.secrets ?? defaultSecretStore(dir);
    this.settings = readSettings(dir, this.secrets);
    this.jobs = new JobQueue((job, finished) => this.emit({ type: finished ? 'job-finished' : 'job-progress', job }), options.concurrency ?? 1);
  }

  /** Comparison files of the code before schema 4 into the decodes table; a file that fails stays, with a warning. */
  private moveComparisonsIn(): void {
    try {
      for (const s of moveComparisonsIn(this.store, this.layout).skipped) console.warn(`m3c: left ${s.file} in place: ${s.reason}`);
    } catch (e) {
      console.warn(`m3c: could not move comparison files into the database: ${(e as Error).message}`);
    }
  }

  get modelsDir(): string | null {
    return this.options.modelsDir ?? null;
  }

  onEvent(listener: StudioEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: StudioEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch {
        // A broken listener (a closed socket) must not stop the others or the job.
      }
    }
  }

  async close(): Promise<void> {
    await this.jobs.shutdown();
    this.listeners.clear();
    this.lmmStore.close();
    this.store.close();
    await this.engineCache?.dispose();
    this.engineCache = undefined;
  }

  /** For ids, budgets and codec availability only: the compute runs in workers with engines of their own. */
  engine(): Engine {
    this.engineCache ??= createEngine({ modelsDir: this.options.modelsDir });
    return this.engineCache;
  }

  keyframeCodecsInfo(): KeyframeCodecsInfo {
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

  // ------------------------------------------------------------ projects

  requireProject(projectId: number): ProjectRecord {
    const p = this.store.getProject(projectId);
    if (!p) throw new M3cError('input', `project ${projectId} does not exist (it may have been deleted)`);
    return p;
  }

  projectSettings(p: ProjectRecord): ProjectSettings {
    return (typeof p.settings === 'object' && p.settings !== null ? p.settings : {}) as ProjectSettings;
  }

  geometryOf(projectId: number): Geometry {
    return this.projectSettings(this.requireProject(projectId)).geometry ?? this.settings.geometry ?? DEFAULT_GEOMETRY;
  }

  promptConfig(project: ProjectRecord): PromptConfig {
    return this.projectSettings(project).prompts ?? {};
  }

  // ------------------------------------------------------------ sources, analyses, selections

  requireSource(sourceId: number): SourceRecord {
    const s = this.store.getSource(sourceId);
    if (!s) throw new M3cError('input', `source ${sourceId} does not exist (it may have been deleted)`);
    return s;
  }

  /**
   * The project's working geometry with the source's fit (or `fit`, e.g. a preview of a fit not chosen yet): what
   * every reader of the source's frames at the working geometry gets, so analysis, pictures and encode agree.
   */
  workingGeometryOf(source: SourceRecord, fit: Fit = source.fit): WorkingGeometry {
    return { ...this.geometryOf(source.projectId), fit };
  }

  /** The analysis at the working geometry and the source's current fit (one made with another fit does not count). */
  analysisOf(source: SourceRecord): AnalysisRecord | undefined {
    const e = this.engine();
    return this.store.getAnalysis({ sourceId: source.id, geometry: this.workingGeometryOf(source), embedderId: e.embedder.id, flowId: e.analysisFlow.id });
  }

  requireAnalysis(source: SourceRecord): AnalysisRecord {
    const a = this.analysisOf(source);
    const fit = source.fit === 'crop' ? '' : ` (${source.fit === 'pad' ? 'padded' : 'stretched'})`;
    if (!a) throw new M3cError('usage', `${path.basename(source.path)} has not been analysed at the working geometry${fit} yet: run its analysis first`);
    return a;
  }

  analysisInfo(a: AnalysisRecord): AnalysisInfo {
    return { id: a.id, frameCount: a.frameCount, geometry: a.geometry, embedderId: a.embedderId, flowId: a.flowId, createdAt: a.createdAt };
  }

  sourceInfo(s: SourceRecord): SourceInfo {
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
      displayAspect: displayAspectOf(info),
      fit: s.fit,
      analysis: a ? this.analysisInfo(a) : null,
    };
  }

  latestSelection(a: AnalysisRecord, sourceId: number): SavedSelection | null {
    const all = this.store.listSelections(a.id);
    const s = all[all.length - 1];
    return s ? { id: s.id, sourceId, analysisId: a.id, params: s.params as SelectionParams, keyframes: [...s.keyframes], savedAt: s.createdAt } : null;
  }

  // ------------------------------------------------------------ encodes

  requireEncode(encodeId: number): EncodeRecord {
    const e = this.store.getEncode(encodeId);
    if (!e) throw new M3cError('input', `encode ${encodeId} does not exist (it may have been deleted)`);
    return e;
  }

  /** The fit an encode's frames were coded with (the studio records it beside the geometry, m3c encode --fit in it; before either, 'crop'). */
  encodeFit(e: EncodeRecord): Fit {
    const params = e.params as { fit?: Fit; geometry?: WorkingGeometry } | null;
    return params?.fit ?? params?.geometry?.fit ?? 'crop';
  }
}
