/**
 * StudioService: the StudioApi over the store, the pipeline, ffmpeg and the LMM engine. Transports (Electron
 * IPC, the web bridge) only deserialise a call and hand it to `call`; every argument is validated by the
 * section that owns the method (src/main/services/studio/*-api.ts). Long work runs as queued jobs
 * (JobQueue) whose compute happens in worker threads (runInWorker).
 */
import { M3cError } from '../../shared/engine/errors.ts';
import { isApiMethod, type JobInfo, type SourceInfo, type StudioApi, type StudioEventListener } from '../../shared/api/contract.ts';
import type { Store } from '../store/index.ts';
import { StudioContext, type StudioServiceOptions } from './studio/context.ts';
import { SettingsApi } from './studio/settings-api.ts';
import { ProjectsApi } from './studio/projects-api.ts';
import { SourcesApi } from './studio/sources-api.ts';
import { SelectionApi } from './studio/selection-api.ts';
import { DialogueApi } from './studio/dialogue-api.ts';
import { JobsApi } from './studio/jobs-api.ts';
import { ExportApi, type MediaResource } from './studio/export-api.ts';
import { RdApi } from './studio/rd-api.ts';
import { RegionsApi } from './studio/regions-api.ts';
import * as v from './validate.ts';

export { PREVIEW_CONCURRENCY, PREVIEW_QUEUE, type DialogHost, type StudioServiceOptions } from './studio/context.ts';
export type { MediaResource } from './studio/export-api.ts';

type Api<K extends keyof StudioApi> = (p: Record<string, unknown>) => ReturnType<StudioApi[K]>;
/** The methods that take no parameters. */
type Api0<K extends keyof StudioApi> = () => ReturnType<StudioApi[K]>;

export class StudioService implements StudioApi {
  private readonly ctx: StudioContext;
  private readonly settingsApi: SettingsApi;
  private readonly projectsApi: ProjectsApi;
  private readonly sourcesApi: SourcesApi;
  private readonly selectionApi: SelectionApi;
  private readonly dialogueApi: DialogueApi;
  private readonly jobsApi: JobsApi;
  private readonly exportApi: ExportApi;
  private readonly rdApi: RdApi;
  private readonly regionsApi: RegionsApi;

  constructor(options: StudioServiceOptions) {
    const ctx = new StudioContext(options);
    this.ctx = ctx;
    this.settingsApi = new SettingsApi(ctx);
    this.projectsApi = new ProjectsApi(ctx);
    this.sourcesApi = new SourcesApi(ctx);
    this.selectionApi = new SelectionApi(ctx);
    this.regionsApi = new RegionsApi(ctx);
    this.dialogueApi = new DialogueApi(ctx, this.regionsApi);
    this.jobsApi = new JobsApi(ctx, this.dialogueApi);
    this.exportApi = new ExportApi(ctx, this.jobsApi);
    this.rdApi = new RdApi(ctx);
  }

  get projectsDir(): string {
    return this.ctx.projectsDir;
  }

  get store(): Store {
    return this.ctx.store;
  }

  // ------------------------------------------------------------ transport entry points

  onEvent(listener: StudioEventListener): () => void {
    return this.ctx.onEvent(listener);
  }

  /** Dispatches one call by name (both transports use this); unknown names are refused. */
  async call(method: string, params: unknown): Promise<unknown> {
    if (!isApiMethod(method)) throw new M3cError('usage', `unknown API method "${method}"`);
    const fn = this[method] as (p: unknown) => Promise<unknown>;
    return fn.call(this, v.paramsObject(params));
  }

  close(): Promise<void> {
    return this.ctx.close();
  }

  /** Resolves when a job is done, failed or cancelled (for tests and the CLI). */
  waitForJob(jobId: string): Promise<JobInfo> {
    return this.ctx.jobs.whenSettled(jobId);
  }

  /** Web upload: streams the body into the project's sources folder, then imports it like a picked file. */
  importUpload(projectId: number, name: string, body: AsyncIterable<Uint8Array>): Promise<{ source: SourceInfo; job: JobInfo | null }> {
    return this.sourcesApi.importUpload(projectId, name, body);
  }

  /** The file or bytes behind a MediaRef; refuses malformed refs and unknown ids. */
  resolveMedia(ref: string): Promise<MediaResource> {
    return this.exportApi.resolveMedia(ref);
  }

  // ------------------------------------------------------------ the API, by section

  readonly getSettings: Api0<'getSettings'> = () => this.settingsApi.getSettings();
  readonly updateSettings: Api<'updateSettings'> = (p) => this.settingsApi.updateSettings(p);

  readonly listProjects: Api0<'listProjects'> = () => this.projectsApi.listProjects();
  readonly createProject: Api<'createProject'> = (p) => this.projectsApi.createProject(p);
  readonly renameProject: Api<'renameProject'> = (p) => this.projectsApi.renameProject(p);
  readonly deleteProject: Api<'deleteProject'> = (p) => this.projectsApi.deleteProject(p);
  readonly openProject: Api<'openProject'> = (p) => this.projectsApi.openProject(p);
  readonly setProjectGeometry: Api<'setProjectGeometry'> = (p) => this.projectsApi.setProjectGeometry(p);

  readonly chooseSourceFile: Api0<'chooseSourceFile'> = () => this.sourcesApi.chooseSourceFile();
  readonly importSource: Api<'importSource'> = (p) => this.sourcesApi.importSource(p);
  readonly deleteSource: Api<'deleteSource'> = (p) => this.sourcesApi.deleteSource(p);
  readonly setSourceFit: Api<'setSourceFit'> = (p) => this.sourcesApi.setSourceFit(p);
  readonly startAnalysis: Api<'startAnalysis'> = (p) => this.sourcesApi.startAnalysis(p);
  readonly getSignals: Api<'getSignals'> = (p) => this.sourcesApi.getSignals(p);

  readonly getSelection: Api<'getSelection'> = (p) => this.selectionApi.getSelection(p);
  readonly saveSelection: Api<'saveSelection'> = (p) => this.selectionApi.saveSelection(p);
  readonly getRateModel: Api<'getRateModel'> = (p) => this.selectionApi.getRateModel(p);

  readonly listDescriptions: Api<'listDescriptions'> = (p) => this.dialogueApi.listDescriptions(p);
  readonly setDescription: Api<'setDescription'> = (p) => this.dialogueApi.setDescription(p);
  readonly getDialogue: Api<'getDialogue'> = (p) => this.dialogueApi.getDialogue(p);
  readonly listDialogueItems: Api<'listDialogueItems'> = (p) => this.dialogueApi.listDialogueItems(p);
  readonly getLmmStatus: Api0<'getLmmStatus'> = () => this.dialogueApi.getLmmStatus();
  readonly getPrompts: Api<'getPrompts'> = (p) => this.dialogueApi.getPrompts(p);
  readonly setPrompt: Api<'setPrompt'> = (p) => this.dialogueApi.setPrompt(p);
  readonly describe: Api<'describe'> = (p) => this.dialogueApi.describe(p);

  readonly startEncode: Api<'startEncode'> = (p) => this.jobsApi.startEncode(p);
  readonly startDecode: Api<'startDecode'> = (p) => this.jobsApi.startDecode(p);
  readonly listJobs: Api0<'listJobs'> = () => this.jobsApi.listJobs();
  readonly cancelJob: Api<'cancelJob'> = (p) => this.jobsApi.cancelJob(p);
  readonly clearFinishedJobs: Api0<'clearFinishedJobs'> = () => this.jobsApi.clearFinishedJobs();
  readonly reencodeTexts: Api<'reencodeTexts'> = (p) => this.jobsApi.reencodeTexts(p);
  readonly listEncodes: Api<'listEncodes'> = (p) => this.jobsApi.listEncodes(p);
  readonly deleteEncode: Api<'deleteEncode'> = (p) => this.jobsApi.deleteEncode(p);

  readonly exportEncode: Api<'exportEncode'> = (p) => this.exportApi.exportEncode(p);
  readonly exportEncodeFiles: Api<'exportEncodeFiles'> = (p) => this.exportApi.exportEncodeFiles(p);
  readonly getComparison: Api<'getComparison'> = (p) => this.exportApi.getComparison(p);

  readonly getRdChart: Api<'getRdChart'> = (p) => this.rdApi.getRdChart(p);
  readonly startAnchorSearch: Api<'startAnchorSearch'> = (p) => this.rdApi.startAnchorSearch(p);

  readonly listRegions: Api<'listRegions'> = (p) => this.regionsApi.listRegions(p);
  readonly addRegion: Api<'addRegion'> = (p) => this.regionsApi.addRegion(p);
  readonly updateRegion: Api<'updateRegion'> = (p) => this.regionsApi.updateRegion(p);
  readonly deleteRegion: Api<'deleteRegion'> = (p) => this.regionsApi.deleteRegion(p);
  readonly trackRegion: Api<'trackRegion'> = (p) => this.regionsApi.trackRegion(p);
}
