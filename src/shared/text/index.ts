export { MAX_TEXT_BYTES, TEXT_CODER_ID, TEXT_CODER_IDS, decodeText, encodeText, textCoderOf } from './container.ts';
export type { TextCoderId, TextCoderName, TextDecodeResult } from './container.ts';
export { cmDecode, cmEncode, primeCmCoder } from './cm.ts';
export type { CmDecodeResult } from './cm.ts';
export { LZW_CLEAR, LZW_DEFAULT_MAX_BITS, LZW_FIRST_CODE, LZW_MIN_BITS, lzwDecode, lzwEncode } from './lzw.ts';
export type { LzwDecodeResult } from './lzw.ts';
export { utf8Decode, utf8Encode } from './utf8.ts';
