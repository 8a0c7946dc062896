/**
 * The `.m3c` reader. It returns a typed error for any byte string: every length is checked
 * against the bytes that remain before it is used, payloads are views into the input, and the
 * work is one pass over the input.
 */
import { crc32 } from './crc32.ts';
import { decodeVarint } from './varint.ts';
import {
  clipCountProblem,
  dimensionProblem,
  fpsDenProblem,
  fpsNumProblem,
  fpsRatioProblem,
  frameCountProblem,
  guideSizeProblem,
  idLengthProblem,
  intervalProblem,
  isPrintableAscii,
  limitsProblem,
  strategyCodeProblem,
} from './validate.ts';
import { axisWarpProblem, insetRectProblem, insetSizeProblem, regionCountProblem, regionProblem, warpFramesProblem } from './roi.ts';
import { GUIDE_CODEC_IDS, LIMITS, M3C_MAGIC, M3C_VERSION, M3C_VERSION_1, M3C_VERSION_2, MIN_CLIP_SECTION_BYTES, MODE_CODES, STRATEGY_CODES } from './types.ts';
import { ENCODER_FORMS, encoderCode, GUIDE_CODEC_TABLE, KEYFRAME_CODEC_IDS, MODEL_PACK_IDS, RECONSTRUCTOR_IDS, TEXT_CODER_IDS, type IdTable } from './ids.ts';
import type {
  FieldKind,
  M3cClip,
  M3cFile,
  M3cGuide,
  M3cHeader,
  M3cAxisWarp,
  M3cInset,
  M3cLayout,
  M3cWarp,
  M3cRegion,
  M3cRoi,
  M3cParseError,
  M3cParseErrorKind,
  M3cSectionSpan,
  ParseOptions,
  ParseResult,
} from './types.ts';

class ParseFailure {
  constructor(readonly error: M3cParseError) {}
}

function fail(kind: M3cParseErrorKind, message: string, offset?: number): never {
  throw new ParseFailure(offset === undefined ? { kind, message } : { kind, message, offset });
}

/** Records sections and fields for `describeSections`; absent when only parsing. */
class Recorder {
  readonly sections: M3cSectionSpan[] = [];
  open(name: string, offset: number): void {
    this.sections.push({ name, offset, size: 0, fields: [] });
  }
  field(name: string, offset: number, size: number, kind: FieldKind): void {
    const s = this.sections[this.sections.length - 1];
    s.fields.push({ name, offset, size, kind });
    s.size = offset + size - s.offset;
  }
}

/**
 * Reads fields from bytes[pos, end). Running out of bytes is 'truncated' for the file itself and
 * 'out-of-range' inside a checksummed section (there the lengths, not the file, are wrong).
 */
class Cursor {
  constructor(
    private readonly bytes: Uint8Array,
    public pos: number,
    private readonly end: number,
    private readonly where: string,
    private readonly shortKind: 'truncated' | 'out-of-range',
    private readonly rec: Recorder | null,
  ) {}

  get remaining(): number {
    return this.end - this.pos;
  }

  varint(name: string, kind: FieldKind): number {
    const at = this.pos;
    const r = decodeVarint(this.bytes, at, this.end);
    if (!r.ok) {
      if (r.problem === 'short') {
        fail(this.shortKind, `${this.where}: ends in the middle of the ${name} (offset ${at})`, at);
      }
      const what = r.problem === 'too-large' ? 'exceeds 32 bits' : 'is not in its shortest encoding';
      fail('out-of-range', `${this.where}: the ${name} ${what} (offset ${at})`, at);
    }
    this.pos += r.size;
    this.rec?.field(name, at, r.size, kind);
    return r.value;
  }

  u8(name: string, kind: FieldKind): number {
    return this.take(1, name, kind)[0];
  }

  take(n: number, name: string, kind: FieldKind): Uint8Array {
    const at = this.pos;
    if (n > this.remaining) {
      fail(this.shortKind, `${this.where}: the ${name} needs ${n} bytes but only ${this.remaining} remain (offset ${at})`, at);
    }
    this.pos += n;
    this.rec?.field(name, at, n, kind);
    return this.bytes.subarray(at, at + n);
  }

  ascii(name: string): string {
    const at = this.pos;
    const length = this.varint(`${name} length`, 'framing');
    const lengthProblem = idLengthProblem(name, length);
    if (lengthProblem) fail('out-of-range', `${this.where}: ${lengthProblem} (offset ${at})`, at);
    const raw = this.take(length, name, 'metadata');
    let s = '';
    for (let i = 0; i < raw.length; i++) {
      if (!isPrintableAscii(raw[i])) {
        const byteAt = this.pos - raw.length + i;
        fail('out-of-range', `${this.where}: ${name} has a non-printable byte 0x${hex2(raw[i])} (offset ${byteAt})`, byteAt);
      }
      s += String.fromCharCode(raw[i]);
    }
    return s;
  }

  /** An identifier: `ascii` before version 3; from version 3 its code in `table`, 0 followed by the id as `ascii`. */
  id(table: IdTable, version: number): string {
    if (version < M3C_VERSION) return this.ascii(table.name);
    const at = this.pos;
    const code = this.varint(`${table.name} code`, 'metadata');
    if (code === 0) {
      const id = this.ascii(table.name);
      const listed = table.ids.indexOf(id);
      // One spelling per id, so that a file that parses re-serialises to the same bytes.
      if (listed >= 0) fail('out-of-range', `${this.where}: ${table.name} "${id}" is written out although its code is ${listed + 1} (offset ${at})`, at);
      return id;
    }
    const id = table.ids[code - 1];
    if (id === undefined) {
      fail('out-of-range', `${this.where}: ${table.name} code ${code} is not one this build knows (1..${table.ids.length}, or 0 for an id written out); a newer build may read it (offset ${at})`, at);
    }
    return id;
  }

  /** Reads a value and fails with 'out-of-range' at its offset when `check` finds a problem. */
  checked(name: string, kind: FieldKind, check: (v: number) => string | null): number {
    const at = this.pos;
    const v = this.varint(name, kind);
    const problem = check(v);
    if (problem) fail('out-of-range', `${this.where}: ${problem} (offset ${at})`, at);
    return v;
  }
}

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0');
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += hex2(b);
  return s;
}

interface Section {
  fieldsStart: number;
  fieldsEnd: number;
  end: number;
}

/**
 * Locates and verifies [varint L][L bytes][CRC-32 LE] at `pos`; the CRC covers prefix and fields.
 * `name` is used in messages, `recordedName` in the layout.
 */
function readSection(bytes: Uint8Array, pos: number, name: string, recordedName: string, rec: Recorder | null): Section {
  rec?.open(recordedName, pos);
  const top = new Cursor(bytes, pos, bytes.length, name, 'truncated', rec);
  const length = top.varint('section length', 'framing');
  const fieldsStart = top.pos;
  const available = bytes.length - fieldsStart;
  if (length + 4 > available) {
    fail(
      'truncated',
      `the file ends inside the ${name} section (it needs ${length + 4} more bytes, ${available} remain): the file is truncated or corrupted`,
      pos,
    );
  }
  const fieldsEnd = fieldsStart + length;
  const stored = (bytes[fieldsEnd] | (bytes[fieldsEnd + 1] << 8) | (bytes[fieldsEnd + 2] << 16) | (bytes[fieldsEnd + 3] << 24)) >>> 0;
  const actual = crc32(bytes.subarray(pos, fieldsEnd));
  if (stored !== actual) {
    fail('checksum-mismatch', `the ${name} section (offset ${pos}) fails its checksum: the file is corrupted`, pos);
  }
  return { fieldsStart, fieldsEnd, end: fieldsEnd + 4 };
}

/** After the fields: records the CRC and insists the fields used the whole section. */
function closeSection(c: Cursor, s: Section, name: string, rec: Recorder | null): void {
  if (c.pos !== s.fieldsEnd) {
    fail('out-of-range', `the ${name} section has ${s.fieldsEnd - c.pos} unexpected bytes after its fields (offset ${c.pos})`, c.pos);
  }
  rec?.field('crc-32', s.fieldsEnd, 4, 'framing');
}

/** Reads the preamble and returns the format version (1, 2 or 3). */
function readPreamble(bytes: Uint8Array, rec: Recorder | null): number {
  rec?.open('preamble', 0);
  for (let i = 0; i < M3C_MAGIC.length; i++) {
    if (i >= bytes.length) {
      fail('truncated', bytes.length === 0 ? 'the file is empty' : `the file is only ${bytes.length} bytes long, too short for an .m3c file`, bytes.length);
    }
    if (bytes[i] !== M3C_MAGIC[i]) {
      const start = hex(bytes.subarray(0, Math.min(4, bytes.length)));
      fail('wrong-magic', `not an .m3c file (it starts with 0x${start}, an .m3c file starts with "M3C")`, i);
    }
  }
  rec?.field('magic "M3C"', 0, M3C_MAGIC.length, 'framing');
  const at = M3C_MAGIC.length;
  if (at >= bytes.length) fail('truncated', `the file is only ${bytes.length} bytes long, too short for an .m3c file`, bytes.length);
  const version = bytes[at];
  if (version !== M3C_VERSION && version !== M3C_VERSION_2 && version !== M3C_VERSION_1) {
    fail(
      'unsupported-version',
      version > M3C_VERSION
        ? `the file uses .m3c format version ${version}, newer than this build reads (${M3C_VERSION_1} to ${M3C_VERSION}); update m3c`
        : `the file claims .m3c format version ${version}, which does not exist (this build reads versions ${M3C_VERSION_1} to ${M3C_VERSION})`,
      at,
    );
  }
  rec?.field('format version', at, 1, 'framing');
  return version;
}

/** The fields of a guide stream (the guide section's, and the inset's in the regions section), up to the section's end. */
function readGuideFields(c: Cursor, h: M3cHeader, name: string, where: string, version: number): M3cGuide {
  const codecAt = c.pos;
  const codecId = c.id({ ...GUIDE_CODEC_TABLE, name: `${name} codec id` }, version);
  if (!GUIDE_CODEC_IDS.includes(codecId)) fail('out-of-range', `${where}: codec "${codecId}" is not one this build decodes (${GUIDE_CODEC_IDS.join(', ')}) (offset ${codecAt})`, codecAt);
  const sizeAt = c.pos;
  const width = c.varint(`${name} width`, 'metadata');
  const height = c.varint(`${name} height`, 'metadata');
  const fpsNum = c.varint(`${name} fps numerator`, 'metadata');
  const fpsDen = c.varint(`${name} fps denominator`, 'metadata');
  const problem = guideSizeProblem({ width, height, fpsNum, fpsDen }, h);
  if (problem) fail('out-of-range', `${where}: ${problem} (offset ${sizeAt})`, sizeAt);
  const quantizer = c.varint(`${name} quantiser`, 'metadata');
  const encoder = readEncoder(c, name, where, version);
  const stream = c.take(c.remaining, `${name} stream`, 'guide');
  return { codecId, width, height, fpsNum, fpsDen, quantizer, encoder, stream };
}

/** The encoder field: `ascii` before version 3; from version 3 a code of ids.ts ENCODER_FORMS and its setting, or 0 and the string. */
function readEncoder(c: Cursor, name: string, where: string, version: number): string {
  if (version < M3C_VERSION) return c.ascii(`${name} encoder`);
  const at = c.pos;
  const code = c.varint(`${name} encoder code`, 'metadata');
  if (code === 0) {
    const encoder = c.ascii(`${name} encoder`);
    const coded = encoderCode(encoder).code;
    if (coded !== 0) fail('out-of-range', `${where}: ${name} encoder "${encoder}" is written out although its code is ${coded} (offset ${at})`, at);
    return encoder;
  }
  const form = ENCODER_FORMS[code - 1];
  if (!form) fail('out-of-range', `${where}: ${name} encoder code ${code} is not one this build knows (1..${ENCODER_FORMS.length}, or 0 for one written out) (offset ${at})`, at);
  return `${form.prefix}${c.varint(`${name} encoder setting`, 'metadata')}`;
}

function readGuide(bytes: Uint8Array, pos: number, h: M3cHeader, version: number, rec: Recorder | null): { guide: M3cGuide; end: number } {
  const s = readSection(bytes, pos, 'guide', 'guide', rec);
  const c = new Cursor(bytes, s.fieldsStart, s.fieldsEnd, 'guide', 'out-of-range', rec);
  const guide = readGuideFields(c, h, 'guide', 'guide', version);
  closeSection(c, s, 'guide', rec);
  return { guide, end: s.end };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The optional regions section of a guided file (after the last clip): regions, then the inset stream if any. */
function readRoi(bytes: Uint8Array, pos: number, h: M3cHeader, version: number, rec: Recorder | null): { roi: M3cRoi; end: number } {
  const where = 'regions';
  const s = readSection(bytes, pos, where, where, rec);
  const c = new Cursor(bytes, s.fieldsStart, s.fieldsEnd, where, 'out-of-range', rec);
  const count = c.checked('region count', 'metadata', regionCountProblem);
  const regions: M3cRegion[] = [];
  for (let i = 0; i < count; i++) {
    const at = c.pos;
    const n = `region ${i + 1}`;
    const first = c.varint(`${n} first frame`, 'metadata');
    const last = first + c.varint(`${n} frame count - 1`, 'metadata');
    const x0 = c.varint(`${n} x`, 'metadata');
    const y0 = c.varint(`${n} y`, 'metadata');
    const x1 = x0 + c.varint(`${n} width`, 'metadata');
    const y1 = y0 + c.varint(`${n} height`, 'metadata');
    const weight16 = c.varint(`${n} weight`, 'metadata');
    const labelLength = c.varint(`${n} label length`, 'framing');
    const raw = c.take(labelLength, `${n} label`, 'metadata');
    let label: string;
    try {
      label = utf8.decode(raw);
    } catch {
      fail('out-of-range', `${where}: ${n} label is not UTF-8 (offset ${c.pos - raw.length})`, c.pos - raw.length);
    }
    const r: M3cRegion = { first, last, box: [x0, y0, x1, y1], weight16, label };
    const problem = regionProblem(r, h.frameCount, n);
    if (problem) fail('out-of-range', `${where}: ${problem} (offset ${at})`, at);
    regions.push(r);
  }
  const flagAt = c.pos;
  const flag = c.u8('layer (0 none, 1 inset, 2 warp, 3 warp over frames)', 'metadata');
  if (flag > 3) fail('out-of-range', `${where}: layer code ${flag} is not defined (0 none, 1 inset, 2 warp, 3 warp over frames) (offset ${flagAt})`, flagAt);
  let warp: M3cWarp | undefined;
  if (flag === 2 || flag === 3) {
    const axis = (n: string): M3cAxisWarp => {
      const at = c.pos;
      const w = { a: c.varint(`warp ${n} a`, 'metadata'), b: c.varint(`warp ${n} b`, 'metadata'), A: c.varint(`warp ${n} A`, 'metadata'), B: c.varint(`warp ${n} B`, 'metadata') };
      const problem = axisWarpProblem(w, n);
      if (problem) fail('out-of-range', `${where}: ${problem} (offset ${at})`, at);
      return w;
    };
    warp = { x: axis('x'), y: axis('y') };
    if (flag === 3) {
      const at = c.pos;
      const first = c.varint('warp first frame', 'metadata');
      const frames: [number, number] = [first, first + c.varint('warp frame count - 1', 'metadata')];
      const problem = warpFramesProblem(frames, h.frameCount);
      if (problem) fail('out-of-range', `${where}: ${problem} (offset ${at})`, at);
      warp.frames = frames;
    }
  }
  let inset: M3cInset | undefined;
  if (flag === 1) {
    const rectAt = c.pos;
    const x = c.varint('inset x', 'metadata');
    const y = c.varint('inset y', 'metadata');
    const rectWidth = c.varint('inset rectangle width', 'metadata');
    const rectHeight = c.varint('inset rectangle height', 'metadata');
    const rectProblem = insetRectProblem({ x, y, rectWidth, rectHeight }, h);
    if (rectProblem) fail('out-of-range', `${where}: ${rectProblem} (offset ${rectAt})`, rectAt);
    const sizeAt = c.pos;
    const g = readGuideFields(c, h, 'inset', where, version);
    inset = { ...g, x, y, rectWidth, rectHeight };
    const sizeProblem = insetSizeProblem(inset);
    if (sizeProblem) fail('out-of-range', `${where}: ${sizeProblem} (offset ${sizeAt})`, sizeAt);
  }
  closeSection(c, s, where, rec);
  return { roi: inset ? { regions, inset } : warp ? { regions, warp } : { regions }, end: s.end };
}

/** Whether the bytes at `pos` hold exactly one whole section reaching the file's end (else they are trailing data). */
function wholeSectionAt(bytes: Uint8Array, pos: number): boolean {
  const r = decodeVarint(bytes, pos, bytes.length);
  return r.ok && pos + r.size + r.value + 4 === bytes.length;
}

interface HeaderRead {
  header: M3cHeader;
  clipCount: number;
  packIdOffset: number;
}

function readHeader(bytes: Uint8Array, s: Section, version: number, rec: Recorder | null): HeaderRead {
  const c = new Cursor(bytes, s.fieldsStart, s.fieldsEnd, 'header', 'out-of-range', rec);
  const width = c.checked('width', 'metadata', (v) => dimensionProblem('width', v));
  const height = c.checked('height', 'metadata', (v) => dimensionProblem('height', v));
  const fpsNum = c.checked('fps numerator', 'metadata', (v) => fpsNumProblem('fps numerator', v));
  const fpsDen = c.checked('fps denominator', 'metadata', (v) => fpsDenProblem('fps denominator', v) ?? fpsRatioProblem(fpsNum, v));
  const frameCount = c.checked('frame count', 'metadata', (v) => frameCountProblem('frame count', v));
  const clipCount = c.checked('clip count', 'metadata', (v) => clipCountProblem(v, frameCount));
  const packIdOffset = c.pos;
  const modelPackId = c.id(MODEL_PACK_IDS, version);
  const modelPackHash = c.take(LIMITS.modelPackHashBytes, 'model pack hash', 'metadata');
  const keyframeCodecId = c.id(KEYFRAME_CODEC_IDS, version);
  const reconstructorId = c.id(RECONSTRUCTOR_IDS, version);
  const textCoderId = c.id(TEXT_CODER_IDS, version);
  const strategyAt = c.pos;
  const strategyCode = c.u8('selection strategy', 'metadata');
  const strategyProblem = strategyCodeProblem(strategyCode);
  if (strategyProblem) fail('out-of-range', `header: ${strategyProblem} (offset ${strategyAt})`, strategyAt);
  const strategy = STRATEGY_CODES[strategyCode];
  const lambda1Milli = c.varint('lambda1 (thousandths)', 'metadata');
  const lambda2Milli = c.varint('lambda2 (thousandths)', 'metadata');
  const thresholdMilli = c.varint('threshold (thousandths)', 'metadata');
  const interval = c.checked('interval', 'metadata', (v) => intervalProblem(strategy, v));
  const keyframeBudgetBytes = c.varint('keyframe budget (bytes)', 'metadata');
  closeSection(c, s, 'header', rec);
  return {
    header: {
      width,
      height,
      fpsNum,
      fpsDen,
      frameCount,
      modelPackId,
      modelPackHash,
      keyframeCodecId,
      reconstructorId,
      textCoderId,
      params: { strategy, lambda1Milli, lambda2Milli, thresholdMilli, interval, keyframeBudgetBytes },
    },
    clipCount,
    packIdOffset,
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const MAX_PACKS_NAMED = 5;

function checkModelPack(h: M3cHeader, known: ReadonlyMap<string, Uint8Array>, offset: number): void {
  const installed = known.get(h.modelPackId);
  if (installed instanceof Uint8Array && sameBytes(installed, h.modelPackHash)) return;
  const wanted = `"${h.modelPackId}" (hash ${hex(h.modelPackHash)})`;
  if (installed instanceof Uint8Array) {
    fail(
      'unknown-model-pack',
      `this file needs model pack ${wanted}, but the installed "${h.modelPackId}" has hash ${hex(installed)}; install the pack the file was made with`,
      offset,
    );
  }
  const names: string[] = [];
  for (const [id, hash] of known) {
    if (names.length === MAX_PACKS_NAMED) {
      names.push(`and ${known.size - MAX_PACKS_NAMED} more`);
      break;
    }
    names.push(hash instanceof Uint8Array ? `"${id}" (hash ${hex(hash)})` : `"${id}"`);
  }
  fail(
    'unknown-model-pack',
    `this file needs model pack ${wanted}, which is not installed (installed: ${names.length > 0 ? names.join(', ') : 'none'})`,
    offset,
  );
}

function readClips(bytes: Uint8Array, pos: number, h: M3cHeader, clipCount: number, version: number, rec: Recorder | null): { clips: M3cClip[]; end: number } {
  // A count the remaining bytes cannot hold is caught before any per-clip work.
  const available = bytes.length - pos;
  if (clipCount > Math.floor(available / MIN_CLIP_SECTION_BYTES)) {
    fail(
      'truncated',
      `the header announces ${clipCount} clips but only ${available} bytes follow (each clip takes at least ${MIN_CLIP_SECTION_BYTES}): the file is truncated or corrupted`,
      pos,
    );
  }
  const clips: M3cClip[] = [];
  let firstFrame = 0;
  for (let i = 0; i < clipCount; i++) {
    const where = `clip ${i + 1} of ${clipCount}`;
    const s = readSection(bytes, pos, where, `clip ${i + 1}`, rec);
    const c = new Cursor(bytes, s.fieldsStart, s.fieldsEnd, where, 'out-of-range', rec);
    const lengthAt = c.pos;
    const lengthAndMode = c.varint('length and mode', 'metadata');
    const modeBits = version === M3C_VERSION_1 ? 2 : 4;
    const length = Math.floor(lengthAndMode / modeBits);
    const mode = MODE_CODES[lengthAndMode % modeBits];
    if (mode === undefined) fail('out-of-range', `${where}: mode code ${lengthAndMode % modeBits} is not defined (offset ${lengthAt})`, lengthAt);
    const framesLeft = h.frameCount - firstFrame;
    if (length < 1) fail('out-of-range', `${where}: has no frames (offset ${lengthAt})`, lengthAt);
    if (length > framesLeft) {
      fail('out-of-range', `${where}: is ${length} frames long but only ${framesLeft} of the file's ${h.frameCount} frames are left (offset ${lengthAt})`, lengthAt);
    }
    const keyframe = c.take(c.varint('keyframe payload length', 'framing'), 'keyframe payload', 'keyframe');
    const keyframeText = c.take(c.varint('keyframe text length', 'framing'), 'keyframe text', 'text');
    const clipText = c.take(c.remaining, 'clip text', 'text');
    closeSection(c, s, where, rec);
    clips.push({ firstFrame, length, mode, keyframe, keyframeText, clipText });
    firstFrame += length;
    pos = s.end;
  }
  if (firstFrame !== h.frameCount) {
    fail('out-of-range', `the clips cover ${firstFrame} frames but the header says the file has ${h.frameCount}`, pos);
  }
  return { clips, end: pos };
}

function parseInto(bytes: Uint8Array, options: ParseOptions | undefined, rec: Recorder | null): M3cFile {
  if (!(bytes instanceof Uint8Array)) fail('wrong-magic', 'the input is not a byte array');
  const version = readPreamble(bytes, rec);
  const headerAt = M3C_MAGIC.length + 1;
  const hs = readSection(bytes, headerAt, 'header', 'header', rec);
  const { header, clipCount, packIdOffset } = readHeader(bytes, hs, version, rec);
  const known = options?.knownModelPacks;
  if (known !== undefined) checkModelPack(header, known, packIdOffset);
  // Before any clip is read: a file beyond the decoder's limits costs nothing more than its header.
  const limits = options?.limits;
  const tooLarge = limits === undefined ? null : limitsProblem(header, limits);
  if (tooLarge) fail('exceeds-limits', tooLarge, headerAt);
  const g = version === M3C_VERSION_1 ? undefined : readGuide(bytes, hs.end, header, version, rec);
  const { clips, end } = readClips(bytes, g ? g.end : hs.end, header, clipCount, version, rec);
  // A guided file (version 2 or 3) may end with one regions section; anything else after the last clip is trailing data.
  const r = g && end < bytes.length && wholeSectionAt(bytes, end) ? readRoi(bytes, end, header, version, rec) : undefined;
  const fileEnd = r ? r.end : end;
  if (fileEnd !== bytes.length) {
    fail('trailing-data', `the file has ${bytes.length - fileEnd} unexpected bytes after its last ${r ? 'section' : 'clip'} (offset ${fileEnd})`, fileEnd);
  }
  const file: M3cFile = g ? { version, header, guide: g.guide, clips } : { version, header, clips };
  if (r) file.roi = r.roi;
  return file;
}

/** Any exception that is not ours is a parser bug; it still becomes an error value, never a throw. */
function asParseError(e: unknown): M3cParseError {
  if (e instanceof ParseFailure) return e.error;
  let detail = 'unknown error';
  try {
    detail = e instanceof Error ? e.message : String(e);
  } catch {
    // The thrown value cannot even be printed; the generic detail stands.
  }
  return { kind: 'out-of-range', message: `the file could not be read (internal parser error: ${detail})` };
}

/**
 * Parses a `.m3c` file. Never throws. Payloads and texts in the result are views into `bytes`
 * (no copy): copy them before changing `bytes`.
 */
export function parseM3c(bytes: Uint8Array, options?: ParseOptions): ParseResult {
  try {
    return { ok: true, file: parseInto(bytes, options, null) };
  } catch (e) {
    return { ok: false, error: asParseError(e) };
  }
}

/**
 * The file's sections and their fields with byte offsets and sizes, for `m3c inspect`. On a
 * damaged file it returns the error plus the sections read before it. Never throws.
 */
export function describeSections(bytes: Uint8Array): M3cLayout {
  const rec = new Recorder();
  let totalBytes = 0;
  try {
    totalBytes = bytes.length;
    const file = parseInto(bytes, undefined, rec);
    return { ok: true, file, totalBytes, sections: rec.sections };
  } catch (e) {
    return { ok: false, error: asParseError(e), totalBytes, sections: rec.sections };
  }
}

/** Bytes per kind over the given sections (e.g. how much of a file is text). */
export function layoutTotals(sections: readonly M3cSectionSpan[]): Record<FieldKind, number> {
  const totals: Record<FieldKind, number> = { framing: 0, metadata: 0, keyframe: 0, text: 0, guide: 0 };
  for (const s of sections) for (const f of s.fields) totals[f.kind] += f.size;
  return totals;
}
