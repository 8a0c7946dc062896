/**
 * Description container: `encodeText` tries every coder and keeps the smallest; the first byte
 * names the coder (TEXT_CODER_IDS), the rest is that coder's payload. The empty string is zero
 * bytes. `decodeText` validates everything and returns an error value for any byte string.
 */
import { cmDecode, cmEncode } from './cm.ts';
import { lzwDecode, lzwEncode } from './lzw.ts';
import { utf8Decode, utf8Encode } from './utf8.ts';

export const TEXT_CODER_IDS = {
  /** UTF-8 bytes as they are. */
  raw: 0,
  /** LZW as in the M3-CVC paper (9-12 bit codes, MSB-first). */
  lzw: 1,
  /** Context mixing with the built-in English prior, range coded. */
  cm: 2,
} as const;

/**
 * Identifier of this container and its coders as written in the .m3c header: the prior text and
 * the coders' constants are part of the format, so any change to them needs a new id.
 */
export const TEXT_CODER_ID = 'text-raw-lzw-cm-v1';

export type TextCoderName = keyof typeof TEXT_CODER_IDS;
export type TextCoderId = (typeof TEXT_CODER_IDS)[TextCoderName];

/** Largest description, in UTF-8 bytes, that encodeText accepts and decodeText produces. */
export const MAX_TEXT_BYTES = 64 * 1024;

export type TextDecodeResult = { ok: true; text: string } | { ok: false; message: string };

const NAMES: readonly TextCoderName[] = ['raw', 'lzw', 'cm'];

function withFlag(id: TextCoderId, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 1);
  out[0] = id;
  out.set(payload, 1);
  return out;
}

/** Encodes one description; throws RangeError above MAX_TEXT_BYTES. */
export function encodeText(text: string): Uint8Array {
  if (text.length === 0) return new Uint8Array(0);
  const bytes = utf8Encode(text);
  if (bytes.length > MAX_TEXT_BYTES) {
    throw new RangeError(`description is ${bytes.length} bytes of UTF-8; the limit is ${MAX_TEXT_BYTES}`);
  }
  const candidates = [
    withFlag(TEXT_CODER_IDS.raw, bytes),
    withFlag(TEXT_CODER_IDS.lzw, lzwEncode(bytes)),
    withFlag(TEXT_CODER_IDS.cm, cmEncode(bytes)),
  ];
  return candidates.reduce((best, c) => (c.length < best.length ? c : best));
}

/** Which coder produced `bytes` ('empty' for the empty string), or null for an unknown flag. */
export function textCoderOf(bytes: Uint8Array): TextCoderName | 'empty' | null {
  if (bytes.length === 0) return 'empty';
  return NAMES[bytes[0]] ?? null;
}

export function decodeText(bytes: Uint8Array): TextDecodeResult {
  if (bytes.length === 0) return { ok: true, text: '' };
  const payload = bytes.subarray(1);
  let decoded: Uint8Array;
  switch (bytes[0]) {
    case TEXT_CODER_IDS.raw:
      if (payload.length > MAX_TEXT_BYTES) return { ok: false, message: `raw description exceeds ${MAX_TEXT_BYTES} bytes` };
      decoded = payload;
      break;
    case TEXT_CODER_IDS.lzw: {
      const r = lzwDecode(payload, MAX_TEXT_BYTES);
      if (!r.ok) return r;
      decoded = r.bytes;
      break;
    }
    case TEXT_CODER_IDS.cm: {
      const r = cmDecode(payload, MAX_TEXT_BYTES);
      if (!r.ok) return r;
      decoded = r.bytes;
      break;
    }
    default:
      return { ok: false, message: `unknown text coder id ${bytes[0]} (this build knows 0-${NAMES.length - 1})` };
  }
  if (decoded.length === 0) return { ok: false, message: 'a coded description must not be empty (the empty text is zero bytes)' };
  const text = utf8Decode(decoded);
  if (text === null) return { ok: false, message: 'decoded description is not valid UTF-8' };
  return { ok: true, text };
}
