import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEngine } from '../../../src/main/pipeline/engine.ts';
import { encodeVideo, type EncodeResult } from '../../../src/main/pipeline/encode.ts';
import { decodeVideoFrames, openBitstream } from '../../../src/main/pipeline/decode.ts';
import { DEFAULT_SELECTION } from '../../../src/shared/keyframes/index.ts';
import { openStore } from '../../../src/main/store/index.ts';
import { mediaPath } from '../../helpers/media.ts';
import { digestFrames } from '../../helpers/digest.ts';
import { runCli } from '../../helpers/cli.ts';

const CARPHONE = mediaPath('video', 'carphone.mp4');
const G = { width: 256, height: 160, fpsNum: 8, fpsDen: 1 };
const engine = createEngine({ keyframeCodec: 'classical' });
let dir: string;
let enc: EncodeResult;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-pipe-'));
  enc = await encodeVideo(engine, CARPHONE, { geometry: G, selection: { ...DEFAULT_SELECTION, maxClip: 12 }, mode: 'interpolation' });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));


describe('encoder and decoder in process', () => {
  it('honours the maximum clip length and codes every clip', () => {
    expect(enc.frameCount).toBe(32);
    expect(enc.keyframes.length).toBeGreaterThanOrEqual(3);
    const ends = [...enc.keyframes.slice(1), enc.frameCount];
    enc.keyframes.forEach((k, i) => expect(ends[i] - k).toBeLessThanOrEqual(12));
  });

  it('the same .m3c decodes to the same frames, twice', async () => {
    const file = openBitstream(engine, enc.m3c);
    const a = await digestFrames(decodeVideoFrames(engine, file));
    const b = await digestFrames(decodeVideoFrames(engine, openBitstream(engine, enc.m3c.slice())));
    expect(a.count).toBe(32);
    expect(b).toEqual(a);
  });

  it('interpolation and prediction modes both produce every frame, and differ', async () => {
    const pred = await encodeVideo(engine, CARPHONE, { geometry: G, selection: { ...DEFAULT_SELECTION, maxClip: 12 }, mode: 'prediction', signals: enc.signals });
    expect(pred.keyframes).toEqual(enc.keyframes);
    const a = await digestFrames(decodeVideoFrames(engine, openBitstream(engine, enc.m3c)));
    const b = await digestFrames(decodeVideoFrames(engine, openBitstream(engine, pred.m3c)));
    expect(b.count).toBe(a.count);
    expect(b.hash).not.toBe(a.hash);
  });

  it('cancelling a decode stops it with a cancelled error', async () => {
    const controller = new AbortController();
    let n = 0;
    const run = (async () => {
      for await (const _ of decodeVideoFrames(engine, openBitstream(engine, enc.m3c), { signal: controller.signal })) {
        if (++n === 3) controller.abort();
      }
    })();
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(n).toBeLessThan(10);
  });
});

describe('m3c encode --project', () => {
  it('records source, signals, selection, texts and encodes; a second encode reuses the stored analysis', async () => {
    const db = path.join(dir, 'project.m3cdb');
    const args = (out: string): string[] => ['encode', CARPHONE, '-o', out, '--width', '256', '--height', '160', '--project', db, '--json'];
    const desc = path.join(dir, 'desc.json');
    writeFileSync(desc, JSON.stringify({ items: [{ frame: 0, keyframe: 'A man in a car talks on a phone.' }] }));
    const first = await runCli([...args(path.join(dir, 'a.m3c')), '--descriptions', desc]);
    expect(first.code).toBe(0);
    const second = await runCli([...args(path.join(dir, 'b.m3c')), '--threshold', '0.1']);
    expect(second.code).toBe(0);
    expect(Object.keys(first.json<{ timingsMs: object }>().timingsMs)).toContain('analysis');
    expect(Object.keys(second.json<{ timingsMs: object }>().timingsMs)).not.toContain('analysis');
    const store = openStore(db);
    try {
      const [project] = store.listProjects();
      const encodes = store.listEncodes({ projectId: project.id });
      expect(encodes.map((e) => e.status)).toEqual(['done', 'done']);
      expect(encodes.map((e) => e.bytes).sort()).toEqual([first.json<{ bytes: number }>().bytes, second.json<{ bytes: number }>().bytes].sort());
      const [source] = store.listSources(project.id);
      // The texts of the first encode are kept; the second, which supplied none, left them alone.
      const descriptions = store.listDescriptions(source.id);
      expect(descriptions.find((d) => d.frameIndex === 0 && d.itemKind === 'keyframe')).toMatchObject({ text: 'A man in a car talks on a phone.', origin: 'file' });
      // Each clip text is pinned to its span: it ends where the next clip of that encode starts.
      const firstKeyframes = first.json<{ keyframes: number[] }>().keyframes;
      const clip0 = descriptions.find((d) => d.frameIndex === 0 && d.itemKind === 'clip');
      expect(clip0?.endFrame).toBe(firstKeyframes[1] ?? first.json<{ frames: number }>().frames);
    } finally {
      store.close();
    }
  });
});
