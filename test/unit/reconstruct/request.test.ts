import { describe, expect, it } from 'vitest';
import { makeFrame } from '../../../src/shared/engine/frame.ts';
import type { ClipRequest } from '../../../src/shared/engine/interfaces.ts';
import { createReconstructor } from '../../../src/shared/reconstruct/index.ts';
import { DenseFlowEstimator } from '../../../src/shared/vision/index.ts';

const flow = new DenseFlowEstimator();

async function drain(req: ClipRequest, mode: 'prediction' | 'interpolation' = 'interpolation') {
  const out = [];
  for await (const f of createReconstructor(mode, flow).reconstruct(req)) out.push(f);
  return out;
}

function gradient(width: number, height: number, phase: number) {
  const f = makeFrame(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = 128 + 100 * Math.sin((x + phase) / 5) * Math.cos(y / 7);
      f.data.fill(Math.round(v), (y * width + x) * 3, (y * width + x) * 3 + 3);
    }
  }
  return f;
}

describe('ClipRequest contract', () => {
  it('rejects a non-positive or fractional length', async () => {
    const first = gradient(32, 20, 0);
    await expect(drain({ mode: 'interpolation', first, length: 0, text: '', seed: 0 })).rejects.toMatchObject({ code: 'internal' });
    await expect(drain({ mode: 'interpolation', first, length: 2.5, text: '', seed: 0 })).rejects.toMatchObject({ code: 'internal' });
  });

  it('rejects keyframes of different sizes', async () => {
    const req: ClipRequest = { mode: 'interpolation', first: gradient(32, 20, 0), next: gradient(20, 32, 0), length: 3, text: '', seed: 0 };
    await expect(drain(req)).rejects.toThrow(/next keyframe is 20x32/);
  });

  it('yields exactly `length` frames of the keyframe size in both modes', async () => {
    const first = gradient(40, 24, 0);
    const next = gradient(40, 24, 3);
    for (const length of [1, 2, 7]) {
      const a = await drain({ mode: 'interpolation', first, next, length, text: '', seed: 0 });
      const b = await drain({ mode: 'prediction', first, previous: { frame: next, distance: 2 }, length, text: '', seed: 0 }, 'prediction');
      for (const out of [a, b]) {
        expect(out).toHaveLength(length);
        for (const f of out) expect([f.width, f.height, f.data.length]).toEqual([40, 24, 40 * 24 * 3]);
        expect(out[0].data).toEqual(first.data);
      }
    }
  });

  it('refuses to start when already cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    const first = gradient(32, 20, 0);
    await expect(drain({ mode: 'prediction', first, length: 3, text: '', seed: 0, signal: ac.signal }, 'prediction')).rejects.toMatchObject({
      code: 'cancelled',
    });
  });
});
