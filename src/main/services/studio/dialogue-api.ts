/** The dialogue: descriptions (edited or from the LMM), transcripts, prompt templates and the describe job. */
import path from 'node:path';
import { M3cError } from '../../../shared/engine/errors.ts';
import type { RgbFrame } from '../../../shared/engine/frame.ts';
import type { DescriptionInfo, DialogueTranscript, ItemKind, JobInfo, LmmStatus, PromptsInfo } from '../../../shared/api/contract.ts';
import { DEFAULT_SELECTION, deserialiseFrameSignals, selectKeyframes } from '../../../shared/keyframes/index.ts';
import { encodeText } from '../../../shared/text/index.ts';
import type { SourceRecord } from '../../store/index.ts';
import type { DescriptionsFile } from '../../pipeline/descriptions-file.ts';
import { decodeFrames } from '../../media/index.ts';
import { checkEndpoint, describeItem, describeVideo, loadPromptSet, TEMPLATE_IDS, variablesFor, type PromptConfig, type TemplateId } from '../../lmm/index.ts';
import { checkTemplate } from '../../lmm/prompts.ts';
import type { JobContext } from '../jobs.ts';
import * as v from '../validate.ts';
import type { StudioContext } from './context.ts';

const MAX_TEXT = 20_000;

export class DialogueApi {
  constructor(private readonly ctx: StudioContext) {}

  private descriptionInfo(d: { sourceId: number; itemKind: ItemKind; itemIndex: number; frameIndex: number; text: string; origin: 'user' | 'lmm' | 'file'; updatedAt: number }): DescriptionInfo {
    return { sourceId: d.sourceId, itemKind: d.itemKind, itemIndex: d.itemIndex, frameIndex: d.frameIndex, text: d.text, origin: d.origin, bits: encodeText(d.text).length * 8, updatedAt: d.updatedAt };
  }

  async listDescriptions(p: Record<string, unknown>): Promise<DescriptionInfo[]> {
    const source = this.ctx.requireSource(v.id(p, 'sourceId'));
    return this.ctx.store.listDescriptions(source.id).map((d) => this.descriptionInfo(d));
  }

  private saveDescription(sourceId: number, itemKind: ItemKind, itemIndex: number, frameIndex: number, text: string, origin: 'user' | 'lmm'): DescriptionInfo {
    const d = this.descriptionInfo(this.ctx.store.upsertDescription({ sourceId, itemKind, itemIndex, frameIndex, text, origin }));
    this.ctx.emit({ type: 'description-updated', description: d });
    return d;
  }

  async setDescription(p: Record<string, unknown>): Promise<DescriptionInfo> {
    const source = this.ctx.requireSource(v.id(p, 'sourceId'));
    const itemKind = v.oneOf(p, 'itemKind', ['keyframe', 'clip'] as const);
    const text = v.text(p, 'text', MAX_TEXT);
    // The coder's own limit is the real one; fail here with a message rather than at encode time.
    encodeText(text);
    return this.saveDescription(source.id, itemKind, v.id(p, 'itemIndex'), v.id(p, 'frameIndex'), text, 'user');
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
      rounds: t.rounds.map((r) => ({ round: r.roundNumber, template: r.name, prompt: r.prompt, answer: r.answer ?? '', model: r.model, ms: r.durationMs, cached: r.cacheHit })),
    }));
  }

  async getLmmStatus(): Promise<LmmStatus> {
    const { baseUrl, model, apiKey } = this.ctx.settings.lmm;
    if (!baseUrl) {
      return { state: 'not-configured', baseUrl: null, model, models: [], message: 'No multimodal model is configured: set an OpenAI-compatible endpoint in Settings.' };
    }
    try {
      const list = await checkEndpoint(baseUrl, { apiKey: apiKey ?? undefined, timeoutMs: this.ctx.options.lmmCheckTimeoutMs ?? 3000 });
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
    const { baseUrl, model, apiKey } = this.ctx.settings.lmm;
    if (!baseUrl) throw new M3cError('lmm', 'no multimodal model is configured: set an OpenAI-compatible endpoint in Settings first');
    const keyframes = this.ctx.latestSelection(a, source.id)?.keyframes ?? selectKeyframes(deserialiseFrameSignals(a.signals), DEFAULT_SELECTION).keyframes;
    for (const w of wanted ?? []) {
      if (w.index >= keyframes.length) throw new M3cError('usage', `item ${w.kind}:${w.index} does not exist: the selection has ${keyframes.length} keyframes`);
    }
    const geometry = this.ctx.geometryOf(source.projectId);
    const project = this.ctx.requireProject(source.projectId);
    return this.ctx.jobs.enqueue({
      kind: 'describe',
      projectId: source.projectId,
      sourceId: source.id,
      run: async (ctx) => {
        const context = {
          // Re-running chosen items asks afresh: the user wants a new answer, not the cached one.
          options: { baseUrl, model: model ?? undefined, apiKey: apiKey ?? undefined, useCache: wanted === null },
          prompts: this.ctx.promptConfig(project),
          store: this.ctx.lmmStore,
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
    const stored = this.ctx.store.listDescriptions(source.id);
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

  /** The stored texts in the shape the encoder takes. */
  descriptionsFile(sourceId: number): DescriptionsFile {
    const byFrame = new Map<number, { frame: number; keyframe: string; clip: string }>();
    for (const d of this.ctx.store.listDescriptions(sourceId)) {
      const item = byFrame.get(d.frameIndex) ?? { frame: d.frameIndex, keyframe: '', clip: '' };
      byFrame.set(d.frameIndex, { ...item, [d.itemKind]: d.text });
    }
    return { items: [...byFrame.values()].sort((a, b) => a.frame - b.frame) };
  }
}
