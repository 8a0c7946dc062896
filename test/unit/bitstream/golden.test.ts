import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseM3c, writeM3c } from '../../../src/shared/bitstream/index.ts';
import type { M3cClip, M3cHeader } from '../../../src/shared/bitstream/index.ts';
import { typicalFile } from './fixtures.ts';

/** The worked example of docs/bitstream.md; a change here is a format change and needs a new version. */
const header: M3cHeader = {
  width: 512,
  height: 320,
  fpsNum: 8,
  fpsDen: 1,
  frameCount: 20,
  modelPackId: 'p',
  modelPackHash: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8),
  keyframeCodecId: 'k',
  reconstructorId: 'r',
  textCoderId: 't',
  params: { strategy: 'semantic', lambda1Milli: 1000, lambda2Milli: 0, thresholdMilli: 300, interval: 0, keyframeBudgetBytes: 800 },
};
const clips: M3cClip[] = [
  { firstFrame: 0, length: 12, mode: 'interpolation', keyframe: Uint8Array.of(0xaa, 0xbb), keyframeText: Uint8Array.of(0x41), clipText: new Uint8Array(0) },
  { firstFrame: 12, length: 8, mode: 'prediction', keyframe: Uint8Array.of(0xcc), keyframeText: new Uint8Array(0), clipText: Uint8Array.of(0x42, 0x43) },
];
const GOLDEN =
  '4d334301' +
  '21' + '8004c0020801140201700102030405060708016b0172017401e80700ac0200a006' + '23bdcca1' +
  '06' + '1902aabb0141' + 'a042b853' +
  '06' + '1001cc004243' + '7cad0bd1';

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

describe('format version 1 golden file', () => {
  it('writes the documented bytes', () => {
    expect(hex(writeM3c({ header, clips }))).toBe(GOLDEN);
  });

  it('reads the documented bytes back', () => {
    const bytes = Uint8Array.from(GOLDEN.match(/../g) ?? [], (h) => parseInt(h, 16));
    const r = parseM3c(bytes);
    expect(r).toEqual({ ok: true, file: { version: 1, header, clips } });
  });
});

describe('format version 1 golden typical file', () => {
  it('writes the typical 10 s file (5 clips, 3506 bytes) to a pinned digest', () => {
    const bytes = writeM3c(typicalFile());
    expect(bytes.length).toBe(3506);
    // Preamble and header: 106 bytes, as docs/bitstream.md counts them.
    expect(hex(bytes.subarray(0, 106))).toBe(
      '4d334301618004c002080150050f6d33632d636c6173736963616c2d31deadbeef0123456710636c6173736963616c2d6176312d763117636c6173736963616c2d666c6f772d626c656e642d76310d746578742d72616e67652d763100e807fa01ac0200a006c2e39296',
    );
    expect(createHash('sha256').update(bytes).digest('hex')).toBe('f6a385f1ead7cd0c793ac52c303796347818180fcccf61a7120ae0c63be0e443');
  });
});
