import { describe, expect, it } from 'vitest';
import {
  AdaptiveModel,
  BinaryModel,
  MAX_ALPHABET,
  MAX_UINT,
  RangeDecoder,
  RangeEncoder,
  StaticModel,
} from '../../../src/shared/entropy/index.ts';
import { Prng } from './prng.ts';

type Op =
  | { kind: 'adaptive'; model: number; symbol: number }
  | { kind: 'static'; symbol: number }
  | { kind: 'bit'; model: number; bit: number }
  | { kind: 'prob'; p1: number; bit: number }
  | { kind: 'bits'; value: number; nbits: number }
  | { kind: 'uint'; value: number };

const STATIC_COUNTS = [7, 0, 1, 300, 0, 55, 2, 1];
const STATIC_CODABLE = [0, 2, 3, 5, 6, 7];

function randomOps(rng: Prng, count: number, sizes: number[]): Op[] {
  const ops: Op[] = [];
  for (let i = 0; i < count; i++) {
    switch (rng.int(6)) {
      case 0: {
        const model = rng.int(sizes.length);
        // Skew half the time so adaptation matters.
        const symbol = rng.int(2) === 0 ? rng.int(sizes[model]) : Math.min(sizes[model] - 1, rng.int(3));
        ops.push({ kind: 'adaptive', model, symbol });
        break;
      }
      case 1:
        ops.push({ kind: 'static', symbol: STATIC_CODABLE[rng.int(STATIC_CODABLE.length)] });
        break;
      case 2:
        ops.push({ kind: 'bit', model: rng.int(3), bit: rng.int(4) === 0 ? 1 : 0 });
        break;
      case 3:
        ops.push({ kind: 'prob', p1: 1 + rng.int(65535), bit: rng.int(2) });
        break;
      case 4: {
        const nbits = rng.int(54);
        const value = nbits === 0 ? 0 : Math.floor((rng.next() * 2 ** 21 + (rng.next() >>> 11)) / 2 ** (53 - nbits));
        ops.push({ kind: 'bits', value, nbits });
        break;
      }
      default: {
        const magnitude = rng.int(54);
        ops.push({ kind: 'uint', value: Math.min(MAX_UINT, Math.floor(rng.next() / 2 ** 32 * 2 ** magnitude)) });
      }
    }
  }
  return ops;
}

function encodeOps(ops: Op[], sizes: number[]): Uint8Array {
  const enc = new RangeEncoder();
  const adaptive = sizes.map((n) => new AdaptiveModel(n, { increment: 16 + n }));
  const stat = new StaticModel(STATIC_COUNTS);
  const bits = [new BinaryModel(), new BinaryModel({ shift: 2 }), new BinaryModel({ shift: 7, p1: 100 })];
  for (const op of ops) {
    if (op.kind === 'adaptive') enc.encode(adaptive[op.model], op.symbol);
    else if (op.kind === 'static') enc.encode(stat, op.symbol);
    else if (op.kind === 'bit') enc.encodeBit(bits[op.model], op.bit);
    else if (op.kind === 'prob') enc.encodeBitProb(op.bit, op.p1);
    else if (op.kind === 'bits') enc.encodeBits(op.value, op.nbits);
    else enc.encodeUInt(op.value);
  }
  return enc.finish();
}

function decodeOps(bytes: Uint8Array, ops: Op[], sizes: number[]): { values: number[]; clean: boolean } {
  const dec = new RangeDecoder(bytes);
  const adaptive = sizes.map((n) => new AdaptiveModel(n, { increment: 16 + n }));
  const stat = new StaticModel(STATIC_COUNTS);
  const bits = [new BinaryModel(), new BinaryModel({ shift: 2 }), new BinaryModel({ shift: 7, p1: 100 })];
  const values: number[] = [];
  for (const op of ops) {
    if (op.kind === 'adaptive') values.push(dec.decode(adaptive[op.model]));
    else if (op.kind === 'static') values.push(dec.decode(stat));
    else if (op.kind === 'bit') values.push(dec.decodeBit(bits[op.model]));
    else if (op.kind === 'prob') values.push(dec.decodeBitProb(op.p1));
    else if (op.kind === 'bits') values.push(dec.decodeBits(op.nbits));
    else values.push(dec.decodeUInt());
  }
  return { values, clean: dec.endsCleanly() };
}

function expected(op: Op): number {
  switch (op.kind) {
    case 'adaptive':
    case 'static':
      return op.symbol;
    case 'bit':
    case 'prob':
      return op.bit;
    case 'bits':
    case 'uint':
      return op.value;
  }
}

/** FNV-1a over bytes, to pin the exact output format. */
function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

describe('range coder round trips', () => {
  it('decodes random mixes of models, bits, raw probabilities and integers over 300 seeds', () => {
    const sizes = [1, 2, 3, 17, 256, 1000];
    for (let seed = 1; seed <= 300; seed++) {
      const rng = new Prng(seed);
      const ops = randomOps(rng, rng.int(400), sizes);
      const bytes = encodeOps(ops, sizes);
      const { values, clean } = decodeOps(bytes, ops, sizes);
      expect(values, `seed ${seed}`).toEqual(ops.map(expected));
      expect(clean, `seed ${seed}`).toBe(true);
    }
  });

  it('encodes nothing as zero bytes and decodes an empty input cleanly', () => {
    expect(new RangeEncoder().finish().length).toBe(0);
    expect(new RangeDecoder(new Uint8Array(0)).endsCleanly()).toBe(true);
  });

  it('spends no bytes on a one-symbol alphabet and almost none on a constant source', () => {
    const enc = new RangeEncoder();
    const one = new AdaptiveModel(1);
    for (let i = 0; i < 10000; i++) enc.encode(one, 0);
    expect(enc.finish().length).toBe(0);

    const enc2 = new RangeEncoder();
    const m = new AdaptiveModel(256);
    for (let i = 0; i < 10000; i++) enc2.encode(m, 255);
    const bytes = enc2.finish();
    // Adaptive 256-ary model at its frequency limit: about 0.04 bits per symbol.
    expect(bytes.length).toBeLessThan(80);
    const dec = new RangeDecoder(bytes);
    const m2 = new AdaptiveModel(256);
    for (let i = 0; i < 10000; i++) expect(dec.decode(m2)).toBe(255);
    expect(dec.endsCleanly()).toBe(true);
  });

  it('handles the largest alphabet, its extreme symbols, and widths of 0 and 53 bits', () => {
    const rng = new Prng(99);
    const symbols = Array.from({ length: 3000 }, (_, i) => (i % 3 === 0 ? MAX_ALPHABET - 1 : i % 3 === 1 ? 0 : rng.int(MAX_ALPHABET)));
    const enc = new RangeEncoder();
    const m = new AdaptiveModel(MAX_ALPHABET, { increment: 1 });
    for (const s of symbols) enc.encode(m, s);
    enc.encodeBits(2 ** 53 - 1, 53);
    enc.encodeBits(0, 0);
    enc.encodeBits(0, 53);
    enc.encodeUInt(MAX_UINT);
    enc.encodeUInt(0);
    const bytes = enc.finish();
    const dec = new RangeDecoder(bytes);
    const m2 = new AdaptiveModel(MAX_ALPHABET, { increment: 1 });
    expect(symbols.map(() => dec.decode(m2))).toEqual(symbols);
    expect(dec.decodeBits(53)).toBe(2 ** 53 - 1);
    expect(dec.decodeBits(0)).toBe(0);
    expect(dec.decodeBits(53)).toBe(0);
    expect(dec.decodeUInt()).toBe(MAX_UINT);
    expect(dec.decodeUInt()).toBe(0);
    expect(dec.endsCleanly()).toBe(true);
  });

  it('produces the same bytes as when the format was fixed', () => {
    const sizes = [3, 256];
    const ops = randomOps(new Prng(2024), 500, sizes);
    const bytes = encodeOps(ops, sizes);
    expect({ length: bytes.length, fnv: fnv1a(bytes) }).toEqual({ length: 784, fnv: 3777382163 });
  });
});

describe('range coder efficiency', () => {
  function entropyBits(probs: number[], symbols: number[]): number {
    return symbols.reduce((sum, s) => sum - Math.log2(probs[s]), 0);
  }

  function sample(rng: Prng, counts: number[], n: number): number[] {
    const total = counts.reduce((a, b) => a + b, 0);
    return Array.from({ length: n }, () => {
      let r = rng.int(total);
      let s = 0;
      while (r >= counts[s]) r -= counts[s++];
      return s;
    });
  }

  it('codes a skewed source within 1% of its information content with a static model', () => {
    const counts = [6000, 2000, 1000, 500, 250, 125, 60, 30, 20, 10, 3, 1, 1];
    const symbols = sample(new Prng(7), counts, 50000);
    const enc = new RangeEncoder();
    const m = new StaticModel(counts);
    for (const s of symbols) enc.encode(m, s);
    const bits = enc.finish().length * 8;
    const total = counts.reduce((a, b) => a + b, 0);
    const ideal = entropyBits(counts.map((c) => c / total), symbols);
    expect(bits / ideal).toBeLessThan(1.01);
    expect(bits / ideal).toBeGreaterThan(0.98);
  });

  it('codes a skewed source within 3% of its empirical entropy with an adaptive model', () => {
    const counts = [900, 50, 20, 10, 10, 5, 3, 1, 1];
    const symbols = sample(new Prng(8), counts, 50000);
    const enc = new RangeEncoder();
    const m = new AdaptiveModel(counts.length, { increment: 32 });
    for (const s of symbols) enc.encode(m, s);
    const bits = enc.finish().length * 8;
    const hist = counts.map((_, i) => symbols.filter((s) => s === i).length / symbols.length);
    const empirical = entropyBits(hist, symbols);
    expect(bits / empirical).toBeLessThan(1.03);
  });

  it('codes biased bits close to their entropy with a binary model', () => {
    const rng = new Prng(9);
    const bitsIn = Array.from({ length: 100000 }, () => (rng.int(100) < 5 ? 1 : 0));
    const enc = new RangeEncoder();
    const m = new BinaryModel({ shift: 7 });
    for (const b of bitsIn) enc.encodeBit(m, b);
    const size = enc.finish().length * 8;
    const ones = bitsIn.reduce((a: number, b) => a + b, 0) / bitsIn.length;
    const h = -(ones * Math.log2(ones) + (1 - ones) * Math.log2(1 - ones)) * bitsIn.length;
    expect(size / h).toBeLessThan(1.04);
  });

  it('spends exactly the raw width on equiprobable bits, up to the flush', () => {
    const rng = new Prng(10);
    const enc = new RangeEncoder();
    for (let i = 0; i < 4000; i++) enc.encodeBits(rng.int(65536), 16);
    expect(enc.finish().length).toBeLessThanOrEqual(8000 + 4);
  });
});

describe('range decoder on bad input', () => {
  it('terminates on empty, random and truncated input and reports it as unclean', () => {
    const rng = new Prng(11);
    const sizes = [5, 256];
    const ops = randomOps(rng, 2000, sizes);
    const good = encodeOps(ops, sizes);
    const inputs = [new Uint8Array(0), rng.bytes(3), rng.bytes(700), good.subarray(0, good.length >> 1)];
    for (const input of inputs) {
      const { clean } = decodeOps(input, ops, sizes);
      expect(clean).toBe(false);
    }
  });

  it('flags trailing bytes and heavy truncation', () => {
    const sizes = [5];
    const ops = randomOps(new Prng(12), 300, sizes);
    const good = encodeOps(ops, sizes);
    const padded = new Uint8Array(good.length + 5);
    padded.set(good);
    expect(decodeOps(good, ops, sizes).clean).toBe(true);
    expect(decodeOps(padded, ops, sizes).clean).toBe(false);
    expect(decodeOps(good.subarray(0, good.length - 5), ops, sizes).clean).toBe(false);
  });

  it('flags an impossible code value on an all-0xFF stream without hanging', () => {
    const dec = new RangeDecoder(new Uint8Array(64).fill(0xff));
    for (let i = 0; i < 100; i++) dec.decodeBits(16);
    expect(dec.endsCleanly()).toBe(false);
    expect(dec.overrun).toBeGreaterThan(0);
  });
});

describe('range coder argument checks', () => {
  it('rejects symbols outside the model and zero-frequency symbols', () => {
    const enc = new RangeEncoder();
    expect(() => enc.encode(new AdaptiveModel(4), 4)).toThrow(RangeError);
    expect(() => enc.encode(new StaticModel([1, 0, 1]), 1)).toThrow(/zero frequency/);
    expect(() => enc.encodeBits(8, 3)).toThrow(RangeError);
    expect(() => enc.encodeBits(1, 54)).toThrow(RangeError);
    expect(() => enc.encodeUInt(-1)).toThrow(RangeError);
    expect(() => enc.encodeUInt(MAX_UINT + 1)).toThrow(RangeError);
    expect(() => enc.encodeBitProb(1, 0)).toThrow(RangeError);
    expect(() => enc.encodeBitProb(1, 65536)).toThrow(RangeError);
  });

  it('refuses use after finish', () => {
    const enc = new RangeEncoder();
    enc.encodeBits(3, 2);
    enc.finish();
    expect(() => enc.encodeBits(1, 1)).toThrow(/after finish/);
  });
});
