import { describe, expect, it } from 'vitest';
import { aspectSizes, gridTrials, keptFrames, obuBytes, paretoEnvelope, preferredEncoder, repeatMap } from '../../../src/main/codecs/anchor-search.ts';

describe('anchor search helpers', () => {
  it('aspectSizes spans 64x40 to 512x320 at 8:5 with even sides', () => {
    const sizes = aspectSizes({ width: 512, height: 320 }, 64, 7);
    expect(sizes[0]).toEqual({ width: 64, height: 40 });
    expect(sizes[sizes.length - 1]).toEqual({ width: 512, height: 320 });
    for (const s of sizes) {
      expect(s.width % 2).toBe(0);
      expect(s.height % 2).toBe(0);
      expect(Math.abs(s.width / s.height - 1.6)).toBeLessThan(0.05);
    }
    for (let i = 1; i < sizes.length; i++) expect(sizes[i].width).toBeGreaterThan(sizes[i - 1].width);
  });

  it('keptFrames drops frames to the coded rate and repeatMap holds them back to the working rate', () => {
    const w = { num: 8, den: 1 };
    expect(keptFrames(10, w, { num: 8, den: 1 })).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(keptFrames(10, w, { num: 4, den: 1 })).toEqual([0, 2, 4, 6, 8]);
    expect(keptFrames(10, w, { num: 2, den: 1 })).toEqual([0, 4, 8]);
    expect(repeatMap(10, w, { num: 2, den: 1 })).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2]);
    expect(repeatMap(5, w, { num: 4, den: 1 })).toEqual([0, 0, 1, 1, 2]);
    // A rate that does not divide the working one: 3 fps of 8 keeps frames 0, 2, 5, 8.
    expect(keptFrames(9, w, { num: 3, den: 1 })).toEqual([0, 2, 5, 8]);
    expect(repeatMap(9, w, { num: 3, den: 1 })).toEqual([0, 0, 1, 1, 1, 2, 2, 2, 3]);
  });

  it('obuBytes splits a low-overhead OBU stream by type', () => {
    // temporal delimiter (0x12 0x00), a 3-byte sequence header (type 1: 0x0a), a 4-byte frame (type 6: 0x32).
    const stream = Uint8Array.from([0x12, 0x00, 0x0a, 0x03, 1, 2, 3, 0x32, 0x04, 9, 9, 9, 9, 0x12, 0x00]);
    expect(obuBytes(stream)).toEqual({ total: 15, sequenceHeader: 5, temporalDelimiter: 4, frame: 6, other: 0 });
    expect(() => obuBytes(Uint8Array.from([0x32, 0x09, 1]))).toThrow(/past the end/);
    expect(() => obuBytes(Uint8Array.from([0x30, 0x00]))).toThrow(/no size field/);
  });

  it('prefers SVT-AV1 and falls back to libaom below 64 px or when SVT-AV1 is missing', () => {
    const both = new Set(['libsvtav1', 'libaom-av1']);
    const t = (width: number, height: number) => ({ width, height, fps: { num: 4, den: 1 }, crf: 63 });
    expect(preferredEncoder(t(128, 80), both)).toEqual({ encoder: 'libsvtav1' });
    expect(preferredEncoder(t(64, 40), both)).toMatchObject({ encoder: 'libaom-av1', fallback: expect.stringMatching(/64/) });
    expect(preferredEncoder(t(128, 80), new Set(['libaom-av1']))).toMatchObject({ encoder: 'libaom-av1', fallback: expect.stringMatching(/not in/) });
    expect(() => preferredEncoder(t(128, 80), new Set())).toThrow(/neither/);
  });

  it('gridTrials orders size, then frame rate, then CRF', () => {
    const trials = gridTrials({ sizes: [{ width: 64, height: 40 }, { width: 128, height: 80 }], fps: [{ num: 4, den: 1 }], crfs: [63, 50] });
    expect(trials.map((x) => `${x.width}:${x.crf}`)).toEqual(['64:63', '64:50', '128:63', '128:50']);
  });

  it('paretoEnvelope works on any item type through accessors', () => {
    const items = [3, 1, 2];
    // rate = item, quality = 10 - (item - 2)^2: 1 -> 9, 2 -> 10, 3 -> 9 (dominated by 2).
    expect(paretoEnvelope(items, (i) => i, (i) => 10 - (i - 2) ** 2)).toEqual([1, 2]);
  });
});
