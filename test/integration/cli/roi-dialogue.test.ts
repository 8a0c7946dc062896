/**
 * Regions from the dialogue (issue 14) through the CLI, against the OpenAI-protocol TEST DOUBLE (a real HTTP
 * server; the real model cannot run here): `m3c describe --regions` writes the grounding round's boxes as a
 * --roi file; a prompt edit that changes the grounding answer re-asks only that round (the project database
 * caches the rest) and changes the encoded file and the regions it decodes with.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpenAiTestDouble, lastPrompt } from '../../helpers/openai-test-double.ts';
import { mediaPath } from '../../helpers/media.ts';
import { runCli } from '../../helpers/cli.ts';
import { openStore } from '../../../src/main/store/index.ts';

const CARPHONE = mediaPath('video', 'carphone.mp4');
const SMALL = ['--width', '128', '--height', '80', '--max-clip', '16'];
let dir: string;
let lmm: OpenAiTestDouble;

type Region = { frames: [number, number]; box: [number, number, number, number]; weight: number; label: string; source?: string };

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-roi-dialogue-'));
  lmm = await OpenAiTestDouble.start({
    respond: (req) => {
      const p = lastPrompt(req.body);
      if (/keep them sharpest|PHONE BOXES/.test(p)) {
        // The answer follows the question: asked about the phone, the model points at the right of the frame.
        const phone = /phone/i.test(p);
        return { kind: 'answer', text: JSON.stringify({ regions: [{ box: phone ? [0.5, 0.3, 0.4, 0.5] : [0.2, 0.1, 0.5, 0.6], label: phone ? 'phone' : 'face', weight: 2 }] }) };
      }
      if (/final description of the current keyframe/i.test(p)) return { kind: 'answer', text: 'A man talks on a phone in the back seat of a moving car.' };
      return { kind: 'answer', text: 'Intermediate round answer about the frame.' };
    },
  });
});
afterAll(async () => {
  await lmm.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('regions from the dialogue', () => {
  it('a grounding prompt edit re-runs that round only, and changes the encoded file and its decoded regions', async () => {
    const db = path.join(dir, 'project.m3cdb');
    const describeArgs = (roi: string, extra: string[] = []): string[] => ['describe', CARPHONE, '--project', db, '--regions', roi, '--lmm-url', lmm.baseUrl, '--json', ...SMALL, ...extra];

    const roi1 = path.join(dir, 'roi-1.json');
    const first = await runCli(describeArgs(roi1));
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const j1 = first.json<{ keyframes: number[]; requests: number; regionCount: number; items: { frame: number; clipLength: number; keyframe: { regions: unknown[] } }[] }>();
    const items = j1.items.length;
    expect(items).toBeGreaterThan(1);
    // 4 keyframe rounds, the grounding round and 2 clip rounds per item.
    expect(j1.requests).toBe(items * 7);
    expect(j1.items[0].keyframe.regions).toEqual([{ box: [0.2, 0.1, 0.5, 0.6], label: 'face', weight: 2, source: 'lmm' }]);
    expect(j1.regionCount).toBe(items);
    const spec1 = JSON.parse(readFileSync(roi1, 'utf8')) as { regions: Region[] };
    // One box per keyframe, over its whole clip.
    expect(spec1.regions).toHaveLength(items);
    expect(spec1.regions.map((r) => r.frames)).toEqual(j1.items.map((it) => [it.frame, it.frame + it.clipLength - 1]));
    expect(spec1.regions[0]).toMatchObject({ box: [0.2, 0.1, 0.5, 0.6], label: 'face', weight: 2, source: 'lmm' });

    // The project keeps them as the source's LMM regions (what the studio shows on its Timeline).
    const store = openStore(db);
    try {
      const [source] = store.listSources(store.listProjects()[0].id);
      expect(store.regions.list(source.id).map((r) => [r.source, r.label])).toEqual(spec1.regions.map(() => ['lmm', 'face']));
    } finally {
      store.close();
    }

    const encode = async (roi: string, out: string): Promise<{ bytes: Buffer; regions: Region[] }> => {
      const e = await runCli(['encode', CARPHONE, '-o', out, '--roi', roi, ...SMALL]);
      expect(e.stderr).toBe('');
      expect(e.code).toBe(0);
      const d = await runCli(['decode', out, '-o', out.replace(/\.m3c$/, '.mp4'), '--json']);
      expect(d.code).toBe(0);
      return { bytes: readFileSync(out), regions: d.json<{ regions: Region[] }>().regions };
    };
    const a = await encode(roi1, path.join(dir, 'a.m3c'));
    expect(a.regions[0].label).toBe('face');

    // Edit the first keyframe's grounding question: only that round is asked again.
    const prompts = path.join(dir, 'prompts.json');
    writeFileSync(prompts, JSON.stringify({ items: { 'keyframe:0': { 'keyframe-regions': 'Where is the phone? PHONE BOXES as {"regions": [{"box": [x, y, w, h], "label": "...", "weight": 1}]}, at most {{max_regions}}.' } } }));
    const roi2 = path.join(dir, 'roi-2.json');
    const second = await runCli(describeArgs(roi2, ['--prompts', prompts]));
    expect(second.code).toBe(0);
    expect(second.json<{ requests: number; cacheHits: number }>()).toMatchObject({ requests: 1, cacheHits: items * 7 - 1 });
    const spec2 = JSON.parse(readFileSync(roi2, 'utf8')) as { regions: Region[] };
    expect(spec2.regions[0]).toMatchObject({ box: [0.5, 0.3, 0.4, 0.5], label: 'phone' });
    expect(spec2.regions.slice(1)).toEqual(spec1.regions.slice(1));

    const b = await encode(roi2, path.join(dir, 'b.m3c'));
    expect(b.bytes.equals(a.bytes)).toBe(false);
    expect(b.regions[0]).toMatchObject({ label: 'phone' });
    expect(b.regions[0].box[0]).toBeCloseTo(0.5, 2);
    expect(a.regions[0].box[0]).toBeCloseTo(0.2, 2);
  }, 240_000);

  it('--max-regions without --regions is a usage error (exit 2); a refused answer is reported and the rest is written', async () => {
    const bad = await runCli(['describe', CARPHONE, '--max-regions', '2', '--lmm-url', lmm.baseUrl, ...SMALL]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/--max-regions needs --regions FILE/);

    const prompts = path.join(dir, 'prose.json');
    writeFileSync(prompts, JSON.stringify({ items: { 'keyframe:1': { 'keyframe-regions': 'Say in words which part matters.' } } }));
    const roi = path.join(dir, 'roi-prose.json');
    const r = await runCli(['describe', CARPHONE, '--regions', roi, '--prompts', prompts, '--lmm-url', lmm.baseUrl, ...SMALL]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/regions refused: regions answer holds no JSON object or list: the model answered "Intermediate round answer/);
    expect(r.stdout).toMatch(/1 keyframe gave an answer that was refused/);
    expect(r.stdout).toMatch(/regions: face \[0\.200, 0\.100, 0\.500, 0\.600\] weight 2/);
    const spec = JSON.parse(readFileSync(roi, 'utf8')) as { regions: Region[] };
    expect(spec.regions.length).toBeGreaterThan(0);
    expect(spec.regions.every((g) => g.label === 'face')).toBe(true);
  }, 120_000);
});
