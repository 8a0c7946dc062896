import { describe, expect, it } from 'vitest';
import { decodeVarint, encodeVarint, varintSize } from '../../../src/shared/bitstream/varint.ts';

function enc(v: number): number[] {
  const out: number[] = [];
  encodeVarint(v, out);
  return out;
}

describe('varint (LEB128, 32-bit)', () => {
  it('encodes boundaries in the expected number of bytes', () => {
    expect(enc(0)).toEqual([0]);
    expect(enc(127)).toEqual([0x7f]);
    expect(enc(128)).toEqual([0x80, 0x01]);
    expect(enc(300)).toEqual([0xac, 0x02]);
    expect(enc(16383)).toEqual([0xff, 0x7f]);
    expect(enc(16384)).toEqual([0x80, 0x80, 0x01]);
    expect(enc(0xffff_ffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    for (const v of [0, 127, 128, 16383, 16384, 2 ** 21 - 1, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 0xffff_ffff]) {
      expect(varintSize(v)).toBe(enc(v).length);
    }
  });

  it('round-trips values across the whole range', () => {
    const values = [0, 1, 127, 128, 255, 256, 16383, 16384, 2 ** 31 - 1, 2 ** 31, 0xffff_fffe, 0xffff_ffff];
    for (let v = 1; v < 2 ** 32; v = Math.floor(v * 1.7) + 1) values.push(v);
    for (const v of values) {
      const bytes = Uint8Array.from(enc(v));
      expect(decodeVarint(bytes, 0, bytes.length)).toEqual({ ok: true, value: v, size: bytes.length });
    }
  });

  it('refuses values it cannot encode', () => {
    for (const v of [-1, 2 ** 32, 1.5, Number.NaN, Infinity]) expect(() => enc(v)).toThrow(RangeError);
  });

  it('reports short, oversized and non-canonical input', () => {
    const d = (bytes: number[], end = bytes.length) => decodeVarint(Uint8Array.from(bytes), 0, end);
    expect(d([])).toEqual({ ok: false, problem: 'short' });
    expect(d([0x80, 0x80])).toEqual({ ok: false, problem: 'short' });
    // `end` bounds the read even when the array has more bytes.
    expect(d([0x80, 0x01], 1)).toEqual({ ok: false, problem: 'short' });
    expect(d([0xff, 0xff, 0xff, 0xff, 0x10])).toEqual({ ok: false, problem: 'too-large' });
    expect(d([0x80, 0x80, 0x80, 0x80, 0x80, 0x00])).toEqual({ ok: false, problem: 'too-large' });
    expect(d([0x80, 0x00])).toEqual({ ok: false, problem: 'non-canonical' });
    expect(d([0xff, 0x80, 0x00])).toEqual({ ok: false, problem: 'non-canonical' });
    expect(d([0x00])).toEqual({ ok: true, value: 0, size: 1 });
  });
});
