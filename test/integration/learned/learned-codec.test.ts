import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import {
  LearnedKeyframeCodec,
  LEARNED_CODEC_ID,
  availableGrids,
  learnedSlots,
  parseLearnedHeader,
} from '../../../src/main/codecs/learned/index.ts';
import { loadManifest, SessionCache } from '../../../src/main/inference/index.ts';
import { decodeFrames } from '../../../src/main/media/index.ts';
import type { Geometry, RgbFrame } from '../../../src/shared/engine/frame.ts';
import { M3cError } from '../../../src/shared/engine/errors.ts';
import { psnrRgb } from '../../../src/shared/metrics/index.ts';
import { HAS_MEDIA, mediaPath, REPO_ROOT } from '../../helpers/media.ts';
import { parityErrors, paritySlots } from '../../helpers/parity.ts';

/** The smoke-test pack: the tiny CPU config (training/README.md), NOT the shipped models. */
const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'learned');
const GEOMETRY: Geometry = { width: 512, height: 320, fpsNum: 8, fpsDen: 1 };
/** 32x20 coarse tokens: the target is <= 545 bytes (the smoke model measured 486). */
const COARSE_TARGET_BYTES = 545;
/**
 * Measured on 04_coffee frame 0 with the smoke pack: 21.62 dB without diffusion, 20.85 dB with 4
 * steps (seed 1234); floors ~1 dB below. A broken graph, a wrong latent scale or a padding/cropping
 * error lands far under them (an untrained denoiser gave 6.6 dB).
 */
const PSNR_FLOOR_NO_DIFFUSION = 20.5;
const PSNR_FLOOR_DIFFUSION = 19.8;

async function coffeeFrame(): Promise<RgbFrame> {
  for await (const f of decodeFrames(mediaPath('video', '04_coffee.mp4'), { ...GEOMETRY, fpsNum: 1, maxFrames: 1 })) return f;
  throw new Error('no frame decoded');
}

describe('learned keyframe codec with the smoke-test pack', () => {
  let cache: SessionCache;
  let codec: LearnedKeyframeCodec;

  beforeAll(() => {
    cache = new SessionCache(loadManifest(FIXTURE), { executionProvider: 'cpu' });
    codec = new LearnedKeyframeCodec(cache);
  });
  afterAll(async () => {
    await codec.dispose();
  });

  it('every exported graph matches PyTorch in onnxruntime-node', async () => {
    const parityFile = path.join(FIXTURE, 'parity.json');
    const slots = Object.values(learnedSlots('coarse'));
    expect(paritySlots(parityFile)).toEqual([...slots].sort());
    const errors = await parityErrors(cache, parityFile, slots);
    console.log('parity max abs error per graph:', JSON.stringify(errors));
    // Token indices and the prior table are exact; float graphs differ by summation order only.
    expect(errors['kf-encoder-coarse']).toBe(0);
    expect(errors['kf-token-prior-coarse']).toBe(0);
    for (const slot of ['kf-tokens-coarse', 'kf-denoiser-coarse', 'kf-decoder-coarse']) expect(errors[slot]).toBeLessThan(1e-4);
  });

  it.skipIf(!HAS_MEDIA)('encodes a real 512x320 frame into a small payload and decodes it deterministically', async () => {
    const frame = await coffeeFrame();
    let t = performance.now();
    const payload = await codec.encode(frame, { budgetBytes: COARSE_TARGET_BYTES });
    const encodeMs = performance.now() - t;
    expect(parseLearnedHeader(payload).grid).toBe('coarse');
    expect(payload.length).toBeLessThanOrEqual(COARSE_TARGET_BYTES);
    // Encoding is a pure function of the pixels.
    t = performance.now();
    expect(await codec.encode(frame, { budgetBytes: COARSE_TARGET_BYTES })).toEqual(payload);
    const warmEncodeMs = performance.now() - t;

    t = performance.now();
    const a = await codec.decode(payload, GEOMETRY, { seed: 1234, text: '' });
    const decodeMs = performance.now() - t;
    t = performance.now();
    const b = await codec.decode(payload, GEOMETRY, { seed: 1234, text: 'ignored by this model' });
    const warmDecodeMs = performance.now() - t;
    const c = await codec.decode(payload, GEOMETRY, { seed: 99, text: '' });
    expect(a.width).toBe(512);
    expect(a.height).toBe(320);
    expect(Buffer.from(b.data).equals(Buffer.from(a.data))).toBe(true);
    expect(Buffer.from(c.data).equals(Buffer.from(a.data))).toBe(false);

    const plain = new LearnedKeyframeCodec(cache, { denoiserSteps: 0 });
    const d = await plain.decode(payload, GEOMETRY, { seed: 1234, text: '' });
    const psnrDiffusion = psnrRgb(frame, a);
    const psnrPlain = psnrRgb(frame, d);
    console.log(
      `smoke model, 04_coffee frame 0 at 512x320: ${payload.length} bytes (${((payload.length * 8) / 640).toFixed(2)} bits/token), ` +
        `PSNR ${psnrPlain.toFixed(2)} dB without diffusion, ${psnrDiffusion.toFixed(2)} dB with 4 steps; ` +
        `encode ${warmEncodeMs.toFixed(0)} ms, decode ${warmDecodeMs.toFixed(0)} ms ` +
        `(first calls, with session creation: ${encodeMs.toFixed(0)} / ${decodeMs.toFixed(0)} ms)`,
    );
    expect(psnrPlain).toBeGreaterThan(PSNR_FLOOR_NO_DIFFUSION);
    expect(psnrDiffusion).toBeGreaterThan(PSNR_FLOOR_DIFFUSION);
  });

  it('pads sizes that are not multiples of the grid and crops back', async () => {
    const g: Geometry = { width: 50, height: 30, fpsNum: 8, fpsDen: 1 };
    const frame: RgbFrame = { width: 50, height: 30, data: new Uint8Array(50 * 30 * 3).map((_, i) => (i * 7) % 256) };
    const payload = await codec.encode(frame, { budgetBytes: 100 });
    const out = await codec.decode(payload, g, { seed: 1, text: '' });
    expect([out.width, out.height, out.data.length]).toEqual([50, 30, 50 * 30 * 3]);
  });

  it('rejects payloads it cannot read', async () => {
    const frame: RgbFrame = { width: 32, height: 32, data: new Uint8Array(32 * 32 * 3).fill(128) };
    const g: Geometry = { width: 32, height: 32, fpsNum: 8, fpsDen: 1 };
    const payload = await codec.encode(frame, { budgetBytes: 100 });
    const wrongVersion = payload.slice();
    wrongVersion[0] = 0x20;
    await expect(codec.decode(wrongVersion, g, { seed: 1, text: '' })).rejects.toMatchObject({ code: 'corrupt-bitstream' });
    const unknownGrid = payload.slice();
    unknownGrid[0] = 0x1f;
    await expect(codec.decode(unknownGrid, g, { seed: 1, text: '' })).rejects.toMatchObject({ code: 'corrupt-bitstream' });
    // The fine grid is a valid format, but this pack has no fine models.
    const fine = payload.slice();
    fine[0] = 0x11;
    await expect(codec.decode(fine, g, { seed: 1, text: '' })).rejects.toMatchObject({ code: 'model' });
    await expect(codec.decode(new Uint8Array(0), g, { seed: 1, text: '' })).rejects.toMatchObject({ code: 'corrupt-bitstream' });
  });

  it('names its id and the grids the pack provides', () => {
    expect(codec.id).toBe(LEARNED_CODEC_ID);
    expect(availableGrids(cache.manifest)).toEqual(['coarse']);
    expect(codec.grids).toEqual(['coarse']);
  });
});

describe('learned keyframe codec without its models', () => {
  it('refuses a pack that lacks the learned slots', () => {
    const other = path.join(REPO_ROOT, 'test', 'fixtures', 'models');
    const attempt = (): unknown => LearnedKeyframeCodec.open(other);
    expect(attempt).toThrow(M3cError);
    expect(attempt).toThrow(/lacks the learned keyframe codec models/);
    try {
      attempt();
    } catch (e) {
      expect((e as M3cError).code).toBe('model');
    }
  });

  it('refuses a grid the pack does not provide and a missing pack folder', () => {
    const cache = new SessionCache(loadManifest(FIXTURE));
    expect(() => new LearnedKeyframeCodec(cache, { grids: ['fine'] })).toThrow(/kf-encoder-fine/);
    expect(() => new LearnedKeyframeCodec(cache, { denoiserSteps: 9 })).toThrow(/0\.\.8/);
    try {
      LearnedKeyframeCodec.open(path.join(FIXTURE, 'no-such-folder'));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(M3cError);
      expect((e as M3cError).code).toBe('model');
    }
  });
});
