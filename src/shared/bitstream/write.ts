import { crc32 } from './crc32.ts';
import { encodeVarint } from './varint.ts';
import { clipsProblem, guideProblem, headerProblem } from './validate.ts';
import { M3C_MAGIC, M3C_VERSION, M3C_VERSION_1, M3C_VERSION_2, MODE_CODES, STRATEGY_CODES } from './types.ts';
import { encoderCode, GUIDE_CODEC_TABLE, idCode, KEYFRAME_CODEC_IDS, MODEL_PACK_IDS, RECONSTRUCTOR_IDS, TEXT_CODER_IDS, type IdTable } from './ids.ts';
import type { M3cClip, M3cGuide, M3cHeader, M3cRoi } from './types.ts';
import { labelBytes, roiProblem } from './roi.ts';

/** Collects small fields in a number[] and payloads as views, so each payload is copied once, into the output. */
class ByteWriter {
  private readonly chunks: Uint8Array[] = [];
  private pending: number[] = [];
  private size = 0;

  u8(v: number): void {
    this.pending.push(v);
  }
  varint(v: number): void {
    encodeVarint(v, this.pending);
  }
  bytes(b: Uint8Array): void {
    this.flush();
    this.chunks.push(b);
    this.size += b.length;
  }
  /** Length-prefixed string of printable ASCII (validated beforehand). */
  ascii(s: string): void {
    this.varint(s.length);
    for (let i = 0; i < s.length; i++) this.pending.push(s.charCodeAt(i));
  }
  /** An identifier: as `ascii` (versions 1 and 2), or its code in `table` (version 3; 0 then the id as `ascii`). */
  id(s: string, table: IdTable, version: number): void {
    if (version < M3C_VERSION) return this.ascii(s);
    const code = idCode(table, s);
    this.varint(code);
    if (code === 0) this.ascii(s);
  }
  lengthPrefixed(b: Uint8Array): void {
    this.varint(b.length);
    this.bytes(b);
  }
  /** A section: [varint L][L bytes of fields][CRC-32 of prefix and fields, little-endian]. */
  section(fields: ByteWriter): void {
    fields.flush();
    // Flushing on both sides of the prefix leaves it alone in the last chunk, where the CRC starts.
    this.flush();
    this.varint(fields.size);
    this.flush();
    let crc = crc32(this.chunks[this.chunks.length - 1]);
    for (const c of fields.chunks) {
      crc = crc32(c, crc);
      this.chunks.push(c);
    }
    this.size += fields.size;
    this.pending.push(crc & 0xff, (crc >>> 8) & 0xff, (crc >>> 16) & 0xff, crc >>> 24);
  }
  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
  private flush(): void {
    if (this.pending.length === 0) return;
    this.chunks.push(Uint8Array.from(this.pending));
    this.size += this.pending.length;
    this.pending = [];
  }
}

/**
 * Serialises a file: format version 3 when it has a guide (or version 2 when `options.version` asks, for a
 * reader built before version 3), else version 1 (exactly the bytes earlier builds wrote). Invalid input is a bug in our own encoder, so it throws a RangeError naming the
 * offending field rather than returning an error value.
 */
export function writeM3c(file: { header: M3cHeader; guide?: M3cGuide; clips: M3cClip[]; roi?: M3cRoi }, options: { version?: 2 | 3 } = {}): Uint8Array {
  if (typeof file !== 'object' || file === null) throw new RangeError('writeM3c: file must be an object');
  const { header: h, clips, guide, roi } = file;
  const problem =
    headerProblem(h) ??
    clipsProblem(clips, h.frameCount) ??
    (guide ? guideProblem(guide, h) : null) ??
    (!guide && clips.some((c) => c.mode === 'guided') ? 'a guided clip needs a guide stream' : null) ??
    (roi && !guide ? 'regions of interest need a guided file (version 2 or 3)' : null) ??
    (roi ? roiProblem(roi, h, (g) => guideProblem(g, h)) : null);
  if (problem) throw new RangeError(`writeM3c: ${problem}`);
  if (options.version !== undefined && (!guide || (options.version !== M3C_VERSION_2 && options.version !== M3C_VERSION))) {
    throw new RangeError(`writeM3c: version ${options.version} can be asked for a guided file only, as 2 or 3`);
  }
  const version = guide ? (options.version ?? M3C_VERSION) : M3C_VERSION_1;

  const out = new ByteWriter();
  for (const b of M3C_MAGIC) out.u8(b);
  out.u8(version);

  const hw = new ByteWriter();
  hw.varint(h.width);
  hw.varint(h.height);
  hw.varint(h.fpsNum);
  hw.varint(h.fpsDen);
  hw.varint(h.frameCount);
  hw.varint(clips.length);
  hw.id(h.modelPackId, MODEL_PACK_IDS, version);
  hw.bytes(h.modelPackHash);
  hw.id(h.keyframeCodecId, KEYFRAME_CODEC_IDS, version);
  hw.id(h.reconstructorId, RECONSTRUCTOR_IDS, version);
  hw.id(h.textCoderId, TEXT_CODER_IDS, version);
  hw.u8(STRATEGY_CODES.indexOf(h.params.strategy));
  hw.varint(h.params.lambda1Milli);
  hw.varint(h.params.lambda2Milli);
  hw.varint(h.params.thresholdMilli);
  hw.varint(h.params.interval);
  hw.varint(h.params.keyframeBudgetBytes);
  out.section(hw);

  if (guide) {
    const gw = new ByteWriter();
    writeGuideStream(gw, guide, version);
    out.section(gw);
  }

  for (const c of clips) {
    const cw = new ByteWriter();
    // Clip starts are implied by contiguity; the mode rides in the low bit (version 1) or two bits (versions 2, 3) of the length.
    cw.varint(version === M3C_VERSION_1 ? c.length * 2 + (c.mode === 'interpolation' ? 1 : 0) : c.length * 4 + MODE_CODES.indexOf(c.mode));
    cw.lengthPrefixed(c.keyframe);
    cw.lengthPrefixed(c.keyframeText);
    // Last field: its length is whatever the section has left.
    cw.bytes(c.clipText);
    out.section(cw);
  }

  if (roi) {
    // The optional last section of a guided file (docs/bitstream.md, "Regions").
    const rw = new ByteWriter();
    rw.varint(roi.regions.length);
    for (const r of roi.regions) {
      rw.varint(r.first);
      rw.varint(r.last - r.first);
      rw.varint(r.box[0]);
      rw.varint(r.box[1]);
      rw.varint(r.box[2] - r.box[0]);
      rw.varint(r.box[3] - r.box[1]);
      rw.varint(r.weight16);
      rw.lengthPrefixed(labelBytes(r.label));
    }
    const inset = roi.inset;
    rw.u8(inset ? 1 : roi.warp ? (roi.warp.frames ? 3 : 2) : 0);
    if (roi.warp) for (const w of [roi.warp.x, roi.warp.y]) for (const v of [w.a, w.b, w.A, w.B]) rw.varint(v);
    if (roi.warp?.frames) {
      rw.varint(roi.warp.frames[0]);
      rw.varint(roi.warp.frames[1] - roi.warp.frames[0]);
    }
    if (inset) {
      rw.varint(inset.x);
      rw.varint(inset.y);
      rw.varint(inset.rectWidth);
      rw.varint(inset.rectHeight);
      writeGuideStream(rw, inset, version);
    }
    out.section(rw);
  }
  return out.finish();
}

/**
 * A classical stream's fields, shared by the guide section and the regions' inset: codec, coded size, rate,
 * quantiser, encoder, then the stream itself as the last field (whatever its section has left).
 */
function writeGuideStream(w: ByteWriter, g: Pick<M3cGuide, 'codecId' | 'width' | 'height' | 'fpsNum' | 'fpsDen' | 'quantizer' | 'encoder' | 'stream'>, version: number): void {
  w.id(g.codecId, GUIDE_CODEC_TABLE, version);
  w.varint(g.width);
  w.varint(g.height);
  w.varint(g.fpsNum);
  w.varint(g.fpsDen);
  w.varint(g.quantizer);
  if (version < M3C_VERSION) w.ascii(g.encoder);
  else {
    const { code, setting } = encoderCode(g.encoder);
    w.varint(code);
    if (code === 0) w.ascii(g.encoder);
    else w.varint(setting);
  }
  w.bytes(g.stream);
}
