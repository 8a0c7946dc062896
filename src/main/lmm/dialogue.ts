/**
 * One multi-round conversation about one keyframe or clip. Each round appends a user message to the
 * history and resends the whole history; before asking, the answer cache is consulted under a key
 * that covers the images, every message so far, the model and the settings.
 */
import { createHash } from 'node:crypto';
import type { RgbFrame } from '../../shared/engine/frame.ts';
import { M3cError, cancelled, isAbortError } from '../../shared/engine/errors.ts';
import type { ChatMessage, ContentPart, LmmClient } from './client.ts';
import { pngDataUrl } from './png.ts';
import type { ItemKind, PromptVariables, ResolvedPrompts, TemplateId } from './prompts.ts';
import type { LmmRecords, RoundRecord } from './records.ts';

/** One round: the template that writes the question and the images attached to it. */
export interface Turn {
  readonly template: TemplateId;
  readonly images: readonly RgbFrame[];
  /**
   * A side round (the grounding round): its answer is not the description, and it must pass `parse`. An answer
   * that fails is recorded as that round's failure, with the reason; the other rounds and the transcript stand.
   */
  readonly parse?: (answer: string) => unknown;
}

/** What a side round gave: the parsed answer, or why it was refused (or why asking failed). */
export type SideResult = { readonly template: TemplateId; readonly value: unknown } | { readonly template: TemplateId; readonly error: string };

export interface RoundResult {
  readonly number: number;
  readonly name: TemplateId;
  readonly prompt: string;
  readonly answer: string;
  readonly imageCount: number;
  readonly cacheHit: boolean;
  readonly model: string;
  readonly durationMs: number;
}

export interface RoundEvent {
  readonly kind: ItemKind;
  readonly index: number;
  readonly round: number;
  readonly rounds: number;
  readonly name: TemplateId;
  readonly cacheHit: boolean;
}

export interface DialogueContext {
  readonly client: LmmClient;
  readonly records: LmmRecords;
  readonly useCache: boolean;
  readonly projectId: number | null;
  readonly sourceId: number | null;
  /** Stored with the transcript and every round. */
  readonly settings: unknown;
  readonly signal?: AbortSignal;
  readonly onRound?: (event: RoundEvent) => void;
  /** Size in bits of a description after the project's text coder. */
  readonly bits: (text: string) => number;
}

export interface DialogueRequest {
  readonly kind: ItemKind;
  readonly index: number;
  readonly frameIndex: number;
  readonly prompts: ResolvedPrompts;
  readonly variables: PromptVariables;
  readonly turns: readonly Turn[];
}

export interface DialogueResult {
  /** The last description round's answer, trimmed: D^F or D^C. */
  readonly text: string;
  /** One entry per side round, in order. */
  readonly side: readonly SideResult[];
  readonly bits: number;
  readonly rounds: readonly RoundResult[];
  readonly transcriptId: number;
}

const CACHE_KEY_SCHEMA = 'm3c-lmm-answer-cache-1';

const imageHashes = new WeakMap<RgbFrame, string>();
const imageUrls = new WeakMap<RgbFrame, string>();

/** sha-256 of the frame's geometry and pixels: the image's identity in cache keys and transcripts. */
export function imageHash(frame: RgbFrame): string {
  let h = imageHashes.get(frame);
  if (!h) {
    h = createHash('sha256').update(`${frame.width}x${frame.height}:`).update(frame.data).digest('hex');
    imageHashes.set(frame, h);
  }
  return h;
}

function imageUrl(frame: RgbFrame): string {
  let url = imageUrls.get(frame);
  if (!url) {
    url = pngDataUrl(frame);
    imageUrls.set(frame, url);
  }
  return url;
}

/** A message as it enters the cache key: images by hash, so re-encoding a PNG never changes a key. */
type KeyedMessage = { role: ChatMessage['role']; parts: Array<{ text: string } | { image: string }> };

export function answerCacheKey(model: string, settings: unknown, history: readonly KeyedMessage[]): string {
  return createHash('sha256').update(JSON.stringify({ schema: CACHE_KEY_SCHEMA, model, settings, history })).digest('hex');
}

export async function runDialogue(ctx: DialogueContext, req: DialogueRequest): Promise<DialogueResult> {
  const { client, records } = ctx;
  // Render every prompt first: a bad template fails before any request or transcript exists.
  const prompts = req.turns.map((t) => req.prompts.render(t.template, req.variables));
  const system = req.prompts.render('system', req.variables);
  if (req.turns.every((t) => t.parse)) throw new M3cError('internal', `dialogue for ${req.kind} ${req.index} has no description round`);

  const messages: ChatMessage[] = [{ role: 'system', content: system }];
  const keyed: KeyedMessage[] = [{ role: 'system', parts: [{ text: system }] }];
  const keySettings = { ...client.settings };

  const started = Date.now();
  const transcriptId = records.beginTranscript({
    projectId: ctx.projectId,
    sourceId: ctx.sourceId,
    itemKind: req.kind,
    itemIndex: req.index,
    frameIndex: req.frameIndex,
    model: client.model,
    promptVersion: req.prompts.version,
    settings: ctx.settings,
    startedAt: started,
  });

  const rounds: RoundResult[] = [];
  const side: SideResult[] = [];
  let text: string | undefined;
  for (let i = 0; i < req.turns.length; i++) {
    const turn = req.turns[i];
    const prompt = prompts[i];
    const hashes = turn.images.map(imageHash);
    const content: ContentPart[] = [
      { type: 'text', text: prompt },
      ...turn.images.map((f): ContentPart => ({ type: 'image_url', image_url: { url: imageUrl(f) } })),
    ];
    messages.push({ role: 'user', content });
    keyed.push({ role: 'user', parts: [{ text: prompt }, ...hashes.map((image) => ({ image }))] });
    const cacheKey = answerCacheKey(client.model, keySettings, keyed);
    const roundStarted = Date.now();
    const base = {
      roundNumber: i + 1,
      name: turn.template,
      prompt,
      imageHashes: hashes,
      settings: ctx.settings,
      startedAt: roundStarted,
      cacheKey,
    };

    let answer: string;
    let model: string;
    let cacheHit = false;
    let durationMs = 0;
    try {
      if (ctx.signal?.aborted) throw cancelled();
      const hit = ctx.useCache ? records.lookupAnswer(cacheKey) : undefined;
      if (hit) {
        ({ answer, model } = hit);
        cacheHit = true;
      } else {
        const res = await client.chat(messages, ctx.signal);
        ({ text: answer, model, durationMs } = res);
      }
    } catch (e) {
      const status = isAbortError(e) ? 'cancelled' : 'failed';
      const error = e instanceof Error ? e.message : String(e);
      if (turn.parse && status === 'failed') {
        // A side round that cannot be asked fails alone, like one whose answer is refused.
        records.recordRound(transcriptId, { ...base, answer: null, model: client.model, durationMs: Date.now() - roundStarted, status, cacheHit: false, error });
        side.push({ template: turn.template, error });
        ctx.onRound?.({ kind: req.kind, index: req.index, round: i + 1, rounds: req.turns.length, name: turn.template, cacheHit: false });
        continue;
      }
      const failed: RoundRecord = {
        ...base,
        answer: null,
        model: client.model,
        durationMs: Date.now() - roundStarted,
        status,
        cacheHit: false,
        error,
      };
      records.recordRound(transcriptId, failed);
      records.finishTranscript(transcriptId, {
        status,
        durationMs: Date.now() - started,
        description: null,
        descriptionBits: null,
        error,
      });
      throw e instanceof M3cError ? e : new M3cError('internal', `dialogue for ${req.kind} ${req.index}: ${error}`, { cause: e });
    }
    let refused: string | null = null;
    if (turn.parse) {
      try {
        side.push({ template: turn.template, value: turn.parse(answer) });
      } catch (e) {
        refused = e instanceof Error ? e.message : String(e);
        side.push({ template: turn.template, error: refused });
      }
    }
    ctx.onRound?.({ kind: req.kind, index: req.index, round: i + 1, rounds: req.turns.length, name: turn.template, cacheHit });
    if (refused !== null) {
      // Not cached (status failed), so asking again reaches the model; the reason quotes the answer.
      records.recordRound(transcriptId, { ...base, answer: null, model, durationMs, status: 'failed', cacheHit: false, error: refused });
      continue;
    }
    records.recordRound(transcriptId, { ...base, answer, model, durationMs, status: 'ok', cacheHit, error: null });
    messages.push({ role: 'assistant', content: answer });
    keyed.push({ role: 'assistant', parts: [{ text: answer }] });
    rounds.push({ number: i + 1, name: turn.template, prompt, answer, imageCount: turn.images.length, cacheHit, model, durationMs });
    if (!turn.parse) text = answer.trim();
  }

  // Some turn is a description round (checked above) and every round answered, so `text` is set.
  const description = text as string;
  const bits = ctx.bits(description);
  records.finishTranscript(transcriptId, {
    status: 'done',
    durationMs: Date.now() - started,
    description,
    descriptionBits: bits,
    error: null,
  });
  return { text: description, side, bits, rounds, transcriptId };
}
