/**
 * Unsigned LEB128 bounded to 32-bit values (at most 5 bytes). Decoding accepts only the
 * shortest encoding, so every parsed file re-serialises to the same bytes.
 */
import { LIMITS } from './types.ts';

export const MAX_VARINT_BYTES = 5;

export function varintSize(value: number): number {
  let size = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 128)) size++;
  return size;
}

/** Appends the encoding of `value` (an integer in 0..2^32-1) to `out`. */
export function encodeVarint(value: number, out: number[]): void {
  if (!Number.isInteger(value) || value < 0 || value > LIMITS.maxUint32) {
    throw new RangeError(`varint value must be an integer in 0..${LIMITS.maxUint32} (got ${value})`);
  }
  let v = value;
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

export type VarintDecode =
  | { ok: true; value: number; size: number }
  | { ok: false; problem: 'short' | 'too-large' | 'non-canonical' };

/** Decodes the varint at `pos`, reading no byte at or past `end`. */
export function decodeVarint(bytes: Uint8Array, pos: number, end: number): VarintDecode {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    if (pos + i >= end) return { ok: false, problem: 'short' };
    const b = bytes[pos + i];
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) {
      if (i > 0 && b === 0) return { ok: false, problem: 'non-canonical' };
      if (value > LIMITS.maxUint32) return { ok: false, problem: 'too-large' };
      return { ok: true, value, size: i + 1 };
    }
    scale *= 128;
  }
  return { ok: false, problem: 'too-large' };
}
