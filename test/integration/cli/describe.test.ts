/**
 * m3c describe and m3c encode --describe against the OpenAI-protocol TEST DOUBLE (a real HTTP
 * server on 127.0.0.1 with scripted answers): the real model cannot run here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpenAiTestDouble, lastPrompt } from '../../helpers/openai-test-double.ts';
import { mediaPath } from '../../helpers/media.ts';
import { runCli } from '../../helpers/cli.ts';

const CARPHONE = mediaPath('video', 'carphone.mp4');
const SMALL = ['--width', '128', '--height', '80', '--max-clip', '16'];
let dir: string;
let lmm: OpenAiTestDouble;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-describe-'));
  lmm = await OpenAiTestDouble.start({
    respond: (req) => {
      const p = lastPrompt(req.body);
      if (/final description of the current keyframe/i.test(p)) return { kind: 'answer', text: 'A man talks on a phone in the back seat of a moving car; trees pass the window.' };
      if (/Summarise the motion/i.test(p)) return { kind: 'answer', text: 'He keeps talking and turns his head slightly; scenery slides past the side window.' };
      return { kind: 'answer', text: 'Intermediate round answer about the frame.' };
    },
  });
});
afterAll(async () => {
  await lmm.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('m3c describe', () => {
  it('runs the four-round dialogue per keyframe and writes a descriptions file encode can read', async () => {
    const out = path.join(dir, 'desc.json');
    const r = await runCli(['describe', CARPHONE, '-o', out, '--lmm-url', lmm.baseUrl, '--json', ...SMALL]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = r.json<{ keyframes: number[]; rounds: number; requests: number; items: { frame: number; keyframe: { text: string; bits: number }; clip: { text: string } }[] }>();
    expect(j.rounds).toBe(4);
    expect(j.items.map((i) => i.frame)).toEqual(j.keyframes);
    // 4 keyframe rounds + 2 clip rounds per item.
    expect(j.requests).toBe(j.items.length * 6);
    expect(j.items[0].keyframe.text).toMatch(/phone/);
    expect(j.items[0].keyframe.bits).toBeGreaterThan(0);
    expect(j.items[0].keyframe.bits).toBeLessThan(j.items[0].keyframe.text.length * 8);
    const file = JSON.parse(readFileSync(out, 'utf8'));
    expect(file.items[0]).toMatchObject({ frame: 0, clip: expect.stringMatching(/talking/) });

    const m3c = path.join(dir, 'from-file.m3c');
    const e = await runCli(['encode', CARPHONE, '-o', m3c, '--descriptions', out, ...SMALL]);
    expect(e.code).toBe(0);
    const inspect = await runCli(['inspect', m3c, '--json']);
    expect(inspect.json<{ clips: { keyframeText: string }[] }>().clips[0].keyframeText).toMatch(/phone/);
  });

  it('encode --describe puts the dialogue answers in the bitstream', async () => {
    const m3c = path.join(dir, 'described.m3c');
    const before = lmm.chatRequests.length;
    const e = await runCli(['encode', CARPHONE, '-o', m3c, '--describe', '--lmm-url', lmm.baseUrl, '--rounds', '2', '--json', ...SMALL]);
    expect(e.stderr).toBe('');
    expect(e.code).toBe(0);
    const keyframes = e.json<{ keyframes: number[] }>().keyframes;
    // 2 keyframe rounds + 2 clip rounds per item.
    expect(lmm.chatRequests.length - before).toBe(keyframes.length * 4);
    const inspect = await runCli(['inspect', m3c, '--json']);
    const clips = inspect.json<{ clips: { keyframeText: string; clipText: string }[] }>().clips;
    expect(clips.every((c) => /phone/.test(c.keyframeText) && /talking/.test(c.clipText))).toBe(true);
  });

  it('with --project, answers are cached: a rerun asks nothing, a prompt edit asks again only what changed', async () => {
    const db = path.join(dir, 'project.m3cdb');
    const args = ['describe', CARPHONE, '--project', db, '--lmm-url', lmm.baseUrl, '--json', ...SMALL];
    const first = await runCli(args);
    expect(first.code).toBe(0);
    const items = first.json<{ items: unknown[]; requests: number }>().items.length;
    expect(first.json<{ requests: number }>().requests).toBe(items * 6);
    const again = await runCli(args);
    expect(again.json<{ requests: number; cacheHits: number }>()).toMatchObject({ requests: 0, cacheHits: items * 6 });
    // Override round 3 of the second keyframe only: rounds 3 and 4 of that keyframe are asked again; its
    // summary answer is unchanged, so its clip dialogue is still served from the cache.
    const prompts = path.join(dir, 'prompts.json');
    writeFileSync(prompts, JSON.stringify({ items: { 'keyframe:1': { 'keyframe-details': 'List every small object you can see.' } } }));
    const edited = await runCli([...args, '--prompts', prompts]);
    expect(edited.code).toBe(0);
    expect(edited.json<{ requests: number }>().requests).toBe(2);
  });

  it('an unreachable server gives one line naming the URL, exit 7, and no output', async () => {
    const m3c = path.join(dir, 'never.m3c');
    const url = 'http://127.0.0.1:9/v1';
    const r = await runCli(['encode', CARPHONE, '-o', m3c, '--describe', '--lmm-url', url, ...SMALL]);
    expect(r.code).toBe(7);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(url);
    expect(existsSync(m3c)).toBe(false);
  });
});
