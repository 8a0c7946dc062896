import { describe, expect, it } from 'vitest';
import { dominatesCloud, envelope, isMonotoneEnvelope, type RatePoint } from '../../../bench/rd/envelope.ts';

describe('envelope', () => {
  it('keeps the best quality reachable at each rate', () => {
    const cloud = [
      { kbps: 4, quality: 25, id: 'a' },
      { kbps: 2, quality: 22, id: 'b' },
      { kbps: 3, quality: 21, id: 'c' }, // beaten by b: dearer and worse
      { kbps: 2, quality: 23, id: 'd' }, // same rate as b, better
      { kbps: 6, quality: 25, id: 'e' }, // same quality as a, dearer
      { kbps: 8, quality: 27, id: 'f' },
    ];
    expect(envelope(cloud).map((p) => p.id)).toEqual(['d', 'a', 'f']);
  });

  it('is monotone in rate and dominates its cloud, on random clouds', () => {
    let seed = 12345;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let n = 0; n < 50; n++) {
      const cloud: RatePoint[] = Array.from({ length: 1 + Math.floor(rand() * 40) }, () => ({ kbps: 0.5 + rand() * 20, quality: 15 + rand() * 20 }));
      const env = envelope(cloud);
      expect(env.length).toBeGreaterThan(0);
      expect(isMonotoneEnvelope(env)).toBe(true);
      for (let i = 1; i < env.length; i++) expect(env[i].quality).toBeGreaterThan(env[i - 1].quality);
      expect(dominatesCloud(env, cloud)).toBe(true);
      expect(env.every((p) => cloud.includes(p))).toBe(true);
    }
  });

  it('drops points with non-finite figures and handles an empty cloud', () => {
    expect(envelope([])).toEqual([]);
    expect(envelope([{ kbps: NaN, quality: 30 }, { kbps: 1, quality: Infinity }, { kbps: 2, quality: 20 }])).toEqual([{ kbps: 2, quality: 20 }]);
  });

  it('isMonotoneEnvelope rejects falling quality or repeated rates', () => {
    expect(isMonotoneEnvelope([{ kbps: 1, quality: 20 }, { kbps: 2, quality: 19 }])).toBe(false);
    expect(isMonotoneEnvelope([{ kbps: 1, quality: 20 }, { kbps: 1, quality: 21 }])).toBe(false);
    expect(isMonotoneEnvelope([{ kbps: 1, quality: 20 }, { kbps: 2, quality: 21 }])).toBe(true);
  });
});
