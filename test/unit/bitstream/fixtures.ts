/** Test helpers: a seeded PRNG and generators of valid `.m3c` files. */
import { crc32 } from '../../../src/shared/bitstream/crc32.ts';
import { decodeVarint, encodeVarint } from '../../../src/shared/bitstream/varint.ts';
import { describeSections, writeM3c } from '../../../src/shared/bitstream/index.ts';
import type { M3cClip, M3cHeader, SelectionStrategy } from '../../../src/shared/bitstream/index.ts';

/** xorshift32: deterministic across machines, enough spread for fuzzing. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  /** Uniform-ish integer in lo..hi inclusive (hi - lo < 2^32). */
  int(lo: number, hi: number): number {
    return lo + Math.floor((this.next() / 0x1_0000_0000) * (hi - lo + 1));
  }
  bool(): boolean {
    return (this.next() & 1) === 1;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.next() & 0xff;
    return out;
  }
  ascii(minLength: number, maxLength: number): string {
    let s = '';
    const n = this.int(minLength, maxLength);
    for (let i = 0; i < n; i++) s += String.fromCharCode(this.int(0x20, 0x7e));
    return s;
  }
}

export interface FileInput {
  header: M3cHeader;
  clips: M3cClip[];
}

export const STRATEGIES: readonly SelectionStrategy[] = ['motion-semantic', 'semantic', 'fixed'];

/** A random valid file; `maxClips` and `maxPayload` keep sizes test-friendly. */
export function randomFile(rng: Rng, maxClips = 12, maxPayload = 300): FileInput {
  const clipCount = rng.int(1, maxClips);
  const lengths = Array.from({ length: clipCount }, () => (rng.int(0, 9) === 0 ? rng.int(1, 100_000) : rng.int(1, 40)));
  const frameCount = lengths.reduce((a, b) => a + b, 0);
  const fpsDen = rng.pick([1, 1, 1001, rng.int(1, 1001)]);
  // 0.1..240 fps.
  const fpsNum = rng.int(Math.ceil(fpsDen / 10), 240 * fpsDen);
  const strategy = rng.pick(STRATEGIES);
  const uint32 = (): number => (rng.bool() ? rng.int(0, 5000) : rng.next());
  const header: M3cHeader = {
    width: 2 * rng.int(8, 4096),
    height: 2 * rng.int(8, 4096),
    fpsNum,
    fpsDen,
    frameCount,
    modelPackId: rng.ascii(1, 64),
    modelPackHash: rng.bytes(8),
    keyframeCodecId: rng.ascii(1, 64),
    reconstructorId: rng.ascii(1, 64),
    textCoderId: rng.ascii(1, 64),
    params: {
      strategy,
      lambda1Milli: uint32(),
      lambda2Milli: uint32(),
      thresholdMilli: uint32(),
      interval: strategy === 'fixed' ? rng.int(1, 0xffff_ffff) : 0,
      keyframeBudgetBytes: uint32(),
    },
  };
  const payload = (): Uint8Array => rng.bytes(rng.int(0, 3) === 0 ? 0 : rng.int(0, maxPayload));
  let firstFrame = 0;
  const clips: M3cClip[] = lengths.map((length) => {
    const clip: M3cClip = {
      firstFrame,
      length,
      mode: rng.bool() ? 'interpolation' : 'prediction',
      keyframe: payload(),
      keyframeText: payload(),
      clipText: payload(),
    };
    firstFrame += length;
    return clip;
  });
  return { header, clips };
}

/** What the classical encoder writes for a 10 s clip at 8 fps: 5 clips of 16 frames. */
export function typicalFile(rng = new Rng(7)): FileInput {
  const clips: M3cClip[] = Array.from({ length: 5 }, (_, i) => ({
    firstFrame: i * 16,
    length: 16,
    mode: 'interpolation',
    keyframe: rng.bytes(600),
    keyframeText: rng.bytes(40),
    clipText: rng.bytes(30),
  }));
  return {
    header: {
      width: 512,
      height: 320,
      fpsNum: 8,
      fpsDen: 1,
      frameCount: 80,
      modelPackId: 'm3c-classical-1',
      modelPackHash: Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 0x01, 0x23, 0x45, 0x67]),
      keyframeCodecId: 'classical-av1-v1',
      reconstructorId: 'classical-flow-blend-v1',
      textCoderId: 'text-range-v1',
      params: { strategy: 'motion-semantic', lambda1Milli: 1000, lambda2Milli: 250, thresholdMilli: 300, interval: 0, keyframeBudgetBytes: 800 },
    },
    clips,
  };
}

/** The named field of the named section, found through describeSections. */
export function findField(bytes: Uint8Array, section: string, field: string): { sectionOffset: number; offset: number; size: number } {
  const s = describeSections(bytes).sections.find((x) => x.name === section);
  const f = s?.fields.find((x) => x.name === field);
  if (!s || !f) throw new Error(`no field ${field} in section ${section}`);
  return { sectionOffset: s.offset, offset: f.offset, size: f.size };
}

/** Replaces one field's bytes (any new length) and re-frames its section so the CRC still holds. */
export function replaceField(bytes: Uint8Array, section: string, field: string, value: readonly number[]): Uint8Array {
  const f = findField(bytes, section, field);
  const d = decodeVarint(bytes, f.sectionOffset, bytes.length);
  if (!d.ok) throw new Error('bad section prefix');
  const at = f.offset - (f.sectionOffset + d.size);
  return rewriteSection(bytes, f.sectionOffset, (fields) => concat(fields.subarray(0, at), Uint8Array.from(value), fields.subarray(at + f.size)));
}

/**
 * Returns a copy of `bytes` whose section at `offset` has its fields replaced by `edit(fields)`,
 * with a fresh length prefix and CRC: lets a test plant values that only validation can catch.
 */
export function rewriteSection(bytes: Uint8Array, offset: number, edit: (fields: Uint8Array) => Uint8Array): Uint8Array {
  const d = decodeVarint(bytes, offset, bytes.length);
  if (!d.ok) throw new Error('no section at that offset');
  const fieldsStart = offset + d.size;
  const fields = edit(bytes.slice(fieldsStart, fieldsStart + d.value));
  const prefix: number[] = [];
  encodeVarint(fields.length, prefix);
  const section = Uint8Array.from([...prefix, ...fields, 0, 0, 0, 0]);
  const crc = crc32(section.subarray(0, section.length - 4));
  section.set([crc & 0xff, (crc >>> 8) & 0xff, (crc >>> 16) & 0xff, crc >>> 24], section.length - 4);
  return concat(bytes.subarray(0, offset), section, bytes.subarray(fieldsStart + d.value + 4));
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Index of the first differing byte, or -1; vitest's deep equality is too slow on large arrays. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/** Fuzzing: valid files to damage, with the offsets of their checksummed sections. */
export interface Base {
  bytes: Uint8Array;
  /** Offsets of its checksummed sections. */
  sections: { offset: number }[];
}

export function baseFiles(rng: Rng): Base[] {
  const oneEmptyClip = typicalFile();
  oneEmptyClip.header.frameCount = 3;
  oneEmptyClip.clips = [{ firstFrame: 0, length: 3, mode: 'prediction', keyframe: new Uint8Array(0), keyframeText: new Uint8Array(0), clipText: new Uint8Array(0) }];
  const files = [writeM3c(typicalFile(rng)), writeM3c(oneEmptyClip), writeM3c(randomFile(rng, 4, 20)), writeM3c(randomFile(rng, 20, 6)), writeM3c(randomFile(rng, 3, 200))];
  return files.map(toBase);
}

/** A valid file as a fuzzing base. */
export function toBase(bytes: Uint8Array): Base {
  return { bytes, sections: describeSections(bytes).sections.filter((s) => s.name !== 'preamble') };
}

/** Applies one random damage; some kinds re-frame a section so the parser gets past its CRC. */
export function mutate(rng: Rng, bases: readonly Base[]): Uint8Array {
  const { bytes: src, sections } = rng.pick(bases);
  const b = src.slice();
  const pos = rng.int(0, b.length - 1);
  switch (rng.int(0, 7)) {
    case 0: {
      for (let n = rng.int(1, 3); n > 0; n--) {
        const bit = rng.int(0, b.length * 8 - 1);
        b[bit >> 3] ^= 1 << (bit & 7);
      }
      return b;
    }
    case 1:
      b[pos] = rng.int(0, 255);
      return b;
    case 2:
      return concat(b.subarray(0, pos), rng.bytes(rng.int(1, 8)), b.subarray(pos));
    case 3:
      return concat(b.subarray(0, pos), b.subarray(Math.min(b.length, pos + rng.int(1, 8))));
    case 4: {
      const other = rng.pick(bases).bytes;
      return concat(b.subarray(0, pos), other.subarray(rng.int(0, other.length)));
    }
    case 5:
      return b.subarray(0, rng.int(0, b.length));
    case 6: {
      const end = rng.int(pos, b.length);
      return concat(b.subarray(0, end), b.subarray(pos, end), b.subarray(end));
    }
    default: {
      const s = rng.pick(sections);
      return rewriteSection(src, s.offset, (fields) => {
        if (fields.length === 0 || rng.int(0, 3) === 0) return concat(fields, rng.bytes(rng.int(0, 3)));
        const f = fields.slice();
        const at = rng.int(0, f.length - 1);
        if (rng.bool()) f[at] = rng.int(0, 255);
        else return concat(f.subarray(0, at), f.subarray(at + 1));
        return f;
      });
    }
  }
}
