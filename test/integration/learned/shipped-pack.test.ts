/**
 * The model pack the product ships (resources/models): its learned keyframe codec is present, is the
 * engine's default, matches PyTorch, and codes a real image above a quality floor. This is the test
 * that catches a pack committed half-way, a model exported from the wrong checkpoint, or a codec change
 * that no longer fits the shipped models.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { availableGrids, LEARNED_CODEC_ID, LearnedKeyframeCodec, learnedSlots, parseLearnedHeader, type TokenGrid } from '../../../src/main/codecs/learned/index.ts';
import { loadManifest, SessionCache } from '../../../src/main/inference/index.ts';
import { createEngine, LEARNED_DEFAULT_BUDGET } from '../../../src/main/pipeline/engine.ts';
import { readImage } from '../../../src/main/media/index.ts';
import type { Geometry } from '../../../src/shared/engine/frame.ts';
import { psnrRgb } from '../../../src/shared/metrics/index.ts';
import { HAS_MEDIA, mediaPath, REPO_ROOT } from '../../helpers/media.ts';
import { parityErrors, paritySlots } from '../../helpers/parity.ts';

const SHIPPED = path.join(REPO_ROOT, 'resources', 'models');
/** training/parity.py's probes for the shipped graphs (kept out of resources/ so the app does not carry them). */
const PARITY = path.join(REPO_ROOT, 'test', 'fixtures', 'shipped-models', 'parity.json');
const SHIPPED_GRIDS: readonly TokenGrid[] = ['coarse', 'fine'];
/**
 * kodim23 (768x512, evaluation only, never trained on). Pack m3c-learned-1 measured: coarse 1,064 B,
 * 23.66 dB without diffusion, 22.47 dB with 4 steps (seed 7); fine 3,312 B, 24.90 / 23.87 dB. Floors
 * about 1 dB and 8% of the bytes away; a wrong checkpoint, latent scale or padding lands far outside.
 */
const FLOORS: Record<TokenGrid, { maxBytes: number; noDiffusion: number; diffusion: number }> = {
  coarse: { maxBytes: 1150, noDiffusion: 22.6, diffusion: 21.4 },
  fine: { maxBytes: 3580, noDiffusion: 23.9, diffusion: 22.8 },
};

describe('shipped model pack', () => {
  let cache: SessionCache;

  beforeAll(() => {
    cache = new SessionCache(loadManifest(SHIPPED), { executionProvider: 'cpu' });
  });
  afterAll(async () => {
    await cache.dispose();
  });

  it('provides both token grids and makes the learned codec the default', async () => {
    expect(availableGrids(cache.manifest)).toEqual(SHIPPED_GRIDS);
    const engine = createEngine();
    try {
      expect(engine.keyframeCodecKind).toBe('learned');
      expect(engine.keyframeCodec.id).toBe(LEARNED_CODEC_ID);
      expect(engine.defaultKeyframeBudget).toBe(LEARNED_DEFAULT_BUDGET);
    } finally {
      await engine.dispose();
    }
  });

  it('every shipped graph matches PyTorch in onnxruntime-node', async () => {
    const slots = SHIPPED_GRIDS.flatMap((g) => Object.values(learnedSlots(g)));
    expect(paritySlots(PARITY)).toEqual([...slots].sort());
    const errors = await parityErrors(cache, PARITY, slots);
    console.log('shipped pack, parity max abs error per graph:', JSON.stringify(errors));
    for (const g of SHIPPED_GRIDS) {
      const s = learnedSlots(g);
      expect(errors[s.encoder]).toBe(0);
      expect(errors[s.prior]).toBe(0);
      for (const slot of [s.tokens, s.denoiser, s.decoder]) expect(errors[slot]).toBeLessThan(1e-3);
    }
  });

  it.skipIf(!HAS_MEDIA).each(SHIPPED_GRIDS)('codes a real image on the %s grid above the quality floor, deterministically', async (grid) => {
    const image = await readImage(mediaPath('images', 'kodak', 'kodim23.png'));
    const geometry: Geometry = { width: image.width, height: image.height, fpsNum: 8, fpsDen: 1 };
    const codec = new LearnedKeyframeCodec(cache, { grids: [grid] });
    const plain = new LearnedKeyframeCodec(cache, { grids: [grid], denoiserSteps: 0 });
    const payload = await codec.encode(image, { budgetBytes: 1 << 20 });
    expect(parseLearnedHeader(payload).grid).toBe(grid);
    const a = await codec.decode(payload, geometry, { seed: 7, text: '' });
    const b = await codec.decode(payload, geometry, { seed: 7, text: '' });
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
    const flat = await plain.decode(payload, geometry, { seed: 7, text: '' });
    const floor = FLOORS[grid];
    const withDiffusion = psnrRgb(image, a);
    const without = psnrRgb(image, flat);
    console.log(`shipped pack, kodim23 ${grid}: ${payload.length} B, PSNR ${without.toFixed(2)} dB without diffusion, ${withDiffusion.toFixed(2)} dB with ${codec.denoiserSteps} steps`);
    expect(payload.length).toBeLessThanOrEqual(floor.maxBytes);
    expect(without).toBeGreaterThan(floor.noDiffusion);
    expect(withDiffusion).toBeGreaterThan(floor.diffusion);
  });
});
