import { describe, expect, it } from 'vitest';
import { GuideTrack } from '../../../src/shared/reconstruct/guide-track.ts';
import type { ClipReconstructor } from '../../../src/shared/engine/interfaces.ts';
import { makeFrame, type RgbFrame } from '../../../src/shared/engine/frame.ts';

const flat = (v: number): RgbFrame => {
  const f = makeFrame(8, 4);
  f.data.fill(v);
  return f;
};

/** A linear cross-fade standing in for the flow interpolation: enough to tell blended frames from held ones. */
const fade: ClipReconstructor = {
  id: 'test-fade',
  async *reconstruct({ first, next, length }) {
    for (let o = 0; o < length; o++) {
      const f = makeFrame(first.width, first.height);
      for (let i = 0; i < f.data.length; i++) f.data[i] = Math.round(first.data[i] + ((next!.data[i] - first.data[i]) * o) / length);
      yield f;
    }
  },
} as ClipReconstructor;

async function values(domainOf?: (j: number) => number): Promise<number[]> {
  const track = new GuideTrack({ coded: [flat(0), flat(40), flat(80)], indices: [0, 4, 8], frameCount: 10, width: 8, height: 4, interpolator: fade, ...(domainOf ? { domainOf } : {}) });
  const out: number[] = [];
  for (let j = 0; j < 10; j++) out.push((await track.take()).small.data[0]);
  return out;
}

describe('the guide track', () => {
  it('interpolates between coded frames and holds the last', async () => {
    expect(await values()).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 80]);
  });

  it('never blends across a change of domain: each frame holds the coded frame of its own domain', async () => {
    // Frames 0..5 warped (domain 1), 6.. not: between coded frames 4 and 8 nothing is blended.
    expect(await values((j) => (j <= 5 ? 1 : 0))).toEqual([0, 10, 20, 30, 40, 40, 80, 80, 80, 80]);
  });

  it('takeSmall and skip walk the same frames as take, without the upscale', async () => {
    const track = new GuideTrack({ coded: [flat(0), flat(40), flat(80)], indices: [0, 4, 8], frameCount: 10, width: 16, height: 8, interpolator: fade });
    const small = await track.takeSmall();
    expect([small.width, small.height, small.data[0]]).toEqual([8, 4, 0]);
    await track.skip(2);
    expect(track.next).toBe(3);
    expect((await track.takeSmall()).data[0]).toBe(30);
    const taken = await track.take();
    expect([taken.base.width, taken.small.data[0]]).toEqual([16, 40]);
    await track.skip(5);
    await expect(track.takeSmall()).rejects.toThrow(/only 10 frames/);
  });
});
