/**
 * The guide stream through real ffmpeg (SVT-AV1, libaom, dav1d): new encodes keep it lean (no temporal
 * delimiters, av1-obu-lean), which is exactly the encoder's stream less 2 bytes per temporal unit and decodes
 * to the same pictures as the stream with them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeGuide, encodeGuide, GUIDE_CODEC_ID, GUIDE_LEAN_CODEC_ID } from '../../../src/main/codecs/guide-stream.ts';
import { obuBytes } from '../../../src/main/codecs/anchor-search.ts';
import { restoreTemporalDelimiters } from '../../../src/main/codecs/av1-temporal-units.ts';
import { decodeFrames } from '../../../src/main/media/index.ts';
import { M3cError } from '../../../src/shared/engine/errors.ts';
import type { RgbFrame } from '../../../src/shared/engine/frame.ts';
import { mediaPath } from '../../helpers/media.ts';

const G = { width: 256, height: 160, fpsNum: 8, fpsDen: 1 };
const frames: RgbFrame[] = [];

beforeAll(async () => {
  for await (const f of decodeFrames(mediaPath('video', '01_dog.mp4'), G)) {
    frames.push(f);
    if (frames.length === 24) break;
  }
}, 60_000);

describe('the lean guide stream', () => {
  it.each(['svt', 'aom-slow'] as const)('%s: lean, 2 bytes per coded frame lighter, decodes to the pictures of the full stream', async (encoder) => {
    const trial = { width: 64, height: 40, fps: { num: 4, den: 1 }, crf: 50 };
    const e = await encodeGuide(frames, { num: 8, den: 1 }, trial, { encoder });
    expect(e.guide.codecId).toBe(GUIDE_LEAN_CODEC_ID);
    const full = restoreTemporalDelimiters(e.guide.stream);
    const parts = obuBytes(full);
    // libaom's hidden alt-ref frames share a temporal unit with a shown frame: one delimiter per shown frame.
    expect(parts.temporalDelimiter).toBe(2 * e.codedFrames);
    expect(full.length - e.guide.stream.length).toBe(2 * e.codedFrames);
    const lean = await decodeGuide(e.guide, e.codedFrames);
    const plain = await decodeGuide({ ...e.guide, codecId: GUIDE_CODEC_ID, stream: full }, e.codedFrames);
    expect(lean.length).toBe(12);
    lean.forEach((f, k) => expect(Buffer.from(f.data).equals(Buffer.from(plain[k].data))).toBe(true));
    // Cut inside an OBU: a corrupt bitstream, said in one line.
    const cut = decodeGuide({ ...e.guide, stream: e.guide.stream.subarray(0, e.guide.stream.length - 3) }, e.codedFrames);
    await expect(cut).rejects.toBeInstanceOf(M3cError);
    await expect(cut).rejects.toMatchObject({ code: 'corrupt-bitstream' });
  }, 60_000);
});
