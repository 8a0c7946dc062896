import { describe, expect, it } from 'vitest';
import { describeSections, layoutTotals, M3C_VERSION_1, parseM3c, writeM3c } from '../../../src/shared/bitstream/index.ts';
import type { M3cClip, M3cFile } from '../../../src/shared/bitstream/index.ts';
import { firstDifference, Rng, randomFile, typicalFile } from './fixtures.ts';
import type { FileInput } from './fixtures.ts';

function roundTrip(input: FileInput): { bytes: Uint8Array; file: M3cFile } {
  const bytes = writeM3c(input);
  const r = parseM3c(bytes);
  if (!r.ok) throw new Error(`parse failed: ${r.error.kind}: ${r.error.message}`);
  return { bytes, file: r.file };
}

function expectSame(file: M3cFile, input: FileInput): void {
  expect(file.version).toBe(M3C_VERSION_1);
  const { modelPackHash, ...header } = file.header;
  const { modelPackHash: inputHash, ...inputHeader } = input.header;
  expect(header).toEqual(inputHeader);
  expect(firstDifference(modelPackHash, inputHash)).toBe(-1);
  expect(file.clips.length).toBe(input.clips.length);
  // One assertion for all clips: per-clip expect() calls dominate the run time with thousands of clips.
  const mismatched = file.clips.filter((c, i) => {
    const want = input.clips[i];
    return (
      c.firstFrame !== want.firstFrame ||
      c.length !== want.length ||
      c.mode !== want.mode ||
      firstDifference(c.keyframe, want.keyframe) !== -1 ||
      firstDifference(c.keyframeText, want.keyframeText) !== -1 ||
      firstDifference(c.clipText, want.clipText) !== -1
    );
  });
  expect(mismatched).toEqual([]);
}

const one = (clip: Partial<M3cClip> = {}): M3cClip => ({
  firstFrame: 0,
  length: 1,
  mode: 'prediction',
  keyframe: new Uint8Array(0),
  keyframeText: new Uint8Array(0),
  clipText: new Uint8Array(0),
  ...clip,
});

describe('writeM3c / parseM3c round trip', () => {
  it('reproduces 300 random valid files exactly, and re-serialises to the same bytes', () => {
    const rng = new Rng(20261101);
    for (let i = 0; i < 300; i++) {
      const input = randomFile(rng);
      const { bytes, file } = roundTrip(input);
      expectSame(file, input);
      expect(firstDifference(writeM3c(file), bytes)).toBe(-1);
    }
  });

  it('handles a single one-frame clip with empty payload and texts', () => {
    const input = typicalFile();
    input.header.frameCount = 1;
    input.clips = [one()];
    const { bytes, file } = roundTrip(input);
    expectSame(file, input);
    expect(file.clips[0].keyframe.length).toBe(0);
    // Empty fields cost only their framing: 4 preamble + header + 8-byte minimal clip.
    const headerSection = describeSections(bytes).sections[1];
    expect(bytes.length).toBe(4 + headerSection.size + 8);
  });

  it('handles many clips (5000 one-frame clips)', () => {
    const input = typicalFile();
    input.header.frameCount = 5000;
    input.clips = Array.from({ length: 5000 }, (_, i) => one({ firstFrame: i, mode: i % 2 ? 'interpolation' : 'prediction', clipText: Uint8Array.of(i & 0xff) }));
    const { file } = roundTrip(input);
    expectSame(file, input);
  });

  it('handles the largest values of every field', () => {
    const longId = Array.from({ length: 64 }, (_, i) => String.fromCharCode(0x20 + ((i * 7) % 95))).join('');
    const input: FileInput = {
      header: {
        width: 8192,
        height: 8192,
        fpsNum: 240_000,
        fpsDen: 1000,
        frameCount: 10_000_000,
        modelPackId: longId,
        modelPackHash: new Uint8Array(8).fill(0xff),
        keyframeCodecId: '~'.repeat(64),
        reconstructorId: ' '.repeat(64),
        textCoderId: longId,
        params: { strategy: 'fixed', lambda1Milli: 0xffff_ffff, lambda2Milli: 0xffff_ffff, thresholdMilli: 0xffff_ffff, interval: 0xffff_ffff, keyframeBudgetBytes: 0xffff_ffff },
      },
      clips: [
        one({ length: 9_999_999, mode: 'interpolation', keyframe: new Uint8Array(70_000).fill(0xab) }),
        one({ firstFrame: 9_999_999, keyframeText: new Uint8Array(20_000).fill(1), clipText: new Uint8Array(200_000).fill(2) }),
      ],
    };
    const { bytes, file } = roundTrip(input);
    expectSame(file, input);
    expect(firstDifference(writeM3c(file), bytes)).toBe(-1);
    // The documented maximum is 61 header bytes besides the 4 x 64 id characters; this file's
    // clip count (2) is 3 bytes shorter than its largest value.
    expect(describeSections(bytes).sections[1].size).toBe(61 - 3 + 256);
  });

  it('handles the smallest values of every field', () => {
    const input: FileInput = {
      header: {
        width: 16,
        height: 16,
        fpsNum: 1,
        fpsDen: 10,
        frameCount: 1,
        modelPackId: 'a',
        modelPackHash: new Uint8Array(8),
        keyframeCodecId: 'b',
        reconstructorId: 'c',
        textCoderId: 'd',
        params: { strategy: 'semantic', lambda1Milli: 0, lambda2Milli: 0, thresholdMilli: 0, interval: 0, keyframeBudgetBytes: 0 },
      },
      clips: [one()],
    };
    const { bytes, file } = roundTrip(input);
    expectSame(file, input);
    // Smallest fixed overhead: 29 header bytes besides the id characters, then an 8-byte clip.
    expect(bytes.length).toBe(4 + 29 + 4 + 8);
  });

  it('returns payloads as views into the input without copying', () => {
    const input = typicalFile();
    const { bytes, file } = roundTrip(input);
    expect(file.clips[2].keyframe.buffer).toBe(bytes.buffer);
    // Parsing from inside a larger buffer works: offsets are relative to the view.
    const padded = new Uint8Array(bytes.length + 10);
    padded.set(bytes, 5);
    const r = parseM3c(padded.subarray(5, 5 + bytes.length));
    expect(r.ok).toBe(true);
    if (r.ok) expectSame(r.file, input);
  });

  it('does not modify its input', () => {
    const input = typicalFile();
    const before = structuredClone(input);
    writeM3c(input);
    expect(input).toEqual(before);
  });

  it('keeps the typical 10 s file compact: header 106 bytes, 10 bytes framing per clip', () => {
    const input = typicalFile();
    const bytes = writeM3c(input);
    const layout = describeSections(bytes);
    if (!layout.ok) throw new Error(layout.error.message);
    const [preamble, header, ...clips] = layout.sections;
    const idBytes = 15 + 16 + 23 + 13;
    expect(preamble.size + header.size).toBe(39 + idBytes);
    for (const c of clips) {
      const t = layoutTotals([c]);
      expect(t.keyframe).toBe(600);
      expect(t.text).toBe(70);
      expect(t.framing + t.metadata).toBe(10);
    }
    expect(bytes.length).toBe(106 + 5 * 680);
  });
});

describe('writeM3c validation', () => {
  const cases: [string, (f: FileInput) => void, RegExp][] = [
    ['odd width', (f) => void (f.header.width = 513), /header\.width must be an even integer in 16\.\.8192 \(got 513\)/],
    ['tiny height', (f) => void (f.header.height = 14), /header\.height/],
    ['huge width', (f) => void (f.header.width = 8194), /header\.width/],
    ['fractional width', (f) => void (f.header.width = 512.5), /header\.width/],
    ['fps numerator 0', (f) => void (f.header.fpsNum = 0), /header\.fpsNum/],
    ['fps denominator too big', (f) => void (f.header.fpsDen = 1_000_001), /header\.fpsDen/],
    ['fps above 240', (f) => void ((f.header.fpsNum = 241), (f.header.fpsDen = 1)), /exceeds 240 fps/],
    ['frame count 0', (f) => void (f.header.frameCount = 0), /header\.frameCount/],
    ['frame count too big', (f) => void (f.header.frameCount = 10_000_001), /header\.frameCount/],
    ['empty pack id', (f) => void (f.header.modelPackId = ''), /header\.modelPackId must be 1\.\.64/],
    ['long codec id', (f) => void (f.header.keyframeCodecId = 'x'.repeat(65)), /header\.keyframeCodecId must be 1\.\.64/],
    ['non-ASCII reconstructor id', (f) => void (f.header.reconstructorId = 'flow-é'), /header\.reconstructorId must be printable ASCII/],
    ['control char in text coder id', (f) => void (f.header.textCoderId = 'a\nb'), /header\.textCoderId must be printable ASCII/],
    ['short hash', (f) => void (f.header.modelPackHash = new Uint8Array(7)), /exactly 8 bytes \(got 7\)/],
    ['unknown strategy', (f) => void (f.header.params.strategy = 'random' as never), /strategy must be one of/],
    ['negative lambda', (f) => void (f.header.params.lambda1Milli = -1), /lambda1Milli must be an integer in 0\.\.4294967295/],
    ['float threshold', (f) => void (f.header.params.thresholdMilli = 0.5), /thresholdMilli/],
    ['interval with semantic strategy', (f) => void (f.header.params.interval = 8), /interval must be 0 for the motion-semantic strategy/],
    ['fixed strategy without interval', (f) => void (f.header.params.strategy = 'fixed'), /fixed strategy needs an interval/],
    ['budget too big', (f) => void (f.header.params.keyframeBudgetBytes = 2 ** 32), /keyframeBudgetBytes/],
    ['no clips', (f) => void (f.clips = []), /clip count must be in 1\.\.80/],
    ['gap between clips', (f) => void (f.clips[2].firstFrame = 33), /clips\[2\]\.firstFrame must be 32/],
    ['zero-length clip', (f) => void (f.clips[1].length = 0), /clips\[1\]\.length must be an integer >= 1/],
    ['bad mode', (f) => void (f.clips[0].mode = 'generation' as never), /clips\[0\]\.mode/],
    ['payload not bytes', (f) => void (f.clips[4].clipText = 'text' as never), /clips\[4\]\.clipText must be a Uint8Array/],
    ['clips longer than file', (f) => void (f.clips[4].length = 17), /clips\[4\] ends at frame 80, past the last frame 79/],
    ['clips shorter than file', (f) => void (f.clips[4].length = 15), /clips cover 79 frames but header\.frameCount is 80/],
  ];
  it.each(cases)('rejects %s with a RangeError naming the field', (_, mutate, message) => {
    const f = typicalFile();
    mutate(f);
    expect(() => writeM3c(f)).toThrow(RangeError);
    expect(() => writeM3c(f)).toThrow(message);
  });
});
