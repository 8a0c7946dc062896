import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClassicalAv1KeyframeCodec, CLASSICAL_AV1_ID, CLASSICAL_DEFAULT_BUDGET, codedSize, parsePayloadHeader } from '../../../src/main/codecs/index.ts';
import { M3cError } from '../../../src/shared/engine/errors.ts';
import { makeFrame, type Geometry, type RgbFrame } from '../../../src/shared/engine/frame.ts';
import { msSsim, psnrRgb } from '../../../src/shared/metrics/index.ts';
import { mediaPath } from '../../helpers/media.ts';

const CLIP = mediaPath('video', '04_coffee.mp4');
const GEOMETRY: Geometry = { width: 512, height: 320, fpsNum: 8, fpsDen: 1 };
const DECODE = { seed: 0, text: '' };
const BUDGETS = [300, 600, 1200] as const;

function frameOfClip(): RgbFrame {
  const raw = execFileSync(
    '/usr/bin/ffmpeg',
    ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', CLIP, '-vf', 'select=eq(n\\,60),scale=512:320:flags=bicubic', '-frames:v', '1', '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-'],
    { maxBuffer: 16 << 20 },
  );
  return makeFrame(512, 320, new Uint8Array(raw.buffer, raw.byteOffset, raw.length));
}

async function codeOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(M3cError);
    return { code: (e as M3cError).code, message: (e as M3cError).message };
  }
  throw new Error('expected a rejection');
}

describe.runIf(existsSync(CLIP) && existsSync('/usr/bin/ffmpeg'))('ClassicalAv1KeyframeCodec (real ffmpeg)', () => {
  const codec = new ClassicalAv1KeyframeCodec();
  let original: RgbFrame;
  const payloads = new Map<number, Uint8Array>();
  const decoded = new Map<number, RgbFrame>();

  beforeAll(async () => {
    original = frameOfClip();
    for (const b of BUDGETS) {
      const p = await codec.encode(original, { budgetBytes: b });
      payloads.set(b, p);
      decoded.set(b, await codec.decode(p, GEOMETRY, DECODE));
    }
  });

  it('has the stable id and a default budget in the paper regime', () => {
    expect(codec.id).toBe(CLASSICAL_AV1_ID);
    expect(CLASSICAL_DEFAULT_BUDGET).toBeGreaterThanOrEqual(600);
    expect(CLASSICAL_DEFAULT_BUDGET).toBeLessThanOrEqual(900);
  });

  it('lands at or under each budget and uses most of it', () => {
    for (const b of BUDGETS) {
      const n = payloads.get(b)!.length;
      expect(n).toBeLessThanOrEqual(b);
      expect(n).toBeGreaterThan(b * 0.6);
    }
  });

  it('writes a version-1 header with a known scale whose coded size fits the geometry', () => {
    for (const b of BUDGETS) {
      const p = payloads.get(b)!;
      expect(p[0] >> 4).toBe(1);
      const { divisor } = parsePayloadHeader(p);
      expect([1, 2, 4]).toContain(divisor);
    }
    expect(codedSize(512, 320, 4)).toEqual({ width: 128, height: 80 });
  });

  it('decodes to the working geometry, and quality rises with the budget', () => {
    const q = BUDGETS.map((b) => {
      const d = decoded.get(b)!;
      expect(d.width).toBe(512);
      expect(d.height).toBe(320);
      expect(d.data.length).toBe(512 * 320 * 3);
      return { psnr: psnrRgb(d, original), ms: msSsim(d, original) };
    });
    expect(q[0].psnr).toBeGreaterThan(18);
    expect(q[1].psnr).toBeGreaterThan(q[0].psnr);
    expect(q[2].psnr).toBeGreaterThan(q[1].psnr);
    expect(q[2].ms).toBeGreaterThan(q[0].ms);
  });

  it('is deterministic: the same payload decodes to the same bytes, the same frame encodes to the same payload', async () => {
    const p = payloads.get(600)!;
    const again = await codec.decode(p, GEOMETRY, DECODE);
    expect(Buffer.compare(Buffer.from(again.data), Buffer.from(decoded.get(600)!.data))).toBe(0);
    const reencoded = await codec.encode(original, { budgetBytes: 600 });
    expect(Buffer.compare(Buffer.from(reencoded), Buffer.from(p))).toBe(0);
  });

  it('refuses damaged payloads with a one-line corrupt-bitstream error', async () => {
    const p = payloads.get(600)!;
    const truncated = p.slice(0, Math.floor(p.length / 2));
    const badVersion = p.slice();
    badVersion[0] = (7 << 4) | (p[0] & 15);
    const badScale = p.slice();
    badScale[0] = (1 << 4) | 9;
    const garbage = new Uint8Array(400).map((_, i) => (i * 97 + 13) & 255);
    garbage[0] = p[0];
    for (const bad of [new Uint8Array(0), truncated, badVersion, badScale, garbage]) {
      const err = await codeOf(codec.decode(bad, GEOMETRY, DECODE));
      expect(err.code).toBe('corrupt-bitstream');
      expect(err.message).not.toContain('\n');
    }
  });

  it('refuses a payload decoded with another geometry instead of stretching it', async () => {
    const err = await codeOf(codec.decode(payloads.get(600)!, { ...GEOMETRY, width: 640 }, DECODE));
    expect(err.code).toBe('corrupt-bitstream');
    expect(err.message).toMatch(/coded at/);
  });

  it('rejects with code cancelled when aborted, before or during the work', async () => {
    const pre = new AbortController();
    pre.abort();
    expect((await codeOf(codec.encode(original, { budgetBytes: 600, signal: pre.signal }))).code).toBe('cancelled');
    expect((await codeOf(codec.decode(payloads.get(600)!, GEOMETRY, { ...DECODE, signal: pre.signal }))).code).toBe('cancelled');
    const mid = new AbortController();
    const pending = codec.encode(original, { budgetBytes: 1200, signal: mid.signal });
    setTimeout(() => mid.abort(), 150);
    expect((await codeOf(pending)).code).toBe('cancelled');
  });

  it('refuses a nonsensical budget as a usage error', async () => {
    expect((await codeOf(codec.encode(original, { budgetBytes: 0 }))).code).toBe('usage');
    expect((await codeOf(codec.encode(original, { budgetBytes: 12.5 }))).code).toBe('usage');
  });
});
