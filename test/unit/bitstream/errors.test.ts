import { describe, expect, it } from 'vitest';
import { M3cError } from '../../../src/shared/engine/errors.ts';
import { parseErrorToM3cError, parseM3c, writeM3c } from '../../../src/shared/bitstream/index.ts';
import type { M3cParseError, M3cParseErrorKind, ParseOptions } from '../../../src/shared/bitstream/index.ts';
import { concat, findField, replaceField, rewriteSection, typicalFile } from './fixtures.ts';

const good = writeM3c(typicalFile());
const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

function errorOf(bytes: Uint8Array, options?: ParseOptions): M3cParseError {
  const r = parseM3c(bytes, options);
  if (r.ok) throw new Error('expected a parse error');
  expect(r.error.message).not.toMatch(/\n/);
  expect(r.error.message).not.toMatch(/internal parser error/);
  return r.error;
}

function expectError(bytes: Uint8Array, kind: M3cParseErrorKind, message: RegExp, offset?: number, options?: ParseOptions): void {
  const e = errorOf(bytes, options);
  expect(e.kind).toBe(kind);
  expect(e.message).toMatch(message);
  if (offset !== undefined) expect(e.offset).toBe(offset);
}

const withByte = (bytes: Uint8Array, at: number, value: number): Uint8Array => {
  const b = bytes.slice();
  b[at] = value;
  return b;
};

describe('parseM3c errors', () => {
  it('wrong-magic: other files and non-byte input', () => {
    expectError(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d), 'wrong-magic', /not an \.m3c file \(it starts with 0x89504e47/, 0);
    expectError(withByte(good, 2, 0x58), 'wrong-magic', /"M3C"/, 2);
    expectError(ascii('X'), 'wrong-magic', /not an \.m3c file/);
    expectError('M3C' as never, 'wrong-magic', /not a byte array/);
    expectError(null as never, 'wrong-magic', /not a byte array/);
  });

  it('unsupported-version: newer and impossible versions', () => {
    expectError(withByte(good, 3, 4), 'unsupported-version', /format version 4, newer than this build reads \(1 to 3\); update m3c/, 3);
    expectError(withByte(good, 3, 0), 'unsupported-version', /version 0, which does not exist/, 3);
  });

  it('truncated: every proper prefix of a valid file', () => {
    expectError(new Uint8Array(0), 'truncated', /the file is empty/, 0);
    expectError(ascii('M3'), 'truncated', /only 2 bytes long/);
    expectError(ascii('M3C'), 'truncated', /only 3 bytes long/);
    for (let n = 0; n < good.length; n++) expect(errorOf(good.subarray(0, n)).kind).toBe('truncated');
  });

  it('truncated: the last clip cut short names the clip', () => {
    const lastClip = findField(good, 'clip 5', 'section length').sectionOffset;
    expectError(good.subarray(0, lastClip + 100), 'truncated', /ends inside the clip 5 of 5 section .* truncated or corrupted/, lastClip);
  });

  it('truncated: a clip count the remaining bytes cannot hold fails before reading clips', () => {
    const file = typicalFile();
    file.header.frameCount = 10_000_000;
    file.clips[4].length = 10_000_000 - 64;
    const bytes = writeM3c(file);
    // Claim a million clips (a 3-byte varint) in a file that holds five.
    const huge = replaceField(bytes, 'header', 'clip count', [0xc0, 0x84, 0x3d]);
    const start = performance.now();
    expectError(huge, 'truncated', /announces 1000000 clips but only \d+ bytes follow/);
    expect(performance.now() - start).toBeLessThan(50);
  });

  it('checksum-mismatch: a changed byte in the header, a clip, or a CRC', () => {
    const width = findField(good, 'header', 'width').offset;
    expectError(withByte(good, width, good[width] ^ 0x02), 'checksum-mismatch', /header section \(offset 4\) fails its checksum/, 4);
    const clip3 = findField(good, 'clip 3', 'keyframe payload');
    expectError(withByte(good, clip3.offset + 10, good[clip3.offset + 10] ^ 0x80), 'checksum-mismatch', /clip 3 of 5 section/, clip3.sectionOffset);
    const crc = findField(good, 'clip 1', 'crc-32').offset;
    expectError(withByte(good, crc + 3, good[crc + 3] ^ 1), 'checksum-mismatch', /clip 1 of 5/);
  });

  it('out-of-range: invalid header values behind a valid checksum', () => {
    const off = (field: string): number => findField(good, 'header', field).offset;
    expectError(replaceField(good, 'header', 'width', [0x81, 0x04]), 'out-of-range', /header: width must be an even integer in 16\.\.8192 \(got 513\)/, off('width'));
    expectError(replaceField(good, 'header', 'height', [0x0e]), 'out-of-range', /height must be an even integer.*got 14/);
    expectError(replaceField(good, 'header', 'fps numerator', [0xf1, 0x0f]), 'out-of-range', /frame rate 2033\/1 exceeds 240 fps/);
    expectError(replaceField(good, 'header', 'fps denominator', [0x00]), 'out-of-range', /fps denominator must be an integer in 1\.\.1001 \(got 0\)/);
    // 1/1000000 fps was accepted once and then failed inside ffmpeg.
    expectError(replaceField(good, 'header', 'fps denominator', [0xc0, 0x84, 0x3d]), 'out-of-range', /fps denominator must be an integer in 1\.\.1001 \(got 1000000\)/);
    expectError(replaceField(good, 'header', 'fps denominator', [0xd1, 0x00]), 'out-of-range', /not in its shortest encoding/);
    expectError(replaceField(good, 'header', 'fps denominator', [0x51]), 'out-of-range', /frame rate 8\/81 is below 0\.1 fps/);
    expectError(replaceField(good, 'header', 'fps numerator', [0x81, 0xd3, 0x0e]), 'out-of-range', /fps numerator must be an integer in 1\.\.240000 \(got 240001\)/);
    expectError(replaceField(good, 'header', 'frame count', [0x00]), 'out-of-range', /frame count must be an integer in 1\.\.10000000/);
    expectError(replaceField(good, 'header', 'clip count', [0x00]), 'out-of-range', /clip count must be in 1\.\.80/);
    expectError(replaceField(good, 'header', 'clip count', [0x51]), 'out-of-range', /clip count must be in 1\.\.80 .* got 81/);
    expectError(replaceField(good, 'header', 'model pack id length', [0x00]), 'out-of-range', /model pack id must be 1\.\.64 characters long \(got 0\)/);
    expectError(replaceField(good, 'header', 'keyframe codec id length', [0x41]), 'out-of-range', /keyframe codec id must be 1\.\.64 characters long \(got 65\)/);
    expectError(replaceField(good, 'header', 'reconstructor id', [...ascii('flow\tv1')]), 'out-of-range', /reconstructor id has a non-printable byte 0x09/);
    expectError(replaceField(good, 'header', 'selection strategy', [3]), 'out-of-range', /selection strategy code 3 is unknown/, off('selection strategy'));
    expectError(replaceField(good, 'header', 'interval', [0x08]), 'out-of-range', /interval must be 0 for the motion-semantic strategy \(got 8\)/);
    expectError(replaceField(good, 'header', 'selection strategy', [2]), 'out-of-range', /fixed strategy needs an interval of at least 1 frame/);
  });

  it('out-of-range: malformed varints', () => {
    // 512 = 0x80 0x04; padding it to three bytes is a non-shortest encoding.
    expectError(replaceField(good, 'header', 'width', [0x80, 0x84, 0x00]), 'out-of-range', /width is not in its shortest encoding/);
    expectError(replaceField(good, 'header', 'lambda1 (thousandths)', [0xff, 0xff, 0xff, 0xff, 0x1f]), 'out-of-range', /lambda1 \(thousandths\) exceeds 32 bits/);
    // The header's own length prefix (102 = 0x66) written in two bytes.
    expectError(concat(good.subarray(0, 4), Uint8Array.of(0xe6, 0x00), good.subarray(5)), 'out-of-range', /header: the section length is not in its shortest encoding/, 4);
  });

  it('out-of-range: fields that overrun or underuse their section', () => {
    expectError(replaceField(good, 'header', 'keyframe budget (bytes)', [0x80]), 'out-of-range', /header: ends in the middle of the keyframe budget/);
    const header = findField(good, 'header', 'section length').sectionOffset;
    expectError(rewriteSection(good, header, (f) => concat(f, Uint8Array.of(0))), 'out-of-range', /header section has 1 unexpected bytes/);
    expectError(replaceField(good, 'clip 2', 'keyframe payload length', [0xe8, 0x07]), 'out-of-range', /clip 2 of 5: the keyframe payload needs 1000 bytes but only \d+ remain/);
  });

  it('out-of-range: clips that do not tile the frames', () => {
    expectError(replaceField(good, 'clip 2', 'length and mode', [0x01]), 'out-of-range', /clip 2 of 5: has no frames/);
    // 16 frames -> 33 frames (length*2+1 = 67) in clip 5 leaves the file short of frames.
    expectError(replaceField(good, 'clip 5', 'length and mode', [0x43]), 'out-of-range', /clip 5 of 5: is 33 frames long but only 16 of the file's 80 frames are left/);
    expectError(replaceField(good, 'clip 5', 'length and mode', [0x1f]), 'out-of-range', /the clips cover 79 frames but the header says the file has 80/);
    expectError(replaceField(good, 'header', 'frame count', [0x51]), 'out-of-range', /the clips cover 80 frames but the header says the file has 81/);
  });

  it('unknown-model-pack: names the needed and the installed packs', () => {
    const hash = Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 0x01, 0x23, 0x45, 0x67]);
    const idOffset = findField(good, 'header', 'model pack id length').offset;
    expect(parseM3c(good, { knownModelPacks: new Map([['m3c-classical-1', hash]]) }).ok).toBe(true);
    expectError(good, 'unknown-model-pack', /needs model pack "m3c-classical-1" \(hash deadbeef01234567\), which is not installed \(installed: "m3c-learned-2" \(hash 0000000000000000\)\)/, idOffset, {
      knownModelPacks: new Map([['m3c-learned-2', new Uint8Array(8)]]),
    });
    expectError(good, 'unknown-model-pack', /but the installed "m3c-classical-1" has hash deadbeef01234568; install the pack/, idOffset, {
      knownModelPacks: new Map([['m3c-classical-1', Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 0x01, 0x23, 0x45, 0x68])]]),
    });
    expectError(good, 'unknown-model-pack', /installed: none/, idOffset, { knownModelPacks: new Map() });
    const many = new Map(Array.from({ length: 7 }, (_, i) => [`pack-${i}`, new Uint8Array(8)] as const));
    expectError(good, 'unknown-model-pack', /"pack-4" \(hash 0+\), and 2 more\)$/, idOffset, { knownModelPacks: many });
  });

  it('trailing-data: bytes after the last clip', () => {
    expectError(concat(good, Uint8Array.of(0)), 'trailing-data', /1 unexpected bytes after its last clip \(offset 3506\)/, good.length);
    const clip1 = findField(good, 'clip 1', 'section length').sectionOffset;
    const clip2 = findField(good, 'clip 2', 'section length').sectionOffset;
    expectError(concat(good, good.subarray(clip1, clip2)), 'trailing-data', /680 unexpected bytes/, good.length);
  });

  it('maps each kind to an engine error code', () => {
    const code = (kind: M3cParseErrorKind): string => parseErrorToM3cError({ kind, message: 'm' }).code;
    expect(parseErrorToM3cError({ kind: 'truncated', message: 'the file is empty' })).toBeInstanceOf(M3cError);
    expect(parseErrorToM3cError({ kind: 'truncated', message: 'the file is empty' }).message).toBe('the file is empty');
    expect(code('unknown-model-pack')).toBe('model');
    expect(code('wrong-magic')).toBe('input');
    expect(code('unsupported-version')).toBe('input');
    for (const k of ['truncated', 'checksum-mismatch', 'out-of-range', 'trailing-data'] as const) expect(code(k)).toBe('corrupt-bitstream');
  });
});
