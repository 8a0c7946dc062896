/**
 * Files made under the earlier, model-free pack m3c-classical-1 keep decoding after the learned pack
 * m3c-learned-2 is installed: they used only the classical keyframe codec, which needs no models.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../src/main/pipeline/engine.ts';
import { encodeVideo } from '../../../src/main/pipeline/encode.ts';
import { decodeVideoFrames, openBitstream } from '../../../src/main/pipeline/decode.ts';
import { parseM3c, writeM3c } from '../../../src/shared/bitstream/index.ts';
import { packHashHex } from '../../../src/main/inference/index.ts';
import { DEFAULT_SELECTION } from '../../../src/shared/keyframes/index.ts';
import { HAS_MEDIA, mediaPath } from '../../helpers/media.ts';

describe.skipIf(!HAS_MEDIA)('a .m3c from the model-free pack m3c-classical-1', () => {
  let tmp: string;
  let old: Engine;
  let current: Engine;
  let m3c: Uint8Array;

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'm3c-legacy-'));
    // The pack as it shipped: the same manifest gives the same pack hash.
    writeFileSync(path.join(tmp, 'manifest.json'), JSON.stringify({ schema: 1, packId: 'm3c-classical-1', models: [] }));
    old = createEngine({ modelsDir: tmp });
    current = createEngine();
    const geometry = { width: 176, height: 144, fpsNum: 4, fpsDen: 1 };
    m3c = (await encodeVideo(old, mediaPath('video', 'carphone.mp4'), { geometry, selection: { ...DEFAULT_SELECTION, maxClip: 8 }, mode: 'interpolation' })).m3c;
  }, 120_000);
  afterAll(async () => {
    await old.dispose();
    await current.dispose();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('decodes with the shipped learned pack to the same frames as with its own pack', async () => {
    expect(packHashHex(old.modelPackHash)).toBe('9d8008daba229109');
    expect(current.manifest.packId).toBe('m3c-learned-2');
    const frames = async (e: Engine): Promise<Buffer[]> => {
      const out: Buffer[] = [];
      for await (const f of decodeVideoFrames(e, openBitstream(e, m3c))) out.push(Buffer.from(f.data));
      return out;
    };
    const a = await frames(old);
    const b = await frames(current);
    expect(a.length).toBeGreaterThan(10);
    expect(b.length).toBe(a.length);
    for (let i = 0; i < a.length; i++) expect(b[i].equals(a[i])).toBe(true);
  });

  it('is refused when it claims a learned keyframe codec under that model-free pack', () => {
    const parsed = parseM3c(m3c);
    if (!parsed.ok) throw new Error(parsed.error.message);
    const forged = writeM3c({ header: { ...parsed.file.header, keyframeCodecId: 'learned-vq-v1' }, clips: parsed.file.clips });
    expect(() => openBitstream(current, forged)).toThrow(/has no models/);
  });
});
