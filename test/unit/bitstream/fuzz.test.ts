import { describe, expect, it } from 'vitest';
import { describeSections, parseM3c, writeM3c } from '../../../src/shared/bitstream/index.ts';
import type { M3cParseErrorKind, ParseOptions } from '../../../src/shared/bitstream/index.ts';
import { baseFiles, concat, firstDifference, mutate, Rng } from './fixtures.ts';

const KINDS: readonly M3cParseErrorKind[] = [
  'wrong-magic',
  'unsupported-version',
  'truncated',
  'checksum-mismatch',
  'out-of-range',
  'unknown-model-pack',
  'trailing-data',
];

interface Tally {
  calls: number;
  /** Time spent inside parseM3c and describeSections only. */
  parserMs: number;
  ok: number;
  kinds: Set<M3cParseErrorKind>;
  failures: string[];
}

function check(bytes: Uint8Array, options: ParseOptions | undefined, t: Tally): void {
  t.calls++;
  const fail = (why: string): void => {
    if (t.failures.length < 10) t.failures.push(`${why} (input ${bytes.length} bytes: ${Array.from(bytes.subarray(0, 48)).join(',')})`);
  };
  let r: ReturnType<typeof parseM3c>;
  const start = performance.now();
  try {
    r = parseM3c(bytes, options);
  } catch (e) {
    fail(`parseM3c threw ${String(e)}`);
    return;
  } finally {
    t.parserMs += performance.now() - start;
  }
  if (r.ok) {
    t.ok++;
    // Every accepted file is canonical, so writing it back reproduces the input exactly.
    if (firstDifference(writeM3c(r.file), bytes) !== -1) fail('re-serialised bytes differ');
  } else {
    const e = r.error;
    t.kinds.add(e.kind);
    if (!KINDS.includes(e.kind)) fail(`unknown kind ${e.kind}`);
    if (typeof e.message !== 'string' || e.message.length === 0 || e.message.includes('\n')) fail(`bad message ${JSON.stringify(e.message)}`);
    if (e.message.includes('internal parser error')) fail(`parser bug: ${e.message}`);
    if (e.offset !== undefined && !(Number.isInteger(e.offset) && e.offset >= 0 && e.offset <= bytes.length)) fail(`offset ${e.offset} outside the input`);
  }
  if (!options) {
    const before = performance.now();
    const layout = describeSections(bytes);
    t.parserMs += performance.now() - before;
    if (layout.ok !== r.ok || (!layout.ok && !r.ok && layout.error.kind !== r.error.kind)) fail('describeSections disagrees with parseM3c');
  }
}

describe('parser fuzzing', () => {
  it('returns ok or a typed error for 12,000 mutations, all truncations and random bytes, quickly', () => {
    const rng = new Rng(0xc0ffee);
    const bases = baseFiles(rng);
    const packs: ParseOptions = { knownModelPacks: new Map([['m3c-classical-1', Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 0x01, 0x23, 0x45, 0x67])]]) };
    const t: Tally = { calls: 0, parserMs: 0, ok: 0, kinds: new Set(), failures: [] };

    for (let i = 0; i < 12_000; i++) check(mutate(rng, bases), i % 4 === 0 ? packs : undefined, t);
    for (const { bytes: b } of bases) for (let n = 0; n <= b.length; n++) check(b.subarray(0, n), undefined, t);
    for (let i = 0; i < 2_000; i++) check(rng.bytes(rng.int(0, 200)), undefined, t);
    // Past the signature, so random bytes reach the section parser.
    for (let i = 0; i < 2_000; i++) check(concat(Uint8Array.of(0x4d, 0x33, 0x43, 0x01), rng.bytes(rng.int(0, 120))), undefined, t);

    expect(t.failures).toEqual([]);
    expect(t.calls).toBeGreaterThan(16_000);
    expect([...t.kinds].sort()).toEqual([...KINDS].sort());
    // Each intact base file parses, plus mutations that happen to stay valid.
    expect(t.ok).toBeGreaterThanOrEqual(bases.length);
    // ~35,000 parser calls: about 1 s on an idle 2-core machine, 3 s measured with the machine
    // loaded 5x over; the bound is loose enough for a busy CI yet catches any super-linear path.
    expect(t.parserMs).toBeLessThan(8_000);
  });
});
