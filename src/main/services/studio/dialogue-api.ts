/** The dialogue: descriptions (edited or from the LMM), transcripts, prompt templates and the describe job. */
import { M3cError, isAbortError } from '../../../shared/engine/errors.ts';
import type { DescriptionInfo, DialogueItemInfo, DialogueTranscript, ItemKind, JobInfo, LmmStatus, PromptsInfo } from '../../../shared/api/contract.ts';
import { DEFAULT_SELECTION, deserialiseFrameSignals, selectKeyframes } from '../../../shared/keyframes/index.ts';
import { encodeText } from '../../../shared/text/index.ts';
import type { AnalysisRecord, DescriptionRecord } from '../../store/index.ts';
import type { TranscriptRow } from '../../store/lmm.ts';
import { clipEnd, clipOfFrame, currentDescriptions, isCurrent, type DescriptionsFile, type PinnedText } from '../../pipeline/descriptions-file.ts';
import type { Selection } from '../../pipeline/describe.ts';
import { checkEndpoint, loadPromptSet, TEMPLATE_IDS, variablesFor, type PromptConfig, type TemplateId } from '../../lmm/index.ts';
import { checkTemplate } from '../../lmm/prompts.ts';
import { runInWorker } from '../run-in-worker.ts';
import * as v from '../validate.ts';
import type { StudioContext } from './context.ts';
import { describeFailure, dialogueItems, keyframeChanged } from './dialogue-items.ts';
import type { RegionsApi } from './regions-api.ts';
import { clipRegions } from '../../pipeline/describe.ts';

const MAX_TEXT = 20_000;

function pinned(d: DescriptionRecord): PinnedText {
  return { kind: d.itemKind, frame: d.frameIndex, end: d.endFrame, text: d.text };
}

export class DialogueApi {
  constructor(
    private readonly ctx: StudioContext,
    private readonly regions: RegionsApi,
  ) {}

  /** The selection the describe job and encodes use: the saved one, else the default selection of the analysis. */
  private selectionOf(a: AnalysisRecord, sourceId: number): Selection {
    const keyframes = this.ctx.latestSelection(a, sourceId)?.keyframes ?? selectKeyframes(deserialiseFrameSignals(a.signals), DEFAULT_SELECTION).keyframes;
    return { keyframes, frameCount: a.frameCount };
  }

  private currentSelection(sourceId: number): Selection | null {
    const source = this.ctx.requireSource(sourceId);
    const a = this.ctx.analysisOf(source);
    return a ? this.selectionOf(a, source.id) : null;
  }

  /** Without an analysis at the working geometry no item exists, so every text is stale. */
  private descriptionInfo(d: DescriptionRecord, selection: Selection | null, all: readonly DescriptionRecord[], transcripts: () => readonly TranscriptRow[]): DescriptionInfo {
    const stale = selection === null || !isCurrent(pinned(d), selection.keyframes, selection.frameCount);
    const keyframe = d.itemKind === 'clip' ? all.find((k) => k.itemKind === 'keyframe' && k.frameIndex === d.frameIndex) : undefined;
    const changed = keyframe !== undefined && d.origin === 'lmm' && keyframeChanged(d, keyframe, transcripts());
    return { sourceId: d.sourceId, itemKind: d.itemKind, itemIndex: d.itemIndex, frameIndex: d.frameIndex, text: d.text, origin: d.origin, bits: encodeText(d.text).length * 8, updatedAt: d.updatedAt, stale, keyframeChanged: changed };
  }

  /** The source's transcripts, read once and only when asked for. */
  private transcriptsOf(sourceId: number): () => readonly TranscriptRow[] {
    let rows: TranscriptRow[] | undefined;
    return () => (rows ??= this.ctx.lmmStore.listTranscripts({ sourceId }));
  }

  async listDescriptions(p: Record<string, unknown>): Promise<DescriptionInfo[]> {
    const source = this.ctx.requireSource(v.id(p, 'sourceId'));
    const selection = this.currentSelection(source.id);
    const all = this.ctx.store.listDescriptions(source.id);
    const transcripts = this.transcriptsOf(source.id);
    return all.map((d) => this.descriptionInfo(d, selection, all, transcripts));
  }

  async listDialogueItems(p: Record<string, unknown>): Promise<DialogueItemInfo[]> {
    const source = this.ctx.requireSource(v.id(p, 'sourceId'));
    const selection = this.currentSelection(source.id);
    if (!selection) return [];
    const describing = this.ctx.jobs.list().some((j) => j.kind === 'describe' && j.sourceId === source.id && (j.state === 'queued' || j.state === 'running'));
    return dialogueItems({ selection, descriptions: this.ctx.store.listDescriptions(source.id), transcripts: this.ctx.lmmStore.listTranscripts({ sourceId: source.id }), describing });
  }

  private saveDescription(sourceId: number, itemKind: ItemKind, itemIndex: number, frameIndex: number, endFrame: number | null, text: string, origin: 'user' | 'lmm'): DescriptionInfo {
    const record = this.ctx.store.upsertDescription({ sourceId, itemKind, itemIndex, frameIndex, endFrame, text, origin });
    const d = this.descriptionInfo(record, this.currentSelection(sourceId), this.ctx.store.listDescriptions(sourceId), this.transcriptsOf(sourceId));
    this.ctx.emit({ type: 'description-updated', description: d });
    return d;
  }

  async setDescription(p: Record<string, unknown>): Promise<DescriptionInfo> {
    const source = this.ctx.requireSource(v.id(p, 'sourceId'));
    const itemKind = v.oneOf(p, 'itemKind', ['keyframe', 'clip'] as const);
    const frameIndex = v.id(p, 'frameIndex');
    const text = v.text(p, 'text', MAX_TEXT);
    // The coder's own limit is the real one; fail here with a message rather than at encode time.
    encodeText(text);
    // A clip text belongs to the span its clip has in the saved selection; unknown (null) when its frame opens no clip there.
    const selection = itemKind === 'clip' ? this.currentSelection(source.id) : null;
    const clip = selection ? clipOfFrame(selection.keyframes, frameIndex) : -1;
    const endFrame = selection && selection.keyframes[clip] === frameIndex ? clipEnd(selection.keyframes, clip, selection.frameCount) : null;
    return this.saveDescription(source.id, itemKind, v.id(p, 'itemIndex'), frameIndex, endFrame, text, 'user');
  }

  async getDialogue(p: Record<string, unknown>): Promise<DialogueTranscript[]> {
    const source = this.ctx.requireSource(v.id(p, 'sourceId'));
    const itemKind = v.oneOf(p, 'itemKind', ['keyframe', 'clip'] as const);
    return this.ctx.lmmStore.listTranscripts({ sourceId: source.id, itemKind, itemIndex: v.id(p, 'itemIndex') }).map((t) => ({
      id: t.id,
      itemKind: t.itemKind,
      itemIndex: t.itemIndex,
      model: t.model,
      startedAt: t.startedAt,
      finishedAt: t.durationMs === null ? null : t.startedAt + t.durationMs,
      status: t.status,
      description: t.description,
      error: t.error,
      rounds: t.rounds.map((r) => ({ round: r.roundNumber, template: r.name, prompt: r.prompt, answer: r.answer ?? '', model: r.model, ms: r.durationMs, cached: r.cacheHit, error: r.status === 'ok' ? null : r.error })),
    }));
  }

  async getLmmStatus(): Promise<LmmStatus> {
    const { baseUrl, model, apiKey } = this.ctx.settings.lmm;
    if (!baseUrl) {
      return { state: 'not-configured', baseUrl: null, model, models: [], message: 'No multimodal model is configured: set an OpenAI-compatible endpoint in Settings.' };
    }
    try {
      const list = await checkEndpoint(baseUrl, { apiKey: apiKey ?? undefined, timeoutMs: this.ctx.options.lmmCheckTimeoutMs ?? 3000, wording: 'studio' });
      const known = model === null || list.models.length === 0 || list.models.includes(model);
      return {
        state: 'ready',
        baseUrl,
        model,
        models: [...list.models],
        message: known ? `Connected to ${baseUrl}.` : `Connected to ${baseUrl}, but it does not list model "${model}": pick one of ${list.models.join(', ')} in Settings.`,
      };
    } catch (e) {
      // The client's message names the server and says what to do, in the studio's words.
      const message = (e as Error).message;
      return { state: 'unreachable', baseUrl, model, models: [], message: `${message.charAt(0).toUpperCase()}${message.slice(1)}.` };
    }
  }

  async getPrompts(p: Record<string, unknown>): Promise<PromptsInfo> {
    const project = this.ctx.requireProject(v.id(p, 'projectId'));
    const config = this.ctx.promptConfig(project);
    const set = loadPromptSet(config.version ?? 'v1');
    return {
      projectId: project.id,
      version: set.version,
      templates: TEMPLATE_IDS.map((id) => ({ id, defaultText: set.templates[id], projectText: config.project?.[id] ?? null, variables: [...variablesFor(id)] })),
      items: Object.fromEntries(Object.entries(config.items ?? {}).map(([k, o]) => [k, { ...o } as Record<string, string>])),
    };
  }

  async setPrompt(p: Record<string, unknown>): Promise<PromptsInfo> {
    const project = this.ctx.requireProject(v.id(p, 'projectId'));
    const templateId = v.oneOf(p, 'templateId', TEMPLATE_IDS) as TemplateId;
    const text = p.text === null ? null : v.text(p, 'text', MAX_TEXT, { nonEmpty: true });
    let key: string | null = null;
    if (p.item !== undefined && p.item !== null) {
      const item = v.paramsObject(p.item);
      key = `${v.oneOf(item, 'kind', ['keyframe', 'clip'] as const)}:${v.id(item, 'index')}`;
    }
    if (text !== null) checkTemplate(templateId, text, key ? `override for ${key}` : 'project override');
    const config = this.ctx.promptConfig(project);
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
    this.ctx.store.updateProjectSettings(project.id, { ...this.ctx.projectSettings(project), prompts: next });
    return this.getPrompts({ projectId: project.id });
  }

  async describe(p: Record<string, unknown>): Promise<JobInfo> {
    const source = this.ctx.requireSource(v.id(p, 'sourceId'));
    const a = this.ctx.requireAnalysis(source);
    let wanted: { kind: ItemKind; index: number }[] | null = null;
    if (p.items !== undefined && p.items !== null) {
      if (!Array.isArray(p.items) || p.items.length === 0) throw new M3cError('usage', '"items" must be a non-empty array of {kind, index}');
      wanted = p.items.map((it) => {
        const o = v.paramsObject(it);
        return { kind: v.oneOf(o, 'kind', ['keyframe', 'clip'] as const), index: v.id(o, 'index') };
      });
    }
    if (p.regions !== undefined && typeof p.regions !== 'boolean') throw new M3cError('usage', '"regions" must be true or false');
    const askRegions = p.regions === true;
    const { baseUrl, model, apiKey } = this.ctx.settings.lmm;
    if (!baseUrl) throw new M3cError('lmm', 'no multimodal model is configured: set an OpenAI-compatible endpoint in Settings first');
    const { keyframes, frameCount } = this.selectionOf(a, source.id);
    for (const w of wanted ?? []) {
      if (w.index >= keyframes.length) throw new M3cError('usage', `item ${w.kind}:${w.index} does not exist: the selection has ${keyframes.length} keyframes`);
    }
    const geometry = this.ctx.workingGeometryOf(source);
    const project = this.ctx.requireProject(source.projectId);
    return this.ctx.jobs.enqueue({
      kind: 'describe',
      projectId: source.projectId,
      sourceId: source.id,
      // Decoding, PNG coding and the dialogue run in a worker thread, which writes the transcripts through its own
      // connection to the project database; main saves each description as it comes.
      run: async (ctx) => {
        const keyframeTexts = this.ctx.store
          .listDescriptions(source.id)
          .filter((d) => d.itemKind === 'keyframe')
          .map((d) => [d.frameIndex, d.text] as [number, string]);
        const started = Date.now();
        let described = 0;
        const tracking: Promise<unknown>[] = [];
        try {
          await runInWorker(
            {
              kind: 'describe',
              input: source.path,
              geometry,
              keyframes,
              frameCount,
              items: wanted,
              // Re-running chosen items asks afresh: the user wants a new answer, not the cached one.
              lmm: { baseUrl, model: model ?? undefined, apiKey: apiKey ?? undefined, useCache: wanted === null, wording: 'studio', ...(askRegions ? { regions: true } : {}) },
              prompts: this.ctx.promptConfig(project),
              database: this.ctx.store.file,
              projectId: source.projectId,
              sourceId: source.id,
              keyframeTexts,
            },
            {
              signal: ctx.signal,
              onProgress: ctx.progress,
              onDescription: (d) => {
                this.saveDescription(source.id, d.kind, d.index, d.frame, d.kind === 'clip' ? d.end : null, d.text, 'lmm');
                described++;
                // A refused grounding answer keeps the clip's earlier LMM regions; the Dialogue shows why (its transcript).
                if (d.regions?.ok) tracking.push(this.regions.setLmmRegions(source.id, d.frame, d.end, clipRegions(d.regions.regions, d.frame, d.end)));
              },
            },
          );
          // The boxes are tracked through their clips while the dialogue goes on; the job ends when they are stored.
          await Promise.all(tracking);
        } catch (e) {
          await Promise.allSettled(tracking);
          if (isAbortError(e) || !(e instanceof M3cError)) throw e;
          // Name the items that failed in this job and how far it got, where the job's error is shown.
          const failed = this.ctx.lmmStore.listTranscripts({ sourceId: source.id }).filter((t) => t.status === 'failed' && t.startedAt >= started);
          const total = wanted?.length ?? keyframes.length * 2;
          throw new M3cError(e.code, describeFailure(e.message, { described, total, itemCount: keyframes.length, failed }), { cause: e });
        }
      },
    });
  }

  /** The stored texts still current in the source's selection, in the shape the encoder takes (none before an analysis). */
  descriptionsFile(sourceId: number): DescriptionsFile {
    const source = this.ctx.requireSource(sourceId);
    const a = this.ctx.analysisOf(source);
    if (!a) return { items: [] };
    const { keyframes, frameCount } = this.selectionOf(a, source.id);
    return currentDescriptions(this.ctx.store.listDescriptions(sourceId).map(pinned), keyframes, frameCount);
  }
}
