/**
 * The "av1-obu-lean" form of a guide stream: an AV1 low-overhead OBU stream (AV1 specification section 5)
 * without its temporal delimiter OBUs. A temporal delimiter (obu_type 2, no extension, obu_size 0: the two
 * bytes 0x12 0x00) opens every temporal unit and carries nothing else; at the guide's 2..8 coded frames per
 * second it is 2 bytes a frame, 1-5% of a 3 kbit/s file. The decoder puts them back before handing the
 * stream to the AV1 decoder: a temporal unit ends with its shown frame, so a delimiter goes first and then
 * before every sequence header, frame header or frame OBU that follows a shown frame.
 *
 * The encoder keeps the lean form only when putting the delimiters back gives exactly the stream it coded
 * (`leanObuStream`), so the AV1 decoder always sees the encoder's own bytes; otherwise the stream stays
 * "av1-obu", as it is.
 */
import { M3cError } from '../../shared/engine/errors.ts';

const OBU_SEQUENCE_HEADER = 1;
const OBU_TEMPORAL_DELIMITER = 2;
const OBU_FRAME_HEADER = 3;
const OBU_FRAME = 6;
/** A temporal delimiter OBU: header byte (type 2, obu_has_size_field) and obu_size 0. */
const TEMPORAL_DELIMITER = [0x12, 0x00] as const;

export interface Obu {
  readonly type: number;
  readonly start: number;
  /** First payload byte. */
  readonly payload: number;
  readonly end: number;
  /** obu_extension_flag */
  readonly extension: boolean;
}

/** The OBUs of a low-overhead stream, or a reason it is not one (every OBU must carry obu_size). */
export function splitObus(stream: Uint8Array): Obu[] | string {
  const obus: Obu[] = [];
  let p = 0;
  while (p < stream.length) {
    const start = p;
    const header = stream[p++];
    if (header & 0x80) return `OBU at byte ${start} has its forbidden bit set`;
    const extension = (header & 0x04) !== 0;
    if (extension) p++;
    if (!(header & 0x02)) return `OBU at byte ${start} has no size field`;
    let size = 0;
    for (let i = 0, scale = 1; ; i++, scale *= 128) {
      if (p >= stream.length || i >= 8) return `OBU at byte ${start} has a truncated size field`;
      const b = stream[p++];
      size += (b & 0x7f) * scale;
      if (!(b & 0x80)) break;
    }
    const end = p + size;
    if (end > stream.length) return `OBU at byte ${start} runs past the end of the stream`;
    obus.push({ type: (header >> 3) & 0x0f, start, payload: p, end, extension });
    p = end;
  }
  return obus;
}

/**
 * Whether a frame header or frame OBU shows a frame: the first bits of its uncompressed header are
 * show_existing_frame, then frame_type (2 bits) and show_frame (AV1 5.9.2, for a sequence without
 * reduced_still_picture_header; a stream with one is not made lean, because it would not round-trip).
 */
function showsFrame(stream: Uint8Array, obu: Obu): boolean {
  if (obu.payload >= obu.end) return false;
  const b = stream[obu.payload];
  return (b & 0x80) !== 0 || (b & 0x10) !== 0;
}

/** Puts the temporal delimiters of a lean stream back; a stream that is not a low-overhead OBU stream is a corrupt bitstream. */
export function restoreTemporalDelimiters(lean: Uint8Array): Uint8Array {
  const obus = splitObus(lean);
  if (typeof obus === 'string') throw new M3cError('corrupt-bitstream', `the guide stream is not an AV1 OBU stream: ${obus}`);
  const out = new Uint8Array(lean.length + TEMPORAL_DELIMITER.length * (obus.length + 1));
  let at = 0;
  const delimiter = (): void => {
    out.set(TEMPORAL_DELIMITER, at);
    at += TEMPORAL_DELIMITER.length;
  };
  let shown = false;
  if (obus.length > 0) delimiter();
  for (const obu of obus) {
    if (obu.type === OBU_TEMPORAL_DELIMITER) throw new M3cError('corrupt-bitstream', `the lean guide stream holds a temporal delimiter at byte ${obu.start}`);
    const opens = obu.type === OBU_SEQUENCE_HEADER || obu.type === OBU_FRAME_HEADER || obu.type === OBU_FRAME;
    if (opens && shown) {
      delimiter();
      shown = false;
    }
    out.set(lean.subarray(obu.start, obu.end), at);
    at += obu.end - obu.start;
    if ((obu.type === OBU_FRAME_HEADER || obu.type === OBU_FRAME) && showsFrame(lean, obu)) shown = true;
  }
  return out.slice(0, at);
}

/**
 * The stream without its temporal delimiters, when `restoreTemporalDelimiters` gives `stream` back byte for
 * byte; otherwise undefined (keep the stream as it is).
 */
export function leanObuStream(stream: Uint8Array): Uint8Array | undefined {
  const obus = splitObus(stream);
  if (typeof obus === 'string' || obus.length === 0) return undefined;
  const kept = obus.filter((o) => o.type !== OBU_TEMPORAL_DELIMITER);
  if (obus.some((o) => o.type === OBU_TEMPORAL_DELIMITER && (o.extension || o.end - o.start !== TEMPORAL_DELIMITER.length))) return undefined;
  const lean = new Uint8Array(kept.reduce((n, o) => n + o.end - o.start, 0));
  let at = 0;
  for (const o of kept) {
    lean.set(stream.subarray(o.start, o.end), at);
    at += o.end - o.start;
  }
  let back: Uint8Array;
  try {
    back = restoreTemporalDelimiters(lean);
  } catch {
    return undefined;
  }
  if (back.length !== stream.length) return undefined;
  for (let i = 0; i < back.length; i++) if (back[i] !== stream[i]) return undefined;
  return lean;
}
