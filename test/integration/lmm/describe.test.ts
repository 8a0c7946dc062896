import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import v8 from 'node:v8';
import vm from 'node:vm';
import { M3cError } from '../../../src/shared/engine/errors.ts';
import type { RgbFrame } from '../../../src/shared/engine/frame.ts';
import { describeItem, describeVideo, type DescribeOptions } from '../../../src/main/lmm/describe.ts';
import { pngDataUrl } from '../../../src/main/lmm/png.ts';
import { OpenAiTestDouble, imagesOf, lastPrompt, type RecordedRequest } from '../../helpers/openai-test-double.ts';
import { bikesFrames, projectDb, textCoder, type ProjectDb } from './fixtures.ts';

const KEYFRAMES = [0, 8, 16];
let frames: RgbFrame[];
let double: OpenAiTestDouble;
let db: ProjectDb;

beforeAll(async () => {
  frames = await bikesFrames(24);
});
beforeEach(async () => {
  double = await OpenAiTestDouble.start();
  db = projectDb();
});
afterEach(async () => {
  await double.close();
  db.close();
});

function options(extra: DescribeOptions = {}): DescribeOptions {
  return { baseUrl: double.baseUrl, clipSampleFrames: 3, retryBaseMs: 5, timeoutMs: 5000, concurrency: 2, ...extra };
}

function run(extra: { options?: DescribeOptions; prompts?: Parameters<typeof describeVideo>[0]['prompts']; signal?: AbortSignal } = {}) {
  return describeVideo({
    frames,
    keyframes: KEYFRAMES,
    frameCount: frames.length,
    options: options(extra.options),
    prompts: extra.prompts,
    store: db.lmm,
    projectId: db.projectId,
    sourceId: db.sourceId,
    textCoder,
    signal: extra.signal,
  });
}

/** Requests of one conversation, identified by its first user message. */
function conversation(marker: string): RecordedRequest[] {
  return double.chatRequests.filter((r) => {
    const first = r.body.messages[1];
    return first.content.find((p: { type: string }) => p.type === 'text').text.includes(marker);
  });
}

function consistent(file: string): void {
  const raw = new Database(file, { readonly: true });
  try {
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(raw.pragma('foreign_key_check')).toEqual([]);
    expect(raw.prepare(`SELECT count(*) AS n FROM lmm_transcripts WHERE status = 'running'`).get()).toEqual({ n: 0 });
  } finally {
    raw.close();
  }
}

describe('describeVideo against the OpenAI test double, with a real project database', () => {
  it('runs the four-round keyframe and two-round clip dialogues with the right images and history', async () => {
    const result = await run();
    expect(result.requests).toBe(18);
    expect(result.cacheHits).toBe(0);
    expect(result.items.map((i) => [i.clipIndex, i.keyframeIndex, i.clipLength])).toEqual([
      [0, 0, 8],
      [1, 8, 8],
      [2, 16, 8],
    ]);

    for (let i = 0; i < 3; i++) {
      const kf = conversation(`This is keyframe ${i + 1} of 3`);
      expect(kf).toHaveLength(4);
      // History is resent: each request is the previous one plus its answer plus the next question.
      for (let r = 1; r < 4; r++) {
        const prev = kf[r - 1].body.messages;
        const cur = kf[r].body.messages;
        expect(cur).toHaveLength(prev.length + 2);
        expect(cur.slice(0, prev.length)).toEqual(prev);
        expect(cur[prev.length]).toEqual({ role: 'assistant', content: result.items[i].keyframe.rounds[r - 1].answer });
      }
      const names = result.items[i].keyframe.rounds.map((r) => r.name);
      expect(names).toEqual(['keyframe-objects', i === 0 ? 'keyframe-differences-first' : 'keyframe-differences', 'keyframe-details', 'keyframe-summary']);
      const round1 = kf[0].body.messages[1];
      expect(imagesOf(round1)).toEqual([pngDataUrl(frames[KEYFRAMES[i]])]);
      const round2 = kf[1].body.messages[3];
      // Round 2 compares with the previous keyframe: both images, previous first; none for the first keyframe.
      expect(imagesOf(round2)).toEqual(i === 0 ? [] : [pngDataUrl(frames[KEYFRAMES[i - 1]]), pngDataUrl(frames[KEYFRAMES[i]])]);
      expect(lastPrompt(kf[3].body)).toContain('at most 300 characters');

      const clip = conversation(`(clip ${i + 1} of 3)`);
      expect(clip).toHaveLength(2);
      // Clip frames 0, 4 (rounded 3.5) and 7 of the 8-frame clip, keyframe first.
      expect(result.items[i].sampledFrames).toEqual([0, 4, 7]);
      expect(imagesOf(clip[0].body.messages[1])).toEqual([0, 4, 7].map((k) => pngDataUrl(frames[KEYFRAMES[i] + k])));
      expect(lastPrompt(clip[0].body)).toContain(`described as: ${result.items[i].keyframe.text}`);
      expect(lastPrompt(clip[1].body)).toContain('at most 200 characters');
    }

    const item = result.items[1];
    expect(item.keyframe.bits).toBe(textCoder(item.keyframe.text).length * 8);
    expect(item.keyframe.overBudget).toBe(false);
    expect(result.totalBits).toBe(result.items.reduce((n, it) => n + it.keyframe.bits + it.clip.bits, 0));

    const transcripts = db.lmm.listTranscripts({ sourceId: db.sourceId });
    expect(transcripts).toHaveLength(6);
    for (const t of transcripts) {
      expect(t).toMatchObject({ projectId: db.projectId, status: 'done', model: 'qwen2.5vl:7b', promptVersion: 'v1' });
      const expected = result.items[t.itemIndex][t.itemKind];
      expect(t.description).toBe(expected.text);
      expect(t.descriptionBits).toBe(expected.bits);
      expect(t.rounds.map((r) => r.answer)).toEqual(expected.rounds.map((r) => r.answer));
      expect(t.rounds.map((r) => r.prompt)).toEqual(expected.rounds.map((r) => r.prompt));
      expect(t.rounds.every((r) => r.status === 'ok' && !r.cacheHit && r.durationMs >= 0)).toBe(true);
      expect(t.settings).toMatchObject({ temperature: 0, rounds: 4, baseUrl: double.baseUrl });
    }
    expect(db.lmm.cacheSize()).toBe(18);
    consistent(db.file);
  });

  it('after a prompt edit recomputes only what changed', async () => {
    await run();
    expect(double.chatRequests).toHaveLength(18);
    const again = await run();
    expect(again).toMatchObject({ requests: 0, cacheHits: 18 });

    // Editing keyframe 1's details question changes its rounds 3-4 (round 4's key holds the history) and so its
    // D^F, hence clip 1's dialogue; everything else is served from the cache.
    const edited = await run({ prompts: { items: { 'keyframe:1': { 'keyframe-details': 'List tiny details, please.' } } } });
    expect(edited).toMatchObject({ requests: 4, cacheHits: 14 });
    const fresh = double.chatRequests.slice(18).map((r) => lastPrompt(r.body));
    expect(fresh[0]).toBe('List tiny details, please.');
    expect(edited.items[1].keyframe.rounds.map((r) => r.cacheHit)).toEqual([true, true, false, false]);
    expect(edited.items[1].clip.rounds.map((r) => r.cacheHit)).toEqual([false, false]);
    expect(edited.items[0].keyframe.text).toBe(again.items[0].keyframe.text);

    // A project-wide edit of round 1 changes every keyframe conversation from its first key on.
    const all = await run({ prompts: { project: { 'keyframe-objects': 'Name every object in keyframe {{item_number}}.' } } });
    expect(all).toMatchObject({ requests: 18, cacheHits: 0 });
    expect(db.lmm.listTranscripts({ sourceId: db.sourceId })).toHaveLength(24);
    consistent(db.file);
  });

  it('a persistent failure mid-dialogue gives one lmm error, keeps answered rounds, and leaves the database consistent', async () => {
    double.respond = (req, n) =>
      lastPrompt(req.body).startsWith('Now list the remaining') && req.body.messages[1].content[0].text.includes('keyframe 3 of 3')
        ? { kind: 'status', status: 500, body: { error: { message: 'model crashed' } } }
        : { kind: 'answer', text: `answer ${n}` };
    const e = await run({ options: { retries: 1 } }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(M3cError);
    expect((e as M3cError).code).toBe('lmm');
    expect((e as M3cError).message).toBe(
      `the LMM at ${double.baseUrl} failed after 2 attempts (HTTP 500: model crashed): check the server log`,
    );
    const failed = db.lmm.listTranscripts({ itemKind: 'keyframe', itemIndex: 2 });
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ status: 'failed', description: null });
    expect(failed[0].error).toContain('HTTP 500: model crashed');
    expect(failed[0].rounds.map((r) => [r.roundNumber, r.status])).toEqual([
      [1, 'ok'],
      [2, 'ok'],
      [3, 'failed'],
    ]);
    for (const t of db.lmm.listTranscripts()) expect(['done', 'failed', 'cancelled']).toContain(t.status);
    consistent(db.file);

    // Once the server recovers, the rounds answered before the failure come from the cache.
    double.respond = (_req, n) => ({ kind: 'answer', text: `answer ${n}` });
    const retry = await run();
    expect(retry.items[2].keyframe.rounds.map((r) => r.cacheHit).slice(0, 2)).toEqual([true, true]);
    expect(retry.items[2].keyframe.rounds[2].cacheHit).toBe(false);
    consistent(db.file);
  });

  it('cancels mid-stream and records the cancelled round', async () => {
    double.respond = () => ({ kind: 'answer', text: 'y'.repeat(2000), chunkChars: 1, intervalMs: 5 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const e = await run({ signal: controller.signal }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(M3cError);
    expect((e as M3cError).code).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(3000);
    const transcripts = db.lmm.listTranscripts();
    expect(transcripts.length).toBeGreaterThan(0);
    expect(transcripts.every((t) => t.status === 'cancelled')).toBe(true);
    expect(transcripts.flatMap((t) => t.rounds).every((r) => r.status === 'cancelled' && r.answer === null)).toBe(true);
    consistent(db.file);
  });

  it('fails with a clear error when the server is unreachable, before storing anything but the failed round', async () => {
    const url = double.baseUrl;
    await double.close();
    const e = await describeVideo({ frames, keyframes: KEYFRAMES, frameCount: frames.length, options: { baseUrl: url }, store: db.lmm, textCoder }).catch((err: unknown) => err);
    expect((e as M3cError).message).toBe(`cannot reach the LMM at ${url} (connection refused): start Ollama or pass --lmm-url`);
    consistent(db.file);
    double = await OpenAiTestDouble.start();
  });

  it('runs 1 and 2 rounds as documented', async () => {
    const one = await run({ options: { rounds: 1 } });
    expect(one.requests).toBe(6);
    expect(one.items[1].keyframe.rounds.map((r) => r.name)).toEqual(['keyframe-single']);
    expect(one.items[1].clip.rounds.map((r) => [r.name, r.imageCount])).toEqual([['clip-single', 3]]);
    const two = await run({ options: { rounds: 2 } });
    expect(two.requests).toBe(12);
    expect(two.items[1].keyframe.rounds.map((r) => [r.name, r.imageCount])).toEqual([
      ['keyframe-objects', 1],
      ['keyframe-summary', 0],
    ]);
    expect(two.items[1].clip.rounds.map((r) => r.name)).toEqual(['clip-motion', 'clip-summary']);
  });

  it('flags a description over its budget and reports its bits', async () => {
    double.respond = (req) =>
      lastPrompt(req.body).startsWith('Using everything above')
        ? { kind: 'answer', text: 'A long summary. '.repeat(30) }
        : { kind: 'answer', text: 'short' };
    const result = await run({ options: { keyframeBudgetChars: 100 } });
    const kf = result.items[0].keyframe;
    expect(kf.chars).toBe('A long summary. '.repeat(30).trim().length);
    expect(kf.overBudget).toBe(true);
    expect(kf.bits).toBe(textCoder(kf.text).length * 8);
    expect(kf.bits).toBeLessThan(kf.chars * 8);
    expect(result.items[0].clip.overBudget).toBe(false);
  });

  it('refuses an override with an unknown variable before sending anything', async () => {
    const e = await run({ prompts: { items: { 'clip:2': { 'clip-summary': 'In {{budget}} characters' } } } }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(M3cError);
    expect((e as M3cError).message).toMatch(/^prompt template "clip-summary" \(override for clip:2\) uses unknown variable \{\{budget\}\}: known here are /);
    expect(double.requests).toHaveLength(0);
    expect(db.lmm.listTranscripts()).toHaveLength(0);
  });

  it('waits for the previous D^F when a keyframe template uses {{previous_description}}', async () => {
    const result = await run({
      prompts: { project: { 'keyframe-differences': 'Before: {{previous_description}}. What changed?' } },
    });
    const kf2 = conversation('This is keyframe 2 of 3');
    expect(lastPrompt(kf2[1].body)).toBe(`Before: ${result.items[0].keyframe.text}. What changed?`);
  });

  it('keeps only the frames it shows the model, not every frame of a clip', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    // Three clips of 20 frames, 3 shown per clip: fresh copies, so only what describeVideo holds keeps them alive.
    const alive: WeakRef<RgbFrame>[] = [];
    async function* source(): AsyncGenerator<RgbFrame> {
      for (let i = 0; i < 60; i++) {
        const f = { ...frames[i % frames.length], data: frames[i % frames.length].data.slice() };
        alive.push(new WeakRef(f));
        yield f;
      }
    }
    let most = 0;
    double.respond = (_req, n) => {
      gc();
      most = Math.max(most, alive.filter((r) => r.deref() !== undefined).length);
      return { kind: 'answer', text: `answer ${n}` };
    };
    const result = await describeVideo({
      frames: source(),
      keyframes: [0, 20, 40],
      frameCount: 60,
      options: options({ rounds: 1, concurrency: 1 }),
      store: db.lmm,
      textCoder,
    });
    expect(result.items.map((it) => [it.clipLength, ...it.sampledFrames])).toEqual([
      [20, 0, 10, 19],
      [20, 0, 10, 19],
      [20, 0, 10, 19],
    ]);
    expect(most).toBeGreaterThan(0);
    // At most two items pending (concurrency + 1) and the clip being read: 3 frames each; a whole clip is 20.
    expect(most).toBeLessThanOrEqual(9);
  });

  it('describeItem re-runs one clip', async () => {
    // Only the frames shown need be there: the first and the last of the 8-frame clip.
    const clipFrames = frames.slice(8, 16);
    const d = await describeItem({
      kind: 'clip',
      index: 1,
      itemCount: 3,
      keyframeIndex: 8,
      clipLength: 8,
      clipFrames: new Map([0, 7].map((k) => [k, clipFrames[k]])),
      keyframeDescription: 'a cyclist on a street',
      options: options({ clipSampleFrames: 2 }),
      store: db.lmm,
      sourceId: db.sourceId,
      textCoder,
    });
    expect(d.sampledFrames).toEqual([0, 7]);
    expect(d.rounds).toHaveLength(2);
    expect(imagesOf(double.chatRequests[0].body.messages[1])).toEqual([pngDataUrl(clipFrames[0]), pngDataUrl(clipFrames[7])]);
    expect(db.lmm.listTranscripts({ itemKind: 'clip', itemIndex: 1 })[0]).toMatchObject({ status: 'done', description: d.text });
  });
});
