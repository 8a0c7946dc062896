import { describe, expect, it } from 'vitest';
import {
  AdaptiveModel,
  BinaryModel,
  ContextModels,
  MAX_TOTAL_FREQ,
  StaticModel,
  normalizeCounts,
} from '../../../src/shared/entropy/index.ts';
import { Prng } from './prng.ts';

describe('AdaptiveModel', () => {
  it('keeps cumulative frequencies consistent with find() through updates and rescales', () => {
    const rng = new Prng(3);
    const problems: string[] = [];
    for (const n of [1, 2, 7, 64, 300]) {
      const m = new AdaptiveModel(n, { increment: 200, limit: 4 * 1024 });
      const steps = n > 64 ? 100 : 2000;
      for (let step = 0; step < steps; step++) {
        if (m.total > 4 * 1024) problems.push(`n=${n} step=${step}: total ${m.total} over limit`);
        let cum = 0;
        for (let s = 0; s < n; s++) {
          if (m.low(s) !== cum) problems.push(`n=${n} step=${step}: low(${s}) ${m.low(s)} != ${cum}`);
          if (m.freq(s) < 1) problems.push(`n=${n} step=${step}: freq(${s}) is 0`);
          cum += m.freq(s);
        }
        if (cum !== m.total) problems.push(`n=${n} step=${step}: sum ${cum} != total ${m.total}`);
        const target = rng.int(m.total);
        const s = m.find(target);
        if (!(m.low(s) <= target && target < m.low(s) + m.freq(s))) problems.push(`n=${n}: find(${target}) = ${s}`);
        m.update(rng.int(3) === 0 ? rng.int(n) : 0);
      }
    }
    expect(problems.slice(0, 5)).toEqual([]);
  });

  it('starts from learned counts, scaled to its limit, with every symbol still codable', () => {
    const counts = Array.from({ length: 256 }, (_, i) => (i === 5 ? 1_000_000 : i % 2));
    const m = new AdaptiveModel(256, { initialCounts: counts });
    expect(m.total).toBeLessThanOrEqual(MAX_TOTAL_FREQ);
    expect(m.freq(5)).toBeGreaterThan(MAX_TOTAL_FREQ / 2);
    for (let s = 0; s < 256; s++) expect(m.freq(s)).toBeGreaterThanOrEqual(1);
  });

  it('rejects bad options', () => {
    expect(() => new AdaptiveModel(0)).toThrow(RangeError);
    expect(() => new AdaptiveModel(4, { limit: 7 })).toThrow(RangeError);
    expect(() => new AdaptiveModel(4, { increment: 0 })).toThrow(RangeError);
    expect(() => new AdaptiveModel(4, { initialCounts: [1, 2, 3] })).toThrow(RangeError);
    expect(() => new AdaptiveModel(2, { initialCounts: [1, 0.5] })).toThrow(RangeError);
  });
});

describe('StaticModel and normalizeCounts', () => {
  it('scales large tables under the coder total and keeps non-zero counts non-zero', () => {
    const counts = [2 ** 36, 1, 0, 12345678, 3];
    const f = normalizeCounts(counts, MAX_TOTAL_FREQ, 0);
    expect(Array.from(f).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(MAX_TOTAL_FREQ);
    expect(f[1]).toBe(1);
    expect(f[2]).toBe(0);
    expect(f[0]).toBeGreaterThan(f[3]);
    const m = new StaticModel(counts);
    expect(m.total).toBe(Array.from(f).reduce((a, b) => a + b, 0));
    for (let t = 0; t < m.total; t += 97) {
      const s = m.find(t);
      expect(m.freq(s)).toBeGreaterThan(0);
      expect(m.low(s) <= t && t < m.low(s) + m.freq(s)).toBe(true);
    }
  });

  it('keeps small tables exactly and rejects all-zero tables', () => {
    expect(Array.from(normalizeCounts([3, 0, 4], 100, 0))).toEqual([3, 0, 4]);
    expect(Array.from(normalizeCounts([3, 0, 4], 100, 1))).toEqual([3, 1, 4]);
    expect(() => new StaticModel([0, 0])).toThrow(/non-zero/);
  });
});

describe('BinaryModel and ContextModels', () => {
  it('adapts toward the observed bit and never reaches certainty', () => {
    const m = new BinaryModel({ shift: 3 });
    for (let i = 0; i < 1000; i++) m.update(1);
    expect(m.p1).toBeGreaterThan(65000);
    expect(m.p1).toBeLessThan(65536);
    for (let i = 0; i < 1000; i++) m.update(0);
    expect(m.p1).toBeGreaterThanOrEqual(1);
    expect(m.p1).toBeLessThan(500);
  });

  it('selects independent models by context and rejects unknown contexts', () => {
    const cm = new ContextModels(4, () => new BinaryModel());
    cm.at(2).update(1);
    expect(cm.at(2).p1).toBeGreaterThan(cm.at(1).p1);
    expect(cm.size).toBe(4);
    expect(() => cm.at(4)).toThrow(RangeError);
  });
});
