import { describe, expect, it } from 'vitest';
import { crc32 } from '../../../src/shared/bitstream/index.ts';

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('crc32', () => {
  it('matches the IEEE known answers', () => {
    expect(crc32(ascii('123456789'))).toBe(0xcbf43926);
    expect(crc32(ascii('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(Uint8Array.of(0))).toBe(0xd202ef8d);
  });

  it('returns an unsigned value', () => {
    const v = crc32(ascii('123456789'));
    expect(v).toBeGreaterThan(0x7fffffff);
  });

  it('continues across chunks exactly as over the concatenation', () => {
    const data = ascii('123456789');
    for (let cut = 0; cut <= data.length; cut++) {
      expect(crc32(data.subarray(cut), crc32(data.subarray(0, cut)))).toBe(0xcbf43926);
    }
  });

  it('detects every single-bit flip of a message', () => {
    const data = ascii('M3C section body');
    const good = crc32(data);
    for (let bit = 0; bit < data.length * 8; bit++) {
      const bad = data.slice();
      bad[bit >> 3] ^= 1 << (bit & 7);
      expect(crc32(bad)).not.toBe(good);
    }
  });
});
