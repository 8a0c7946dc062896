import { describe, expect, it } from 'vitest';
import { makeFrame } from '../../../src/shared/engine/frame.ts';
import { makeFlowField } from '../../../src/shared/vision/index.ts';
import { blendWarped } from '../../../src/shared/reconstruct/synthesis.ts';

function noise(width: number, height: number, seed: number) {
  const f = makeFrame(width, height);
  let s = seed;
  for (let i = 0; i < f.data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    f.data[i] = s >>> 24;
  }
  return f;
}

describe('blendWarped with a cross-fade mix', () => {
  const a = noise(32, 20, 1);
  const b = noise(32, 20, 2);
  const ga = makeFlowField(8, 5);
  const gb = makeFlowField(8, 5);
  ga.u.fill(1.5);
  gb.v.fill(-0.75);
  const alpha = new Float32Array(40).fill(0.3);

  it('weight 0 gives exactly the cross-fade', () => {
    const out = blendWarped(a, ga, b, gb, alpha, { warpWeight: new Float32Array(40), t: 0.25 });
    for (let i = 0; i < out.data.length; i++) expect(Math.abs(out.data[i] - (0.75 * a.data[i] + 0.25 * b.data[i]))).toBeLessThanOrEqual(0.5 + 1e-9);
  });

  it('weight 1 gives the warped blend unchanged, and 0.5 lies halfway', () => {
    const warped = blendWarped(a, ga, b, gb, alpha);
    const full = blendWarped(a, ga, b, gb, alpha, { warpWeight: new Float32Array(40).fill(1), t: 0.25 });
    expect(Buffer.from(full.data).equals(Buffer.from(warped.data))).toBe(true);
    const half = blendWarped(a, ga, b, gb, alpha, { warpWeight: new Float32Array(40).fill(0.5), t: 0.25 });
    for (let i = 0; i < half.data.length; i++) {
      const fade = 0.75 * a.data[i] + 0.25 * b.data[i];
      expect(Math.abs(half.data[i] - (warped.data[i] + fade) / 2)).toBeLessThanOrEqual(1);
    }
  });

  it('rejects a weight grid of the wrong size', () => {
    expect(() => blendWarped(a, ga, b, gb, alpha, { warpWeight: new Float32Array(39), t: 0.5 })).toThrow(RangeError);
  });
});
