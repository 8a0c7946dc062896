/**
 * LZW over bytes as in the M3-CVC paper: codes 0..255 are literals, 256 clears the dictionary,
 * new entries start at 257, the code width starts at 9 bits and grows as the dictionary does up
 * to `maxBits`; when the dictionary is full the encoder emits CLEAR and starts over. Codes are
 * packed MSB-first; the final byte is zero-padded, and since padding is shorter than the
 * narrowest code the stream needs no length or end code.
 */

export const LZW_CLEAR = 256;
export const LZW_FIRST_CODE = 257;
export const LZW_MIN_BITS = 9;
export const LZW_DEFAULT_MAX_BITS = 12;

export type LzwDecodeResult = { ok: true; bytes: Uint8Array } | { ok: false; message: string };

function checkMaxBits(maxBits: number): void {
  if (!Number.isInteger(maxBits) || maxBits < LZW_MIN_BITS || maxBits > 16) {
    throw new RangeError(`LZW maxBits ${maxBits} outside ${LZW_MIN_BITS}..16`);
  }
}

/** Width of the next code when the encoder's dictionary holds `entries` codes (values up to entries - 1). */
function widthFor(entries: number): number {
  let w = LZW_MIN_BITS;
  while (1 << w < entries) w++;
  return w;
}

class BitWriter {
  private out = new Uint8Array(64);
  private length = 0;
  private acc = 0;
  private nacc = 0;

  write(value: number, nbits: number): void {
    for (let i = nbits - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((value >>> i) & 1);
      if (++this.nacc === 8) this.flushByte();
    }
  }

  finish(): Uint8Array {
    if (this.nacc > 0) {
      this.acc <<= 8 - this.nacc;
      this.flushByte();
    }
    return this.out.slice(0, this.length);
  }

  private flushByte(): void {
    if (this.length === this.out.length) {
      const grown = new Uint8Array(this.out.length * 2);
      grown.set(this.out);
      this.out = grown;
    }
    this.out[this.length++] = this.acc & 0xff;
    this.acc = 0;
    this.nacc = 0;
  }
}

export function lzwEncode(data: Uint8Array, maxBits = LZW_DEFAULT_MAX_BITS): Uint8Array {
  checkMaxBits(maxBits);
  const writer = new BitWriter();
  if (data.length === 0) return writer.finish();
  const maxEntries = 1 << maxBits;
  const dict = new Map<number, number>();
  let entries = LZW_FIRST_CODE;
  let prefix = data[0];
  for (let i = 1; i < data.length; i++) {
    const b = data[i];
    const key = prefix * 256 + b;
    const code = dict.get(key);
    if (code !== undefined) {
      prefix = code;
      continue;
    }
    writer.write(prefix, widthFor(entries));
    dict.set(key, entries++);
    if (entries === maxEntries) {
      writer.write(LZW_CLEAR, widthFor(entries));
      dict.clear();
      entries = LZW_FIRST_CODE;
    }
    prefix = b;
  }
  writer.write(prefix, widthFor(entries));
  return writer.finish();
}

/** Never throws on corrupt input; refuses output longer than `maxOutput` bytes. */
export function lzwDecode(bits: Uint8Array, maxOutput: number, maxBits = LZW_DEFAULT_MAX_BITS): LzwDecodeResult {
  checkMaxBits(maxBits);
  const maxEntries = 1 << maxBits;
  // Each entry is (prefix code, last byte); literals are their own one-byte entries.
  const prefixOf = new Int32Array(maxEntries);
  const lastOf = new Uint8Array(maxEntries);
  const lengthOf = new Int32Array(maxEntries);
  for (let c = 0; c < 256; c++) {
    prefixOf[c] = -1;
    lastOf[c] = c;
    lengthOf[c] = 1;
  }
  let out = new Uint8Array(Math.min(maxOutput, Math.max(64, bits.length * 4)));
  let outLength = 0;
  let next = LZW_FIRST_CODE;
  let prev = -1;
  let pos = 0;
  const totalBits = bits.length * 8;

  const readBits = (n: number): number => {
    let v = 0;
    for (let i = 0; i < n; i++, pos++) v = (v << 1) | ((bits[pos >>> 3] >>> (7 - (pos & 7))) & 1);
    return v;
  };
  const firstByteOf = (code: number): number => {
    while (prefixOf[code] >= 0) code = prefixOf[code];
    return code;
  };

  for (;;) {
    const width = widthFor(prev < 0 ? next : next + 1);
    if (totalBits - pos < width) break;
    const code = readBits(width);
    if (code === LZW_CLEAR) {
      next = LZW_FIRST_CODE;
      prev = -1;
      continue;
    }
    let first: number;
    if (code < next) {
      first = firstByteOf(code);
    } else if (code === next && prev >= 0) {
      first = firstByteOf(prev);
    } else {
      return { ok: false, message: `LZW code ${code} at bit ${pos - width} is not in the dictionary` };
    }
    if (prev >= 0) {
      if (next >= maxEntries) return { ok: false, message: 'LZW dictionary overflow without CLEAR' };
      prefixOf[next] = prev;
      lastOf[next] = first;
      lengthOf[next] = lengthOf[prev] + 1;
      next++;
    }
    const len = lengthOf[code];
    if (outLength + len > maxOutput) return { ok: false, message: `LZW output exceeds ${maxOutput} bytes` };
    if (outLength + len > out.length) {
      const grown = new Uint8Array(Math.min(maxOutput, Math.max(out.length * 2, outLength + len)));
      grown.set(out.subarray(0, outLength));
      out = grown;
    }
    for (let c = code, k = outLength + len - 1; c >= 0; c = prefixOf[c], k--) out[k] = lastOf[c];
    outLength += len;
    prev = code;
  }
  if (totalBits - pos >= 8) return { ok: false, message: 'LZW stream has a trailing byte after its last code' };
  if (readBits(totalBits - pos) !== 0) return { ok: false, message: 'LZW stream has non-zero padding bits' };
  return { ok: true, bytes: out.slice(0, outLength) };
}
