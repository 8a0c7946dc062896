/**
 * Test double of the studio's transport: answers every contract method from in-memory state, records each
 * call, and lets a test push events as main would. Components run unchanged on top of createApiClient.
 */
import type { LastView } from '../../../src/renderer/last-view.ts';
import type { ReactElement } from 'react';
import { render, type RenderResult } from '@testing-library/react';
import { createApiClient, type ApiTransport, type StudioClient } from '../../../src/shared/api/client.ts';
import type {
  ApiMethod,
  DescriptionInfo,
  DialogueItemInfo,
  DialogueTranscript,
  EncodeInfo,
  JobInfo,
  LmmStatus,
  ProjectDetail,
  ProjectSummary,
  PromptsInfo,
  RegionInfo,
  RegionInput,
  SavedSelection,
  SourceInfo,
  StudioEvent,
  StudioEventListener,
  StudioSettings,
} from '../../../src/shared/api/contract.ts';
import { bytesToBase64 } from '../../../src/shared/api/base64.ts';
import { makeFrameSignals, selectKeyframes, serialiseFrameSignals, type FrameSignals } from '../../../src/shared/keyframes/index.ts';
import { App } from '../../../src/renderer/App.tsx';

export interface RecordedCall {
  readonly method: ApiMethod;
  readonly params: Record<string, unknown>;
}

const GEOMETRY = { width: 512, height: 320, fpsNum: 8, fpsDen: 1 };
const T0 = 1_700_000_000_000;

export class StudioTransportDouble implements ApiTransport {
  readonly mode: 'electron' | 'web';
  readonly calls: RecordedCall[] = [];
  private readonly listeners = new Set<StudioEventListener>();
  /** Per-method replacements, e.g. to make one call fail. */
  readonly overrides: Partial<Record<ApiMethod, (params: Record<string, unknown>) => unknown>> = {};

  projects: ProjectSummary[] = [{ id: 1, name: 'Bikes', createdAt: T0, updatedAt: T0, sourceCount: 1, encodeCount: 0 }];
  source: SourceInfo;
  signals: FrameSignals;
  selection: SavedSelection | null = null;
  descriptions: DescriptionInfo[] = [];
  dialogues: DialogueTranscript[] = [];
  /** What listDialogueItems answers (main computes it from the transcripts). */
  dialogueItems: DialogueItemInfo[] = [];
  lmm: LmmStatus = { state: 'ready', baseUrl: 'http://127.0.0.1:9/v1', model: 'test-lmm', models: ['test-lmm'], message: 'ready' };
  jobs: JobInfo[] = [];
  encodes: EncodeInfo[] = [];
  /** Regions of interest of the source (issue 14): listRegions answers them; add/update/delete change them. */
  regions: RegionInfo[] = [];
  settings: StudioSettings = settings();
  private signalsBase64: string | undefined;

  constructor(signals: FrameSignals, mode: 'electron' | 'web' = 'web') {
    this.mode = mode;
    this.signals = signals;
    this.source = {
      id: 7,
      projectId: 1,
      path: '/videos/bikes.mp4',
      name: 'bikes.mp4',
      addedAt: T0,
      durationSec: signals.frameCount / 8,
      width: 1280,
      height: 720,
      fps: 25,
      displayAspect: 1280 / 720,
      fit: 'crop',
      analysis: { id: 3, frameCount: signals.frameCount, geometry: GEOMETRY, embedderId: signals.embedderId, flowId: signals.flowId, createdAt: T0 },
    };
  }

  callsOf(method: ApiMethod): Record<string, unknown>[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.params);
  }

  emit(event: StudioEvent): void {
    for (const l of [...this.listeners]) l(event);
  }

  subscribe(listener: StudioEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  mediaUrl(ref: string): string {
    return `http://studio.test/media/${ref}`;
  }

  async invoke(method: ApiMethod, raw: unknown): Promise<unknown> {
    const params = (raw ?? {}) as Record<string, unknown>;
    this.calls.push({ method, params });
    const override = this.overrides[method];
    if (override) return override(params);
    return this.answer(method, params);
  }

  private detail(): ProjectDetail {
    return { project: this.projects[0], sources: [this.source], geometry: GEOMETRY };
  }

  private answer(method: ApiMethod, p: Record<string, unknown>): unknown {
    switch (method) {
      case 'listProjects':
        return this.projects;
      case 'openProject':
        if (!this.projects.some((x) => x.id === p.projectId)) throw { code: 'input', message: `project ${String(p.projectId)} does not exist (it may have been deleted)` };
        return this.detail();
      case 'getSignals':
        this.signalsBase64 ??= bytesToBase64(serialiseFrameSignals(this.signals));
        return { sourceId: this.source.id, analysisId: 3, frameCount: this.signals.frameCount, geometry: GEOMETRY, signalsBase64: this.signalsBase64 };
      case 'getSelection':
        return this.selection;
      case 'saveSelection': {
        const params = p.params as SavedSelection['params'];
        this.selection = { id: 1, sourceId: this.source.id, analysisId: 3, params, keyframes: selectKeyframes(this.signals, params).keyframes, savedAt: T0 };
        return this.selection;
      }
      case 'getRateModel':
        return { bytesPerKeyframe: 600, bytesPerText: 40 };
      case 'listDescriptions':
        return this.descriptions;
      case 'setDescription': {
        const d: DescriptionInfo = {
          sourceId: p.sourceId as number,
          itemKind: p.itemKind as DescriptionInfo['itemKind'],
          itemIndex: p.itemIndex as number,
          frameIndex: p.frameIndex as number,
          text: p.text as string,
          origin: 'user',
          bits: (p.text as string).length * 3,
          updatedAt: T0,
        };
        this.descriptions = [...this.descriptions.filter((x) => !(x.itemKind === d.itemKind && x.itemIndex === d.itemIndex)), d];
        return d;
      }
      case 'getDialogue':
        return this.dialogues.filter((d) => d.itemKind === p.itemKind && d.itemIndex === p.itemIndex);
      case 'listDialogueItems':
        return this.dialogueItems;
      case 'getLmmStatus':
        return this.lmm;
      case 'getPrompts':
        return prompts();
      case 'listJobs':
        return this.jobs;
      case 'setSourceFit': {
        const fit = p.fit as SourceInfo['fit'];
        const changed = fit !== this.source.fit;
        // As main: the analysis of the old fit is not the new fit's.
        this.source = { ...this.source, fit, analysis: changed ? null : this.source.analysis };
        return { source: this.source, job: changed ? job({ id: `analysis-${fit}`, kind: 'analysis', state: 'queued' }) : null };
      }
      case 'listEncodes':
        return this.encodes;
      case 'startDecode':
        return job({ id: `decode-${String(p.encodeId)}`, kind: 'decode', encodeId: p.encodeId as number, state: 'queued' });
      case 'cancelJob': {
        const job = this.jobs.find((j) => j.id === p.jobId);
        if (!job) throw { code: 'usage', message: `no job ${String(p.jobId)}` };
        return { ...job, state: 'cancelled' };
      }
      case 'getSettings':
        return this.settings;
      case 'updateSettings': {
        const lmm = p.lmm as { baseUrl: string | null; model?: string | null } | undefined;
        this.settings = {
          ...this.settings,
          ...(p.geometry ? { geometry: p.geometry as StudioSettings['geometry'] } : {}),
          ...(lmm ? { lmm: { baseUrl: lmm.baseUrl, model: lmm.model ?? null, apiKeySet: this.settings.lmm.apiKeySet } } : {}),
        };
        return this.settings;
      }
      case 'listRegions':
        return this.regions;
      case 'addRegion': {
        const id = Math.max(0, ...this.regions.map((r) => r.id)) + 1;
        const r = p.region as RegionInput;
        const added: RegionInfo = { id, sourceId: p.sourceId as number, track: `t${id}`, frames: r.frames, box: r.box, weight: r.weight ?? 1, label: r.label ?? '', source: 'hand' };
        this.regions = [...this.regions, added];
        return [added];
      }
      case 'updateRegion': {
        const r = p.region as RegionInput;
        this.regions = this.regions.map((x) => (x.id === p.regionId ? { ...x, frames: r.frames, box: r.box, weight: r.weight ?? 1, label: r.label ?? '', source: 'hand' } : x));
        return this.regions.filter((x) => x.id === p.regionId);
      }
      case 'deleteRegion': {
        const before = this.regions.length;
        this.regions = this.regions.filter((x) => x.id !== p.regionId);
        return { deleted: before - this.regions.length };
      }
      default:
        throw { code: 'internal', message: `the test double does not answer ${method}` };
    }
  }
}

function prompts(): PromptsInfo {
  return {
    projectId: 1,
    version: 'v1',
    templates: [{ id: 'keyframe', defaultText: 'Describe {frame}.', projectText: null, variables: ['frame'] }],
    items: {},
  };
}

function settings(): StudioSettings {
  return {
    mode: 'web',
    modelPack: null,
    modelPackError: null,
    lmm: { baseUrl: null, model: null, apiKeySet: false },
    ffmpeg: { path: '/usr/bin/ffmpeg', error: null },
    geometry: GEOMETRY,
    projectsDir: '/tmp/projects',
    keyframeCodecs: { default: 'classical', learnedGrids: [], learnedUnavailable: 'the model pack has no learned keyframe codec models', defaultDenoiserSteps: 4, maxDenoiserSteps: 8 },
  };
}

export function job(partial: Partial<JobInfo> & Pick<JobInfo, 'id' | 'kind'>): JobInfo {
  return {
    projectId: 1,
    sourceId: 7,
    encodeId: null,
    state: 'running',
    stage: 'working',
    done: 10,
    total: 100,
    fraction: 0.1,
    etaSeconds: 42,
    createdAt: T0,
    startedAt: T0,
    finishedAt: null,
    error: null,
    ...partial,
  };
}

/**
 * Synthetic signals shaped like the analysis output: shots of 30-110 frames with a slowly drifting embedding
 * (new random direction at each cut) and a small steady pan. Deterministic (seeded).
 */
export function syntheticSignals(frameCount: number, embeddingDim = 64, gridWidth = 8, gridHeight = 5): { signals: FrameSignals; cuts: number[] } {
  let seed = 12345;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const embeddings = new Float32Array(frameCount * embeddingDim);
  const flow = new Float32Array(frameCount * gridWidth * gridHeight * 2);
  const base = new Float32Array(embeddingDim);
  const cuts: number[] = [];
  let nextCut = 0;
  for (let f = 0; f < frameCount; f++) {
    if (f === nextCut) {
      for (let k = 0; k < embeddingDim; k++) base[k] = rand();
      if (f > 0) cuts.push(f);
      nextCut = f + 30 + Math.floor(rand() * 80);
    }
    let norm = 0;
    const o = f * embeddingDim;
    for (let k = 0; k < embeddingDim; k++) {
      const v = base[k] + 0.02 * rand();
      embeddings[o + k] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    for (let k = 0; k < embeddingDim; k++) embeddings[o + k] /= norm;
    if (f > 0) {
      const g = f * gridWidth * gridHeight * 2;
      for (let i = 0; i < gridWidth * gridHeight; i++) {
        flow[g + 2 * i] = 0.001;
        flow[g + 2 * i + 1] = 0.0005 * rand();
      }
    }
  }
  const signals = makeFrameSignals({ frameWidth: 512, frameHeight: 320, embedderId: 'synthetic', flowId: 'synthetic', embeddingDim, embeddings, gridWidth, gridHeight, flow });
  return { signals, cuts };
}

export function renderStudio(
  transport: StudioTransportDouble,
  options: { storage?: Pick<Storage, 'setItem'>; initialView?: LastView } = {},
): RenderResult & { client: StudioClient } {
  const client = createApiClient(transport);
  const ui: ReactElement = <App client={client} initialTheme="light" storage={options.storage ?? null} initialFilmstripWidth={960} initialView={options.initialView} />;
  return { ...render(ui), client };
}
