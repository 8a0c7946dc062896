/**
 * The grounding round (issue 14) against the OpenAI-protocol TEST DOUBLE (a real HTTP server with scripted
 * answers; the real model cannot run here) and a real project database: the round's place in the keyframe
 * dialogue, its schema check, its caching, and what a prompt edit re-runs.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RgbFrame } from '../../../src/shared/engine/frame.ts';
import { describeVideo, type DescribeOptions } from '../../../src/main/lmm/describe.ts';
import type { PromptConfig } from '../../../src/main/lmm/prompts.ts';
import { OpenAiTestDouble, lastPrompt, type RecordedRequest } from '../../helpers/openai-test-double.ts';
import { bikesFrames, projectDb, textCoder, type ProjectDb } from './fixtures.ts';

const KEYFRAMES = [0, 8, 16];
let frames: RgbFrame[];
let double: OpenAiTestDouble;
let db: ProjectDb;

/** Which keyframe a conversation is about: its first user message names "keyframe N of". */
function keyframeOf(r: RecordedRequest): number {
  const first = r.body.messages[1].content.find((p: { type: string }) => p.type === 'text').text as string;
  return Number(/keyframe (\d+) of/.exec(first)?.[1] ?? 0);
}

const isGrounding = (r: RecordedRequest): boolean => /keep them sharpest|BOXES PLEASE/.test(lastPrompt(r.body));

beforeAll(async () => {
  frames = await bikesFrames(24);
});
beforeEach(async () => {
  double = await OpenAiTestDouble.start({
    respond: (req, n) => {
      const p = lastPrompt(req.body);
      if (/PROSE PLEASE/.test(p)) return { kind: 'answer', text: 'The rider in the middle matters most.' };
      if (isGrounding(req)) {
        // A prompt that names the ball moves the box: the answer depends on the question, as a real model's would.
        const x = /ball/.test(p) ? 0.6 : 0.1 + 0.1 * keyframeOf(req);
        return { kind: 'answer', text: `\`\`\`json\n{"regions": [{"box": [${x}, 0.25, 0.3, 0.5], "label": "${/ball/.test(p) ? 'ball' : 'rider'}", "weight": 2}]}\n\`\`\`` };
      }
      return { kind: 'answer', text: `answer ${n}: ${p.split(/\s+/).slice(0, 5).join(' ')}` };
    },
  });
  db = projectDb();
});
afterEach(async () => {
  await double.close();
  db.close();
});

function run(extra: { options?: DescribeOptions; prompts?: PromptConfig } = {}) {
  return describeVideo({
    frames,
    keyframes: KEYFRAMES,
    frameCount: frames.length,
    options: { baseUrl: double.baseUrl, clipSampleFrames: 3, retryBaseMs: 5, timeoutMs: 5000, concurrency: 2, regions: true, ...extra.options },
    prompts: extra.prompts,
    store: db.lmm,
    projectId: db.projectId,
    sourceId: db.sourceId,
    textCoder,
  });
}

describe('the grounding round', () => {
  it('ends each keyframe dialogue, after the summary, and gives checked regions beside the description', async () => {
    const r = await run();
    // 4 keyframe rounds + the grounding round + 2 clip rounds per item.
    expect(r.requests).toBe(KEYFRAMES.length * 7);
    const kf = r.items[1].keyframe;
    expect(kf.rounds.map((x) => x.name)).toEqual(['keyframe-objects', 'keyframe-differences', 'keyframe-details', 'keyframe-summary', 'keyframe-regions']);
    // The description is the summary's answer, not the JSON.
    expect(kf.text).toBe(kf.rounds[3].answer.trim());
    expect(kf.regions).toEqual({ ok: true, regions: [{ box: [0.1 + 0.1 * 2, 0.25, 0.3, 0.5], label: 'rider', weight: 2, source: 'lmm' }] });
    // The grounding question carries no image of its own (the keyframe is in the history) and says how many regions.
    const grounding = double.chatRequests.filter(isGrounding);
    expect(grounding).toHaveLength(3);
    expect(lastPrompt(grounding[0].body)).toMatch(/at most 3 regions/);
    const last = grounding[0].body.messages[grounding[0].body.messages.length - 1];
    expect(last.content.filter((p: { type: string }) => p.type === 'image_url')).toHaveLength(0);
    // Clip dialogues do not ground.
    expect(r.items.every((it) => it.clip.regions === undefined)).toBe(true);
  });

  it('turning it on after a run without it asks only the grounding rounds', async () => {
    const plain = await run({ options: { regions: false } });
    expect(plain.requests).toBe(KEYFRAMES.length * 6);
    expect(plain.items[0].keyframe.regions).toBeUndefined();
    const grounded = await run();
    expect(grounded).toMatchObject({ requests: 3, cacheHits: 18 });
    expect(grounded.items.map((it) => it.keyframe.text)).toEqual(plain.items.map((it) => it.keyframe.text));
  });

  it('a refused answer fails that round alone: the description and the other items stand, nothing is cached', async () => {
    const prompts: PromptConfig = { items: { 'keyframe:1': { 'keyframe-regions': 'Which part matters? PROSE PLEASE.' } } };
    const r = await run({ prompts });
    expect(r.items[1].keyframe.regions).toEqual({ ok: false, error: expect.stringMatching(/^regions answer holds no JSON object or list: the model answered "The rider in the middle/) });
    expect(r.items[1].keyframe.text).toMatch(/^answer \d+: /);
    expect(r.items[0].keyframe.regions).toMatchObject({ ok: true });
    expect(r.items[2].keyframe.regions).toMatchObject({ ok: true });
    // Stored: the transcript is done with its description, its last round failed with the reason.
    const t = db.lmm.listTranscripts({ sourceId: db.sourceId, itemKind: 'keyframe', itemIndex: 1 }).at(-1)!;
    expect(t.status).toBe('done');
    expect(t.description).toBe(r.items[1].keyframe.text);
    expect(t.rounds.map((x) => x.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'failed']);
    expect(t.rounds[4].error).toMatch(/holds no JSON/);
    // A refused answer is not cached: running again asks that one round again, and only it.
    const again = await run({ prompts });
    expect(again).toMatchObject({ requests: 1, cacheHits: 20 });
  });

  it('editing the grounding prompt of one keyframe re-runs that round only and changes its regions', async () => {
    const first = await run();
    const edited = await run({ prompts: { items: { 'keyframe:0': { 'keyframe-regions': 'Where is the ball? BOXES PLEASE, as {"regions": [...]}, at most {{max_regions}}.' } } } });
    expect(edited).toMatchObject({ requests: 1, cacheHits: 20 });
    expect(edited.items[0].keyframe.regions).toEqual({ ok: true, regions: [{ box: [0.6, 0.25, 0.3, 0.5], label: 'ball', weight: 2, source: 'lmm' }] });
    expect(first.items[0].keyframe.regions).toMatchObject({ ok: true, regions: [{ label: 'rider' }] });
    expect(edited.items[0].keyframe.text).toBe(first.items[0].keyframe.text);
    expect(edited.items[1].keyframe.regions).toEqual(first.items[1].keyframe.regions);
  });
});
