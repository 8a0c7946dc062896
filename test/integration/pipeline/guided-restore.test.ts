/**
 * The restoration stage of guided decoding and its fidelity/realism setting, through the real engine and
 * ONNX Runtime, with two stand-in graphs of the shipped interface whose outputs are known
 * (test/fixtures/restore-pack: fidelity = base, realism = base * 0.5).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RgbFrame } from '../../../src/shared/engine/frame.ts';
import { createEngine, GUIDED_RECONSTRUCTOR_ID, GUIDED_RESTORE_RECONSTRUCTOR_ID } from '../../../src/main/pipeline/engine.ts';
import { encodeVideo } from '../../../src/main/pipeline/encode.ts';
import { decodeVideoFrames, openBitstream } from '../../../src/main/pipeline/decode.ts';
import { DEFAULT_SELECTION } from '../../../src/shared/keyframes/index.ts';
import { parseM3c, writeM3c } from '../../../src/shared/bitstream/index.ts';
import { M3cError } from '../../../src/shared/engine/errors.ts';
import { mediaPath } from '../../helpers/media.ts';

const PACK = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/restore-pack');
const CARPHONE = mediaPath('video', 'carphone.mp4');
const G = { width: 256, height: 160, fpsNum: 8, fpsDen: 1 };
const options = { geometry: G, selection: DEFAULT_SELECTION, mode: 'guided' as const, targetKbps: 3 };
let restored: Uint8Array;
/** The encode with restoration off (its budget, and so its guide, can differ by the header's bytes). */
let plainEncoded: Uint8Array;
/** `restored` with the non-restoring reconstructor id: the same guide, decoded without restoration. */
let plain: Uint8Array;

async function frames(m3c: Uint8Array, realism?: number): Promise<RgbFrame[]> {
  const engine = createEngine({ modelsDir: PACK, realism });
  try {
    const out: RgbFrame[] = [];
    for await (const f of decodeVideoFrames(engine, openBitstream(engine, m3c))) out.push(f);
    return out;
  } finally {
    await engine.dispose();
  }
}

beforeAll(async () => {
  const a = createEngine({ modelsDir: PACK });
  const b = createEngine({ modelsDir: PACK, restoration: false });
  try {
    restored = (await encodeVideo(a, CARPHONE, options)).m3c;
    plainEncoded = (await encodeVideo(b, CARPHONE, options)).m3c;
    const parsed = parseM3c(restored);
    if (!parsed.ok) throw new Error('the restored encode does not parse');
    plain = writeM3c({ ...parsed.file, header: { ...parsed.file.header, reconstructorId: GUIDED_RECONSTRUCTOR_ID } });
  } finally {
    await a.dispose();
    await b.dispose();
  }
}, 180_000);

describe('guided decoding with a restoration model', () => {
  it('the encoder names the restoring reconstructor only when the pack has the model and it is on', () => {
    const r = parseM3c(restored);
    const p = parseM3c(plainEncoded);
    expect(r.ok && r.file.header.reconstructorId).toBe(GUIDED_RESTORE_RECONSTRUCTOR_ID);
    expect(p.ok && p.file.header.reconstructorId).toBe(GUIDED_RECONSTRUCTOR_ID);
  });

  it('fidelity (0) runs the fidelity graph, realism (1) the realism graph, 0.5 blends them', async () => {
    const reference = await frames(plain);
    const [r0, r1, rHalf] = [await frames(restored, 0), await frames(restored, 1), await frames(restored, 0.5)];
    expect(r0.length).toBe(32);
    expect(Buffer.from(r0[5].data).equals(Buffer.from(reference[5].data))).toBe(true);
    const maxDiff = (got: RgbFrame, scale: number, ref: RgbFrame): number => got.data.reduce((m, v, i) => Math.max(m, Math.abs(v - ref.data[i] * scale)), 0);
    expect(maxDiff(r1[5], 0.5, reference[5])).toBeLessThanOrEqual(0.51);
    expect(maxDiff(rHalf[5], 0.75, reference[5])).toBeLessThanOrEqual(0.51);
  }, 120_000);

  it('a file made with the model is refused by an installation whose pack lacks it; realism outside 0..1 is a usage error', async () => {
    const engine = createEngine({ keyframeCodec: 'classical', modelsDir: path.resolve(PACK, '../models') });
    try {
      expect(() => openBitstream(engine, restored)).toThrow(M3cError);
      expect(() => openBitstream(engine, restored)).toThrow(/m3c-test-restore/);
    } finally {
      await engine.dispose();
    }
    expect(() => createEngine({ modelsDir: PACK, realism: 2 })).toThrow(/realism must be a number in 0..1/);
  });
});
