import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, LEARNED_DEFAULT_BUDGET, type Engine } from '../../../src/main/pipeline/engine.ts';
import { encodeVideo, type EncodeResult } from '../../../src/main/pipeline/encode.ts';
import { decodeVideoFrames, openBitstream } from '../../../src/main/pipeline/decode.ts';
import { CLASSICAL_AV1_ID, CLASSICAL_DEFAULT_BUDGET } from '../../../src/main/codecs/index.ts';
import { LEARNED_CODEC_ID, parseLearnedHeader } from '../../../src/main/codecs/learned/index.ts';
import { M3cError } from '../../../src/shared/engine/errors.ts';
import { DEFAULT_SELECTION } from '../../../src/shared/keyframes/index.ts';
import { HAS_MEDIA, mediaPath, REPO_ROOT } from '../../helpers/media.ts';

const LEARNED_PACK = path.join(REPO_ROOT, 'test', 'fixtures', 'learned');
const NO_LEARNED_PACK = path.join(REPO_ROOT, 'test', 'fixtures', 'models');
const COFFEE = mediaPath('video', '04_coffee.mp4');
// 9.6 s at 2 fps: 19 frames at the default 512x320, so the coarse map is 32x20 = 640 tokens.
const G = { width: 512, height: 320, fpsNum: 2, fpsDen: 1 };
const SELECTION = { ...DEFAULT_SELECTION, maxClip: 8 };

async function digests(engine: Engine, m3c: Uint8Array): Promise<string[]> {
  const out: string[] = [];
  for await (const f of decodeVideoFrames(engine, openBitstream(engine, m3c))) out.push(createHash('sha256').update(f.data).digest('hex'));
  return out;
}

describe('choosing the keyframe codec', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'm3c-kfchoice-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("'auto' picks learned when the pack has a complete grid, classical otherwise", async () => {
    const learned = createEngine({ modelsDir: LEARNED_PACK });
    const classical = createEngine({ modelsDir: NO_LEARNED_PACK });
    const emptyDir = path.join(tmp, 'empty');
    mkdirSync(emptyDir);
    writeFileSync(path.join(emptyDir, 'manifest.json'), JSON.stringify({ schema: 1, packId: 'm3c-empty-1', models: [] }));
    const empty = createEngine({ modelsDir: emptyDir });
    try {
      expect(learned.keyframeCodec.id).toBe(LEARNED_CODEC_ID);
      expect(learned.keyframeCodecKind).toBe('learned');
      expect(learned.learnedGrids).toEqual(['coarse']);
      expect(learned.defaultKeyframeBudget).toBe(LEARNED_DEFAULT_BUDGET);
      // Both stay decodable whatever encodes use.
      expect(learned.keyframeCodecById(CLASSICAL_AV1_ID).id).toBe(CLASSICAL_AV1_ID);
      for (const e of [classical, empty]) {
        expect(e.keyframeCodec.id).toBe(CLASSICAL_AV1_ID);
        expect(e.defaultKeyframeBudget).toBe(CLASSICAL_DEFAULT_BUDGET);
        expect(e.learnedGrids).toEqual([]);
        expect(() => e.keyframeCodecById(LEARNED_CODEC_ID)).toThrow(/learned-vq-v1/);
      }
      const forced = createEngine({ modelsDir: LEARNED_PACK, keyframeCodec: 'classical' });
      expect(forced.keyframeCodec.id).toBe(CLASSICAL_AV1_ID);
      expect(forced.keyframeCodecById(LEARNED_CODEC_ID).id).toBe(LEARNED_CODEC_ID);
      await forced.dispose();
    } finally {
      await Promise.all([learned.dispose(), classical.dispose(), empty.dispose()]);
    }
  });

  it("refuses 'learned' without learned models (model error, one line) and denoiser steps outside 0..8", () => {
    let err: unknown;
    try {
      createEngine({ modelsDir: NO_LEARNED_PACK, keyframeCodec: 'learned' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(M3cError);
    expect((err as M3cError).code).toBe('model');
    expect((err as M3cError).message).toMatch(/m3c-test-pack-1.*kf-encoder-coarse.*--keyframe-codec classical/);
    expect((err as M3cError).message).not.toContain('\n');
    for (const steps of [-1, 9, 2.5]) {
      expect(() => createEngine({ modelsDir: LEARNED_PACK, denoiserSteps: steps })).toThrow(expect.objectContaining({ code: 'usage' }));
    }
  });
});

describe.skipIf(!HAS_MEDIA)('learned keyframes through the pipeline (04_coffee, 512x320, 2 fps)', () => {
  const engine = createEngine({ modelsDir: LEARNED_PACK });
  let enc: EncodeResult;

  beforeAll(async () => {
    enc = await encodeVideo(engine, COFFEE, { geometry: G, selection: SELECTION, mode: 'interpolation' });
  }, 120_000);
  afterAll(() => engine.dispose());

  it('names learned-vq-v1 in the header and codes each keyframe as a coarse 640-token map under 800 B', () => {
    const file = openBitstream(engine, enc.m3c);
    expect(file.header.keyframeCodecId).toBe(LEARNED_CODEC_ID);
    expect(file.header.modelPackId).toBe('m3c-learned-smoke-1');
    expect(file.header.params.keyframeBudgetBytes).toBe(LEARNED_DEFAULT_BUDGET);
    expect(enc.frameCount).toBeGreaterThanOrEqual(16);
    expect(enc.frameCount).toBeLessThanOrEqual(24);
    expect(file.clips.length).toBeGreaterThanOrEqual(3);
    for (const c of file.clips) {
      expect(parseLearnedHeader(c.keyframe).grid).toBe('coarse');
      // 640 tokens of 8 bits each would be 640 B; the learned prior and neighbour coding go well under.
      expect(c.keyframe.length).toBeGreaterThan(200);
      expect(c.keyframe.length).toBeLessThan(800);
    }
  });

  it('decodes the same file twice to identical frames (the noise seed comes from the bitstream)', async () => {
    const a = await digests(engine, enc.m3c);
    const b = await digests(engine, enc.m3c.slice());
    expect(a).toHaveLength(enc.frameCount);
    expect(b).toEqual(a);
    // Another denoiser step count is a different decoder: same file, other frames.
    const plain = createEngine({ modelsDir: LEARNED_PACK, denoiserSteps: 0 });
    try {
      const c = await digests(plain, enc.m3c);
      expect(c).toHaveLength(a.length);
      expect(c[0]).not.toBe(a[0]);
    } finally {
      await plain.dispose();
    }
  });

  it('encodes with the classical codec under the learned pack, and that file decodes too', async () => {
    const classical = createEngine({ modelsDir: LEARNED_PACK, keyframeCodec: 'classical' });
    try {
      const r = await encodeVideo(classical, COFFEE, { geometry: G, selection: SELECTION, mode: 'interpolation', signals: enc.signals });
      expect(r.keyframes).toEqual(enc.keyframes);
      const file = openBitstream(engine, r.m3c);
      expect(file.header.keyframeCodecId).toBe(CLASSICAL_AV1_ID);
      expect(file.header.params.keyframeBudgetBytes).toBe(CLASSICAL_DEFAULT_BUDGET);
      // Decoded by the learned-default engine: codecs are looked up by the id in the file.
      expect(await digests(engine, r.m3c)).toHaveLength(enc.frameCount);
    } finally {
      await classical.dispose();
    }
  });
});
