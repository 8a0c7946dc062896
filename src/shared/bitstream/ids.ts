/**
 * Version 3 of the format spells no identifier out that this table knows: each id field is a varint code,
 * k >= 1 standing for entry k - 1 of its table and 0 for the id written out as `ascii` after it (an id a build
 * does not list still round-trips). A guided file of version 2 spent 98 bytes on its six ids (the header's
 * four, the guide's codec and encoder), 3% of a 3 kbit/s, 10 s file; version 3 spends 7 (docs/bitstream.md,
 * "Version 3").
 *
 * The tables are append-only, forever: an entry's code is its place, so an entry is never removed or
 * reordered, and a new id goes at the end (and, until a build lists it, is written out with code 0).
 */
import { GUIDE_CODEC_IDS } from './types.ts';

export interface IdTable {
  /** The field's name, for messages. */
  readonly name: string;
  readonly ids: readonly string[];
}

export const MODEL_PACK_IDS: IdTable = { name: 'model pack id', ids: ['m3c-classical-1', 'm3c-learned-1', 'm3c-learned-2'] };
export const KEYFRAME_CODEC_IDS: IdTable = { name: 'keyframe codec id', ids: ['classical-av1-v1', 'learned-vq-v1'] };
export const RECONSTRUCTOR_IDS: IdTable = {
  name: 'reconstructor id',
  ids: ['classical-flow-v2', 'guided-flow-v1', 'guided-restore-v1', 'guided-flow-v2', 'guided-restore-v2'],
};
export const TEXT_CODER_IDS: IdTable = { name: 'text coder id', ids: ['text-raw-lzw-cm-v1'] };
/** GUIDE_CODEC_IDS in their order: codes 1 and 2. */
export const GUIDE_CODEC_TABLE: IdTable = { name: 'guide codec id', ids: GUIDE_CODEC_IDS };

/** The code of `id` in `table` (0: not listed, written out). */
export function idCode(table: IdTable, id: string): number {
  const i = table.ids.indexOf(id);
  return i < 0 ? 0 : i + 1;
}

/**
 * The encoder field of a guide stream (provenance): code 1 "libsvtav1 preset N" and 2 "libaom-av1 cpu-used N"
 * with N a varint after the code, 0 written out. Only N in its plain decimal spelling (no sign, no leading
 * zero) takes a code, so every string reads back as it was written.
 */
export const ENCODER_FORMS: readonly { readonly prefix: string }[] = [{ prefix: 'libsvtav1 preset ' }, { prefix: 'libaom-av1 cpu-used ' }];

/** `{ code, setting }` of an encoder string (code 0: written out). */
export function encoderCode(encoder: string): { code: number; setting: number } {
  for (let i = 0; i < ENCODER_FORMS.length; i++) {
    const { prefix } = ENCODER_FORMS[i];
    if (!encoder.startsWith(prefix)) continue;
    const n = encoder.slice(prefix.length);
    if (/^(0|[1-9][0-9]{0,8})$/.test(n)) return { code: i + 1, setting: Number(n) };
  }
  return { code: 0, setting: 0 };
}
