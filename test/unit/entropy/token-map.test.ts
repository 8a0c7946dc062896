import { describe, expect, it } from 'vitest';
import { decodeTokenMap, encodeTokenMap } from '../../../src/shared/entropy/index.ts';
import type { TokenMapOptions } from '../../../src/shared/entropy/index.ts';
import { Prng } from './prng.ts';

function roundTrip(tokens: Uint8Array, w: number, h: number, options?: TokenMapOptions): Uint8Array {
  const bytes = encodeTokenMap(tokens, w, h, options);
  const back = decodeTokenMap(bytes, w, h, options);
  expect(back).toEqual({ ok: true, tokens });
  return bytes;
}

function uniform(rng: Prng, w: number, h: number): Uint8Array {
  return rng.bytes(w * h);
}

/** Constant blocks of `block` x `block` tokens, each block a random token. */
function blocks(rng: Prng, w: number, h: number, block: number): Uint8Array {
  const seeds = rng.bytes(Math.ceil(w / block) * Math.ceil(h / block));
  const t = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) t[y * w + x] = seeds[Math.floor(y / block) * Math.ceil(w / block) + Math.floor(x / block)];
  }
  return t;
}

/** A few large regions (sky, ground, objects) with a fraction of tokens replaced by texture. */
function scene(rng: Prng, w: number, h: number, noisePercent: number): Uint8Array {
  const palette = Array.from({ length: 12 }, () => rng.int(256));
  const t = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const region = y < h / 3 ? 0 : y < (2 * h) / 3 ? 1 + Math.floor((x * 4) / w) : 5 + Math.floor(((x + y) * 3) / (w + h)) * 2;
      const textured = rng.int(100) < noisePercent;
      t[y * w + x] = textured ? palette[rng.int(12)] : palette[region];
    }
  }
  return t;
}

describe('token map coder', () => {
  it('round-trips random grids of many sizes and alphabets', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const rng = new Prng(seed);
      const w = rng.int(40);
      const h = rng.int(30);
      const alphabetSize = 1 + rng.int(256);
      const t = new Uint8Array(w * h);
      for (let i = 0; i < t.length; i++) t[i] = rng.int(3) === 0 && i > 0 ? t[i - 1] : rng.int(alphabetSize);
      roundTrip(t, w, h, { alphabetSize });
    }
  });

  it('handles empty, single-token, single-row and single-column maps', () => {
    expect(roundTrip(new Uint8Array(0), 0, 0).length).toBe(0);
    expect(roundTrip(new Uint8Array(0), 7, 0).length).toBe(0);
    roundTrip(new Uint8Array([255]), 1, 1);
    roundTrip(new Prng(4).bytes(50), 50, 1);
    roundTrip(new Prng(5).bytes(50), 1, 50);
    roundTrip(new Uint8Array(64 * 40).fill(255), 64, 40);
  });

  it('uses a learned prior, which shrinks maps that follow it', () => {
    const rng = new Prng(6);
    const prior = Array.from({ length: 256 }, (_, i) => (i < 16 ? 1000 : 1));
    const t = new Uint8Array(32 * 20).map(() => rng.int(16));
    const withPrior = roundTrip(t, 32, 20, { prior });
    const without = roundTrip(t, 32, 20);
    expect(withPrior.length).toBeLessThan(without.length * 0.85);
    expect(() => encodeTokenMap(t, 32, 20, { prior: [1, 2] })).toThrow(RangeError);
  });

  it('reports bits per token on synthetic maps', () => {
    const rng = new Prng(7);
    const cases: Array<[string, number, number, Uint8Array]> = [
      ['uniform random 32x20', 32, 20, uniform(rng, 32, 20)],
      ['uniform random 64x40', 64, 40, uniform(rng, 64, 40)],
      ['4x4 constant blocks 64x40', 64, 40, blocks(rng, 64, 40, 4)],
      ['2x2 constant blocks 32x20', 32, 20, blocks(rng, 32, 20, 2)],
      ['scene, 10% texture 64x40', 64, 40, scene(rng, 64, 40, 10)],
      ['scene, 30% texture 32x20', 32, 20, scene(rng, 32, 20, 30)],
    ];
    const bpt: Record<string, number> = {};
    for (const [name, w, h, t] of cases) bpt[name] = (roundTrip(t, w, h).length * 8) / (w * h);
    console.log('token map bits per token:', JSON.stringify(bpt, (_, v: unknown) => (typeof v === 'number' ? Number(v.toFixed(3)) : v)));
    expect(bpt['uniform random 32x20']).toBeGreaterThan(7.9);
    expect(bpt['uniform random 32x20']).toBeLessThan(8.3);
    expect(bpt['uniform random 64x40']).toBeLessThan(8.15);
    expect(bpt['4x4 constant blocks 64x40']).toBeLessThan(1.5);
    expect(bpt['2x2 constant blocks 32x20']).toBeLessThan(4);
    expect(bpt['scene, 10% texture 64x40']).toBeLessThan(2);
    expect(bpt['scene, 30% texture 32x20']).toBeLessThan(4.5);
  });

  it('returns an error value, never throws, for corrupt or truncated streams', () => {
    const rng = new Prng(8);
    const t = scene(rng, 32, 20, 20);
    const good = encodeTokenMap(t, 32, 20);
    let rejected = 0;
    const attempts = 200;
    for (let i = 0; i < attempts; i++) {
      const bad = i % 2 === 0 ? rng.bytes(rng.int(good.length * 2)) : good.subarray(0, Math.max(0, good.length - 5 - rng.int(good.length)));
      const r = decodeTokenMap(bad, 32, 20);
      if (!r.ok) rejected++;
      else expect(r.tokens.length).toBe(640);
    }
    // Truncation by more than the flush slack is always caught; random bytes usually are.
    expect(rejected).toBeGreaterThan(attempts * 0.6);
    const padded = new Uint8Array(good.length + 8);
    padded.set(good);
    expect(decodeTokenMap(padded, 32, 20).ok).toBe(false);
  });

  it('rejects mismatched sizes and out-of-alphabet tokens', () => {
    expect(() => encodeTokenMap(new Uint8Array(5), 2, 2)).toThrow(RangeError);
    expect(() => encodeTokenMap(new Uint8Array([0, 9]), 2, 1, { alphabetSize: 8 })).toThrow(/outside the alphabet/);
    expect(() => decodeTokenMap(new Uint8Array(0), -1, 2)).toThrow(RangeError);
  });
});
