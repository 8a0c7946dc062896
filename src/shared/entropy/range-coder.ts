/**
 * Integer range coder (32-bit range, byte-wise output with carry propagation through a cached
 * byte and a run of pending 0xFF bytes, the scheme LZMA made popular).
 *
 * Every quantity is an integer held in a JS number and stays below 2^53, so all arithmetic is
 * exact; `Math.floor(a / b)` on such integers is exact integer division (IEEE division is
 * correctly rounded and a < 2^53 leaves the quotient's fraction representable), so encoder and
 * decoder agree bit for bit on every engine.
 *
 * Stream layout: the encoder drops the always-zero first byte and, at `finish`, picks the value
 * inside the final interval with the most trailing zero bytes and omits those (at most 4). The
 * decoder reads missing bytes as zeros, so a valid stream makes it request between 0 and 4 bytes
 * past the end; `RangeDecoder.endsCleanly()` uses that to flag truncated or padded input.
 */
import type { FrequencyModel } from './models.ts';
import { BinaryModel, BIT_PROB_BITS, MAX_TOTAL_FREQ } from './models.ts';
/** Largest value `encodeUInt` accepts (its +1 must stay a safe integer). */
export const MAX_UINT = Number.MAX_SAFE_INTEGER - 1;
/** Largest width `encodeBits` accepts in one call. */
export const MAX_BITS = 53;

const TOP = 0x1000000;
const TWO_POW_32 = 0x100000000;
const MAX_UINT_PREFIX = 52;

function checkBitCount(nbits: number): void {
  if (!Number.isInteger(nbits) || nbits < 0 || nbits > MAX_BITS) {
    throw new RangeError(`bit count ${nbits} outside 0..${MAX_BITS}`);
  }
}

function checkTotal(total: number): void {
  if (!Number.isInteger(total) || total < 1 || total > MAX_TOTAL_FREQ) {
    throw new RangeError(`model total ${total} outside 1..${MAX_TOTAL_FREQ}`);
  }
}

function bitLength(v: number): number {
  let n = 0;
  while (v >= 1) {
    v = Math.floor(v / 2);
    n++;
  }
  return n;
}

/** Prefix models for the Exp-Golomb-like binarisation used by encodeUInt/decodeUInt. */
function uintPrefixModels(): BinaryModel[] {
  return Array.from({ length: MAX_UINT_PREFIX }, () => new BinaryModel({ shift: 4 }));
}

export class RangeEncoder {
  private low = 0;
  private range = 0xffffffff;
  private cache = 0;
  private cacheSize = 1;
  private skipFirst = true;
  private out = new Uint8Array(256);
  private length = 0;
  private finished = false;
  private readonly uintPrefix = uintPrefixModels();

  /** Codes `symbol` with `model`, then lets the model adapt. */
  encode(model: FrequencyModel, symbol: number): void {
    if (!Number.isInteger(symbol) || symbol < 0 || symbol >= model.size) {
      throw new RangeError(`symbol ${symbol} outside 0..${model.size - 1}`);
    }
    const freq = model.freq(symbol);
    if (freq === 0) throw new RangeError(`symbol ${symbol} has zero frequency in this model`);
    const total = model.total;
    checkTotal(total);
    this.encodeRange(model.low(symbol), freq, total);
    model.update(symbol);
  }

  /** Codes one bit with an adaptive binary model, then lets it adapt. */
  encodeBit(model: BinaryModel, bit: number): void {
    this.encodeBitProb(bit, model.p1);
    model.update(bit);
  }

  /** Codes one bit with P(bit = 1) = p1 / 2^16, 1 <= p1 <= 65535 (an integer). */
  encodeBitProb(bit: number, p1: number): void {
    this.checkOpen();
    if ((p1 | 0) !== p1 || p1 < 1 || p1 >= 1 << BIT_PROB_BITS) {
      throw new RangeError(`bit probability ${p1} outside 1..${(1 << BIT_PROB_BITS) - 1}`);
    }
    const bound = (this.range >>> BIT_PROB_BITS) * p1;
    if (bit) {
      this.range = bound;
    } else {
      this.low += bound;
      this.range -= bound;
    }
    this.normalize();
  }

  /** Codes the low `nbits` bits of `value` (0 <= value < 2^nbits), each value equally likely. */
  encodeBits(value: number, nbits: number): void {
    checkBitCount(nbits);
    if (!Number.isInteger(value) || value < 0 || value >= 2 ** nbits) {
      throw new RangeError(`value ${value} does not fit in ${nbits} bits`);
    }
    while (nbits > 16) {
      nbits -= 16;
      this.encodeChunk(Math.floor(value / 2 ** nbits) % 0x10000, 16);
    }
    this.encodeChunk(value % 2 ** nbits, nbits);
  }

  /**
   * Codes a non-negative integer for side information: the bit length of value+1 in unary with
   * adaptive bits (so the encoder learns typical magnitudes), then the remaining bits flat.
   */
  encodeUInt(value: number): void {
    if (!Number.isInteger(value) || value < 0 || value > MAX_UINT) {
      throw new RangeError(`unsigned value ${value} outside 0..${MAX_UINT}`);
    }
    const v = value + 1;
    const k = bitLength(v) - 1;
    for (let i = 0; i < k; i++) this.encodeBit(this.uintPrefix[i], 1);
    if (k < MAX_UINT_PREFIX) this.encodeBit(this.uintPrefix[k], 0);
    this.encodeBits(v - 2 ** k, k);
  }

  /** Flushes and returns the coded bytes. The encoder cannot be used afterwards. */
  finish(): Uint8Array {
    this.checkOpen();
    let dropped = 0;
    for (let k = 4; k > 0; k--) {
      const unit = 2 ** (8 * k);
      const v = Math.floor((this.low + unit - 1) / unit) * unit;
      if (v < this.low + this.range) {
        this.low = v;
        dropped = k;
        break;
      }
    }
    for (let i = 0; i < 5; i++) this.shiftLow();
    this.finished = true;
    return this.out.slice(0, this.length - dropped);
  }

  private checkOpen(): void {
    if (this.finished) throw new Error('RangeEncoder used after finish()');
  }

  private encodeRange(cum: number, freq: number, total: number): void {
    this.checkOpen();
    const r = Math.floor(this.range / total);
    this.low += r * cum;
    // The last symbol takes the division remainder so no code space is wasted.
    this.range = cum + freq < total ? r * freq : this.range - r * cum;
    this.normalize();
  }

  private encodeChunk(value: number, nbits: number): void {
    if (nbits === 0) return;
    this.checkOpen();
    const r = this.range >>> nbits;
    this.low += r * value;
    this.range = r;
    this.normalize();
  }

  private normalize(): void {
    while (this.range < TOP) {
      this.range *= 256;
      this.shiftLow();
    }
  }

  private shiftLow(): void {
    if (this.low < 0xff000000 || this.low >= TWO_POW_32) {
      const carry = this.low >= TWO_POW_32 ? 1 : 0;
      let pending = this.cache;
      do {
        this.push((pending + carry) & 0xff);
        pending = 0xff;
      } while (--this.cacheSize !== 0);
      this.cache = (this.low >>> 24) & 0xff;
    }
    this.cacheSize++;
    this.low = (this.low & 0xffffff) * 256;
  }

  private push(byte: number): void {
    if (this.skipFirst) {
      // The interval never leaves [0, 1) of the initial scale, so this byte is always 0.
      this.skipFirst = false;
      return;
    }
    if (this.length === this.out.length) {
      const grown = new Uint8Array(this.out.length * 2);
      grown.set(this.out);
      this.out = grown;
    }
    this.out[this.length++] = byte;
  }
}

export class RangeDecoder {
  private code = 0;
  private range = 0xffffffff;
  private pos = 0;
  private invalid = false;
  private readonly uintPrefix = uintPrefixModels();

  constructor(private readonly bytes: Uint8Array) {
    for (let i = 0; i < 4; i++) this.code = this.code * 256 + this.nextByte();
    this.keepCodeInRange();
  }

  /**
   * True when everything decoded so far is consistent with a stream produced by RangeEncoder and
   * the input length matches what that encoder would have written for the symbols read. Call it
   * after decoding the last symbol: false means the bytes were corrupt, truncated or padded.
   */
  endsCleanly(): boolean {
    const over = this.pos - this.bytes.length;
    return !this.invalid && over >= 0 && over <= 4;
  }

  /** Bytes read past the end of the input (missing bytes read as zeros). */
  get overrun(): number {
    return Math.max(0, this.pos - this.bytes.length);
  }

  decode(model: FrequencyModel): number {
    const total = model.total;
    checkTotal(total);
    const r = Math.floor(this.range / total);
    let target = Math.floor(this.code / r);
    if (target >= total) target = total - 1;
    const symbol = model.find(target);
    const cum = model.low(symbol);
    const freq = model.freq(symbol);
    this.code -= r * cum;
    this.range = cum + freq < total ? r * freq : this.range - r * cum;
    this.normalize();
    model.update(symbol);
    return symbol;
  }

  decodeBit(model: BinaryModel): number {
    const bit = this.decodeBitProb(model.p1);
    model.update(bit);
    return bit;
  }

  decodeBitProb(p1: number): number {
    if ((p1 | 0) !== p1 || p1 < 1 || p1 >= 1 << BIT_PROB_BITS) {
      throw new RangeError(`bit probability ${p1} outside 1..${(1 << BIT_PROB_BITS) - 1}`);
    }
    const bound = (this.range >>> BIT_PROB_BITS) * p1;
    let bit: number;
    if (this.code < bound) {
      this.range = bound;
      bit = 1;
    } else {
      this.code -= bound;
      this.range -= bound;
      bit = 0;
    }
    this.normalize();
    return bit;
  }

  decodeBits(nbits: number): number {
    checkBitCount(nbits);
    let value = 0;
    while (nbits > 16) {
      nbits -= 16;
      value = value * 0x10000 + this.decodeChunk(16);
    }
    return value * 2 ** nbits + this.decodeChunk(nbits);
  }

  decodeUInt(): number {
    let k = 0;
    while (k < MAX_UINT_PREFIX && this.decodeBit(this.uintPrefix[k]) === 1) k++;
    return 2 ** k + this.decodeBits(k) - 1;
  }

  private decodeChunk(nbits: number): number {
    if (nbits === 0) return 0;
    const r = this.range >>> nbits;
    let value = Math.floor(this.code / r);
    const limit = 2 ** nbits;
    if (value >= limit) {
      // Only reachable from bytes no encoder wrote: the encoder leaves the remainder unused.
      this.invalid = true;
      value = limit - 1;
    }
    this.code -= r * value;
    this.range = r;
    this.keepCodeInRange();
    this.normalize();
    return value;
  }

  private keepCodeInRange(): void {
    if (this.code >= this.range) {
      this.invalid = true;
      this.code = this.range - 1;
    }
  }

  private normalize(): void {
    while (this.range < TOP) {
      this.code = this.code * 256 + this.nextByte();
      this.range *= 256;
    }
  }

  private nextByte(): number {
    const i = this.pos++;
    return i < this.bytes.length ? this.bytes[i] : 0;
  }
}
