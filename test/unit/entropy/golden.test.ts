/**
 * Golden bytes of the entropy coders. The learned keyframe codec stores token maps coded here, so
 * any change to a constant (flag contexts, model increments, range coder normalisation) changes
 * the bytes of existing .m3c files: such a change must fail here and needs a new codec id.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AdaptiveModel, BinaryModel, RangeDecoder, RangeEncoder, decodeTokenMap, encodeTokenMap } from '../../../src/shared/entropy/index.ts';
import { Prng } from './prng.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** A 32x20 map (the coarse grid) with regions and some texture, fixed by the seed. */
function fixedTokens(w: number, h: number, seed: number): Uint8Array {
  const rng = new Prng(seed);
  const t = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const region = y < h / 3 ? 17 : y < (2 * h) / 3 ? 40 + Math.floor((x * 4) / w) : 200 + ((x + y) % 3);
      t[y * w + x] = rng.int(100) < 15 ? rng.int(256) : region;
    }
  }
  return t;
}

/** A small prior like the learned count tables: more weight on low token values. */
const PRIOR = Array.from({ length: 256 }, (_, i) => 1 + ((i * 37) % 11) + (i < 64 ? 20 : 0));

describe('token-map coder golden bytes', () => {
  const small = Uint8Array.from([3, 3, 3, 7, 3, 3, 7, 7, 0, 0, 255, 7]);

  it('codes a 4x3 map to exactly these bytes', () => {
    const bytes = encodeTokenMap(small, 4, 3);
    expect(hex(bytes)).toBe('037a68028ab8e453');
    expect(decodeTokenMap(bytes, 4, 3)).toEqual({ ok: true, tokens: small });
  });

  it('codes the 32x20 map to a pinned digest, with and without a prior', () => {
    const tokens = fixedTokens(32, 20, 13);
    const plain = encodeTokenMap(tokens, 32, 20);
    const withPrior = encodeTokenMap(tokens, 32, 20, { prior: PRIOR });
    expect([plain.length, sha256(plain)]).toEqual([304, 'ac44d447eb31ab07e3b45acc7afbf1379bc29f34369c8235dc301d0d5d3164ed']);
    expect([withPrior.length, sha256(withPrior)]).toEqual([304, '02042dcf404e2442b5d72abc48166d6a6ff8f82a116015ecf679397a6ebc43c7']);
    expect(decodeTokenMap(plain, 32, 20)).toEqual({ ok: true, tokens });
    expect(decodeTokenMap(withPrior, 32, 20, { prior: PRIOR })).toEqual({ ok: true, tokens });
  });
});

describe('range coder golden bytes', () => {
  it('codes a fixed mix of symbols, bits, raw bits and integers to exactly these bytes', () => {
    const enc = new RangeEncoder();
    const model = new AdaptiveModel(16);
    const bit = new BinaryModel();
    const rng = new Prng(99);
    const script: [string, number][] = [];
    for (let i = 0; i < 200; i++) {
      const kind = i % 4;
      const v = kind === 0 ? rng.int(16) % (1 + (i % 5)) : kind === 1 ? (rng.int(10) < 8 ? 1 : 0) : kind === 2 ? rng.int(1 << 12) : rng.int(100_000);
      script.push([['sym', 'bit', 'bits', 'uint'][kind], v]);
      if (kind === 0) enc.encode(model, v);
      else if (kind === 1) enc.encodeBit(bit, v);
      else if (kind === 2) enc.encodeBits(v, 12);
      else enc.encodeUInt(v);
    }
    const bytes = enc.finish();
    expect([bytes.length, sha256(bytes)]).toEqual([221, '49485d8c818f9409662fa07d2996e93b689b5458412780c032caaa48bec3cee4']);
    expect(hex(bytes.subarray(0, 16))).toBe('0353cac0416d62e965542aefae360194');
    const dec = new RangeDecoder(bytes);
    const m2 = new AdaptiveModel(16);
    const b2 = new BinaryModel();
    for (const [kind, v] of script) {
      const got = kind === 'sym' ? dec.decode(m2) : kind === 'bit' ? dec.decodeBit(b2) : kind === 'bits' ? dec.decodeBits(12) : dec.decodeUInt();
      expect(got).toBe(v);
    }
  });
});
