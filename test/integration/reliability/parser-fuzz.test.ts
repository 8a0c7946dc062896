/**
 * Reliability: at least 10,000 mutated and crafted files through the real parser, in-process and
 * deterministic (seeded). Random damage (the unit fuzz's mutations), then crafted cases: every
 * field of every section re-framed with varint edge values (so they pass the CRC), huge declared
 * lengths and counts, and headers of random varints. Only typed errors, each within a time bound.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_DECODE_LIMITS, describeSections, parseM3c } from '../../../src/shared/bitstream/index.ts';
import type { M3cParseErrorKind, ParseOptions } from '../../../src/shared/bitstream/index.ts';
import { encodeVarint } from '../../../src/shared/bitstream/varint.ts';
import { baseFiles, concat, mutate, replaceField, rewriteSection, Rng, typicalFile, type Base } from '../../unit/bitstream/fixtures.ts';
import { writeM3c } from '../../../src/shared/bitstream/index.ts';

const KINDS: readonly M3cParseErrorKind[] = ['wrong-magic', 'unsupported-version', 'truncated', 'checksum-mismatch', 'out-of-range', 'unknown-model-pack', 'trailing-data', 'exceeds-limits'];
const PACKS = new Map([['m3c-classical-1', Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 0x01, 0x23, 0x45, 0x67])]]);
const OPTIONS: readonly (ParseOptions | undefined)[] = [undefined, { limits: DEFAULT_DECODE_LIMITS }, { knownModelPacks: PACKS, limits: DEFAULT_DECODE_LIMITS }];

const varint = (v: number): number[] => {
  const out: number[] = [];
  encodeVarint(v, out);
  return out;
};

/** Varint edge cases: 0, the 1/2-byte boundary, non-shortest forms, 2^32-1, over 32 bits, 6 bytes, unterminated. */
const EDGE_VARINTS: readonly (readonly number[])[] = [
  [],
  [0x00],
  [0x01],
  [0x7f],
  [0x80, 0x01],
  [0x80, 0x00],
  [0xff, 0x7f],
  [0x80, 0x80, 0x00],
  varint(4096),
  varint(4098),
  varint(8192),
  varint(8194),
  varint(1001),
  varint(240_000),
  varint(108_001),
  varint(10_000_000),
  varint(10_000_001),
  varint(0xffff_ffff),
  [0xff, 0xff, 0xff, 0xff, 0x10],
  [0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
  [0xff, 0xff, 0xff, 0xff, 0xff],
];

interface Tally {
  cases: number;
  ok: number;
  kinds: Map<string, number>;
  maxMs: number;
  totalMs: number;
  failures: string[];
}

function check(bytes: Uint8Array, options: ParseOptions | undefined, t: Tally): void {
  t.cases++;
  const fail = (why: string): void => {
    if (t.failures.length < 10) t.failures.push(`${why} (input ${bytes.length} bytes: ${Array.from(bytes.subarray(0, 40)).join(',')})`);
  };
  const start = performance.now();
  let r: ReturnType<typeof parseM3c>;
  try {
    r = parseM3c(bytes, options);
  } catch (e) {
    fail(`threw ${String(e)}`);
    return;
  } finally {
    const ms = performance.now() - start;
    t.totalMs += ms;
    t.maxMs = Math.max(t.maxMs, ms);
  }
  if (r.ok) {
    t.ok++;
    t.kinds.set('ok', (t.kinds.get('ok') ?? 0) + 1);
    return;
  }
  const e = r.error;
  t.kinds.set(e.kind, (t.kinds.get(e.kind) ?? 0) + 1);
  if (!KINDS.includes(e.kind)) fail(`unknown kind ${e.kind}`);
  if (typeof e.message !== 'string' || e.message.length === 0 || e.message.includes('\n')) fail(`bad message ${JSON.stringify(e.message)}`);
  if (e.message.includes('internal parser error')) fail(`parser bug: ${e.message}`);
}

/** Every field of every section of `base`, replaced by `value` and re-framed. */
function crafted(base: Uint8Array, value: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const s of describeSections(base).sections) {
    if (s.name === 'preamble') continue;
    for (const f of s.fields) {
      if (f.name === 'section length' || f.name === 'crc-32') continue;
      out.push(replaceField(base, s.name, f.name, value));
    }
  }
  return out;
}

/** A header section of random varints (some edge values), behind a correct length and CRC. */
function randomHeader(rng: Rng, base: Base): Uint8Array {
  const header = base.sections[0];
  return rewriteSection(base.bytes, header.offset, () => {
    const fields: number[] = [];
    for (let i = rng.int(0, 24); i > 0; i--) fields.push(...(rng.int(0, 2) === 0 ? rng.pick(EDGE_VARINTS) : varint(rng.bool() ? rng.int(0, 300) : rng.next())));
    return Uint8Array.from(fields);
  });
}

/** A section length prefix (the raw bytes, not re-framed) replaced by a huge or odd value. */
function hugeLength(base: Base, sectionIndex: number, value: readonly number[]): Uint8Array {
  const s = base.sections[sectionIndex % base.sections.length];
  const b = base.bytes;
  let end = s.offset;
  while (end < b.length && b[end] & 0x80) end++;
  return concat(b.subarray(0, s.offset), Uint8Array.from(value), b.subarray(end + 1));
}

describe('reliability: the parser under 10,000+ hostile files', () => {
  it('gives ok or a typed one-line error for each, within a time bound per case', () => {
    const rng = new Rng(0x13131313);
    const bases = baseFiles(rng);
    // A small file to re-frame field by field (a handful of clips keeps the crafted set modest).
    const small = typicalFile(rng);
    small.clips = small.clips.slice(0, 2).map((c) => ({ ...c, keyframe: c.keyframe.subarray(0, 20) }));
    small.header.frameCount = 32;
    const smallBytes = writeM3c(small);
    const t: Tally = { cases: 0, ok: 0, kinds: new Map(), maxMs: 0, totalMs: 0, failures: [] };
    let n = 0;
    const opt = (): ParseOptions | undefined => OPTIONS[n++ % OPTIONS.length];

    for (let i = 0; i < 7_000; i++) check(mutate(rng, bases), opt(), t);
    for (const value of EDGE_VARINTS) for (const b of crafted(smallBytes, value)) check(b, opt(), t);
    for (let i = 0; i < 600; i++) check(crafted(smallBytes, varint(rng.next())).at(rng.int(0, 20)) ?? smallBytes, opt(), t);
    for (let i = 0; i < 2_500; i++) check(randomHeader(rng, rng.pick(bases)), opt(), t);
    for (let i = 0; i < 400; i++) check(hugeLength(rng.pick(bases), rng.int(0, 10), rng.pick(EDGE_VARINTS)), opt(), t);
    // Huge declared counts and lengths behind valid CRCs.
    for (const [section, field] of [['header', 'clip count'], ['header', 'frame count'], ['header', 'width'], ['clip 1', 'keyframe payload length'], ['clip 1', 'keyframe text length'], ['clip 2', 'length and mode']]) {
      for (const v of [0xffff_ffff, 0x7fff_ffff, 10_000_000, 1 << 24]) for (const o of OPTIONS) check(replaceField(smallBytes, section, field, varint(v)), o, t);
    }

    const figures = { cases: t.cases, ok: t.ok, kinds: Object.fromEntries(t.kinds), maxMs: Number(t.maxMs.toFixed(2)), totalMs: Math.round(t.totalMs) };
    console.log(`parser reliability: ${JSON.stringify(figures)}`);
    expect(t.failures).toEqual([]);
    expect(t.cases).toBeGreaterThanOrEqual(10_000);
    expect([...t.kinds.keys()].sort()).toEqual(['ok', ...KINDS].sort());
    // One parse is microseconds; 100 ms leaves room for a GC pause on a loaded CI machine.
    expect(t.maxMs).toBeLessThan(100);
    expect(t.totalMs).toBeLessThan(10_000);
  });
});
