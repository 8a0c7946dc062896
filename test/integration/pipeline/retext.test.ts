import { describe, expect, it, beforeAll } from 'vitest';
import { createEngine } from '../../../src/main/pipeline/engine.ts';
import { encodeVideo, type EncodeResult } from '../../../src/main/pipeline/encode.ts';
import { clipTexts, decodeVideoFrames, openBitstream } from '../../../src/main/pipeline/decode.ts';
import { retextBitstream } from '../../../src/main/pipeline/retext.ts';
import { DEFAULT_SELECTION } from '../../../src/shared/keyframes/index.ts';
import { mediaPath } from '../../helpers/media.ts';

const CARPHONE = mediaPath('video', 'carphone.mp4');
const G = { width: 128, height: 80, fpsNum: 8, fpsDen: 1 };
const engine = createEngine({ keyframeCodec: 'classical' });
let enc: EncodeResult;

beforeAll(async () => {
  const descriptions = { items: [{ frame: 0, keyframe: 'a man in a car', clip: 'he talks on the phone' }] };
  enc = await encodeVideo(engine, CARPHONE, { geometry: G, selection: { ...DEFAULT_SELECTION, maxClip: 12 }, mode: 'interpolation', descriptions });
}, 120_000);

describe('re-encoding with new texts (pipeline/retext.ts)', () => {
  it('keeps the header and every keyframe payload byte for byte and codes only the new texts', async () => {
    const old = openBitstream(engine, enc.m3c);
    expect(old.clips.length).toBeGreaterThanOrEqual(3);
    const second = enc.keyframes[1];
    const descriptions = {
      items: [
        { frame: 0, keyframe: 'a bald man in the passenger seat of a moving car, trees passing behind him', clip: 'he talks into a mobile phone and looks out of the window' },
        { frame: second, keyframe: 'the same man, closer' },
      ],
    };
    const t0 = performance.now();
    const r = retextBitstream(engine, enc.m3c, descriptions);
    const ms = performance.now() - t0;
    const next = openBitstream(engine, r.m3c);

    expect(next.header).toEqual(old.header);
    expect(r.keyframes).toEqual(enc.keyframes);
    expect(next.clips.length).toBe(old.clips.length);
    next.clips.forEach((c, i) => {
      expect(Buffer.from(c.keyframe).equals(Buffer.from(old.clips[i].keyframe))).toBe(true);
      expect({ firstFrame: c.firstFrame, length: c.length, mode: c.mode }).toEqual({ firstFrame: old.clips[i].firstFrame, length: old.clips[i].length, mode: old.clips[i].mode });
    });

    const texts = clipTexts(next);
    expect(clipTexts(old)[0]).toEqual({ keyframe: 'a man in a car', clip: 'he talks on the phone' });
    expect(texts[0]).toEqual({ keyframe: descriptions.items[0].keyframe, clip: descriptions.items[0].clip });
    expect(texts[1]).toEqual({ keyframe: 'the same man, closer', clip: '' });
    expect(texts.slice(2).every((t) => t.keyframe === '' && t.clip === '')).toBe(true);
    expect(r.descriptions).toEqual(texts);

    // Only the text sections (and the length fields around them) changed size.
    expect(r.sections.keyframes).toBe(enc.sections.keyframes);
    expect(r.sections.keyframeTexts).toBeGreaterThan(enc.sections.keyframeTexts);
    expect(r.sections.clipTexts).toBeGreaterThan(enc.sections.clipTexts);
    expect(r.bytes).toBe(r.m3c.length);
    expect(r.bytes - enc.bytes).toBe(r.sections.keyframeTexts + r.sections.clipTexts + r.sections.container - (enc.sections.keyframeTexts + enc.sections.clipTexts + enc.sections.container));
    console.log(`retext of ${old.clips.length} clips: ${ms.toFixed(1)} ms (open ${r.timings.open.toFixed(1)}, text coding ${r.timings['text-coding'].toFixed(1)}, container ${r.timings.container.toFixed(1)})`);

    // It decodes to every frame, and the frames are those of the old file (the texts do not steer today's reconstructor).
    let a = 0;
    const oldFrames: Uint8Array[] = [];
    for await (const f of decodeVideoFrames(engine, old)) oldFrames.push(f.data);
    for await (const f of decodeVideoFrames(engine, next)) {
      expect(Buffer.from(f.data).equals(Buffer.from(oldFrames[a]))).toBe(true);
      a++;
    }
    expect(a).toBe(enc.frameCount);
  }, 120_000);

  it('with the same texts gives the same bytes, and refuses a corrupt file', () => {
    const same = retextBitstream(engine, enc.m3c, { items: [{ frame: 0, keyframe: 'a man in a car', clip: 'he talks on the phone' }] });
    expect(Buffer.from(same.m3c).equals(Buffer.from(enc.m3c))).toBe(true);
    const broken = enc.m3c.slice(0, enc.m3c.length - 7);
    expect(() => retextBitstream(engine, broken, undefined)).toThrow(expect.objectContaining({ code: 'corrupt-bitstream' }));
  });
});
