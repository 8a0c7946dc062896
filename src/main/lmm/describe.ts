/**
 * The engine's entry points: describe a whole video (every keyframe and clip), re-describe one item,
 * check an endpoint. Items run concurrently; the client's semaphore bounds requests in flight.
 */
import { M3cError, cancelled, isAbortError } from '../../shared/engine/errors.ts';
import type { RgbFrame } from '../../shared/engine/frame.ts';
import { pickFrames } from '../media/pick-frames.ts';
import { LmmClient, type LmmClientOptions, type ModelList } from './client.ts';
import { runDialogue, type RoundEvent, type RoundResult, type Turn } from './dialogue.ts';
import { resolvePrompts, usesVariable, type ItemKind, type PromptConfig, type PromptVariables, type ResolvedPrompts, type TemplateId } from './prompts.ts';
import { MemoryLmmRecords, type LmmRecords } from './records.ts';
import { DEFAULT_MAX_REGIONS, parseRegionsAnswer, type GroundedRegion } from './grounding.ts';
import { DEFAULT_CLIP_SAMPLE_FRAMES, sampleClipFrames } from '../../shared/dialogue/index.ts';

export type DialogueRounds = 1 | 2 | 4;

export interface DescribeOptions extends LmmClientOptions {
  /** Keyframe dialogue length: 1 = one all-in-one question, 2 = objects + summary, 4 = the paper's full dialogue. */
  readonly rounds?: DialogueRounds;
  /** Frames of each clip shown to the model, evenly spaced, keyframe first. */
  readonly clipSampleFrames?: number;
  /** Target length of D^F in characters. */
  readonly keyframeBudgetChars?: number;
  /** Target length of D^C in characters. */
  readonly clipBudgetChars?: number;
  /** false: ask the server even when an answer is cached (the fresh answer replaces the cached one). */
  readonly useCache?: boolean;
  /** Ask each keyframe's grounding round (template keyframe-regions) for its regions of interest. */
  readonly regions?: boolean;
  /** Most regions the grounding round asks for and accepts per keyframe (default 3). */
  readonly maxRegions?: number;
}

export const DEFAULT_ROUNDS: DialogueRounds = 4;
export const DEFAULT_KEYFRAME_BUDGET_CHARS = 300;
export const DEFAULT_CLIP_BUDGET_CHARS = 200;

export type TextCoder = (text: string) => Uint8Array;

export interface DescribeContext {
  readonly options?: DescribeOptions;
  readonly prompts?: PromptConfig;
  /** Where transcripts and cached answers go; default: in memory for this call. */
  readonly store?: LmmRecords;
  readonly projectId?: number;
  readonly sourceId?: number;
  /** The project's text coder: a description's size is `textCoder(text).length * 8` bits. */
  readonly textCoder: TextCoder;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: DescribeProgress) => void;
  /** Reuse one client (and so one concurrency limit) across calls; built from `options` otherwise. */
  readonly client?: LmmClient;
  /** Folder holding the versioned prompt templates; default resources/prompts. */
  readonly promptsDir?: string;
}

export interface DescribeProgress extends RoundEvent {
  readonly itemsDone: number;
  readonly itemsTotal: number;
}

export interface Description {
  readonly text: string;
  readonly chars: number;
  readonly bits: number;
  readonly budgetChars: number;
  readonly overBudget: boolean;
  readonly rounds: readonly RoundResult[];
  readonly transcriptId: number;
  /** A keyframe's grounding round, when asked: its regions (possibly none) or why they were refused. */
  readonly regions?: RegionsOutcome;
}

export type RegionsOutcome = { readonly ok: true; readonly regions: readonly GroundedRegion[] } | { readonly ok: false; readonly error: string };

export interface ItemDescription {
  readonly clipIndex: number;
  /** Frame index of the keyframe. */
  readonly keyframeIndex: number;
  /** Frames in the clip, keyframe included. */
  readonly clipLength: number;
  /** Clip-relative indices of the frames shown to the model. */
  readonly sampledFrames: readonly number[];
  readonly keyframe: Description;
  readonly clip: Description;
}

export interface DescribeVideoResult {
  readonly items: readonly ItemDescription[];
  readonly model: string;
  readonly promptVersion: string;
  readonly rounds: DialogueRounds;
  readonly requests: number;
  readonly cacheHits: number;
  readonly totalBits: number;
}

export type FrameSource = readonly RgbFrame[] | Iterable<RgbFrame> | AsyncIterable<RgbFrame>;

export interface DescribeVideoRequest extends DescribeContext {
  /** Read once, in order; only the frames shown to the model are kept, and reading stops after the last of them. */
  readonly frames: FrameSource;
  /** Frame indices of the keyframes, strictly increasing, starting at 0: clip i = frames [kf_i, kf_{i+1}). */
  readonly keyframes: readonly number[];
  /** Frames in the video: the last clip ends there. */
  readonly frameCount: number;
  /** Each description once it is finished (an item's keyframe before its clip). */
  readonly onDescription?: (finished: FinishedDescription) => void;
}

export interface FinishedDescription {
  readonly kind: ItemKind;
  readonly index: number;
  readonly keyframeIndex: number;
  readonly clipLength: number;
  readonly description: Description;
}

interface KeyframeItem {
  readonly kind: 'keyframe';
  readonly index: number;
  readonly itemCount: number;
  readonly keyframeIndex: number;
  readonly keyframe: RgbFrame;
  /** The previous clip's keyframe; absent for the first. */
  readonly previousKeyframe?: RgbFrame;
  /** D^F of the previous keyframe, for templates that use {{previous_description}}. */
  readonly previousDescription?: string;
}

interface ClipItem {
  readonly kind: 'clip';
  readonly index: number;
  readonly itemCount: number;
  readonly keyframeIndex: number;
  /** Frames in the clip, keyframe included. */
  readonly clipLength: number;
  /** Frames of the clip by clip-relative index: at least those `clipFramesShown` names (the ones shown to the model). */
  readonly clipFrames: ReadonlyMap<number, RgbFrame>;
  readonly keyframeDescription: string;
}

export type DescribeItemRequest = DescribeContext & (KeyframeItem | ClipItem);

/** Clip-relative indices of the frames of a `clipLength`-frame clip that the dialogue shows the model. */
export function clipFramesShown(options: DescribeOptions | undefined, clipLength: number): number[] {
  return sampleClipFrames(clipLength, options?.clipSampleFrames ?? DEFAULT_CLIP_SAMPLE_FRAMES);
}

/**
 * The keyframe's rounds; with `grounding`, a last round asks for its regions (after the summary, so the
 * description rounds and their cached answers are the same with or without it). The keyframe is already in
 * the history, so that round attaches no image.
 */
export function keyframeTurns(rounds: DialogueRounds, keyframe: RgbFrame, previous: RgbFrame | undefined, grounding?: (answer: string) => unknown): Turn[] {
  const regions: Turn[] = grounding ? [{ template: 'keyframe-regions', images: [], parse: grounding }] : [];
  switch (rounds) {
    case 1:
      return [{ template: 'keyframe-single', images: [keyframe] }, ...regions];
    case 2:
      return [
        { template: 'keyframe-objects', images: [keyframe] },
        { template: 'keyframe-summary', images: [] },
        ...regions,
      ];
    case 4:
      return [
        { template: 'keyframe-objects', images: [keyframe] },
        previous
          ? { template: 'keyframe-differences', images: [previous, keyframe] }
          : { template: 'keyframe-differences-first', images: [] },
        { template: 'keyframe-details', images: [] },
        { template: 'keyframe-summary', images: [] },
        ...regions,
      ];
  }
}

export function clipTurns(rounds: DialogueRounds, sampled: readonly RgbFrame[]): Turn[] {
  return rounds === 1
    ? [{ template: 'clip-single', images: sampled }]
    : [
        { template: 'clip-motion', images: sampled },
        { template: 'clip-summary', images: [] },
      ];
}

interface Engine {
  readonly client: LmmClient;
  readonly records: LmmRecords;
  readonly rounds: DialogueRounds;
  readonly sampleCount: number;
  readonly keyframeBudget: number;
  readonly clipBudget: number;
  /** Regions asked per keyframe; 0: no grounding round. */
  readonly maxRegions: number;
  readonly settings: unknown;
  readonly counters: { requests: number; cacheHits: number };
}

function positiveInt(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) throw new M3cError('usage', `${what} must be a positive integer, got ${value}`);
  return value;
}

function makeEngine(ctx: DescribeContext): Engine {
  const o = ctx.options ?? {};
  const rounds = o.rounds ?? DEFAULT_ROUNDS;
  if (rounds !== 1 && rounds !== 2 && rounds !== 4) throw new M3cError('usage', `rounds must be 1, 2 or 4, got ${String(rounds)}`);
  const client = ctx.client ?? new LmmClient(o);
  const engine = {
    client,
    records: ctx.store ?? new MemoryLmmRecords(),
    rounds,
    sampleCount: positiveInt(o.clipSampleFrames ?? DEFAULT_CLIP_SAMPLE_FRAMES, 'clip sample frames'),
    keyframeBudget: positiveInt(o.keyframeBudgetChars ?? DEFAULT_KEYFRAME_BUDGET_CHARS, 'keyframe budget'),
    clipBudget: positiveInt(o.clipBudgetChars ?? DEFAULT_CLIP_BUDGET_CHARS, 'clip budget'),
    maxRegions: o.regions ? positiveInt(o.maxRegions ?? DEFAULT_MAX_REGIONS, 'max regions') : 0,
    counters: { requests: 0, cacheHits: 0 },
  };
  return {
    ...engine,
    settings: {
      baseUrl: client.baseUrl,
      stream: client.stream,
      ...client.settings,
      rounds,
      clipSampleFrames: engine.sampleCount,
      keyframeBudgetChars: engine.keyframeBudget,
      clipBudgetChars: engine.clipBudget,
      ...(engine.maxRegions > 0 ? { maxRegions: engine.maxRegions } : {}),
    },
  };
}

function promptsFor(ctx: DescribeContext, kind: 'keyframe' | 'clip', index: number): ResolvedPrompts {
  return resolvePrompts(ctx.prompts, kind, index, ctx.promptsDir);
}

async function describeWith(engine: Engine, ctx: DescribeContext, item: KeyframeItem | ClipItem, itemsDone: () => number): Promise<{
  description: Description;
  sampledFrames: number[];
}> {
  const isKeyframe = item.kind === 'keyframe';
  const budget = isKeyframe ? engine.keyframeBudget : engine.clipBudget;
  const prompts = promptsFor(ctx, item.kind, item.index);
  const common = { budget_chars: budget, item_number: item.index + 1, item_count: item.itemCount };
  let sampledFrames: number[] = [];
  let turns: Turn[];
  let variables: PromptVariables;
  if (item.kind === 'keyframe') {
    const { width, height } = item.keyframe;
    const grounding = engine.maxRegions > 0 ? (answer: string) => parseRegionsAnswer(answer, { width, height }, engine.maxRegions) : undefined;
    turns = keyframeTurns(engine.rounds, item.keyframe, item.previousKeyframe, grounding);
    variables = { ...common, previous_description: item.previousDescription ?? '', ...(grounding ? { max_regions: engine.maxRegions } : {}) };
  } else {
    if (item.clipLength < 1) throw new M3cError('input', `clip ${item.index} has no frames`);
    sampledFrames = sampleClipFrames(item.clipLength, engine.sampleCount);
    const shown = sampledFrames.map((i) => {
      const frame = item.clipFrames.get(i);
      if (!frame) throw new M3cError('internal', `frame ${i} of clip ${item.index}, shown to the model, was not kept`);
      return frame;
    });
    turns = clipTurns(engine.rounds, shown);
    variables = {
      ...common,
      keyframe_description: item.keyframeDescription,
      frame_count: sampledFrames.length,
      clip_length: item.clipLength,
    };
  }
  const result = await runDialogue(
    {
      client: engine.client,
      records: engine.records,
      useCache: ctx.options?.useCache ?? true,
      projectId: ctx.projectId ?? null,
      sourceId: ctx.sourceId ?? null,
      // A clip's transcript keeps the keyframe text it was built on, so the studio can tell when that text changed since.
      settings: item.kind === 'clip' ? { ...(engine.settings as object), keyframeDescription: item.keyframeDescription } : engine.settings,
      signal: ctx.signal,
      bits: (text) => ctx.textCoder(text).length * 8,
      onRound: (e) => {
        if (e.cacheHit) engine.counters.cacheHits++;
        else engine.counters.requests++;
        ctx.onProgress?.({ ...e, itemsDone: itemsDone(), itemsTotal: item.itemCount });
      },
    },
    { kind: item.kind, index: item.index, frameIndex: item.keyframeIndex, prompts, variables, turns },
  );
  const chars = [...result.text].length;
  const side = result.side.find((r) => r.template === 'keyframe-regions');
  const regions: RegionsOutcome | undefined = side && ('error' in side ? { ok: false, error: side.error } : { ok: true, regions: side.value as GroundedRegion[] });
  return {
    description: {
      text: result.text,
      chars,
      bits: result.bits,
      budgetChars: budget,
      overBudget: chars > budget,
      rounds: result.rounds,
      transcriptId: result.transcriptId,
      ...(regions ? { regions } : {}),
    },
    sampledFrames,
  };
}

/** Re-runs the dialogue of one keyframe or one clip (e.g. after its prompt was edited in the studio). */
export async function describeItem(request: DescribeItemRequest): Promise<Description & { sampledFrames: readonly number[] }> {
  const engine = makeEngine(request);
  const { description, sampledFrames } = await describeWith(engine, request, request, () => 0);
  return { ...description, sampledFrames };
}

function keyframesUseVariable(ctx: DescribeContext, index: number, rounds: DialogueRounds, name: string, grounding: boolean): boolean {
  const prompts = promptsFor(ctx, 'keyframe', index);
  const ids: TemplateId[] = ['system', ...keyframeTurns(rounds, EMPTY_FRAME, EMPTY_FRAME, grounding ? () => undefined : undefined).map((t) => t.template)];
  return ids.some((id) => usesVariable(prompts.text(id), name));
}

const EMPTY_FRAME: RgbFrame = { width: 1, height: 1, data: new Uint8Array(3) };

function checkKeyframes(keyframes: readonly number[], frameCount: number): void {
  if (keyframes.length === 0) throw new M3cError('input', 'no keyframes to describe: select keyframes first');
  if (keyframes[0] !== 0) throw new M3cError('input', `the first keyframe must be frame 0, got ${keyframes[0]}`);
  for (let i = 1; i < keyframes.length; i++) {
    if (!Number.isInteger(keyframes[i]) || keyframes[i] <= keyframes[i - 1]) {
      throw new M3cError('input', `keyframes must be strictly increasing integers: ${keyframes[i - 1]} then ${keyframes[i]}`);
    }
  }
  if (!Number.isInteger(frameCount) || frameCount < 1) throw new M3cError('input', 'the video has no frames to describe');
  const last = keyframes[keyframes.length - 1];
  if (last >= frameCount) throw new M3cError('input', `keyframe ${last} lies beyond the video's last frame (${frameCount - 1})`);
}

/**
 * Describes every keyframe (D^F) and clip (D^C) of a video. Frames are consumed once, in order; only those
 * shown to the model are kept (the keyframes and `clipSampleFrames` per clip), and only while their items
 * are pending. On the first failure the remaining dialogues are cancelled, every
 * transcript is closed (rounds already answered stay stored) and that failure is thrown.
 */
export async function describeVideo(request: DescribeVideoRequest): Promise<DescribeVideoResult> {
  const { keyframes, frameCount } = request;
  checkKeyframes(keyframes, frameCount);
  const engine = makeEngine(request);
  const itemCount = keyframes.length;
  // Resolving checks every override's variables: a bad template fails before any frame is read or request sent.
  for (let i = 0; i < itemCount; i++) {
    promptsFor(request, 'keyframe', i);
    promptsFor(request, 'clip', i);
  }

  const inner = new AbortController();
  const onAbort = (): void => inner.abort();
  request.signal?.addEventListener('abort', onAbort, { once: true });
  const ctx: DescribeContext = { ...request, signal: inner.signal };

  const items: ItemDescription[] = new Array(itemCount);
  const keyframeTexts: Array<Promise<string>> = [];
  const pending = new Set<Promise<void>>();
  let firstError: unknown;
  let done = 0;
  const maxPending = (request.options?.concurrency ?? 2) + 1;

  const clipEnd = (index: number): number => keyframes[index + 1] ?? frameCount;
  // Frame numbers shown to the model, per clip; the last of each tells when its item can start.
  const shown = keyframes.map((first, i) => sampleClipFrames(clipEnd(i) - first, engine.sampleCount).map((k) => first + k));

  const launch = (index: number, clipFrames: ReadonlyMap<number, RgbFrame>, previousKeyframe: RgbFrame | undefined): void => {
    const keyframeIndex = keyframes[index];
    const clipLength = clipEnd(index) - keyframeIndex;
    const keyframeFrame = clipFrames.get(0) as RgbFrame;
    const needsPrevious = index > 0 && keyframesUseVariable(request, index, engine.rounds, 'previous_description', engine.maxRegions > 0);
    const previousText = index > 0 ? keyframeTexts[index - 1] : undefined;
    const keyframeText = (async () => {
      const previousDescription = needsPrevious ? await previousText : undefined;
      const kf = await describeWith(
        engine,
        ctx,
        { kind: 'keyframe', index, itemCount, keyframeIndex, keyframe: keyframeFrame, previousKeyframe, previousDescription },
        () => done,
      );
      request.onDescription?.({ kind: 'keyframe', index, keyframeIndex, clipLength, description: kf.description });
      return kf.description;
    })();
    keyframeTexts[index] = keyframeText.then((d) => d.text);
    // Consumers of this promise may never attach (no later item needs it); keep its rejection from going unhandled.
    keyframeTexts[index].catch(() => undefined);
    const task = (async () => {
      const keyframe = await keyframeText;
      const clip = await describeWith(
        engine,
        ctx,
        { kind: 'clip', index, itemCount, keyframeIndex, clipLength, clipFrames, keyframeDescription: keyframe.text },
        () => done,
      );
      request.onDescription?.({ kind: 'clip', index, keyframeIndex, clipLength, description: clip.description });
      items[index] = {
        clipIndex: index,
        keyframeIndex,
        clipLength,
        sampledFrames: clip.sampledFrames,
        keyframe,
        clip: clip.description,
      };
      done++;
    })().catch((e: unknown) => {
      // The first real failure wins; the cancellations it causes in the other items are its consequences.
      if (firstError === undefined || (isAbortError(firstError) && !isAbortError(e))) firstError = e;
      inner.abort();
    });
    pending.add(task);
    void task.finally(() => pending.delete(task));
  };

  try {
    let item = 0;
    let clip = new Map<number, RgbFrame>();
    let previousKeyframe: RgbFrame | undefined;
    for await (const { index, frame } of pickFrames(request.frames, shown.flat(), { signal: inner.signal })) {
      clip.set(index - keyframes[item], frame);
      if (index !== shown[item][shown[item].length - 1]) continue;
      launch(item, clip, previousKeyframe);
      previousKeyframe = clip.get(0);
      item++;
      clip = new Map();
      // Bounds the items (and so the frames) held at once.
      while (pending.size >= maxPending) await Promise.race(pending);
    }
  } catch (e) {
    if (firstError === undefined || isAbortError(firstError)) firstError = e;
    inner.abort();
  } finally {
    while (pending.size > 0) await Promise.race(pending);
    request.signal?.removeEventListener('abort', onAbort);
  }
  if (firstError !== undefined) throw firstError;
  if (request.signal?.aborted) throw cancelled();

  return {
    items,
    model: engine.client.model,
    promptVersion: promptsFor(request, 'keyframe', 0).version,
    rounds: engine.rounds,
    requests: engine.counters.requests,
    cacheHits: engine.counters.cacheHits,
    totalBits: items.reduce((n, it) => n + it.keyframe.bits + it.clip.bits, 0),
  };
}

/** Lists the server's models (GET /models) for the settings screen; throws M3cError('lmm') when unreachable. */
export function checkEndpoint(
  baseUrl: string,
  options: { apiKey?: string; timeoutMs?: number; signal?: AbortSignal; wording?: LmmClientOptions['wording'] } = {},
): Promise<ModelList> {
  // A check is short: its idle timeout is also its whole deadline, so a server trickling bytes cannot hold it.
  const timeoutMs = options.timeoutMs ?? 10_000;
  const client = new LmmClient({ baseUrl, apiKey: options.apiKey, timeoutMs, deadlineMs: timeoutMs, retries: 0, wording: options.wording });
  return client.listModels(options.signal);
}
